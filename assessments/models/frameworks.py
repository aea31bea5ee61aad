"""Published questionnaire versions."""

from functools import cached_property

from django.db import models
from django.utils import timezone

from questionnaires.frameworks.schema import Framework

# Parsed definitions by content hash: a handful per deployment, read-only once parsed.
_PARSED: dict[str, Framework] = {}


class FrameworkVersion(models.Model):
    """An immutable, validated framework definition; assessments pin one version."""

    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    published_on = models.DateField()
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_definition_per_version")
        ]
        ordering = ["slug", "-published_on", "-loaded_at"]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @cached_property
    def framework(self) -> Framework:
        """The parsed definition. A published version never changes (its content hash is its
        identity), so each process parses it once, not on every request."""
        parsed = _PARSED.get(self.sha256)
        if parsed is None:
            parsed = _PARSED[self.sha256] = Framework.model_validate(self.definition)
        return parsed

    @classmethod
    def current(cls, slug: str) -> "FrameworkVersion | None":
        return cls.objects.filter(slug=slug).order_by("-published_on", "-loaded_at").first()
