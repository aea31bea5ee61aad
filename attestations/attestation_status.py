"""What an attestation means today, in one place: every surface that shows it (the public
verification page, verify_attestation, the attestation and organization pages, the queue,
exports and the PDF) asks here and uses these words.

Only the platform's approval makes an attestation valid. A signature alone says the
organization claims something; a newer attestation replaces an older one only once the
platform has approved it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Attestation, Decision, Outcome, Status
from assessments.models.attestations import latest_outcome


class PublicStatus(StrEnum):
    VALID = "valid"
    AWAITING_REVIEW = "awaiting_review"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Tone(StrEnum):
    """How a status is coloured: green is for VALID alone."""

    GOOD = "success"
    PENDING = "info"
    WARNING = "warning"
    BAD = "danger"


TONES = {
    PublicStatus.VALID: Tone.GOOD,
    PublicStatus.AWAITING_REVIEW: Tone.PENDING,
    PublicStatus.IN_REVIEW: Tone.PENDING,
    PublicStatus.CHANGES_REQUESTED: Tone.WARNING,
    PublicStatus.REJECTED: Tone.BAD,
    PublicStatus.SUPERSEDED: Tone.WARNING,
    PublicStatus.EXPIRED: Tone.WARNING,
    PublicStatus.REVOKED: Tone.BAD,
}


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


@dataclass(frozen=True)
class AttestationStatus:
    status: PublicStatus
    headline: str  # what the status is, in a few words
    detail: str  # since when, by whom or by what, in a sentence
    decision: Decision | None = None  # the platform's latest decision on it, if any
    superseded_by: Attestation | None = None
    newer_pending: Attestation | None = None  # a newer one awaiting review: said, not counted

    @property
    def is_valid(self) -> bool:
        return self.status == PublicStatus.VALID

    @property
    def tone(self) -> Tone:
        return TONES[self.status]


def latest_decision(attestation: Attestation, at: datetime | None = None) -> Decision | None:
    """The platform's latest decision on it (made by `at`, when given)."""
    decisions = attestation.decisions.all()
    if at is not None:
        decisions = decisions.filter(decided_at__lte=at)
    return decisions.order_by("-decided_at", "-id").first()


def _same_line(attestation: Attestation, at: datetime):
    """Attestations of the same organization on the same questionnaire, newer than this one
    and not revoked by `at`."""
    return (
        Attestation.objects.filter(
            organization_id=attestation.organization_id,
            framework_slug=attestation.framework_slug,
            signed_at__gt=attestation.signed_at,
        )
        .exclude(revoked_at__lte=at)
        .order_by("-signed_at")
    )


def superseding(attestation: Attestation, at: datetime | None = None) -> Attestation | None:
    """The newest later attestation whose latest decision (by `at`) is an approval: only that
    replaces this one (the same rule as Attestation.objects.in_force)."""
    at = at or timezone.now()
    return (
        _same_line(attestation, at)
        .annotate(outcome=latest_outcome(at))
        .filter(outcome=Outcome.APPROVED)
        .first()
    )


def _newer_pending(attestation: Attestation, at: datetime) -> Attestation | None:
    return _same_line(attestation, at).exclude(decisions__decided_at__lte=at).first()


def status_of(attestation: Attestation, *, at: datetime | None = None) -> AttestationStatus:
    """The attestation's status at a moment (now by default)."""
    at = at or timezone.now()
    decision = latest_decision(attestation, at)
    if attestation.revoked_at and attestation.revoked_at <= at:
        return AttestationStatus(
            PublicStatus.REVOKED,
            "Revoked by the platform",
            f"Revoked on {_day(attestation.revoked_at)}: {attestation.revocation_reason}",
            decision,
        )
    if decision is None:
        return _before_decision(attestation, at)
    if decision.outcome == Outcome.REJECTED:
        return AttestationStatus(
            PublicStatus.REJECTED,
            "Rejected by the platform",
            f"Rejected on {_day(decision.decided_at)}.",
            decision,
        )
    if decision.outcome == Outcome.CHANGES_REQUESTED:
        return AttestationStatus(
            PublicStatus.CHANGES_REQUESTED,
            "Changes requested by the platform",
            f"The platform asked for changes on {_day(decision.decided_at)}; it is not approved.",
            decision,
        )
    newer = superseding(attestation, at)
    if newer is not None:
        return AttestationStatus(
            PublicStatus.SUPERSEDED,
            "Superseded",
            f"Replaced by attestation {newer.number}, approved on "
            f"{_day(latest_decision(newer, at).decided_at)}.",
            decision,
            superseded_by=newer,
        )
    if attestation.expires_at <= at:
        return AttestationStatus(
            PublicStatus.EXPIRED,
            "Expired",
            f"Approved on {_day(decision.decided_at)}; expired on {_day(attestation.expires_at)}.",
            decision,
        )
    pending = _newer_pending(attestation, at)
    detail = (
        f"Approved by the platform on {_day(decision.decided_at)}; valid until "
        f"{_day(attestation.expires_at)}."
    )
    if pending is not None:
        detail += f" A newer attestation ({pending.number}) awaits the platform's review."
    return AttestationStatus(PublicStatus.VALID, "Valid", detail, decision, newer_pending=pending)


def _before_decision(attestation: Attestation, at: datetime) -> AttestationStatus:
    if attestation.expires_at <= at:
        return AttestationStatus(
            PublicStatus.EXPIRED,
            "Expired",
            f"Expired on {_day(attestation.expires_at)}, never reviewed by the platform.",
        )
    in_review = attestation.assessment.status == Status.IN_REVIEW
    return AttestationStatus(
        PublicStatus.IN_REVIEW if in_review else PublicStatus.AWAITING_REVIEW,
        "Signed, in platform review" if in_review else "Signed, awaiting platform review",
        f"Signed by the organization on {_day(attestation.signed_at)}; the platform has not "
        "decided on it yet, so it is not valid.",
    )
