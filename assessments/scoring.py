"""Pure scoring: (framework definition, answers) -> statuses, scores, gaps and risk tier.

No database access. Hidden (conditional) questions are left out of everything here, so an
answer kept for a question that is no longer shown never counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from assessments.frameworks.schema import (
    CHOICE_TYPES,
    AnswerStatus,
    Framework,
    Question,
    QuestionType,
    Section,
)

STATUS_VALUE = {
    AnswerStatus.MET: 1.0,
    AnswerStatus.PARTIAL: 0.5,
    AnswerStatus.NOT_MET: 0.0,
    AnswerStatus.UNANSWERED: 0.0,
}
GAP_STATUSES = (AnswerStatus.NOT_MET, AnswerStatus.UNANSWERED, AnswerStatus.PARTIAL)


class RiskTier(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STRONG_SCORE = 85  # readiness at or above: low risk, unless a critical safeguard is partial
WEAK_SCORE = 60  # readiness below: high risk


@dataclass(frozen=True)
class Response:
    """What an organization said for one question, as scoring needs it."""

    value: Any = None
    not_applicable: bool = False
    justification: str = ""
    evidence_count: int = 0

    @property
    def has_value(self) -> bool:
        return self.value not in (None, "", [])


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    section: Section
    status: AnswerStatus
    required: bool


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
    score: int | None
    risk_tier: "RiskTier"
    gaps: list[QuestionResult] = field(default_factory=list)
    missing_required: list[QuestionResult] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing_required

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


def question_status(question: Question, response: Response | None) -> AnswerStatus:
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
    return AnswerStatus.MET


def visible_question_ids(framework: Framework, responses: Mapping[str, Response]) -> set[str]:
    """Questions shown given the answers; a hidden question's answer cannot show others."""
    visible: set[str] = set()
    for section in framework.sections:
        for question in section.questions:
            condition = question.show_if
            if condition is None or (
                condition.question in visible
                and condition.holds(_value(responses.get(condition.question)))
            ):
                visible.add(question.id)
    return visible


def is_required(question: Question, responses: Mapping[str, Response], visible: set[str]) -> bool:
    condition = question.required_if
    if (
        condition is not None
        and condition.question in visible
        and condition.holds(_value(responses.get(condition.question)))
    ):
        return True
    return question.required


def _value(response: Response | None) -> Any:
    return None if response is None or response.not_applicable else response.value


def _percentage(results: list[QuestionResult]) -> int | None:
    weighted = [
        (r.question.weight, STATUS_VALUE[r.status])
        for r in results
        if r.question.scored and r.status in STATUS_VALUE
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


def risk_tier(score: int | None, results: list[QuestionResult]) -> RiskTier:
    """High when a critical safeguard is missing or readiness is low; low only when strong."""
    critical = [r for r in results if r.question.critical and r.question.scored]
    if any(r.status in (AnswerStatus.NOT_MET, AnswerStatus.UNANSWERED) for r in critical):
        return RiskTier.HIGH
    by_score = tier_for_score(score)
    if by_score == RiskTier.LOW and any(r.status == AnswerStatus.PARTIAL for r in critical):
        return RiskTier.MEDIUM
    return by_score


def score(framework: Framework, responses: Mapping[str, Response]) -> Result:
    visible = visible_question_ids(framework, responses)
    sections: list[SectionResult] = []
    for section in framework.sections:
        results = [
            QuestionResult(
                question=q,
                section=section,
                status=question_status(q, responses.get(q.id)),
                required=is_required(q, responses, visible),
            )
            for q in section.questions
            if q.id in visible
        ]
        sections.append(SectionResult(section, results, _percentage(results)))
    every = [r for s in sections for r in s.questions]
    overall = _percentage(every)
    gaps = sorted(
        (r for r in every if r.question.scored and r.status in GAP_STATUSES),
        key=lambda r: (not r.question.critical, -r.question.weight, GAP_STATUSES.index(r.status)),
    )
    missing = [r for r in every if r.required and r.status == AnswerStatus.UNANSWERED]
    return Result(sections, overall, risk_tier(overall, every), gaps, missing)
