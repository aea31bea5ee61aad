"""After the scale-out run: was every requested report produced exactly once, is every
audit chain intact, are the files in the bucket? Prints JSON (run by bench/scale_out.py)."""

import json
from collections import Counter

import django

django.setup()

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from assessments.models import (
    Attestation,
    AuditAction,
    AuditEvent,
    Report,
    ReportState,
)
from attestations.tasks import render_report

renders = DBTaskResult.objects.filter(task_path=render_report.module_path)
requested, succeeded, killed = Counter(), Counter(), Counter()
for task in renders:
    attestation_id = task.args_kwargs["args"][0]
    if task.args_kwargs["kwargs"].get("attempt", 1) == 1:
        requested[attestation_id] += 1  # a report asked for (signature or decision)
    if task.status == "SUCCESSFUL" and task.return_value not in ("retrying", "failed"):
        succeeded[attestation_id] += 1
    if task.status == "RUNNING":
        killed[attestation_id] += 1  # claimed by the worker that was killed
reports = Counter(str(a) for a in Report.objects.values_list("attestation_id", flat=True))
states = dict(Attestation.objects.values_list("pk", "report_state"))
try:
    call_command("verify_audit_trail", verbosity=0)
    audit = "intact"
except CommandError as exc:
    audit = f"BROKEN: {exc}"
# Each simulated preparer autosaves one answer on its own assessment ("..., draft N"): every
# save it makes is stored, none refused as a conflict.
autosaves_stored = AuditEvent.objects.filter(
    action=AuditAction.ANSWER_SAVED,
    details__question_id="scope.product",
    details__value__startswith="A tutoring app for pupils, draft",
).count()
in_bucket = sum(default_storage.exists(r.file.name) for r in Report.objects.all())
print(
    json.dumps(
        {
            "attestations": len(states),
            "reports requested": sum(requested.values()),
            "reports rendered": sum(succeeded.values()),
            "renders lost with the killed worker": sum(killed.values()),
            "attestations without a ready report": sum(
                1 for s in states.values() if s != ReportState.READY
            ),
            "requests rendered more than once": sum(
                1 for a, n in succeeded.items() if n > requested[a]
            ),
            "report files": sum(reports.values()),
            "report files in the bucket": in_bucket,
            "audit trail": audit,
            "autosaved answers stored": autosaves_stored,
        }
    )
)
