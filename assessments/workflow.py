"""The assessment's transitions, executed from the table in assessments.lifecycle.

Each function here is one transition: keyword-only actor, one transaction, the state change
checked against the table under a row lock, exactly one audit event (the action the table
names) in the same transaction, and the table's notification sent after commit. Each enforces
the table itself, whoever calls it (a view, the API, a command): a role that may not act gets
NotPermitted (403), a missing note MissingRequirement, a missing or stale proof of step-up
StepUpRequired, a state that does not allow it IllegalTransition, each with a message fit to
show the person.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts import permissions, step_up
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import approval, emails, lifecycle, notes, products, status_counts
from assessments.answers import result_for
from assessments.carryover import copy_answers, copy_evidence, unchanged_questions
from assessments.errors import IllegalTransition, MissingRequirement, NotPermitted
from assessments.lifecycle import LIFECYCLE, Audience, Requirement, Rule, Transition
from assessments.models import (
    ApprovalProposal,
    Assessment,
    Attestation,
    AuditAction,
    CaptureReason,
    Comment,
    Decision,
    EventType,
    Outcome,
    Status,
)
from attestations import audit, status_list
from attestations.attestation import build_snapshot, valid_until
from attestations.canonical import canonical_json, sha256_hex
from attestations.checkpoints import write_checkpoint
from attestations.tasks import schedule_report
from integrations import public_claims, webhooks
from platform_audits import platform_requests
from questionnaires import regimes

__all__ = ["IllegalTransition", "MissingRequirement"]


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
    )


def _checked(
    assessment: Assessment,
    transition: Transition,
    *,
    actor: Actor,
    note: str = "",
    proof: step_up.Proof | None = None,
) -> tuple[Assessment, Rule]:
    """Check the transition against the table, whoever calls: the actor's role, the note,
    the proof of step-up, and (under a row lock) the state. Returns the locked assessment and
    its rule."""
    rule = LIFECYCLE[transition]
    if not lifecycle.may_perform(actor.user, assessment.organization, rule):
        raise NotPermitted(f"Your role does not allow “{rule.label}”.")
    notes.written(
        note,
        missing=f"“{rule.label}” needs a note saying why.",
        required=Requirement.NOTE in rule.requires,
    )
    step_up.require(proof, actor.user, rule.requires)
    locked = _locked(assessment)
    if locked.status not in rule.sources:
        raise IllegalTransition(
            f"This assessment is {locked.get_status_display().lower()}: “{rule.label}” is not "
            "possible now."
        )
    return locked, rule


def _apply(assessment: Assessment, locked: Assessment, rule: Rule) -> tuple:
    """Change the state (already checked); returns the locked assessment, its rule and the
    state it left."""
    before = locked.status
    locked.status = rule.target
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    assessment.status = locked.status
    assessment.status_changed_at = locked.status_changed_at
    return locked, rule, before


def _move(assessment: Assessment, transition: Transition, **given) -> tuple:
    """Check the transition, then make it: (locked assessment, rule, state it left)."""
    return _apply(assessment, *_checked(assessment, transition, **given))


def _record(locked, rule: Rule, before, *, actor: Actor, obj=None, note="", details=None):
    """The transition's one audit event, the state counts, and its notification once the
    change is committed. The counts are written after the event: every move waits its turn
    on the audit chain's lock, and counting within that turn means no move holds a counter
    row while it queues for the chain (which made the counters the busiest rows under load,
    bench/hot_rows.py)."""
    audit.record_on(
        locked,
        actor=actor,
        action=rule.audit,
        obj=obj,
        details={
            "from": before,
            "to": rule.target,
            **({"note": note} if note else {}),
            **(details or {}),
        },
    )
    status_counts.moved(before, rule.target)
    if rule.notifies is not None:
        transaction.on_commit(lambda: emails.send_transition(locked, rule, note=note))
    event = webhooks.TRANSITION_EVENTS.get(rule.transition)
    if event is not None:
        attestation = obj if isinstance(obj, Attestation) else getattr(obj, "attestation", None)
        webhooks.emit(event, locked, **({"attestation_id": attestation.pk} if attestation else {}))


def start_assessment(
    *, organization, framework_version, actor: Actor, carry_over_from=None, product=None
):
    """Open a draft of one product (the organization's only one, when none is named) on a
    framework version, optionally carrying answers over (see carryover). The database holds
    one open assessment per product and questionnaire, so two simultaneous starts make one
    draft and one clear refusal. Answers carry over only from an approved assessment of the
    same product: what the platform accepted, not what it rejected or never saw. Only those
    who may edit the organization's answers open one."""
    permissions.require(actor.user, organization, Need.EDIT)
    product = product or products.default_product(organization)
    if product.organization_id != organization.pk:
        raise IllegalTransition("That product is another organization's.")
    if carry_over_from is not None and carry_over_from.status != Status.APPROVED:
        raise IllegalTransition("Answers can only be carried over from an approved assessment.")
    if carry_over_from is not None and carry_over_from.product_id != product.pk:
        raise IllegalTransition("Answers carry over only from the same product's assessment.")
    try:
        return _start_assessment(
            organization=organization,
            product=product,
            framework_version=framework_version,
            actor=actor,
            carry_over_from=carry_over_from,
        )
    except IntegrityError:
        raise IllegalTransition(
            f"An assessment of {product} on this questionnaire is already open: continue that one."
        ) from None


def _start_assessment(*, organization, product, framework_version, actor: Actor, carry_over_from):
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            product=product,
            framework_version=framework_version,
            framework_slug=framework_version.slug,
            created_by=actor.user,
            carried_over_from=carry_over_from,
        )
        copied, evidence_copied = [], 0
        if carry_over_from is not None:
            unchanged = unchanged_questions(carry_over_from, assessment)
            copied = copy_answers(carry_over_from, assessment, unchanged)
            evidence_copied = copy_evidence(carry_over_from, assessment, unchanged)
        audit.record_on(
            assessment,
            actor=actor,
            action=AuditAction.ASSESSMENT_STARTED,
            details={
                "product": product.name,
                "framework": f"{framework_version.slug} {framework_version.version}",
                "carried_over_from": str(carry_over_from.pk) if carry_over_from else None,
                "answers_carried_over": len(copied),
                "evidence_carried_over": evidence_copied,
            },
        )
        status_counts.moved(None, assessment.status)  # after the event, as in _record
    return assessment


