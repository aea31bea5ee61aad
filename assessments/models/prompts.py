"""The platform's published child-safety system prompt, and how a deployed prompt compares."""

import uuid

from django.db import models
from django.utils import timezone


class ReferencePrompt(models.Model):
    """One version of the child-safety system prompt the platform publishes for deployers.
    A version never changes: a new text is a new version."""

    version = models.CharField(max_length=40, unique=True)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"child-safety system prompt {self.version}"


class PromptMatch(models.TextChoices):
    EXACT = "exact", "Contains the platform's prompt exactly"
    ALTERED = "altered", "Contains the platform's prompt, altered"
    ABSENT = "absent", "Does not contain the platform's prompt"


class PromptComparison(models.Model):
    """What the portal found comparing an item of evidence (the prompt a product runs with)
    with a version of the platform's prompt. Evidence of its own standing: shown beside the
    item for the reviewer to judge, never a verdict."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.OneToOneField(
        "assessments.Evidence", on_delete=models.CASCADE, related_name="prompt_comparison"
    )
    reference = models.ForeignKey(ReferencePrompt, on_delete=models.PROTECT, related_name="+")
    match = models.CharField(max_length=10, choices=PromptMatch.choices)
    placed_first = models.BooleanField(null=True)  # None: nothing found to place
    differences = models.TextField(blank=True)  # a unified diff, platform's text first
    compared_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_match_display()} ({self.reference})"
