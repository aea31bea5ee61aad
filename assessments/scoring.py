"""Pure scoring: (framework definition, answers) -> statuses, scores, gaps and risk tier.

No database access. Hidden (conditional) questions are left out of everything here, so an
answer kept for a question that is no longer shown never counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assessments.frameworks.schema import (
    CHOICE_TYPES,
    Framework,
    Question,
    QuestionType,
    Section,
    Status,
)

STATUS_VALUE = {Status.MET: 1.0, Status.PARTIAL: 0.5, Status.NOT_MET: 0.0, Status.UNANSWERED: 0.0}
GAP_STATUSES = (Status.NOT_MET, Status.UNANSWERED, Status.PARTIAL)


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
    status: Status
    required: bool


@dataclass(frozen=True)
class SectionResult:
    section: Section
    questions: list[QuestionResult]
    score: int | None  # percentage; None when nothing in the section is scored

    @property
    def answered(self) -> int:
        return sum(1 for r in self.questions if r.status != Status.UNANSWERED)


@dataclass(frozen=True)
class Result:
    sections: list[SectionResult]
    score: int | None
    risk_tier: str
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


def question_status(question: Question, response: Response | None) -> Status:
    if not is_answered(question, response):
        return Status.UNANSWERED
    if response.not_applicable:
        return Status.NOT_APPLICABLE
    if not question.scored:
        return Status.INFORMATIONAL
    if question.type in CHOICE_TYPES:
        chosen = response.value if isinstance(response.value, list) else [response.value]
        statuses = [Status(o.status) for o in question.options if o.value in chosen]
        # Several choices: the best one counts (e.g. "input and output filtering" beats
        # "input only"); a framework marks "none of these" as not_met.
        return max(statuses, key=STATUS_VALUE.__getitem__, default=Status.UNANSWERED)
    return Status.MET


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


def risk_tier(score: int | None, results: list[QuestionResult]) -> str:
    """High when a critical safeguard is missing or readiness is low; low only when strong."""
    critical = [r for r in results if r.question.critical and r.question.scored]
    if any(r.status in (Status.NOT_MET, Status.UNANSWERED) for r in critical):
        return "high"
    if score is None or score < 60:
        return "high"
    if score < 85 or any(r.status == Status.PARTIAL for r in critical):
        return "medium"
    return "low"


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
    missing = [r for r in every if r.required and r.status == Status.UNANSWERED]
    return Result(sections, overall, risk_tier(overall, every), gaps, missing)