def submit(assessment: Assessment, *, actor: Actor) -> Assessment:
    """Preparer hands a complete questionnaire to the signatory; answers lock."""
    with transaction.atomic():
        locked, rule, before = _move(assessment, Transition.SUBMIT, actor=actor)
        result = result_for(locked)
        if not result.is_complete:  # raised inside the transaction: the move is undone
            missing = len(result.missing_required)
            raise MissingRequirement(
                f"{missing} required question{pluralize(missing)} "
                f"{'is' if missing == 1 else 'are'} still unanswered."
            )
        locked.comments.filter(requests_change=True, resolved_at=None).update(
            resolved_at=timezone.now()
        )
        transaction.on_commit(
            lambda: public_claims.schedule(str(locked.pk), CaptureReason.SUBMITTED)
        )
        _record(locked, rule, before, actor=actor)
        return locked


def return_to_draft(assessment: Assessment, *, actor: Actor, reason: str) -> Assessment:
    """The signatory reopens the answers before signing, saying what to change."""
    with transaction.atomic():
        locked, rule, before = _move(
            assessment, Transition.RETURN_TO_DRAFT, actor=actor, note=reason
        )
        _record(locked, rule, before, actor=actor, note=reason.strip())
        return locked


def _next_attestation_number(assessment: Assessment) -> int:
    """Attestations are numbered per organization and questionnaire, across re-assessments
    (one open assessment at a time, so the assessment's lock is enough)."""
    latest = Attestation.objects.filter(
        organization_id=assessment.organization_id, framework_slug=assessment.framework_slug
    ).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def sign(
    assessment: Assessment, *, actor: Actor, statement_version: str, proof: step_up.Proof | None
) -> Attestation:
    """Lock the answers into a signed snapshot and submit it to the platform. `proof` is the
    sign form's step-up (password, and code when the signatory has an authenticator)."""
    with transaction.atomic():
        locked, rule, before = _move(assessment, Transition.SIGN, actor=actor, proof=proof)
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
        attestation = status_list.create_listed(
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
            expires_at=valid_until(signed_at),
        )
        overall = snapshot["overall"]
        locked.attested_score = overall["score"]
        locked.attested_risk_tier = overall["risk_tier"]
        locked.attested_until = attestation.expires_at
        locked.save(update_fields=["attested_score", "attested_risk_tier", "attested_until"])
        _record(
            locked,
            rule,
            before,
            actor=actor,
            obj=attestation,
            details={
                "number": number,
                "snapshot_sha256": attestation.snapshot_sha256,
                "statement_version": statement_version,
            },
        )
        platform_requests.fulfil_on_signing(attestation, actor=actor)
        # Anchor the trail outside the database, then issue the report that carries it.
        transaction.on_commit(write_checkpoint, robust=True)
        transaction.on_commit(lambda: schedule_report(str(attestation.pk)))
    return attestation


