"""The typed shape of a framework file, validated on load.

A framework definition is the one source of truth for questions, conditions, scoring,
remediation and citations: the rest of the code reads it and never repeats it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"
    URL = "url"
    DATE = "date"
    NUMBER = "number"
    EVIDENCE = "evidence"


class AnswerStatus(StrEnum):
    """How one answer stands against the requirement it answers."""

    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"
    INFORMATIONAL = "informational"
    # A safeguard the organization says it runs but has not backed with evidence.
    CLAIMED = "claimed"

    @property
    def label(self) -> str:
        """As people read it, on every page, workbook and report."""
        return ANSWER_STATUS_LABELS[self]


ANSWER_STATUS_LABELS = {
    AnswerStatus.MET: "Met",
    AnswerStatus.PARTIAL: "Partially met",
    AnswerStatus.NOT_MET: "Not met",
    AnswerStatus.UNANSWERED: "Unanswered",
    AnswerStatus.NOT_APPLICABLE: "Not applicable",
    AnswerStatus.INFORMATIONAL: "For information",
    AnswerStatus.CLAIMED: "Claimed, not evidenced",
}


class Strength(StrEnum):
    """How strongly the cited text asks for what the question checks: four honest values."""

    MUST = "must"  # the policy requires it of the deployer
    SHOULD = "should"  # the policy recommends it
    GOOD_PRACTICE = "good_practice"  # the provider's own commitment, cited as good practice
    LAW = "law"  # the law requires it (cite the law; flag wording not checked)

    @property
    def label(self) -> str:
        return STRENGTH_LABELS[self]


STRENGTH_LABELS = {
    Strength.MUST: "the policy requires it of the deployer",
    Strength.SHOULD: "the policy recommends it",
    Strength.GOOD_PRACTICE: "the provider's own commitment, cited as good practice",
    Strength.LAW: "the law requires it",
}


EVIDENCE_TYPES = {QuestionType.EVIDENCE, QuestionType.URL}
CHOICE_TYPES = {QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE}
YES_NO_OPTIONS = ("yes", "no")
DEFAULT_YES_NO = (
    {"value": "yes", "label": "Yes", "status": "met"},
    {"value": "no", "label": "No", "status": "not_met"},
)


class Source(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    file: str = ""  # the provider's documents: their record under frameworks/sources/
    url: str = ""  # a law or regulator's text: where the official version is published


class Citation(Strict):
    source: str
    section: str
    strength: Strength | None = None
    # SHA-256 of the section's normalised text when the question was written: a later policy
    # text with another hash means the question must be asked again (see policy_sources).
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # The cited wording could not be checked against the official text: a lawyer must.
    needs_legal_review: bool = False


class Option(Strict):
    value: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    status: Literal["met", "partial", "not_met"] | None = None


class Condition(Strict):
    """A test on earlier answers: one question's value, or several tests combined.

    `equals`/`not_equals` compare a single answer; `includes`/`includes_any` look inside a
    multiple-choice answer; `any_of`/`all_of` combine tests (e.g. "under 13, or under 16 in
    the EU"). A question that is not shown has no value, so no test on it holds (except
    `not_equals`, which holds until the answer is the excluded value).
    """

    question: str | None = None
    equals: str | None = None
    not_equals: str | None = None
    includes: str | None = None
    includes_any: tuple[str, ...] = ()
    any_of: tuple[Condition, ...] = ()
    all_of: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        tests = [self.equals, self.not_equals, self.includes, self.includes_any or None]
        given = sum(test is not None for test in tests)
        combined = bool(self.any_of) + bool(self.all_of)
        if self.question is not None and (given != 1 or combined):
            raise ValueError(
                "a condition on a question needs exactly one of 'equals', 'not_equals', "
                "'includes' or 'includes_any'"
            )
        if self.question is None and (given or combined != 1):
            raise ValueError("a condition needs a 'question' to test, or one of 'any_of'/'all_of'")
        return self

    @property
    def wanted(self) -> tuple[str, ...]:
        """The answer values this test names, for checking them against the options."""
        single = (self.equals, self.not_equals, self.includes)
        return tuple(v for v in single if v is not None) + self.includes_any

    def questions(self) -> set[str]:
        if self.question is not None:
            return {self.question}
        return set().union(*(c.questions() for c in self.any_of + self.all_of))

    def holds(self, value_of: Callable[[str], Any]) -> bool:
        if self.any_of:
            return any(c.holds(value_of) for c in self.any_of)
        if self.all_of:
            return all(c.holds(value_of) for c in self.all_of)
        value = value_of(self.question)
        if self.equals is not None:
            return value == self.equals
        if self.not_equals is not None:
            return value != self.not_equals
        chosen = value if isinstance(value, list) else []
        if self.includes is not None:
            return self.includes in chosen
        return any(v in chosen for v in self.includes_any)

    def could_hold(self, value_of: Callable[[str], Any]) -> bool:
        """Whether answers still to come (``None`` now) could make it hold: "no" to one part
        of an all-of decides it before the other parts are answered."""
        if self.any_of:
            return any(c.could_hold(value_of) for c in self.any_of)
        if self.all_of:
            return all(c.could_hold(value_of) for c in self.all_of)
        return value_of(self.question) is None or self.holds(value_of)


class Mention(Strict):
    """Words a public page must contain for the claim to hold, e.g. COPPA on a compliance
    statement when the organization said COPPA applies to it."""

    label: str
    any_of: tuple[str, ...] = Field(min_length=1)
    when: Condition | None = None


class PublicClaim(Strict):
    """A URL answer the portal fetches and reads itself, at submission and on a schedule."""

    what: str = Field(min_length=3, max_length=100)
    mentions: tuple[Mention, ...] = ()


class Question(Strict):
    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=5, max_length=400)
    help: str = ""
    type: QuestionType
    required: bool = True
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    required_if: Condition | None = None
    allow_not_applicable: bool = False
    # How an answer scores. Choice types score through their options' status; other types
    # are "met when answered" if scored, else informational.
    scored: bool = True
    weight: int = Field(default=1, ge=1, le=5)
    critical: bool = False
    remediation: str = ""
    citations: tuple[Citation, ...] = ()
    # Evidence or URL questions whose answers back this one: when given, a claim counts as
    # met only with evidence there ("claimed, not evidenced" otherwise).
    evidenced_by: tuple[str, ...] = ()
    # For a scored date: met when no older than this, partial when older.
    fresh_within_days: int | None = Field(default=None, ge=1)
    allow_future: bool = False  # dates: most things asked about have already happened
    public_claim: PublicClaim | None = None  # URL answers the portal checks itself

    @model_validator(mode="before")
    @classmethod
    def _default_yes_no_options(cls, data: Any) -> Any:
        """A yes_no question without options means Yes (met) / No (not met)."""
        if isinstance(data, dict) and data.get("type") == "yes_no" and not data.get("options"):
            return {**data, "options": DEFAULT_YES_NO}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type == QuestionType.YES_NO:
            values = tuple(option.value for option in self.options)
            if values != YES_NO_OPTIONS:
                raise ValueError("a yes_no question needs exactly the options 'yes' then 'no'")
        elif self.type in CHOICE_TYPES:
            if len(self.options) < 2:
                raise ValueError(f"a {self.type} question needs at least two options")
        elif self.options:
            raise ValueError(f"a {self.type} question takes no options")
        values = [option.value for option in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        if (
            self.scored
            and self.type in CHOICE_TYPES
            and any(option.status is None for option in self.options)
        ):
            raise ValueError("every option of a scored choice question needs a status")
        if self.scored and not self.remediation:
            raise ValueError("a scored question needs remediation guidance for its gap")
        if self.scored and not self.citations:
            raise ValueError("a scored question needs at least one citation")
        if self.public_claim is not None and self.type != QuestionType.URL:
            raise ValueError("only a URL question can be a public claim")
        if self.fresh_within_days is not None and self.type != QuestionType.DATE:
            raise ValueError("only a date question can have 'fresh_within_days'")
        return self

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value


class Section(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    intro: str = ""
    show_if: Condition | None = None  # a whole section that applies only in some scopes
    questions: tuple[Question, ...] = Field(min_length=1)


class Notice(Strict):
    """Words shown with the results when the scope answers make them true."""

    when: Condition
    text: str = Field(min_length=5, max_length=600)


class Framework(Strict):
    """One published version of a questionnaire."""

    slug: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+\.\d+$")
    title: str
    published: datetime.date
    summary: str = ""
    sources: tuple[Source, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    notices: tuple[Notice, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Framework:
        seen: dict[str, Question] = {}
        source_ids = {source.id for source in self.sources}
        for section in self.sections:
            if section.show_if is not None:
                _check_condition(f"section {section.id!r}", "show_if", section.show_if, seen)
            for question in section.questions:
                where = f"question {question.id!r}"
                if question.id in seen:
                    raise ValueError(f"{where}: the id is used twice")
                for citation in question.citations:
                    if citation.source not in source_ids:
                        raise ValueError(f"{where}: cites unknown source {citation.source!r}")
                for name in ("show_if", "required_if"):
                    condition = getattr(question, name)
                    if condition is not None:
                        _check_condition(where, name, condition, seen)
                for mention in question.public_claim.mentions if question.public_claim else ():
                    if mention.when is not None:
                        _check_condition(where, "a mention", mention.when, seen)
                seen[question.id] = question
        for notice in self.notices:
            _check_condition("a notice", "when", notice.when, seen)
        for question in seen.values():
            for backing in question.evidenced_by:
                if seen.get(backing) is None or seen[backing].type not in EVIDENCE_TYPES:
                    raise ValueError(
                        f"question {question.id!r}: evidenced_by names {backing!r}, which is "
                        "not an evidence or URL question"
                    )
        section_ids = [section.id for section in self.sections]
        if len(set(section_ids)) != len(section_ids):
            raise ValueError("section ids must be unique")
        return self

    @cached_property
    def questions(self) -> Mapping[str, Question]:
        """Every question by id, in order; built once per parsed version (a page asks for it
        dozens of times). Every reader shares it: read it, never change it."""
        return {q.id: q for section in self.sections for q in section.questions}

    @cached_property
    def deciding(self) -> frozenset[str]:
        """The questions whose answers decide what else is asked (the scope): a reviewer
        judges them like claims, since an answer here can hide whole sections."""
        conditions = [s.show_if for s in self.sections] + [
            q.show_if for q in self.questions.values()
        ]
        return frozenset().union(*(c.questions() for c in conditions if c is not None))

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_of(self, question_id: str) -> Section:
        return next(s for s in self.sections if any(q.id == question_id for q in s.questions))

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def _check_condition(where: str, name: str, condition: Condition, earlier: dict) -> None:
    for part in condition.any_of + condition.all_of:
        _check_condition(where, name, part, earlier)
    if condition.question is None:
        return
    target = earlier.get(condition.question)
    if target is None:
        raise ValueError(
            f"{where}: {name} refers to {condition.question!r}, which is not an earlier question"
        )
    looks_inside = condition.includes is not None or condition.includes_any
    if looks_inside and target.type != QuestionType.MULTI_CHOICE:
        raise ValueError(f"{where}: {name} looks inside a question that is not multi_choice")
    for wanted in condition.wanted:
        if target.type in CHOICE_TYPES and wanted not in {o.value for o in target.options}:
            raise ValueError(
                f"{where}: {name} tests {condition.question!r} for unknown value {wanted!r}"
            )


def error_location(loc: tuple[Any, ...], data: dict) -> str:
    """Turn a pydantic error location into words naming the section and question id."""
    parts: list[str] = []
    node: Any = data
    for step in loc:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            parts.append(str(step))
            node = None
            continue
        if isinstance(node, dict) and "id" in node and isinstance(step, int):
            kind = "question" if "type" in node else "section"
            parts.append(f"{kind} {node['id']!r}")
        elif not isinstance(step, int):
            parts.append(str(step))
    return re.sub(r"\s+", " ", " > ".join(parts))
