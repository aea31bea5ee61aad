"""Pure scoring: (framework definition, answers) -> statuses, scores, gaps and risk tier.

No database access. Hidden (conditional) questions are left out of everything here, so an
answer kept for a question that is no longer shown never counts; an optional question left
empty is neither counted nor a gap.

Three figures, each named for what it is:
- claimed: the answers taken at their word;
- evidence given (``score``, provisional until the platform decides): a safeguard that names
  its evidence counts in full only with that evidence, and not at all when a reviewer
  rejected it;
- verified: a claim counts in full only once a reviewer accepted it, and the evidence behind
  it; what nobody judged yet counts as claimed.

The provisional risk tier never says "low" while a claim rests on evidence nobody judged; the
verified tier is the one the platform's approval carries.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

from questionnaires.frameworks.schema import (
    CHOICE_TYPES,
    AnswerStatus,
    Condition,
    Framework,
    Question,
    QuestionType,
    Section,
)

STATUS_VALUE = {
    AnswerStatus.MET: 1.0,
    AnswerStatus.CLAIMED: 0.5,
    AnswerStatus.PARTIAL: 0.5,
    AnswerStatus.NOT_MET: 0.0,
    AnswerStatus.UNANSWERED: 0.0,
}
GAP_STATUSES = (
    AnswerStatus.NOT_MET,
    AnswerStatus.UNANSWERED,
    AnswerStatus.CLAIMED,
    AnswerStatus.PARTIAL,
)
SHORT_OF_MET = (AnswerStatus.PARTIAL, AnswerStatus.CLAIMED)


class Support(StrEnum):
    """Where the evidence behind an answer stands, weakest first."""

    NONE = "none"
    REJECTED = "rejected"  # every item a reviewer looked at was rejected, nothing else given
    SUBMITTED = "submitted"  # given, not yet accepted by a reviewer
    ACCEPTED = "accepted"  # a reviewer accepted at least one item

    @property
    def label(self) -> str:
        return SUPPORT_LABELS[self]


SUPPORT_LABELS = {
    Support.NONE: "no evidence yet: claimed, not evidenced",
    Support.REJECTED: "evidence rejected by the reviewer: not met",
    Support.SUBMITTED: "evidence given, not yet reviewed",
    Support.ACCEPTED: "evidence accepted by the reviewer",
}
SUPPORT_ORDER = tuple(Support)
SUPPORT_TONES = {
    Support.NONE: "warning",
    Support.REJECTED: "danger",
    Support.SUBMITTED: "secondary",
    Support.ACCEPTED: "success",
}


class RiskTier(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Judgement(StrEnum):
    """A reviewer's verdict on one answer, as the verified figure reads it."""

    NOT_JUDGED = "not_judged"
    ACCEPTED = "accepted"  # the claim (or its "not applicable") stands
    REJECTED = "rejected"  # the reviewer said it needs to change


STRONG_SCORE = 85  # readiness at or above: low risk, unless a critical safeguard is partial
WEAK_SCORE = 60  # readiness below: high risk


@dataclass(frozen=True)
class Response:
    """What an organization said for one question, as scoring needs it."""

    value: Any = None
    not_applicable: bool = False
    justification: str = ""
    evidence_count: int = 0
    support: Support = Support.NONE  # of this answer's own evidence items (or URL)
    judgement: Judgement = Judgement.NOT_JUDGED

    @property
    def has_value(self) -> bool:
        return self.value not in (None, "", [])


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    section: Section
    status: AnswerStatus  # as evidenced: what counts
    required: bool
    claimed: AnswerStatus  # as the answer alone says
    support: Support | None = None  # None when the question names no evidence
    verified: AnswerStatus = AnswerStatus.UNANSWERED  # as the reviewer's verdicts leave it
    judgement: Judgement = Judgement.NOT_JUDGED

    @property
    def counts(self) -> bool:
        """An optional question left empty neither scores nor is a gap."""
        return self.question.scored and (self.required or self.status != AnswerStatus.UNANSWERED)


