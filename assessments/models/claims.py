"""What the portal read on the public pages organizations point to, and what changed."""

import uuid

from django.db import models
from django.utils import timezone


class CaptureReason(models.TextChoices):
    SUBMITTED = "submitted", "When submitted"
    RECHECK = "recheck", "Scheduled re-check"


class ClaimCapture(models.Model):
    """One reading of one public page: where it led, what it answered, its text (bounded),
    the hash of its body and a fingerprint of its words (numbers and markup left out)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="claim_captures"
    )
    question_id = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    reason = models.CharField(max_length=10, choices=CaptureReason.choices)
    final_url = models.URLField(max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    found = models.JSONField(default=list, help_text="Labels of the mentions the page has.")
    missing = models.JSONField(default=list, help_text="Labels of the mentions it lacks.")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fetched_at"]
        indexes = [models.Index(fields=["assessment", "question_id", "-fetched_at"])]

    def __str__(self):
        return f"{self.url} ({self.status_code or self.error})"

    @property
    def reachable(self) -> bool:
        return not self.error and self.status_code is not None and self.status_code < 400


class ClaimChange(models.TextChoices):
    CHANGED = "changed", "Changed materially"
    GONE = "gone", "Gone or unreachable"


class PublicClaimFlag(models.Model):
    """A public page behind an approved attestation that changed or disappeared."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attestation = models.ForeignKey(
        "assessments.Attestation", on_delete=models.PROTECT, related_name="claim_flags"
    )
    question_id = models.CharField(max_length=120)
    change = models.CharField(max_length=10, choices=ClaimChange.choices)
    capture = models.ForeignKey(ClaimCapture, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.question_id}: {self.get_change_display()}"
