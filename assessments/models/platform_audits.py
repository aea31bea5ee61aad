"""Audits the platform starts: what it asks an organization for, by when, and what came of it;
the campaigns that ask many at once; and the safety figures that decide whom to ask."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class RequestKind(models.TextChoices):
    ATTESTATION = "attestation", "An attestation"
    REMEDIATION = "remediation", "Remediation of named questions"


class AttestationPurpose(models.TextChoices):
    """Why an attestation is asked for, as the organization's record stands when asked."""

    FIRST = "first", "A first attestation"
    RENEWAL = "renewal", "A renewed attestation"
    NEW_VERSION = "new_version", "An attestation on a newer questionnaire version"


class RequestState(models.TextChoices):
    OPEN = "open", "Open"
    ESCALATED = "escalated", "Overdue, enforcement recommended"
    FULFILLED = "fulfilled", "Answered"


class EnforcementLevel(models.TextChoices):
    """What a reviewer recommends the platform do; the portal records it and acts on nothing."""

    WARN = "warn", "Warn"
    RESTRICT = "restrict", "Restrict access"
    RECOMMEND_SUSPENSION = "recommend_suspension", "Recommend suspension"


class Campaign(models.Model):
    """Requests made at once to every organization a selection found."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150)
    criteria = models.JSONField(help_text="The selection, as the reviewer chose it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class AuditRequest(models.Model):
    """The platform asks one organization for an attestation or for remediation, with a
    reason and a due date. An organization without an account yet is invited by email and
    the request becomes its own when it registers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "assessments.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_requests",
    )
    invited_email = models.EmailField(blank=True)
    invited_legal_name = models.CharField(max_length=200, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    purpose = models.CharField(max_length=20, choices=AttestationPurpose.choices, blank=True)
    framework_version = models.ForeignKey(
        "assessments.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_requests",
        help_text="The assessment a remediation concerns.",
    )
    product = models.ForeignKey(
        "assessments.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_requests",
        help_text="The product asked about; none: an attestation of any of its products.",
    )
    question_ids = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    due_on = models.DateField()
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        "assessments.Attestation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        who = self.organization or self.invited_legal_name
        return f"{self.get_kind_display()} from {who}, due {self.due_on}"

    @property
    def asked_for(self) -> str:
        """What is asked, in the organization's words: the purpose of an attestation, or
        remediation."""
        asked = self.get_purpose_display() if self.purpose else self.get_kind_display()
        return f"{asked} of {self.product.name}" if self.product_id else asked

    @property
    def is_open(self) -> bool:
        return self.state != RequestState.FULFILLED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class RequestReminder(models.Model):
    """One reminder sent before a request's due date; the constraint makes it once only,
    whichever worker gets there first."""

    request = models.ForeignKey(AuditRequest, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "days_before"], name="one_reminder_per_step")
        ]

    def __str__(self):
        return f"{self.days_before} days before {self.request.due_on}"


class EnforcementRecommendation(models.Model):
    request = models.ForeignKey(
        AuditRequest, on_delete=models.PROTECT, related_name="recommendations"
    )
    level = models.CharField(max_length=30, choices=EnforcementLevel.choices)
    rationale = models.TextField()
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.get_level_display()


class ViolationFigure(models.Model):
    """One organization's safety figures for one month, as the platform measured them."""

    organization = models.ForeignKey(
        "assessments.Organization", on_delete=models.PROTECT, related_name="violation_figures"
    )
    month = models.DateField(help_text="The first day of the month the figures cover.")
    requests = models.PositiveBigIntegerField()
    flagged_requests = models.PositiveBigIntegerField()
    confirmed_violations = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "month"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="one_figure_per_month")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.violations_per_10k:.1f} per 10,000"

    @property
    def flagged_percent(self) -> float:
        return 100 * self.flagged_requests / self.requests if self.requests else 0.0

    @property
    def violations_per_10k(self) -> float:
        return 10_000 * self.confirmed_violations / self.requests if self.requests else 0.0
