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
    transaction that moves it, after its audit event (see ``workflow._record``).

    The two counter rows are written in one order for everyone (state, then slot): a move
    from draft to submitted and one from submitted to draft at the same moment would
    otherwise each hold the row the other waits for, and PostgreSQL would end one as a
    deadlock."""
    changes = sorted(
        (status, random.randrange(SLOTS), delta)  # noqa: S311 - spreads writers, not a secret
        for status, delta in ((before, -1), (after, 1))
        if status is not None
    )
    for status, slot, delta in changes:
        _add(status, slot, delta)


def _add(status: Status, slot: int, delta: int) -> None:
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
