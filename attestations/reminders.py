"""Reminding organizations before their attestation expires."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.actors import SYSTEM
from assessments import emails
from assessments.lifecycle import Audience
from assessments.models import Attestation, AuditAction, EventType
from attestations import audit
from integrations import webhooks

REMIND_DAYS_BEFORE = 30


def due_for_reminder(now=None):
    now = now or timezone.now()
    return (
        Attestation.objects.in_force(now)
        .filter(
            reminder_sent_at__isnull=True,
            expires_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("assessment__organization", "assessment__framework_version")
    )


def send_expiry_reminders() -> int:
    """Email each organization once about an attestation nearing expiry; return how many."""
    sent = 0
    for attestation in due_for_reminder():  # in force: never superseded, rejected or revoked
        with transaction.atomic():
            claimed = Attestation.objects.filter(
                pk=attestation.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue  # another worker sent it
            audit.record_on(
                attestation.assessment,
                actor=SYSTEM,
                action=AuditAction.EXPIRY_REMINDER_SENT,
                obj=attestation,
                details={"expires_at": attestation.expires_at.isoformat()},
            )
            webhooks.emit(
                EventType.EXPIRING,
                attestation.assessment,
                attestation_id=attestation.pk,
                expires_at=attestation.expires_at.isoformat(),
            )
            transaction.on_commit(
                lambda a=attestation: emails.send_notice(
                    a.assessment,
                    emails.Notice.EXPIRING,
                    Audience.ORGANIZATION,
                    expires_at=a.expires_at,
                )
            )
        sent += 1
    return sent
