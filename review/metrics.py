"""Figures for the reviewers' metrics page."""

import json
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Min, OuterRef, Subquery
from django.utils import timezone

from assessments.models import Attestation, Decision

EXPIRY_WINDOWS = (30, 60, 90)


def in_words(days: float | None) -> str:
    """A duration as a person says it: "less than a day", "1 day", "3.5 days"."""
    if days is None:
        return "—"
    if days < 1:
        return "less than a day"
    return "1 day" if days == 1 else f"{days:g} days"


def median_days_to_decision() -> float | None:
    """Median time from signature (submission) to the reviewer's first decision on it."""
    waits = (
        Decision.objects.values("attestation")
        .annotate(first=Min("decided_at"), signed=F("attestation__signed_at"))
        .values_list("first", "signed")
    )
    days = [(first - signed).total_seconds() / 86400 for first, signed in waits]
    return round(statistics.median(days), 1) if days else None


@dataclass(frozen=True)
class GapCount:
    question_id: str
    text: str
    attestations: int  # latest attestations in which this question is a gap


def most_common_gaps(limit: int = 10) -> tuple[list[GapCount], int]:
    """Questions most often left as gaps in the latest attestation of each assessment, by
    their text as attested, and how many latest attestations there are (every share's base)."""
    newest = (
        Attestation.objects.filter(assessment=OuterRef("assessment"))
        .order_by("-number")
        .values("number")[:1]
    )
    snapshots = Attestation.objects.filter(number=Subquery(newest)).values_list(
        "snapshot_json", flat=True
    )
    counter: Counter[str] = Counter()
    texts: dict[str, str] = {}
    base = 0
    for text in snapshots.iterator(chunk_size=500):
        snapshot = json.loads(text)
        base += 1
        gaps = {gap["question_id"] for gap in snapshot["gaps"]}
        counter.update(gaps)
        for section in snapshot["sections"]:
            texts.update((q["id"], q["text"]) for q in section["questions"] if q["id"] in gaps)
    gaps = [GapCount(qid, texts.get(qid, qid), n) for qid, n in counter.most_common(limit)]
    return gaps, base


def share(part: int, whole: int) -> int:
    """A whole percentage; 0 of nothing is 0."""
    return round(100 * part / whole) if whole else 0


def expiring_counts() -> list[tuple[int, int]]:
    """Attestations in force expiring within each window, in days."""
    now = timezone.now()
    current = Attestation.objects.in_force(now)
    return [
        (days, current.filter(expires_at__lte=now + timedelta(days=days)).count())
        for days in EXPIRY_WINDOWS
    ]
