"""Endpoints that receive signed notices of events, and every attempt to deliver one."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    SUBMITTED = "assessment.submitted", "Submitted for signature"
    SIGNED = "attestation.signed", "Signed and submitted to the platform"
    CHANGES_REQUESTED = "assessment.changes_requested", "Changes requested"
    APPROVED = "attestation.approved", "Approved"
    REJECTED = "attestation.rejected", "Rejected"
    REVOKED = "attestation.revoked", "Revoked"
    EXPIRING = "attestation.expiring", "Expiring soon"
    POLICY_CHANGED = "attestation.policy_changed", "A cited policy changed"
    PUBLIC_CLAIM_CHANGED = "attestation.public_claim_changed", "A public claim changed"
    PROBE_REGRESSED = "attestation.probe_regressed", "A live product test now fails"
    PROMPT_REFERENCE_CHANGED = (
        "attestation.prompt_reference_changed",
        "The platform's child-safety prompt changed since the comparison",
    )
    TEST = "webhook.test", "Test event"


class WebhookEndpoint(models.Model):
    """Where to send which events: an organization's own, or the platform's (every
    organization's events)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "assessments.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(help_text="EventType values this endpoint receives.")
    secret = models.CharField(max_length=100, help_text="whsec_… (Standard Webhooks).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint, written in the transaction that made the event happen
    (so none is lost), then sent, and retried, by the task worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint}: {self.state}"
