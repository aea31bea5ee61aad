"""Figures for the reviewers' metrics page."""

import json
import statistics
from collections import Counter
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


def most_common_gaps(limit: int = 10) -> list[tuple[str, int]]:
    """Questions most often left as gaps in the latest attestation of each assessment."""
    newest = (
        Attestation.objects.filter(assessment=OuterRef("assessment"))
        .order_by("-number")
        .values("number")[:1]
    )
    snapshots = Attestation.objects.filter(number=Subquery(newest)).values_list(
        "snapshot_json", flat=True
    )
    counter: Counter[str] = Counter()
    for text in snapshots.iterator(chunk_size=500):
        counter.update(gap["question_id"] for gap in json.loads(text)["gaps"])
    return counter.most_common(limit)


def expiring_counts() -> list[tuple[int, int]]:
    """Current attestations expiring within each window, in days."""
    now = timezone.now()
    current = Attestation.objects.filter(revoked_at__isnull=True, expires_at__gt=now)
    return [
        (days, current.filter(expires_at__lte=now + timedelta(days=days)).count())
        for days in EXPIRY_WINDOWS
    ]
