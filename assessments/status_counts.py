"""The number of assessments in each state, kept as the lifecycle moves them.

Counting the queue with GROUP BY costs time in proportion to its rows; these counters cost
the same at any size. ``recount`` rebuilds them from the assessments themselves (after a bulk
load, or to check that nothing moved an assessment outside the lifecycle).
"""

import random

from django.db import transaction
from django.db.models import Count, F, Sum

from assessments.models import Assessment, Status, StatusCount

SLOTS = 8


def moved(before: Status | None, after: Status | None) -> None:
    """One assessment left ``before`` (None: it is new) for ``after``; call inside the
    transaction that moves it."""
    if before is not None:
        _add(before, -1)
    if after is not None:
        _add(after, 1)


def _add(status: Status, delta: int) -> None:
    slot = random.randrange(SLOTS)  # noqa: S311 - spreads writers, not a secret
    row = StatusCount.objects.filter(status=status, slot=slot)
    if not row.update(n=F("n") + delta):
        with transaction.atomic():  # a savepoint: another transaction may create it first
            StatusCount.objects.get_or_create(status=status, slot=slot)
        row.update(n=F("n") + delta)


def counts() -> dict[Status, int]:
    totals = dict(
        StatusCount.objects.values_list("status").annotate(n=Sum("n")).values_list("status", "n")
    )
    return {status: totals.get(status.value, 0) for status in Status}


@transaction.atomic
def recount() -> dict[Status, int]:
    """Rebuild the counters from the assessments (one slot per state)."""
    actual = dict(
        Assessment.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    StatusCount.objects.all().delete()
    StatusCount.objects.bulk_create(
        StatusCount(status=status, slot=0, n=actual.get(status.value, 0)) for status in Status
    )
    return counts()
