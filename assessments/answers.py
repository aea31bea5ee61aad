"""Reading and saving an assessment's answers, without ever losing what a person typed.

Saving uses optimistic concurrency: each answer carries a revision, and a save made
against an older revision that would overwrite someone else's different answer is
refused and reported as a conflict rather than applied.
"""

from collections import namedtuple
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.errors import IllegalTransition
from assessments.evidence import with_verdicts
from assessments.models import (
    Answer,
    Assessment,
    Attestation,
    AuditAction,
    Evidence,
    QuestionVerdict,
    Verdict,
)
from attestations import audit
from questionnaires import scoring
from questionnaires.frameworks.schema import QuestionType


@dataclass(frozen=True)
class AnswerInput:
    question_id: str
    value: Any = None
    not_applicable: bool = False
    justification: str = ""
    # The revision the person started editing from: 0 (or None) when they saw no answer.
    base_revision: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.not_applicable and not self.justification


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    conflicts: dict[str, Answer] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)  # of the answers now stored
    # Every answer of the assessment (as rows: ``STORED``'s fields) when the save began, and
    # once it commits: a caller that shows what the save changed (autosave) reads nothing
    # again.
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def response_of(
    answer: Answer,
    evidence_count: int = 0,
    support: scoring.Support = scoring.Support.NONE,
    judgement: scoring.Judgement = scoring.Judgement.NOT_JUDGED,
) -> scoring.Response:
    return scoring.Response(
        value=answer.value,
        not_applicable=answer.not_applicable,
        justification=answer.justification,
        evidence_count=evidence_count,
        support=support,
        judgement=judgement,
    )


def responses_for(assessment: Assessment) -> dict[str, scoring.Response]:
    return responses_and_revisions(assessment)[0]


def responses_and_revisions(
    assessment: Assessment,
    evidence_items: list[Evidence] | None = None,
    *,
    verdicts: Mapping[str, str] | None = None,
) -> tuple[dict, dict[str, int]]:
    """Every answer as scoring needs it (with where its evidence stands), and each answer's
    revision, from three queries (fewer when the page already read the evidence). Given the
    latest attestation's ``verdicts`` (question to verdict), each answer also carries the
    reviewer's judgement, which the verified figure reads."""
    if evidence_items is None:
        evidence_items = with_verdicts(assessment)
    stored = stored_answers(assessment)
    responses = responses_from(assessment, stored.values(), evidence_items, verdicts=verdicts)
    return responses, {a.question_id: a.revision for a in stored.values()}


def stored_answers(assessment: Assessment) -> dict[str, Any]:
    """Every answer of the assessment by question, as rows of ``STORED``'s fields: pages read
    every answer, and building models was most of that read's cost."""
    rows = Answer.objects.filter(assessment_id=assessment.pk).order_by().values_list(*STORED)
    return {a.question_id: a for a in map(StoredAnswer._make, rows)}


STORED = ("id", "question_id", "value", "not_applicable", "justification", "revision")
StoredAnswer = namedtuple("StoredAnswer", STORED)


def responses_from(
    assessment: Assessment,
    stored,
    evidence_items: list[Evidence],
    *,
    only: Collection[str] | None = None,
    verdicts: Mapping[str, str] | None = None,
) -> dict[str, scoring.Response]:
    """Answers already read (models or rows) as scoring needs them. With ``only``, the
    reviewer's verdicts on links are read for those questions alone (none when it is empty)
    and ``evidence_items`` are theirs: the others are scored on their answers, which is all
    an autosave shows of them (whether they are visible). With ``verdicts`` (question to
    verdict), every answer carries its judgement; without, they are read only for links."""
    evidence = _evidence_by_question(evidence_items)
    questions = assessment.framework_version.framework.questions
    links = {
        a.question_id
        for a in stored
        if a.value
        and a.question_id in questions
        and questions[a.question_id].type == QuestionType.URL
        and (only is None or a.question_id in only)
    }
    judged = verdicts or {}
    if verdicts is None:
        verdicts = latest_verdicts(assessment) if links else {}
    responses = {}
    for a in stored:
        count, support = evidence.pop(a.question_id, (0, scoring.Support.NONE))
        if a.question_id in links:
            support = URL_SUPPORT.get(verdicts.get(a.question_id), scoring.Support.NONE)
        judgement = JUDGEMENTS.get(judged.get(a.question_id), scoring.Judgement.NOT_JUDGED)
        responses[a.question_id] = response_of(a, count, support, judgement)
    for question_id, (count, support) in evidence.items():
        responses[question_id] = scoring.Response(
            evidence_count=count,
            support=support,
            judgement=JUDGEMENTS.get(judged.get(question_id), scoring.Judgement.NOT_JUDGED),
        )
    return responses


