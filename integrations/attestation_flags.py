"""Telling everyone that something behind an attestation in force changed (a public page it
points to, the live product's answers, the platform's child-safety prompt): an event on the
assessment's audit trail and a webhook event in the caller's transaction, and an email to the
organization and to the reviewers after commit."""

from django.db import transaction

from accounts.actors import SYSTEM
from assessments import emails
from assessments.lifecycle import Audience
from assessments.models import Attestation, AuditAction, EventType
from attestations import audit
from integrations import webhooks


def raise_flag(
    attestation: Attestation,
    *,
    action: AuditAction,
    obj,
    details: dict,
    event: EventType,
    notice: emails.Notice,
    note: str = "",
    **data,
) -> None:
    """Call inside the transaction that records the change; ``data`` goes into the webhook."""
    assessment = attestation.assessment
    audit.record_on(assessment, actor=SYSTEM, action=action, obj=obj, details=details)
    webhooks.emit(event, assessment, attestation_id=attestation.pk, **data)
    for audience in (Audience.ORGANIZATION, Audience.REVIEWERS):
        transaction.on_commit(
            lambda a=audience: emails.send_notice(assessment, notice, a, note=note)
        )
