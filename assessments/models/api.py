"""Credentials for programs: API tokens, and the log of every call made with one."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenRole(models.TextChoices):
    """What a token may do: an organization role, or the platform's reviewer role."""

    PREPARER = "preparer", "Preparer"
    SIGNATORY = "signatory", "Signatory (read only: signing needs a person)"
    ADMIN = "admin", "Administrator"
    REVIEWER = "reviewer", "Platform reviewer"


class ApiToken(models.Model):
    """A named, expiring, revocable credential. Only its SHA-256 is stored: the token itself
    is shown once, when it is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "assessments.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Empty for a platform reviewer's token.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=TokenRole.choices)
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell it apart."
    )
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True, role="reviewer")
                | (models.Q(organization__isnull=False) & ~models.Q(role="reviewer")),
                name="reviewer_tokens_have_no_organization",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at


class ApiCall(models.Model):
    """One request made with a token: which token, what, and what it got."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="calls")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "-at"])]

    def __str__(self):
        return f"{self.method} {self.path} → {self.status}"
