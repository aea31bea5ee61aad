"""Signed, immutable snapshots of an assessment and their PDF reports."""

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models.assessments import Assessment


class ReportState(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class AttestationQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """The one meaning of "in force" at a moment (now by default), as
        attestation_status.status_of calls it valid: the platform's latest decision on it by
        then is an approval, and it is neither expired, nor revoked, nor replaced by a newer
        attestation of the same organization and questionnaire approved by then. Reminders,
        metrics, public-claim checks and campaigns all ask this."""
        from assessments.models.reviews import Outcome

        at = at or timezone.now()
        newer_approved = (
            Attestation.objects.filter(
                organization=models.OuterRef("organization"),
                framework_slug=models.OuterRef("framework_slug"),
                signed_at__gt=models.OuterRef("signed_at"),
            )
            .exclude(revoked_at__lte=at)
            .annotate(outcome=latest_outcome(at))
            .filter(outcome=Outcome.APPROVED)
        )
        return (
            self.annotate(outcome=latest_outcome(at))
            .filter(outcome=Outcome.APPROVED, expires_at__gt=at)
            .exclude(revoked_at__lte=at)
            .exclude(models.Exists(newer_approved))
        )


def latest_outcome(at):
    """The outcome of the platform's latest decision on the attestation made by `at`."""
    from assessments.models.reviews import Decision

    latest = Decision.objects.filter(attestation=models.OuterRef("pk"), decided_at__lte=at)
    return models.Subquery(latest.order_by("-decided_at", "-id").values("outcome")[:1])


class Attestation(models.Model):
    """What a signatory attested: a canonical JSON snapshot and its SHA-256.

    Signing is also what submits an assessment to the platform, so the numbered
    attestations of an assessment are its submissions, and the reviewer diffs them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="attestations"
    )
    # Numbered per organization and questionnaire (1, 2, 3... across its re-assessments); the
    # two fields below repeat the assessment's so the database can hold that rule.
    number = models.PositiveIntegerField()
    organization = models.ForeignKey(
        "assessments.Organization", on_delete=models.PROTECT, related_name="attestations"
    )
    framework_slug = models.SlugField(max_length=80)
    # This attestation's bit in the platform's published revocation list (W3C Bitstring
    # Status List): given once at signing, never reused.
    status_index = models.PositiveIntegerField(unique=True, null=True, editable=False)
    snapshot_json = models.TextField(help_text="Canonical JSON; hashed byte for byte.")
    snapshot_sha256 = models.CharField(max_length=64, unique=True)
    statement_version = models.CharField(max_length=20)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    report_state = models.CharField(
        max_length=10, choices=ReportState.choices, default=ReportState.PENDING
    )
    report_attempts = models.PositiveSmallIntegerField(default=0)
    report_requested_at = models.DateTimeField(default=timezone.now)
    report_error = models.TextField(blank=True)

    objects = AttestationQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "framework_slug", "number"],
                name="attestation_numbers_per_organization_and_questionnaire",
            )
        ]
        indexes = [
            # The queue marks revoked attestations on every row: revocations are rare, so a
            # small partial index answers that at any number of attestations.
            models.Index(
                fields=["assessment"],
                condition=models.Q(revoked_at__isnull=False),
                name="revoked_attestations",
            )
        ]

    def __str__(self):
        return f"Attestation {self.number} of {self.assessment}"

    @property
    def attested_organization(self) -> dict:
        """The organization as the signatory attested it (name, website): what anyone shown
        this attestation reads, whatever the organization's record says today."""
        return json.loads(self.snapshot_json)["organization"]

    @property
    def attested_product(self) -> dict | None:
        """The product as attested (name, addresses); None for snapshots made before
        products, which were of the organization's only one."""
        return json.loads(self.snapshot_json).get("product")


def report_path(instance: "Report", filename: str) -> str:
    return f"reports/{instance.attestation_id}/{filename}"


class Report(models.Model):
    """One issued PDF of an attestation. Kept, with its hash, so every copy handed out
    verifies; a report is issued again when a reviewer's decision is added."""

    attestation = models.ForeignKey(Attestation, on_delete=models.PROTECT, related_name="reports")
    file = models.FileField(upload_to=report_path, max_length=300)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    # The key that signed it, as the offline verifier found before the file was issued
    # (blank for reports issued before the portal checked its own files).
    key_id = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rendered_at"]
        get_latest_by = "rendered_at"

    def __str__(self):
        return f"Report {self.sha256[:12]} of {self.attestation}"
