"""A reviewer's verdicts while reviewing: on each answer (with its own note) and on each item
of evidence (accepted, or rejected with a reason), one by one or "accept the rest" with one
note. Recorded only while the assessment awaits the platform's decision, and the first one
starts the review; every verdict is audited and kept."""

from django.db import transaction

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import approval, notes, workflow
from assessments.errors import IllegalTransition
from assessments.lifecycle import Transition, allows
from assessments.models import (
    Assessment,
    AuditAction,
    Evidence,
    EvidenceVerdict,
    QuestionVerdict,
    Status,
    Verdict,
)
from attestations import audit
from questionnaires import regimes
from questionnaires.frameworks.schema import AnswerStatus

# How each verdict is coloured wherever it is shown.
VERDICT_TONES = {
    Verdict.ACCEPTED: "success",
    Verdict.NOT_APPLICABLE_ACCEPTED: "success",
    Verdict.NEEDS_CHANGE: "warning",
}


def _under_review(assessment: Assessment, actor: Actor) -> Assessment:
    """The assessment, locked, in review: a verdict given on a submitted one starts it."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not allows(Transition.APPROVE, locked.status):
        raise IllegalTransition(
            f"This assessment is {locked.get_status_display().lower()}: verdicts are recorded "
            "while it awaits the platform's decision."
        )
    if locked.status == Status.SUBMITTED:
        workflow.start_review(locked, actor=actor)
    return locked


def record_question_verdict(
    assessment: Assessment, *, question_id: str, verdict: Verdict, note: str, actor: Actor
) -> QuestionVerdict:
    note = notes.written(
        note,
        missing="Say what needs to change: the organization will read it.",
        required=verdict == Verdict.NEEDS_CHANGE,
    )
    permissions.require(actor.user, assessment.organization, Need.REVIEW)
    regimes.require_asked(assessment.framework_version.framework, question_id)
    with transaction.atomic():
        locked = _under_review(assessment, actor)
        attestation = locked.attestations.order_by("-number").first()
        return _on_answer(locked, attestation, question_id, verdict, note, actor)


def record_evidence_verdict(
    item: Evidence, *, accepted: bool, reason: str, actor: Actor
) -> EvidenceVerdict:
    reason = notes.written(
        reason,
        missing="Say why the evidence is rejected: the organization will read it.",
        required=not accepted,
    )
    permissions.require(actor.user, item.assessment.organization, Need.REVIEW)
    with transaction.atomic():
        locked = _under_review(item.assessment, actor)
        return _on_evidence(locked, item, accepted, reason, actor)


def accept_the_rest(assessment: Assessment, *, note: str, actor: Actor) -> int:
    """Accept every answer and item of evidence no reviewer has judged yet, with one note;
    each is its own verdict on the trail. Returns how many were accepted."""
    note = notes.written(note, missing="Say why the rest are accepted: the note is kept with each.")
    permissions.require(actor.user, assessment.organization, Need.REVIEW)
    with transaction.atomic():
        locked = _under_review(assessment, actor)
        checked = approval.check(locked)
        attestation = locked.attestations.order_by("-number").first()
        for r in checked.rest_answers:
            verdict = ACCEPTING.get(r.claimed, Verdict.ACCEPTED)
            _on_answer(locked, attestation, r.question.id, verdict, note, actor)
        for item in checked.rest_evidence:
            _on_evidence(locked, item, True, note, actor)
    return len(checked.rest_answers) + len(checked.rest_evidence)


ACCEPTING = {AnswerStatus.NOT_APPLICABLE: Verdict.NOT_APPLICABLE_ACCEPTED}


def _on_answer(locked, attestation, question_id, verdict, note, actor) -> QuestionVerdict:
    recorded = QuestionVerdict.objects.create(
        attestation=attestation,
        question_id=question_id,
        verdict=verdict,
        note=note,
        reviewer=actor.user,
    )
    audit.record_on(
        locked,
        actor=actor,
        action=AuditAction.QUESTION_VERDICT_RECORDED,
        obj=recorded,
        details={"question_id": question_id, "verdict": verdict, "note": note},
    )
    return recorded


def _on_evidence(locked, item, accepted: bool, reason: str, actor) -> EvidenceVerdict:
    recorded = EvidenceVerdict.objects.create(
        evidence=item, accepted=accepted, reason=reason, reviewer=actor.user
    )
    audit.record_on(
        locked,
        actor=actor,
        action=AuditAction.EVIDENCE_VERDICT_RECORDED,
        obj=recorded,
        details={"evidence": str(item.pk), "accepted": accepted, "reason": reason},
    )
    return recorded


def current_question_verdicts(attestation) -> dict[str, QuestionVerdict]:
    """The verdict that counts for each question of an attestation (the latest)."""
    if attestation is None:
        return {}
    return {v.question_id: v for v in attestation.question_verdicts.order_by("decided_at", "id")}


def change_notes(assessment: Assessment, current: dict | None = None) -> dict[str, str]:
    """Per question, the note of its current "needs change" verdict (``current``: the latest
    attestation's verdicts, when the caller has them already)."""
    if current is None:
        current = current_question_verdicts(assessment.attestations.order_by("-number").first())
    return {
        question_id: v.note
        for question_id, v in current.items()
        if v.verdict == Verdict.NEEDS_CHANGE
    }
