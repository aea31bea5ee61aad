"""An organization's test endpoint of its product, and the probe runs sent to it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class EndpointKind(models.TextChoices):
    OPENAI_CHAT = "openai_chat", "OpenAI-compatible chat completions"
    SIMPLE_JSON = "simple_json", 'Simple JSON: {"message": …} answered with {"reply": …}'


class ProbeEndpoint(models.Model):
    """Where the platform may send its benign test conversations, with the organization's
    consent; the credential is stored encrypted and never shown again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "assessments.Organization", on_delete=models.CASCADE, related_name="probe_endpoints"
    )
    url = models.URLField(max_length=500)
    kind = models.CharField(max_length=20, choices=EndpointKind.choices)
    model = models.CharField(max_length=100, blank=True)  # for OpenAI-compatible endpoints
    credential = models.BinaryField(blank=True, editable=False)  # Fernet token, or empty
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    consented_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class ProbeRun(models.Model):
    """One run of a probe set against an endpoint: each probe's transcript and the automatic
    checks' result, and a hash of the whole record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(ProbeEndpoint, on_delete=models.CASCADE, related_name="runs")
    probe_set_version = models.CharField(max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    results = models.JSONField(default=list)  # [{probe, title, questions, transcript, ...}]
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"probe run {self.probe_set_version} on {self.endpoint}"

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.get("passed"))


class ProbeVerdict(models.Model):
    """A reviewer's judgement of one probe's transcript in a run (the latest counts): the
    automatic check only suggests."""

    run = models.ForeignKey(ProbeRun, on_delete=models.CASCADE, related_name="verdicts")
    probe = models.CharField(max_length=60)
    accepted = models.BooleanField()
    reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{'accepted' if self.accepted else 'rejected'}: {self.probe}"