@dataclass(frozen=True)
class SectionResult:
    section: Section
    questions: list[QuestionResult]
    score: int | None  # percentage; None when nothing in the section is scored

    @property
    def answered(self) -> int:
        return sum(1 for r in self.questions if r.status != AnswerStatus.UNANSWERED)


@dataclass(frozen=True)
class Result:
    sections: list[SectionResult]
    score: int | None  # with the evidence given: provisional until the platform decides
    risk_tier: "RiskTier"  # provisional
    gaps: list[QuestionResult] = field(default_factory=list)
    missing_required: list[QuestionResult] = field(default_factory=list)
    claimed_score: int | None = None
    notices: list[str] = field(default_factory=list)
    verified_score: int | None = None
    verified_tier: RiskTier = RiskTier.HIGH
    hidden: int = 0  # questions the scope answers leave out

    @property
    def unjudged_evidence(self) -> int:
        """Claims resting on evidence no reviewer has judged yet."""
        return self.backing[Support.SUBMITTED]

    @property
    def is_complete(self) -> bool:
        return not self.missing_required

    @cached_property
    def backing(self) -> dict[Support, int]:
        """How the claims that need evidence stand: uploaded evidence is weaker than evidence
        a reviewer accepted, and the figures say so."""
        counts = dict.fromkeys(Support, 0)
        for section in self.sections:
            for r in section.questions:
                if r.support is not None:
                    counts[r.support] += 1
        return counts

    @property
    def needing_evidence(self) -> int:
        return sum(self.backing.values())

    def of_section(self, section: Section) -> SectionResult:
        """A section's result; one whose questions are all hidden has none in ``sections``,
        so it is looked up by id, never by position."""
        for result in self.sections:
            if result.section.id == section.id:
                return result
        return SectionResult(section, [], None)

    @cached_property
    def by_question(self) -> dict[str, QuestionResult]:
        return {r.question.id: r for s in self.sections for r in s.questions}


def is_answered(question: Question, response: Response | None) -> bool:
    if response is None:
        return False
    if response.not_applicable:
        return question.allow_not_applicable and bool(response.justification.strip())
    if question.type == QuestionType.EVIDENCE:
        return response.evidence_count > 0
    return response.has_value


def question_status(
    question: Question, response: Response | None, today: datetime.date | None = None
) -> AnswerStatus:
    """How the answer alone stands, taken at its word."""
    if not is_answered(question, response):
        return AnswerStatus.UNANSWERED
    if response.not_applicable:
        return AnswerStatus.NOT_APPLICABLE
    if not question.scored:
        return AnswerStatus.INFORMATIONAL
    if question.type in CHOICE_TYPES:
        chosen = response.value if isinstance(response.value, list) else [response.value]
        statuses = [AnswerStatus(o.status) for o in question.options if o.value in chosen]
        # Several choices: the best one counts (e.g. "input and output filtering" beats
        # "input only"); a framework marks "none of these" as not_met.
        return max(statuses, key=STATUS_VALUE.__getitem__, default=AnswerStatus.UNANSWERED)
    if question.fresh_within_days is not None:
        return _freshness(response.value, question.fresh_within_days, today)
    return AnswerStatus.MET


def _freshness(value: Any, days: int, today: datetime.date | None) -> AnswerStatus:
    try:
        when = datetime.date.fromisoformat(str(value))
    except ValueError:
        return AnswerStatus.NOT_MET
    age = ((today or datetime.date.today()) - when).days
    return AnswerStatus.MET if 0 <= age <= days else AnswerStatus.PARTIAL


def support_for(question: Question, responses: Mapping[str, Response]) -> Support:
    """The strongest evidence given under any question that backs this one."""
    given = [
        (responses[q].support if q in responses else Support.NONE) for q in question.evidenced_by
    ]
    return max(given, key=SUPPORT_ORDER.index, default=Support.NONE)


