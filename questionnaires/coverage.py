"""Which questions cover each clause of the tracked policy texts, or why none does.

A questionnaire version may keep a clause table in `frameworks/coverage/` (the file format is
described there). Every clause of every tracked section must have a row: a clause with no
row is a policy obligation nobody decided about, and tests/test_clause_coverage.py fails.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from questionnaires.policy_sources import ClauseSpec, SectionSpec, bundled_records

COVERAGE_DIR = Path(__file__).resolve().parent / "frameworks" / "coverage"
EVERY_CLAUSE = "all"


class NotAsked(StrEnum):
    """Why no question asks a clause."""

    NOT_POLICY_TEXT = "not_policy_text"
    DESCRIBES = "describes"
    PROVIDER = "provider"
    ENFORCEMENT = "enforcement"
    PERMITS = "permits"

    @property
    def label(self) -> str:
        return NOT_ASKED_LABELS[self]


NOT_ASKED_LABELS = {
    NotAsked.NOT_POLICY_TEXT: "Not policy text: a date, a link or the page's navigation.",
    NotAsked.DESCRIBES: "Describes the policy or whom it covers; asks nothing by itself.",
    NotAsked.PROVIDER: "What the provider itself does; asks nothing of the deployer.",
    NotAsked.ENFORCEMENT: "How the provider enforces the policy; asks nothing of the deployer.",
    NotAsked.PERMITS: "An exception that permits a use; there is nothing to ask.",
}


@dataclass(frozen=True)
class Row:
    """One clause and what the questionnaire does about it."""

    source: str
    section: str
    clause: ClauseSpec
    questions: tuple[str, ...] = ()
    not_asked: NotAsked | None = None


class CoverageError(ValueError):
    """The clause table does not match the tracked texts or the questionnaire."""


def path_for(slug: str, version: str) -> Path:
    return COVERAGE_DIR / f"{slug}-{version}.yaml"


@cache
def rows_for(slug: str, version: str) -> tuple[Row, ...]:
    """Every tracked clause with its row, in the records' order (none without a table);
    raises CoverageError for a clause without a row or a row without a clause."""
    path = path_for(slug, version)
    if not path.exists():
        return ()
    table = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    rows, problems = [], []
    for record in bundled_records():
        sections = table.get(record.id, {})
        for section in record.sections:
            given = dict(sections.get(section.heading) or {})
            problems += [f"clause id {k!r} must be quoted" for k in given if not isinstance(k, str)]
            rows += _rows(record.id, section, given, problems)
            problems += [
                f"{record.id} / {section.heading}: no clause {clause_id}"
                for clause_id in given
                if clause_id != EVERY_CLAUSE
            ]
        problems += [f"{record.id}: no section {h!r}" for h in sections if not record.section(h)]
    problems += [f"no source {source!r}" for source in table if source not in _source_ids()]
    if problems:
        raise CoverageError("; ".join(problems))
    return tuple(rows)


def _rows(source: str, section: SectionSpec, given: dict, problems: list[str]) -> list[Row]:
    every = given.pop(EVERY_CLAUSE, None)
    found = []
    for clause in section.clauses:
        entry = given.pop(clause.id, every)
        if entry is None:
            problems.append(f"{source} / {section.heading}: clause {clause.id} has no row")
        elif isinstance(entry, list):
            found.append(Row(source, section.heading, clause, questions=tuple(entry)))
        else:
            found.append(Row(source, section.heading, clause, not_asked=NotAsked(entry)))
    return found


def _source_ids() -> set[str]:
    return {record.id for record in bundled_records()}


def by_section(rows: tuple[Row, ...], source: str) -> dict[str, list[Row]]:
    """One source's rows, by section heading (what its page lists under each section)."""
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        if row.source == source:
            grouped.setdefault(row.section, []).append(row)
    return grouped