def start_review(assessment: Assessment, *, actor: Actor) -> Assessment:
    with transaction.atomic():
        locked, rule, before = _move(assessment, Transition.START_REVIEW, actor=actor)
        if locked.assigned_reviewer_id is None:
            locked.assigned_reviewer = actor.user
            locked.save(update_fields=["assigned_reviewer"])
        _record(locked, rule, before, actor=actor)
        return locked


OUTCOMES = {
    Transition.APPROVE: Outcome.APPROVED,
    Transition.REJECT: Outcome.REJECTED,
    Transition.REQUEST_CHANGES: Outcome.CHANGES_REQUESTED,
}


def _decide(
    assessment, transition: Transition, *, actor: Actor, rationale: str
) -> tuple[Assessment, Decision]:
    """A reviewer's decision on the latest attestation; its report is issued again to state
    it, and earlier copies still verify."""
    with transaction.atomic():
        locked, rule, before = _move(assessment, transition, actor=actor, note=rationale)
        attestation = locked.attestations.order_by("-number").first()
        decision = _record_decision(
            locked, rule, before, attestation, actor=actor, rationale=rationale
        )
        return locked, decision


def _record_decision(
    locked, rule: Rule, before, attestation, *, actor: Actor, rationale: str, **recorded
) -> Decision:
    """The decision of a move already made, on its audit event, anchored outside the database
    (a checkpoint) before its report is issued again."""
    rationale = rationale.strip()
    decision = Decision.objects.create(
        attestation=attestation,
        reviewer=actor.user,
        outcome=OUTCOMES[rule.transition],
        rationale=rationale,
        **recorded,
    )
    _record(
        locked,
        rule,
        before,
        actor=actor,
        obj=decision,
        note=rationale,
        details={"attestation": attestation.number},
    )
    transaction.on_commit(write_checkpoint, robust=True)
    transaction.on_commit(lambda: schedule_report(str(attestation.pk)))
    return decision


def approve(assessment: Assessment, *, actor: Actor, rationale: str) -> Decision | ApprovalProposal:
    """Approve the latest attestation, once the reviewers' verdicts allow it (approval.py).
    Where a second reviewer is needed, the first approval is a proposal that decides nothing;
    another reviewer's approval then decides, naming both. The decision records the figure
    the platform verified, which the report and the credential carry from then on."""
    with transaction.atomic():
        locked, rule = _checked(assessment, Transition.APPROVE, actor=actor, note=rationale)
        checked = approval.check(locked)
        if checked.outstanding:
            raise MissingRequirement(checked.refusal())
        attestation = locked.attestations.order_by("-number").first()
        proposal = attestation.approval_proposals.first()
        if checked.needs_second_reviewer and (proposal is None or proposal.reviewer == actor.user):
            if proposal is not None:
                raise MissingRequirement(
                    "You proposed this approval: a second reviewer must approve it."
                )
            return _propose(locked, attestation, actor=actor, rationale=rationale.strip())
        return _record_decision(
            *_apply(assessment, locked, rule),
            attestation,
            actor=actor,
            rationale=rationale,
            verified_score=checked.result.verified_score,
            verified_risk_tier=checked.result.verified_tier,
            proposed_by=proposal.reviewer if checked.needs_second_reviewer else None,
        )


