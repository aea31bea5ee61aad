"""The assessment state machine: one function per transition, each atomic and audited.

    draft ──submit──▶ awaiting_signature ──sign──▶ submitted ──start_review──▶ in_review
    awaiting_signature ──return_to_draft──▶ draft
    submitted | in_review ──request_changes──▶ changes_requested ──submit──▶ awaiting_signature
    submitted | in_review ──approve──▶ approved
    submitted | in_review ──reject──▶ rejected
    Each signature makes a new, numbered attestation.

Who may call what is decided by assessments.permissions before these run; these decide
whether the assessment's state allows it. An illegal transition raises IllegalTransition,
whose message is fit to show the person.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from assessments import audit, emails
from assessments.actors import Actor
from assessments.answers import result_for
from assessments.attestation import build_snapshot, canonical_json, sha256_hex
from assessments.carryover import copy_unchanged_answers
from assessments.errors import IllegalTransition
from assessments.models import Assessment, Attestation, Comment, Decision, Outcome, Status
from assessments.tasks import schedule_report

__all__ = ["IllegalTransition"]


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
    )


def _move(
    assessment: Assessment,
    *,
    to: Status,
    allowed_from: set[Status],
    actor: Actor,
    action: str,
    details: dict | None = None,
) -> Assessment:
    """Change status under a row lock and write the audit event in the same transaction."""
    locked = _locked(assessment)
    if locked.status not in allowed_from:
        raise IllegalTransition(
            f"This assessment is {locked.get_status_display().lower()}, so it cannot be "
            f"{action.replace('_', ' ')}."
        )
    before = locked.status
    locked.status = to
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    audit.record_on(
        locked,
        actor=actor,
        action=action,
        details={"from": before, "to": to, **(details or {})},
    )
    assessment.status = locked.status
    assessment.status_changed_at = locked.status_changed_at
    return locked


def start_assessment(*, organization, framework_version, actor: Actor, carry_over_from=None):
    """Open a draft on a framework version, optionally carrying answers over (see carryover).
    The database holds one open assessment per organization and questionnaire, so two
    simultaneous starts make one draft and one clear refusal."""
    try:
        return _start_assessment(
            organization=organization,
            framework_version=framework_version,
            actor=actor,
            carry_over_from=carry_over_from,
        )
    except IntegrityError:
        raise IllegalTransition(
            "An assessment of this questionnaire is already open: continue that one."
        ) from None


def _start_assessment(*, organization, framework_version, actor: Actor, carry_over_from):
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            framework_version=framework_version,
            framework_slug=framework_version.slug,
            created_by=actor.user,
            carried_over_from=carry_over_from,
        )
        copied = copy_unchanged_answers(carry_over_from, assessment) if carry_over_from else []
        audit.record_on(
            assessment,
            actor=actor,
            action="assessment_started",
            details={
                "framework": f"{framework_version.slug} {framework_version.version}",
                "carried_over_from": str(carry_over_from.pk) if carry_over_from else None,
                "answers_carried_over": len(copied),
            },
        )
    return assessment


def submit(assessment: Assessment, *, actor: Actor) -> Assessment:
    """Preparer hands a complete questionnaire to the signatory; answers lock."""
    with transaction.atomic():
        result = result_for(_locked(assessment))
        if not result.is_complete:
            raise IllegalTransition(
                f"{len(result.missing_required)} required question(s) are still unanswered."
            )
        assessment.comments.filter(requests_change=True, resolved_at=None).update(
            resolved_at=timezone.now()
        )
        return _move(
            assessment,
            to=Status.AWAITING_SIGNATURE,
            allowed_from={Status.DRAFT, Status.CHANGES_REQUESTED},
            actor=actor,
            action="submitted_for_signature",
        )


def return_to_draft(assessment: Assessment, *, actor: Actor, reason: str = "") -> Assessment:
    """The signatory (or a preparer) reopens the answers before signing."""
    with transaction.atomic():
        return _move(
            assessment,
            to=Status.DRAFT,
            allowed_from={Status.AWAITING_SIGNATURE},
            actor=actor,
            action="returned_to_draft",
            details={"reason": reason},
        )


def sign(assessment: Assessment, *, actor: Actor, statement_version: str) -> Attestation:
    """Lock the answers into a signed snapshot and submit it to the platform."""
    with transaction.atomic():
        locked = _move(
            assessment,
            to=Status.SUBMITTED,
            allowed_from={Status.AWAITING_SIGNATURE},
            actor=actor,
            action="signed",
            details={"statement_version": statement_version},
        )
        signed_at = timezone.now()
        number = _next_attestation_number(locked)
        snapshot = build_snapshot(
            locked,
            number=number,
            signer=actor.user,
            signed_at=signed_at,
            statement_version=statement_version,
        )
        text = canonical_json(snapshot)
        attestation = Attestation.objects.create(
            assessment=locked,
            organization_id=locked.organization_id,
            framework_slug=locked.framework_slug,
            number=number,
            snapshot_json=text,
            snapshot_sha256=sha256_hex(text),
            statement_version=statement_version,
            signed_by=actor.user,
            signed_at=signed_at,
            signer_ip=actor.ip,
            expires_at=signed_at + timedelta(days=settings.ATTESTATION_VALID_DAYS),
        )
        overall = snapshot["overall"]
        locked.attested_score = overall["score"]
        locked.attested_risk_tier = overall["risk_tier"]
        locked.attested_until = attestation.expires_at
        locked.save(update_fields=["attested_score", "attested_risk_tier", "attested_until"])
        audit.record_on(
            locked,
            actor=actor,
            action="attestation_created",
            obj=attestation,
            details={"number": number, "snapshot_sha256": attestation.snapshot_sha256},
        )
        transaction.on_commit(lambda: schedule_report(str(attestation.pk)))
        transaction.on_commit(lambda: emails.send_status_change(locked, event="submitted"))
    return attestation


def _next_attestation_number(assessment: Assessment) -> int:
    """Attestations are numbered per organization and questionnaire, across re-assessments
    (one open assessment at a time, so the assessment's lock is enough)."""
    latest = Attestation.objects.filter(
        organization_id=assessment.organization_id, framework_slug=assessment.framework_slug
    ).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def start_review(assessment: Assessment, *, actor: Actor) -> Assessment:
    with transaction.atomic():
        locked = _move(
            assessment,
            to=Status.IN_REVIEW,
            allowed_from={Status.SUBMITTED},
            actor=actor,
            action="review_started",
        )
        if locked.assigned_reviewer_id is None:
            locked.assigned_reviewer = actor.user
            locked.save(update_fields=["assigned_reviewer"])
        return locked


def _decide(assessment, *, actor: Actor, outcome: Outcome, rationale: str, to: Status):
    rationale = rationale.strip()
    if not rationale:
        raise IllegalTransition("A decision needs a rationale.")
    with transaction.atomic():
        locked = _move(
            assessment,
            to=to,
            allowed_from={Status.SUBMITTED, Status.IN_REVIEW},
            actor=actor,
            action=outcome.value if outcome != Outcome.CHANGES_REQUESTED else "changes_requested",
            details={"rationale": rationale},
        )
        attestation = locked.attestations.order_by("-number").first()
        decision = Decision.objects.create(
            attestation=attestation, reviewer=actor.user, outcome=outcome, rationale=rationale
        )
        # The report states the decision, so it is issued again; earlier copies still verify.
        transaction.on_commit(lambda: schedule_report(str(attestation.pk)))
        transaction.on_commit(
            lambda: emails.send_status_change(locked, event=outcome.value, message=rationale)
        )
        return locked, decision


def approve(assessment: Assessment, *, actor: Actor, rationale: str) -> Decision:
    _, decision = _decide(
        assessment, actor=actor, outcome=Outcome.APPROVED, rationale=rationale, to=Status.APPROVED
    )
    return decision


def reject(assessment: Assessment, *, actor: Actor, rationale: str) -> Decision:
    _, decision = _decide(
        assessment, actor=actor, outcome=Outcome.REJECTED, rationale=rationale, to=Status.REJECTED
    )
    return decision


def request_changes(
    assessment: Assessment, *, actor: Actor, message: str, question_ids: list[str]
) -> Decision:
    """Send the assessment back with a message, flagging the questions to revisit."""
    with transaction.atomic():
        locked, decision = _decide(
            assessment,
            actor=actor,
            outcome=Outcome.CHANGES_REQUESTED,
            rationale=message,
            to=Status.CHANGES_REQUESTED,
        )
        for question_id in question_ids or [""]:
            Comment.objects.create(
                assessment=locked,
                question_id=question_id,
                author=actor.user,
                body=message.strip(),
                requests_change=True,
            )
    return decision


def revoke(attestation: Attestation, *, actor: Actor, reason: str) -> Attestation:
    """A reviewer withdraws an attestation; the public verification page then says so."""
    reason = reason.strip()
    if not reason:
        raise IllegalTransition("Say why the attestation is revoked.")
    with transaction.atomic():
        locked = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if locked.revoked_at:
            raise IllegalTransition("This attestation is already revoked.")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor.user
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        # The queue shows what is valid: a revoked attestation is valid until nothing.
        Assessment.objects.filter(pk=locked.assessment_id, attested_until=locked.expires_at).update(
            attested_until=None
        )
        audit.record_on(
            locked.assessment,
            actor=actor,
            action="attestation_revoked",
            obj=locked,
            details={"number": locked.number, "reason": reason},
        )
        transaction.on_commit(
            lambda: emails.send_status_change(locked.assessment, event="revoked", message=reason)
        )
    return locked


def assign(assessment: Assessment, *, actor: Actor, reviewer) -> Assessment:
    """Give an assessment to a reviewer (or take it back with reviewer=None)."""
    with transaction.atomic():
        locked = _locked(assessment)
        before = locked.assigned_reviewer
        locked.assigned_reviewer = reviewer
        locked.save(update_fields=["assigned_reviewer"])
        audit.record_on(
            locked,
            actor=actor,
            action="reviewer_assigned",
            details={
                "from": before.email if before else None,
                "to": reviewer.email if reviewer else None,
            },
        )
    return locked


def comment(assessment: Assessment, *, actor: Actor, body: str, question_id: str = ""):
    """Add to the conversation on an assessment or one of its questions."""
    body = body.strip()
    if not body:
        raise IllegalTransition("Write something before posting a comment.")
    with transaction.atomic():
        note = Comment.objects.create(
            assessment=assessment, question_id=question_id, author=actor.user, body=body
        )
        audit.record_on(
            assessment,
            actor=actor,
            action="comment_added",
            obj=note,
            details={"question_id": question_id},
        )
    return note
