"""The typed shape of a framework file, validated on load.

A framework definition is the one source of truth for questions, conditions, scoring,
remediation and citations: the rest of the code reads it and never repeats it.
"""

from __future__ import annotations

import datetime
import re
from enum import StrEnum
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


CHOICE_TYPES = {QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE}
YES_NO_OPTIONS = ("yes", "no")
DEFAULT_YES_NO = (
    {"value": "yes", "label": "Yes", "status": "met"},
    {"value": "no", "label": "No", "status": "not_met"},
)


class Source(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    file: str


class Citation(Strict):
    source: str
    section: str


class Option(Strict):
    value: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    status: Literal["met", "partial", "not_met"] | None = None


class Condition(Strict):
    """Shown/required when another question's answer equals, or includes, a value."""

    question: str
    equals: str | None = None
    includes: str | None = None

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        if (self.equals is None) == (self.includes is None):
            raise ValueError("a condition needs exactly one of 'equals' or 'includes'")
        return self

    def holds(self, value: Any) -> bool:
        if self.equals is not None:
            return value == self.equals
        return isinstance(value, list) and self.includes in value


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
    questions: tuple[Question, ...] = Field(min_length=1)


class Framework(Strict):
    """One published version of a questionnaire."""

    slug: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+\.\d+$")
    title: str
    published: datetime.date
    summary: str = ""
    sources: tuple[Source, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Framework:
        seen: dict[str, Question] = {}
        source_ids = {source.id for source in self.sources}
        for section in self.sections:
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
                seen[question.id] = question
        section_ids = [section.id for section in self.sections]
        if len(set(section_ids)) != len(section_ids):
            raise ValueError("section ids must be unique")
        return self

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for section in self.sections for q in section.questions}

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_of(self, question_id: str) -> Section:
        return next(s for s in self.sections if any(q.id == question_id for q in s.questions))

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def _check_condition(where: str, name: str, condition: Condition, earlier: dict) -> None:
    target = earlier.get(condition.question)
    if target is None:
        raise ValueError(
            f"{where}: {name} refers to {condition.question!r}, which is not an earlier question"
        )
    wanted = condition.equals if condition.equals is not None else condition.includes
    if condition.includes is not None and target.type != QuestionType.MULTI_CHOICE:
        raise ValueError(f"{where}: {name} uses 'includes' on a question that is not multi_choice")
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
