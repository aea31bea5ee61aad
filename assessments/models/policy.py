"""Policy documents the questionnaire cites, version by version, and what their changes flag."""

import uuid

from django.db import models
from django.utils import timezone


class PolicyDocumentVersion(models.Model):
    """One text of one source document: its sections and the hash of each (policy_sources)."""

    source_id = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    effective = models.DateField()
    sections = models.JSONField(help_text="[{heading, sha256, excerpt, starts_at, until}]")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_id", "effective"], name="one_text_per_date")
        ]
        ordering = ["source_id", "-effective"]

    def __str__(self):
        return f"{self.title} ({self.effective:%d %b %Y})"


class PolicyChangeFlag(models.Model):
    """An attestation whose questions cite a section the provider has since changed: the
    organization must re-attest those questions by the due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attestation = models.ForeignKey(
        "assessments.Attestation", on_delete=models.PROTECT, related_name="policy_flags"
    )
    document = models.ForeignKey(
        PolicyDocumentVersion, on_delete=models.PROTECT, related_name="flags"
    )
    sections = models.JSONField(help_text="Headings of the changed or removed sections.")
    question_ids = models.JSONField(help_text="Questions of the attestation citing them.")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["attestation", "document"], name="one_flag_per_text")
        ]

    def __str__(self):
        return f"{self.attestation}: {', '.join(self.sections)}"