# A reviewer's verdict on a linked page (e.g. the public statement) says whether it backs
# the claim; a link nobody has accepted is not evidence yet (anyone can type an address).
URL_SUPPORT = {
    Verdict.ACCEPTED: scoring.Support.ACCEPTED,
    Verdict.NEEDS_CHANGE: scoring.Support.REJECTED,
}
JUDGEMENTS = {
    Verdict.ACCEPTED: scoring.Judgement.ACCEPTED,
    Verdict.NOT_APPLICABLE_ACCEPTED: scoring.Judgement.ACCEPTED,
    Verdict.NEEDS_CHANGE: scoring.Judgement.REJECTED,
}


def _evidence_by_question(items: list[Evidence]) -> dict[str, tuple[int, scoring.Support]]:
    """How many items each question has, and the strongest standing among them."""
    found: dict[str, tuple[int, scoring.Support]] = {}
    for item in items:
        count, best = found.get(item.question_id, (0, scoring.Support.NONE))
        standing = ITEM_SUPPORT[item.accepted]
        found[item.question_id] = (count + 1, max(best, standing, key=scoring.SUPPORT_ORDER.index))
    return found


ITEM_SUPPORT = {
    None: scoring.Support.SUBMITTED,
    True: scoring.Support.ACCEPTED,
    False: scoring.Support.REJECTED,
}


def latest_verdicts(assessment: Assessment) -> dict[str, str]:
    """The verdicts of the attestation now under (or after) review, latest per question."""
    latest = Attestation.objects.filter(assessment_id=assessment.pk).order_by("-number")[:1]
    verdicts = QuestionVerdict.objects.filter(attestation__in=latest)
    return dict(verdicts.values_list("question_id", "verdict"))  # in decision order: latest wins


def result_for(assessment: Assessment, responses: dict | None = None) -> scoring.Result:
    """The assessment scored today, on ``responses`` when the caller has read them already."""
    if responses is None:
        responses = responses_for(assessment)
    return scoring.score(assessment.framework_version.framework, responses, timezone.localdate())


def _same(answer: Answer, item: AnswerInput) -> bool:
    return (answer.value, answer.not_applicable, answer.justification) == (
        item.value,
        item.not_applicable,
        item.justification,
    )


def _audit_saved(assessment: Assessment, answer: Answer, actor: Actor) -> None:
    """Every saved answer is on the trail with what was typed, so none is ever lost."""
    audit.record_on(
        assessment,
        actor=actor,
        action=AuditAction.ANSWER_SAVED,
        obj=answer,
        details={
            "question_id": answer.question_id,
            "revision": answer.revision,
            "value": answer.value,
            "not_applicable": answer.not_applicable,
            "justification": answer.justification,
        },
    )


def ensure_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise IllegalTransition(
            f"This assessment is {assessment.get_status_display().lower()} and can no longer "
            "be edited."
        )


def save_answers(assessment: Assessment, items: list[AnswerInput], *, actor: Actor) -> SaveResult:
    """Store changed answers in one transaction; refuse an edit made on a stale revision, or
    with no revision at all, over an answer someone stored (an overwrite without a check)."""
    permissions.require(actor.user, assessment.organization, Need.EDIT)
    result = SaveResult()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        ensure_editable(locked)
        # Every writer of answers locks the assessment first (here), so what is read under
        # its lock stays as read until this transaction commits.
        result.before = stored_answers(locked)
        result.after = dict(result.before)
        now = timezone.now()
        for item in items:
            stored = result.before.get(item.question_id)
            if stored is None and item.is_empty:
                continue  # nothing typed, nothing stored
            if stored is not None and _same(stored, item):
                result.revisions[item.question_id] = stored.revision
                continue
            if stored is not None and (item.base_revision or 0) != stored.revision:
                # Someone saved in between: theirs stays, with who saved it.
                theirs = Answer.objects.select_related("updated_by").get(pk=stored.id)
                result.conflicts[item.question_id] = theirs
                continue
            answer = Answer(
                pk=stored.id if stored else None,
                assessment=locked,
                question_id=item.question_id,
                value=item.value,
                not_applicable=item.not_applicable,
                justification=item.justification,
                revision=stored.revision + 1 if stored else 1,
                updated_at=now,
                updated_by=actor.user,
            )
            if stored is None:
                answer.save(force_insert=True)
            else:
                answer.save(update_fields=CHANGED)
            _audit_saved(locked, answer, actor)
            result.saved.append(item.question_id)
            result.revisions[item.question_id] = answer.revision
            result.after[item.question_id] = answer
    return result


CHANGED = ["value", "not_applicable", "justification", "revision", "updated_at", "updated_by"]
