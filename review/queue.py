"""The reviewers' queue: which assessments, filtered and sorted how.

Every filter works on indexed columns of Assessment, and every row's related objects come
in the same query, so the page costs the same number of queries at 10 rows or 100,000.
"""

from datetime import timedelta
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Assessment, Attestation, Status, User
from assessments.status_counts import counts as kept_counts
from platform_audits import platform_requests, violation_figures
from questionnaires.scoring import RiskTier

QUEUE_STATUSES = [s for s in Status if s not in (Status.DRAFT, Status.AWAITING_SIGNATURE)]
OPEN_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)
OVERDUE_AFTER = timedelta(days=14)
RISK_ORDER = Case(
    When(attested_risk_tier=RiskTier.HIGH, then=Value(0)),
    When(attested_risk_tier=RiskTier.MEDIUM, then=Value(1)),
    When(attested_risk_tier=RiskTier.LOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SORTS = {
    "waiting": ("status_changed_at",),
    "newest": ("-status_changed_at",),
    "organization": ("organization__legal_name",),
    "risk": (RISK_ORDER, "status_changed_at"),
    "score": ("attested_score", "status_changed_at"),
    "expiry": (F("attested_until").asc(nulls_last=True),),  # revoked ones have none: last
    "violations": (F("organization__violation_rate").desc(nulls_last=True), "status_changed_at"),
}
WAITING = ""  # the status filter's default: the work waiting for a reviewer
ANY_STATUS = "all"


def review_queue(filters: dict, *, user) -> QuerySet:
    """Assessments in the queue matching cleaned filters (see QueueFilterForm)."""
    now = timezone.now()
    revoked = Attestation.objects.filter(assessment=OuterRef("pk"), revoked_at__isnull=False)
    overdue_requests = platform_requests.overdue().filter(organization=OuterRef("organization"))
    queue = (
        Assessment.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("organization", "product", "framework_version", "assigned_reviewer")
        .defer("framework_version__definition")  # the whole questionnaire, not needed here
        .annotate(revoked=Exists(revoked), request_overdue=Exists(overdue_requests))
    )
    if filters.get("q"):
        queue = queue.filter(organization__legal_name__icontains=filters["q"])
    status = filters.get("status") or WAITING
    if status == WAITING and filters.get("expiring_within") is None:
        queue = queue.filter(status__in=OPEN_STATUSES)
    elif status not in (WAITING, ANY_STATUS):
        queue = queue.filter(status=status)
    if filters.get("risk"):
        queue = queue.filter(attested_risk_tier=filters["risk"])
    if filters.get("framework"):
        queue = queue.filter(framework_version=filters["framework"])
    reviewer = filters.get("reviewer")
    if reviewer == "me":
        queue = queue.filter(assigned_reviewer=user)
    elif reviewer == "unassigned":
        queue = queue.filter(assigned_reviewer__isnull=True)
    elif reviewer:
        queue = queue.filter(assigned_reviewer_id=reviewer)
    if filters.get("expiring_within") is not None:
        queue = queue.filter(
            attested_until__gt=now,
            attested_until__lte=now + timedelta(days=filters["expiring_within"]),
        )
    if filters.get("high_violations"):
        queue = queue.filter(organization__violation_rate__gt=violation_figures.threshold())
    if filters.get("overdue"):
        queue = queue.filter(status__in=OPEN_STATUSES, status_changed_at__lt=now - OVERDUE_AFTER)
    sort = filters.get("sort") or "waiting"
    if sort == "risk" and filters.get("risk"):
        sort = "waiting"  # one tier is shown, so the risk order is moot; this one is indexed
    return queue.order_by(*SORTS.get(sort, SORTS["waiting"]), "id")


def validity(assessment: Assessment, now=None) -> tuple[str, str]:
    """The "valid until" cell: (words, tone). Only an approved, unrevoked, unexpired
    attestation is valid; the others say what they are."""
    now = now or timezone.now()
    if getattr(assessment, "revoked", False):
        return "Revoked", "danger"
    if assessment.status != Status.APPROVED or assessment.attested_until is None:
        return "—", ""
    day = date_format(assessment.attested_until, "j M Y")
    if assessment.attested_until <= now:
        return f"Expired {day}", "warning"
    return day, ""


def status_counts() -> list[tuple[Status, int]]:
    counts = kept_counts()  # kept by the lifecycle: flat at any size
    return [(status, counts[status]) for status in QUEUE_STATUSES]


# Counting every matching row costs time in proportion to the rows; past these the queue says
# "more than" instead, which is all a reviewer needs to narrow the filters.
COUNT_CAP = 10_000
OVERDUE_CAP = 1_000


class CappedPaginator(Paginator):
    """Pages over a queue whose count stops at COUNT_CAP, so paging costs the same at any
    size (pages past the cap are reached by narrowing the filters)."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number):
        """The page's keys first, read from the ordering's index; then those rows in full, so
        the joins and annotations cost one page of rows however deep the page is. A row
        that left the filters between the two reads (another reviewer decided it) is left
        out: the page shows what matches now."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def up_to(n: int, cap: int) -> str:
    """ "12", or "more than 10,000" past the cap."""
    return f"more than {cap:,}" if n > cap else f"{n:,}"


def is_overdue(assessment: Assessment) -> bool:
    return (
        assessment.status in OPEN_STATUSES
        and assessment.status_changed_at < timezone.now() - OVERDUE_AFTER
    )


def overdue_count() -> int:
    """Overdue assessments, counted up to OVERDUE_CAP + 1."""
    overdue = Assessment.objects.filter(
        Q(status__in=OPEN_STATUSES), status_changed_at__lt=timezone.now() - OVERDUE_AFTER
    )
    return overdue.order_by()[: OVERDUE_CAP + 1].count()


def reviewers() -> QuerySet:
    """The platform's active reviewers, by name: whom an assessment may be assigned to and
    the queue filtered by."""
    return User.objects.filter(is_reviewer=True, is_active=True).order_by("full_name")
