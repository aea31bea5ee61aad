"""Background work, through Django's tasks framework (a database queue in production)."""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from assessments.models import Attestation, Report, ReportState
from attestations.canonical import sha256_hex
from attestations.reports import issue_report_pdf
from compliance_portal import task_queue

log = logging.getLogger(__name__)
MAX_REPORT_ATTEMPTS = 3


def schedule_report(attestation_id: str, *, attempt: int = 1) -> None:
    """Queue a render; a retry waits 30 seconds, the next one a minute."""
    task_queue.enqueue(
        render_report, attestation_id, attempt=attempt, first_wait=timedelta(seconds=30), growth=2
    )


@task
def render_report(attestation_id: str, attempt: int = 1) -> str:
    """Render and store an attestation's PDF; retry a failure, then mark it failed.

    The attestation never depends on this: a failed render leaves it signed and
    verifiable, with a report state that says what happened.
    """
    attestation = Attestation.objects.get(pk=attestation_id)
    Attestation.objects.filter(pk=attestation.pk).update(
        report_state=ReportState.PENDING,
        report_attempts=attempt,
        report_requested_at=timezone.now(),
    )
    try:
        pdf, key_id = issue_report_pdf(attestation)
    except Exception as exc:
        log.exception("Rendering the report of attestation %s failed", attestation_id)
        if attempt < MAX_REPORT_ATTEMPTS:
            schedule_report(attestation_id, attempt=attempt + 1)
            return "retrying"
        Attestation.objects.filter(pk=attestation.pk).update(
            report_state=ReportState.FAILED, report_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"
    digest = sha256_hex(pdf)
    with transaction.atomic():
        if not Report.objects.filter(sha256=digest).exists():
            report = Report(attestation=attestation, sha256=digest, size=len(pdf), key_id=key_id)
            report.file.save(f"attestation-{digest[:16]}.pdf", ContentFile(pdf), save=False)
            report.save()
        Attestation.objects.filter(pk=attestation.pk).update(
            report_state=ReportState.READY, report_error=""
        )
    return digest


def _queued(attestation_id) -> bool:
    """Whether a render of this attestation still waits in the database queue: however long
    the queue, that report is not lost, and queueing it again would render it twice."""
    if not apps.is_installed("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=render_report.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__args__0=str(attestation_id),
    ).exists()


def retry_stuck_reports() -> tuple[int, int]:
    """Reports still pending long after their task started, and no longer queued, were lost
    with a crashed worker: queue them again, or mark them failed after the last attempt."""
    stuck_after = timedelta(seconds=settings.REPORT_STUCK_AFTER_SECONDS)
    stuck = Attestation.objects.filter(
        report_state=ReportState.PENDING, report_requested_at__lt=timezone.now() - stuck_after
    )
    retried = failed = 0
    for attestation in stuck:
        if _queued(attestation.pk):
            continue
        if attestation.report_attempts < MAX_REPORT_ATTEMPTS:
            Attestation.objects.filter(pk=attestation.pk).update(report_requested_at=timezone.now())
            schedule_report(str(attestation.pk), attempt=attestation.report_attempts + 1)
            retried += 1
        else:
            Attestation.objects.filter(pk=attestation.pk).update(
                report_state=ReportState.FAILED, report_error="The rendering task never finished."
            )
            failed += 1
    return retried, failed
