"""Campaigns: the platform asks many organizations at once, chosen by what it knows of them
(violation rate, risk tier, expiry, policy text their attestation cites that changed), after
the reviewer has previewed whom the selection finds."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.actors import Actor
from accounts.permissions import Need, require
from assessments.errors import MissingRequirement
from assessments.models import (
    Attestation,
    AuditAction,
    Campaign,
    Organization,
    RequestKind,
    Status,
)
from attestations import audit
from attestations.charts import TONE_COLOURS, Bar, horizontal_bars
from integrations.csv_cells import csv_safe
from platform_audits import platform_requests
from platform_audits.platform_requests import Stage
from questionnaires.scoring import RiskTier


@dataclass(frozen=True)
class Selection:
    """What the reviewer chose; organizations must meet every criterion given."""

    violation_rate_above: float | None = None
    high_risk: bool = False
    expires_within_days: int | None = None
    cited_policy_changed: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.violation_rate_above is not None
            or self.high_risk
            or self.expires_within_days is not None
            or self.cited_policy_changed
        )

    def as_criteria(self) -> dict:
        return {
            "violation_rate_above": self.violation_rate_above,
            "high_risk": self.high_risk,
            "expires_within_days": self.expires_within_days,
            "cited_policy_changed": self.cited_policy_changed,
        }

    def describe(self) -> list[str]:
        words = []
        if self.violation_rate_above is not None:
            words.append(
                f"more than {self.violation_rate_above:g} confirmed violations per 10,000 "
                "requests in their latest month"
            )
        if self.high_risk:
            words.append("a high risk tier on their latest attestation")
        if self.expires_within_days is not None:
            words.append(f"an attestation expiring within {self.expires_within_days} days")
        if self.cited_policy_changed:
            words.append("an attestation citing policy text that changed")
        return words


def select(selection: Selection):
    """The organizations a selection finds, by name."""
    found = Organization.objects.all()
    if selection.violation_rate_above is not None:
        found = found.filter(violation_rate__gt=selection.violation_rate_above)
    if selection.high_risk:
        found = found.filter(
            Q(assessments__attested_risk_tier=RiskTier.HIGH)
            & ~Q(assessments__status=Status.REJECTED)
        )
    if selection.expires_within_days is not None:
        now = timezone.now()
        expiring = Attestation.objects.in_force(now).filter(
            expires_at__lte=now + timedelta(days=selection.expires_within_days)
        )
        found = found.filter(pk__in=expiring.values("organization_id"))
    if selection.cited_policy_changed:
        found = found.filter(
            assessments__attestations__policy_flags__isnull=False,
            assessments__attestations__revoked_at__isnull=True,
        )
    return found.distinct().order_by("legal_name")


@dataclass(frozen=True)
class Candidate:
    organization: Organization
    already_asked: bool  # an open request on this questionnaire: not asked twice


def preview(selection: Selection, framework_version) -> list[Candidate]:
    organizations = list(select(selection))
    asked = set(
        platform_requests.open_requests()
        .filter(organization__in=organizations, framework_version__slug=framework_version.slug)
        .values_list("organization_id", flat=True)
    )
    return [Candidate(o, o.pk in asked) for o in organizations]


def launch(
    *,
    actor: Actor,
    name: str,
    selection: Selection,
    framework_version,
    reason: str,
    due_on: date,
) -> Campaign:
    """Ask every organization the selection finds (except those already asked) in one
    transaction: all the requests exist, or none does. Only a platform reviewer launches."""
    require(actor.user, None, Need.REVIEW)
    if selection.is_empty:
        raise MissingRequirement("Choose at least one criterion for the selection.")
    with transaction.atomic():
        to_ask = [
            c.organization for c in preview(selection, framework_version) if not c.already_asked
        ]
        if not to_ask:
            raise MissingRequirement("The selection finds nobody who is not already asked.")
        campaign = Campaign.objects.create(
            name=name.strip(), criteria=selection.as_criteria(), created_by=actor.user
        )
        audit.record(
            actor=actor,
            action=AuditAction.CAMPAIGN_LAUNCHED,
            obj=campaign,
            details={
                "name": campaign.name,
                "criteria": campaign.criteria,
                "questionnaire": str(framework_version),
                "due_on": due_on.isoformat(),
                "organizations": len(to_ask),
            },
        )
        for organization in to_ask:
            platform_requests.ask(
                organization,
                actor=actor,
                kind=RequestKind.ATTESTATION,
                framework_version=framework_version,
                reason=reason,
                due_on=due_on,
                campaign=campaign,
            )
    return campaign


@dataclass(frozen=True)
class Progress:
    rows: list[tuple]  # (request, stage)
    counts: list[tuple[Stage, int]]

    @property
    def total(self) -> int:
        return len(self.rows)

    def chart(self):
        return horizontal_bars(
            [
                Bar(
                    stage.label,
                    round(100 * n / self.total) if self.total else 0,
                    TONE_COLOURS[stage.tone],
                )
                for stage, n in self.counts
            ],
            title="Where the campaign's requests stand, as a share of all requests",
        )


def progress(campaign: Campaign) -> Progress:
    requests = list(
        campaign.requests.select_related("organization", "framework_version")
        .defer(platform_requests.WHOLE_QUESTIONNAIRE)
        .order_by("organization__legal_name")
    )
    stages = platform_requests.stages(requests)
    rows = [(r, stages[r.pk]) for r in requests]
    counts = [(stage, sum(1 for _, s in rows if s == stage)) for stage in Stage]
    return Progress(rows, counts)


CSV_COLUMNS = ("organization", "stage", "due_on", "opened_at", "fulfilled_at", "state")


def progress_csv(campaign: Campaign) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for audit_request, stage in progress(campaign).rows:
        writer.writerow(
            csv_safe(v)
            for v in (
                audit_request.organization or audit_request.invited_legal_name,
                stage.value,
                audit_request.due_on.isoformat(),
                audit_request.opened_at.isoformat() if audit_request.opened_at else "",
                audit_request.fulfilled_at.isoformat() if audit_request.fulfilled_at else "",
                audit_request.state,
            )
        )
    return out.getvalue()
