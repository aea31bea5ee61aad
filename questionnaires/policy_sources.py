"""Policy documents as tracked data: their sections, each with the hash of its normalised text.

A question cites a section and pins the hash the section had when the question was written.
When the provider publishes a new text of a document, comparing section hashes says exactly
which sections changed, and so which questions must be asked again; nothing else moves.

The portal never reads the provider's documents at run time: an operator loads a new text
with `load_policy_source`, and the repository keeps the records in `frameworks/sources/`.
"""

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from questionnaires.frameworks.schema import Framework

BUNDLED_DIR = Path(__file__).resolve().parent / "frameworks" / "sources"
EXCERPT_CHARS = 220
OPENING_CHARS = 80
# A line that is a list item: its text is one clause.
BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")
# Where a paragraph's sentences end.
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\"“(])")
# Lines that open a section in the documents we track: Markdown headings and numbered titles.
HEADING = re.compile(r"^(#{1,6}\s+\S.*|\d+\.\s+[A-Z][^.]{2,100})$")


class ClauseSpec(BaseModel):
    """One clause of a section (a bullet, or a sentence that is not one): the hash of its
    normalised text, and its opening words to recognise it by, never the whole clause."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[0-9a-f]{10}$")  # the first ten hex digits of its SHA-256
    opening: str = Field(max_length=OPENING_CHARS + 1)


class SectionSpec(BaseModel):
    """One tracked section of a document, and where its text starts and ends when the
    heading alone cannot say (a quoted clause on a page of other material)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: str
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    excerpt: str = Field(default="", max_length=EXCERPT_CHARS + 1)
    starts_at: str = ""  # how a line opening the section begins, when it is not the heading
    until: str = ""  # the start of a line that ends it, when the next heading does not
    clauses: tuple[ClauseSpec, ...] = ()


class SourceRecord(BaseModel):
    """What the repository keeps about one version of one source document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    publisher: str
    url: str
    effective: datetime.date
    sections: tuple[SectionSpec, ...] = Field(min_length=1)

    def section(self, heading: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.heading == heading), None)


class Change(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class SectionChange:
    heading: str
    change: Change
    citing: tuple[str, ...]  # question ids, in the questionnaire compared against


def normalise(text: str) -> str:
    """Text as compared: Unicode-normalised, Markdown emphasis and heading marks dropped,
    whitespace collapsed, so re-flowing a paragraph is not a change but a word is."""
    text = unicodedata.normalize("NFKC", text).replace("*", "")
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text).strip()


def digest(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def excerpt(text: str) -> str:
    """The opening words of a section, enough to recognise it, never the whole passage."""
    flat = normalise(text)
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def clauses_of(text: str) -> tuple[ClauseSpec, ...]:
    """A section's clauses: each list item, and each sentence of the other lines."""
    found: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if BULLET.match(line):
            found.append(normalise(BULLET.sub("", line)))
        else:
            found += SENTENCE_END.split(normalise(line))
    return tuple(
        ClauseSpec(id=digest(clause)[:10], opening=_opening(clause))
        for clause in dict.fromkeys(found)
        if clause
    )


def _opening(clause: str) -> str:
    if len(clause) <= OPENING_CHARS:
        return clause
    return clause[:OPENING_CHARS].rsplit(" ", 1)[0] + "…"


def headings_in(document: str) -> list[str]:
    return [normalise(line) for line in document.splitlines() if HEADING.match(line.strip())]


def extract(document: str, specs: tuple[SectionSpec, ...]) -> dict[str, str]:
    """The text of each section found, by heading; sections found under a heading the specs
    do not know are included too (they are what a new version added)."""
    lines = document.splitlines()
    normal = [normalise(line) for line in lines]
    by_heading = {normalise(s.heading): s for s in specs if not s.starts_at}
    by_start = [(normalise(s.starts_at), s) for s in specs if s.starts_at]

    def spec_opening(line: str) -> SectionSpec | None:
        started = next((s for start, s in by_start if line.startswith(start)), None)
        return started or by_heading.get(line)

    def opens(index: int) -> bool:
        return bool(HEADING.match(lines[index].strip())) or spec_opening(normal[index]) is not None

    found: dict[str, str] = {}
    for index, line in enumerate(normal):
        if not line or not opens(index):
            continue
        spec = spec_opening(line)
        heading = spec.heading if spec else line
        # A section opened by a line other than its heading begins with that line.
        body: list[str] = [lines[index]] if spec and spec.starts_at else []
        for later in range(index + 1, len(lines)):
            if opens(later) or (spec and spec.until and normal[later].startswith(spec.until)):
                break
            body.append(lines[later])
        found.setdefault(heading, "\n".join(body))
    return found


def record_from(document: str, previous: SourceRecord, effective: datetime.date) -> SourceRecord:
    """A new version of a source, read from the text of its document."""
    texts = extract(document, previous.sections)
    known = {s.heading: s for s in previous.sections}
    sections = tuple(
        SectionSpec(
            heading=heading,
            sha256=digest(text),
            excerpt=excerpt(text),
            starts_at=known[heading].starts_at if heading in known else "",
            until=known[heading].until if heading in known else "",
            clauses=clauses_of(text),
        )
        for heading, text in texts.items()
        if normalise(text)  # a heading that only groups others has no text of its own
    )
    return previous.model_copy(update={"effective": effective, "sections": sections})


def compare(
    old: SourceRecord, new: SourceRecord, framework: Framework | None = None
) -> list[SectionChange]:
    """Every section of either version, with what happened to it and the questions citing it."""
    changes = []
    for spec in old.sections:
        now = new.section(spec.heading)
        if now is None:
            kind = Change.REMOVED
        else:
            kind = Change.UNCHANGED if now.sha256 == spec.sha256 else Change.CHANGED
        changes.append(SectionChange(spec.heading, kind, citing(framework, old.id, spec.heading)))
    changes += [
        SectionChange(spec.heading, Change.ADDED, ())
        for spec in new.sections
        if old.section(spec.heading) is None
    ]
    return changes


def citing(framework: Framework | None, source_id: str, heading: str) -> tuple[str, ...]:
    if framework is None:
        return ()
    return tuple(
        q.id
        for q in framework.questions.values()
        if any(c.source == source_id and c.section == heading for c in q.citations)
    )


def bundled_records() -> list[SourceRecord]:
    return [
        SourceRecord.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(BUNDLED_DIR.glob("*.yaml"))
    ]