def _propose(locked, attestation, *, actor: Actor, rationale: str) -> ApprovalProposal:
    proposal = ApprovalProposal.objects.create(
        attestation=attestation, reviewer=actor.user, rationale=rationale
    )
    audit.record_on(
        locked,
        actor=actor,
        action=AuditAction.APPROVAL_PROPOSED,
        obj=proposal,
        details={"attestation": attestation.number, "note": rationale},
    )
    return proposal


def reject(assessment: Assessment, *, actor: Actor, rationale: str) -> Decision:
    return _decide(assessment, Transition.REJECT, actor=actor, rationale=rationale)[1]


def request_changes(
    assessment: Assessment, *, actor: Actor, message: str, question_notes: dict[str, str]
) -> Decision:
    """Send the assessment back with a message, and each question to revisit with its own
    note (from the reviewer's "needs change" verdicts): questions the assessment asks, its
    questionnaire's or a law's."""
    for question_id in question_notes:
        regimes.require_asked(assessment.framework_version.framework, question_id)
    with transaction.atomic():
        locked, decision = _decide(
            assessment, Transition.REQUEST_CHANGES, actor=actor, rationale=message
        )
        for question_id, note in (question_notes or {"": message}).items():
            Comment.objects.create(
                assessment=locked,
                question_id=question_id,
                author=actor.user,
                body=notes.within(note),
                requests_change=True,
            )
    return decision


def revoke(attestation: Attestation, *, actor: Actor, reason: str) -> Attestation:
    """A reviewer withdraws an attestation; the public verification page then says so."""
    permissions.require(actor.user, attestation.organization, Need.REVIEW)
    reason = notes.written(reason, missing="Say why the attestation is revoked.")
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
            action=AuditAction.ATTESTATION_REVOKED,
            obj=locked,
            details={"number": locked.number, "reason": reason},
        )
        webhooks.emit(EventType.REVOKED, locked.assessment, attestation_id=locked.pk)
        transaction.on_commit(write_checkpoint, robust=True)
        transaction.on_commit(
            lambda: emails.send_notice(
                locked.assessment, emails.Notice.REVOKED, Audience.ORGANIZATION, note=reason
            )
        )
    return locked


def assign(assessment: Assessment, *, actor: Actor, reviewer) -> Assessment:
    """Give an assessment to an active reviewer (or take it back with reviewer=None)."""
    permissions.require(actor.user, assessment.organization, Need.REVIEW)
    if reviewer is not None and not reviewer.is_reviewer:
        raise NotPermitted(f"{reviewer} is not a platform reviewer.")
    if reviewer is not None and not reviewer.is_active:
        raise MissingRequirement(f"{reviewer} is no longer a reviewer here: choose another.")
    with transaction.atomic():
        locked = _locked(assessment)
        before = locked.assigned_reviewer
        locked.assigned_reviewer = reviewer
        locked.save(update_fields=["assigned_reviewer"])
        audit.record_on(
            locked,
            actor=actor,
            action=AuditAction.REVIEWER_ASSIGNED,
            details={
                "from": before.email if before else None,
                "to": reviewer.email if reviewer else None,
            },
        )
    return locked


def comment(assessment: Assessment, *, actor: Actor, body: str, question_id: str = ""):
    """Add to the conversation on an assessment or one of its questions (the questionnaire's
    or a law's)."""
    permissions.require(actor.user, assessment.organization, Need.VIEW)
    if question_id:
        regimes.require_asked(assessment.framework_version.framework, question_id)
    body = notes.written(body, missing="Write something before posting a comment.")
    with transaction.atomic():
        note = Comment.objects.create(
            assessment=assessment, question_id=question_id, author=actor.user, body=body
        )
        audit.record_on(
            assessment,
            actor=actor,
            action=AuditAction.COMMENT_ADDED,
            obj=note,
            details={"question_id": question_id},
        )
    return note
