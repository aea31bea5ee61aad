"""An organization's answers to one framework version, and the evidence behind them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models.frameworks import FrameworkVersion
from assessments.models.organizations import Organization
from assessments.models.text import NOTE_MAX_CHARS


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNATURE = "awaiting_signature", "Awaiting signature"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
FINAL_STATUSES = (Status.APPROVED, Status.REJECTED)  # a tuple: its order is in a migration


class Assessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessments"
    )
    # What is assessed: one product of the organization (its own scope, evidence, attestation).
    product = models.ForeignKey(
        "assessments.Product", on_delete=models.PROTECT, related_name="assessments"
    )
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT)
    # The questionnaire (its version's slug), kept here so the database itself can hold the
    # rule "one open assessment per product and questionnaire".
    framework_slug = models.SlugField(max_length=80)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the latest signature attested, kept here so the review queue can filter and sort
    # on it with an index instead of re-scoring every row. Written only by workflow.sign().
    attested_score = models.PositiveSmallIntegerField(null=True, blank=True)
    attested_risk_tier = models.CharField(max_length=10, blank=True)
    attested_until = models.DateTimeField(null=True, blank=True)
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_assessments",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-status_changed_at"]),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["attested_risk_tier", "status", "status_changed_at"]),
            models.Index(fields=["attested_until"]),
            models.Index(fields=["assigned_reviewer", "status"]),
            # The queue's default order ("waiting longest"): read in order, stop at the page.
            models.Index(fields=["status_changed_at", "id"]),
            # The same order over the work waiting for a reviewer, the queue's first view:
            # no row of the other states read and discarded on the way to page 20.
            models.Index(
                fields=["status_changed_at", "id"],
                condition=models.Q(status__in=[Status.SUBMITTED, Status.IN_REVIEW]),
                name="waiting_for_review",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "framework_slug"],
                condition=~models.Q(status__in=[s.value for s in FINAL_STATUSES]),
                name="one_open_assessment_per_product_and_questionnaire",
                violation_error_message=(
                    "An assessment of this product on this questionnaire is already open."
                ),
            )
        ]

    def __str__(self):
        return f"{self.organization} — {self.product} — {self.framework_version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Answer(models.Model):
    """One question's answer. Kept when its question is hidden, but then never counted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=120)
    value = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    justification = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_id"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.question_id} = {self.value!r}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.assessment_id}/{instance.id}"


class StatusCount(models.Model):
    """How many assessments are in each state, kept by the lifecycle in the transaction that
    moves one, so the queue's counts cost the same at a thousand rows or a million. Each
    state has several slots, one picked at random per change, so concurrent transitions
    rarely wait on the same row; a state's count is the sum of its slots."""

    status = models.CharField(max_length=20, choices=Status.choices)
    slot = models.PositiveSmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "slot"], name="one_count_per_status_slot")
        ]

    def __str__(self):
        return f"{self.status}[{self.slot}] = {self.n}"


class Evidence(models.Model):
    """A file or a URL offered as proof for one question. Files are private."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question_id = models.CharField(max_length=120)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    url = models.URLField(blank=True, max_length=500)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # The period the document speaks for (a penetration test, a DPIA, a policy review):
    # evidence that lapses before the attestation it backs would end is flagged.
    applies_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applies_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("applies_from")),
                name="evidence_valid_after_it_applies",
            ),
            models.CheckConstraint(
                condition=(models.Q(file="") & ~models.Q(url=""))
                | (~models.Q(file="") & models.Q(url="")),
                name="evidence_is_file_or_url",
            ),
        ]

    def __str__(self):
        return self.original_name or self.url


class RegimeChoice(models.Model):
    """An organization's own call on a regime (a law's add-on questions): added although the
    scope answers do not call for it, or removed although they do, always with a reason.
    Rows are never changed: the latest per regime stands, the rest is its history."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="regime_choices"
    )
    regime = models.SlugField(max_length=60)
    included = models.BooleanField()
    reason = models.TextField(max_length=NOTE_MAX_CHARS)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["assessment", "regime", "decided_at"])]

    def __str__(self):
        return f"{self.regime}: {'added' if self.included else 'removed'} ({self.reason[:40]})"
