"""The platform's safety figures per organization and month, imported from CSV.

A file is checked row by row and applied only when every row is valid, so a half-imported
file never drives a campaign; applying the same file twice changes nothing. Each
organization's latest month is kept on it (violation_rate) in the same transaction, so the
queue and campaigns select on a column.
"""

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db import transaction

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.models import AuditAction, Organization, ViolationFigure
from attestations import audit
from attestations.canonical import canonical_json, sha256_hex
from integrations.csv_cells import csv_safe

COLUMNS = ("organization_id", "month", "requests", "flagged_requests", "confirmed_violations")
COUNTS = COLUMNS[2:]
MAX_ROWS = 50_000
MAX_COUNT = 10**15  # far above any real month, far below what the database column holds


@dataclass(frozen=True)
class Rejected:
    line: int
    problem: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.rejected


@dataclass(frozen=True)
class FiguresFile:
    """What the audit trail names as the imported object: the file, by its hash."""

    pk: str


class FileRefused(Exception):
    """The file as a whole cannot be read: the message says why."""


def _month(text: str) -> date:
    year, _, month = text.strip().partition("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError
    return date(int(year), int(month), 1)


def _parse(line: int, row: dict, organizations: set) -> tuple[tuple, dict] | Rejected:
    """The row's key and counts, or every problem it has (a person fixes them all at once)."""
    problems = []
    organization_id = month = None
    try:
        organization_id = uuid.UUID(row["organization_id"].strip())
    except ValueError:
        problems.append(f"organization_id {row['organization_id']!r} is not an id")
    else:
        if organization_id not in organizations:
            problems.append(f"no organization has the id {organization_id}")
    try:
        month = _month(row["month"])
    except ValueError:
        problems.append(f"month {row['month']!r} is not a month like 2026-11")
    counts = {}
    for column in COUNTS:
        text = row[column].strip()
        if not text.isdigit() or int(text) > MAX_COUNT:
            problems.append(f"{column} {text!r} is not a whole number from 0 to 10^15")
        else:
            counts[column] = int(text)
    for part in ("flagged_requests", "confirmed_violations"):
        if part in counts and "requests" in counts and counts[part] > counts["requests"]:
            problems.append(f"{part} is more than requests")
    if problems:
        return Rejected(line, "; ".join(problems))
    return (organization_id, month), counts


def read(data: bytes) -> tuple[dict, list[Rejected]]:
    """Every valid row by (organization, month), and every rejected row with its reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8 text: save it as CSV (UTF-8).") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(COLUMNS) - {f.strip() for f in reader.fieldnames}:
        raise FileRefused(f"The first line must name the columns: {', '.join(COLUMNS)}.")
    reader.fieldnames = [f.strip() for f in reader.fieldnames]
    return check_rows(enumerate(reader, start=2), first_line=2)


def check_rows(rows: Iterable[tuple[int, dict]], *, first_line: int = 1):
    """Every valid row by (organization, month), and every rejected row with its reason; rows
    are numbered as the person sees them (a file's lines, or an API list from 1)."""
    organizations = set(Organization.objects.values_list("pk", flat=True))
    figures: dict = {}
    rejected: list[Rejected] = []
    for line, row in rows:
        if line >= MAX_ROWS + first_line:
            raise FileRefused(f"There are more than {MAX_ROWS:,} rows: split them.")
        if not isinstance(row, dict) or None in row or any(row.get(c) is None for c in COLUMNS):
            rejected.append(
                Rejected(line, f"the row does not have exactly the columns {', '.join(COLUMNS)}")
            )
            continue
        parsed = _parse(line, {c: str(row[c]) for c in COLUMNS}, organizations)
        if isinstance(parsed, Rejected):
            rejected.append(parsed)
        elif parsed[0] in figures:
            rejected.append(Rejected(line, "the same organization and month appear twice"))
        else:
            figures[parsed[0]] = parsed[1]
    return figures, rejected


def import_rows(rows: list, *, actor: Actor) -> ImportResult:
    """The API's way in: the same checks and the same all-or-nothing apply as a file."""
    _require_reviewer(actor)
    figures, rejected = check_rows(enumerate(rows, start=1))
    return _apply(
        figures, rejected, actor=actor, source="api", digest=sha256_hex(canonical_json(rows))
    )


def import_figures(data: bytes, *, actor: Actor, filename: str) -> ImportResult:
    """Apply a figures file when every row is valid; otherwise apply nothing and say which rows
    are wrong. One audit event names the file and what changed."""
    _require_reviewer(actor)
    figures, rejected = read(data)
    return _apply(figures, rejected, actor=actor, source=filename, digest=sha256_hex(data))


def _require_reviewer(actor: Actor) -> None:
    """The figures decide which organizations campaigns reach: the platform's to write."""
    permissions.require(actor.user, None, Need.REVIEW)


def _apply(figures: dict, rejected: list, *, actor: Actor, source: str, digest: str):
    result = ImportResult(rows=len(figures) + len(rejected), rejected=rejected)
    if rejected or not figures:
        if not figures and not rejected:
            raise FileRefused("There are no rows of figures.")
        return result
    with transaction.atomic():
        stored = {
            (f.organization_id, f.month): f
            for f in ViolationFigure.objects.select_for_update().filter(
                organization_id__in={org for org, _ in figures}
            )
        }
        for key, counts in figures.items():
            figure = stored.get(key)
            if figure is None:
                ViolationFigure.objects.create(organization_id=key[0], month=key[1], **counts)
                result.created += 1
            elif any(getattr(figure, c) != v for c, v in counts.items()):
                ViolationFigure.objects.filter(pk=figure.pk).update(**counts)
                result.changed += 1
            else:
                result.unchanged += 1
        if result.created or result.changed:
            touched = {org for org, _ in figures}
            for organization_id in touched:
                keep_latest_rate(organization_id)
            audit.record(
                actor=actor,
                action=AuditAction.VIOLATION_FIGURES_IMPORTED,
                obj=FiguresFile(digest),
                details={
                    "file": source,
                    "rows": result.rows,
                    "created": result.created,
                    "changed": result.changed,
                    "organizations": len(touched),
                },
            )
    return result


def template_csv() -> str:
    """A file to fill in: every organization's id and name, and the columns to complete (the
    name column is for people; the import reads the id)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("organization", *COLUMNS))
    for pk, name in Organization.objects.order_by("legal_name").values_list("pk", "legal_name"):
        writer.writerow((csv_safe(name), pk, "", "", "", ""))
    return out.getvalue()


def keep_latest_rate(organization_id) -> None:
    latest = ViolationFigure.objects.filter(organization_id=organization_id).order_by("-month")
    figure = latest.first()
    rate = round(figure.violations_per_10k, 2) if figure else None
    Organization.objects.filter(pk=organization_id).update(violation_rate=rate)


def threshold() -> int:
    return settings.VIOLATION_RATE_THRESHOLD


def is_high(rate: float | None) -> bool:
    return rate is not None and rate > threshold()


class FigureRow(NamedTuple):
    """One month as the review page shows it, its rates written once here (the template's
    floatformat was a fifth of that page's template time)."""

    month: date
    requests: int
    flagged_percent: str
    violations_per_10k: str
    high: bool


def rows(organization, *, months: int) -> list[FigureRow]:
    return [
        FigureRow(
            f.month,
            f.requests,
            f"{f.flagged_percent:.2f}",
            f"{f.violations_per_10k:.2f}",
            is_high(f.violations_per_10k),
        )
        for f in series(organization, months=months)
    ]


def series(organization, *, months: int) -> list[ViolationFigure]:
    """The organization's latest months, oldest first (the review page shows them beside the
    answers)."""
    latest = ViolationFigure.objects.filter(organization=organization).order_by("-month")
    return list(reversed(latest[:months]))