def evidenced_status(claimed: AnswerStatus, support: Support) -> AnswerStatus:
    """A claim counts in full only with evidence; rejected evidence means it is not met."""
    if claimed not in (AnswerStatus.MET, AnswerStatus.PARTIAL):
        return claimed
    if support == Support.REJECTED:
        return AnswerStatus.NOT_MET
    if support == Support.NONE and claimed == AnswerStatus.MET:
        return AnswerStatus.CLAIMED
    return claimed


CLAIMS = (AnswerStatus.MET, AnswerStatus.PARTIAL)


def verified_status(
    claimed: AnswerStatus, support: Support | None, judgement: Judgement
) -> AnswerStatus:
    """What the platform verified: a claim counts in full only when a reviewer accepted it
    and, where it names evidence, accepted that evidence; a claim or a "not applicable" the
    reviewer turned down is not met; what nobody judged yet counts as claimed."""
    if judgement == Judgement.REJECTED and (
        claimed in CLAIMS or claimed == AnswerStatus.NOT_APPLICABLE
    ):
        return AnswerStatus.NOT_MET
    if claimed not in CLAIMS:
        return claimed
    if support == Support.REJECTED:
        return AnswerStatus.NOT_MET
    accepted = judgement == Judgement.ACCEPTED and support in (None, Support.ACCEPTED)
    if accepted or claimed == AnswerStatus.PARTIAL:
        return claimed
    return AnswerStatus.CLAIMED


def visible_question_ids(framework: Framework, responses: Mapping[str, Response]) -> set[str]:
    """Questions shown given the answers; a hidden question's answer cannot show others."""
    visible: set[str] = set()

    def value_of(question_id: str) -> Any:
        return _value(responses.get(question_id)) if question_id in visible else None

    for section in framework.sections:
        if section.show_if is not None and not section.show_if.holds(value_of):
            continue
        for question in section.questions:
            if question.show_if is None or question.show_if.holds(value_of):
                visible.add(question.id)
    return visible


def holds(
    condition: Condition,
    framework: Framework,
    responses: Mapping[str, Response],
    visible: set[str] | None = None,
) -> bool:
    """Whether a test on a framework's answers holds, hidden questions having no value (as a
    regime's "applies when" on the core questionnaire's scope answers). ``visible``: the
    framework's shown questions, when the caller tests several conditions on one answer set."""
    if visible is None:
        visible = visible_question_ids(framework, responses)
    return condition.holds(lambda qid: _value(responses.get(qid)) if qid in visible else None)


def is_required(question: Question, responses: Mapping[str, Response], visible: set[str]) -> bool:
    condition = question.required_if
    if condition is not None and condition.holds(
        lambda qid: _value(responses.get(qid)) if qid in visible else None
    ):
        return True
    return question.required


def _value(response: Response | None) -> Any:
    return None if response is None or response.not_applicable else response.value


class Figure(StrEnum):
    """Which of a question result's statuses a figure reads."""

    CLAIMED = "claimed"
    EVIDENCED = "status"
    VERIFIED = "verified"


def _percentage(results: list[QuestionResult], figure: Figure = Figure.EVIDENCED) -> int | None:
    weighted = [
        (r.question.weight, STATUS_VALUE[status])
        for r in results
        if r.counts and (status := getattr(r, figure.value)) in STATUS_VALUE
    ]
    total = sum(weight for weight, _ in weighted)
    if not total:
        return None
    return round(100 * sum(weight * value for weight, value in weighted) / total)


def tier_for_score(score: int | None) -> RiskTier:
    """The tier a readiness score alone would give (charts colour scores with it)."""
    if score is None or score < WEAK_SCORE:
        return RiskTier.HIGH
    if score < STRONG_SCORE:
        return RiskTier.MEDIUM
    return RiskTier.LOW


def risk_tier(
    score: int | None, results: list[QuestionResult], figure: Figure = Figure.EVIDENCED
) -> RiskTier:
    """High when a critical safeguard is missing or readiness is low; low only when strong,
    and (for the provisional tier) only when no claim rests on evidence nobody judged."""
    critical = [
        getattr(r, figure.value) for r in results if r.question.critical and r.question.scored
    ]
    if any(status in (AnswerStatus.NOT_MET, AnswerStatus.UNANSWERED) for status in critical):
        return RiskTier.HIGH
    by_score = tier_for_score(score)
    unjudged = figure == Figure.EVIDENCED and any(r.support == Support.SUBMITTED for r in results)
    if by_score == RiskTier.LOW and (unjudged or any(s in SHORT_OF_MET for s in critical)):
        return RiskTier.MEDIUM
    return by_score


def _through(result: QuestionResult, elsewhere: Mapping[str, QuestionResult]) -> QuestionResult:
    other = elsewhere.get(result.question.id)
    if other is None or result.status != AnswerStatus.UNANSWERED:
        return result
    return replace(
        result,
        status=other.status,
        claimed=other.claimed,
        support=other.support,
        verified=other.verified,
        judgement=other.judgement,
    )


def _result(
    question: Question,
    section: Section,
    responses: Mapping[str, Response],
    visible: set[str],
    today: datetime.date | None,
) -> QuestionResult:
    response = responses.get(question.id)
    claimed = question_status(question, response, today)
    # Evidence matters only for a claim: a "no" needs none.
    claims = question.evidenced_by and claimed in CLAIMS
    support = support_for(question, responses) if claims else None
    judgement = response.judgement if response is not None else Judgement.NOT_JUDGED
    return QuestionResult(
        question=question,
        section=section,
        status=claimed if support is None else evidenced_status(claimed, support),
        required=is_required(question, responses, visible),
        claimed=claimed,
        support=support,
        verified=verified_status(claimed, support, judgement),
        judgement=judgement,
    )


def question_result(
    framework: Framework, question_id: str, responses: Mapping[str, Response]
) -> tuple[QuestionResult | None, set[str]]:
    """One question's result (None while it is hidden) and the questions visible: what an
    autosave shows, without scoring every other question."""
    visible = visible_question_ids(framework, responses)
    if question_id not in visible:
        return None, visible
    question = framework.questions[question_id]
    section = framework.section_of(question_id)
    return _result(question, section, responses, visible, None), visible


def score(
    framework: Framework,
    responses: Mapping[str, Response],
    today: datetime.date | None = None,
    *,
    answered_elsewhere: Mapping[str, QuestionResult] | None = None,
) -> Result:
    """``answered_elsewhere``: for a question left unanswered here, the result of another
    questionnaire's question that answers it (a regime's question answered through a core
    one): its status, evidence included, counts for this question."""
    visible = visible_question_ids(framework, responses)
    elsewhere = answered_elsewhere or {}
    sections: list[SectionResult] = []
    for section in framework.sections:
        results = [
            _through(_result(q, section, responses, visible, today), elsewhere)
            for q in section.questions
            if q.id in visible
        ]
        if results:
            sections.append(SectionResult(section, results, _percentage(results)))
    every = [r for s in sections for r in s.questions]
    overall = _percentage(every)
    verified = _percentage(every, Figure.VERIFIED)
    gaps = sorted(
        (r for r in every if r.counts and r.status in GAP_STATUSES),
        key=lambda r: (not r.question.critical, -r.question.weight, GAP_STATUSES.index(r.status)),
    )
    missing = [r for r in every if r.required and r.status == AnswerStatus.UNANSWERED]
    value_of = lambda qid: _value(responses.get(qid)) if qid in visible else None  # noqa: E731
    notices = [n.text for n in framework.notices if n.when.holds(value_of)]
    return Result(
        sections,
        overall,
        risk_tier(overall, every),
        gaps,
        missing,
        claimed_score=_percentage(every, Figure.CLAIMED),
        notices=notices,
        verified_score=verified,
        verified_tier=risk_tier(verified, every, Figure.VERIFIED),
        hidden=len(framework.questions) - len(visible),
    )
