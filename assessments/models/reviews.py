"""What reviewers say: comments, change requests and decisions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models.assessments import Assessment
from assessments.models.attestations import Attestation
from assessments.models.text import NOTE_MAX_CHARS


class Comment(models.Model):
    """A message on an assessment, optionally about one question.

    A reviewer's change request is a comment with requests_change set; it stays open
    until the organization resubmits.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    question_id = models.CharField(max_length=120, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=NOTE_MAX_CHARS)
    requests_change = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Decision(models.Model):
    """A reviewer's verdict on one attestation, with the reason for it. An approval records
    the figure the platform verified (claim by claim, from the reviewers' verdicts) at that
    moment: what the report, the credential and the verification page then carry."""

    attestation = models.ForeignKey(Attestation, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField(max_length=NOTE_MAX_CHARS)
    decided_at = models.DateTimeField(default=timezone.now)
    verified_score = models.PositiveSmallIntegerField(null=True, blank=True)
    verified_risk_tier = models.CharField(max_length=10, blank=True)
    # The first of two reviewers, when the approval needed a second (see lifecycle).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.reviewer}"


class ApprovalProposal(models.Model):
    """A reviewer's approval of an attestation that needs a second reviewer to agree (high
    risk, or approved over rejected evidence): it decides nothing until another reviewer
    approves too."""

    attestation = models.ForeignKey(
        Attestation, on_delete=models.PROTECT, related_name="approval_proposals"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(max_length=NOTE_MAX_CHARS)
    proposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self):
        return f"Approval proposed by {self.reviewer}"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    NEEDS_CHANGE = "needs_change", "Needs change"
    NOT_APPLICABLE_ACCEPTED = "na_accepted", "Not applicable: accepted"


class QuestionVerdict(models.Model):
    """A reviewer's verdict on one answer of one attestation, with its own note.

    Append-only: the latest per question is the one that counts; earlier ones stay on record,
    so what a reviewer decided is never silently rewritten."""

    attestation = models.ForeignKey(
        Attestation, on_delete=models.PROTECT, related_name="question_verdicts"
    )
    question_id = models.CharField(max_length=120)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    note = models.TextField(max_length=NOTE_MAX_CHARS, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["attestation", "question_id", "-decided_at"])]

    def __str__(self):
        return f"{self.question_id}: {self.get_verdict_display()}"


class EvidenceVerdict(models.Model):
    """A reviewer accepts or rejects one item of evidence, saying why. Append-only too: the
    latest counts, and the preparer sees it beside the item."""

    evidence = models.ForeignKey(
        "assessments.Evidence", on_delete=models.CASCADE, related_name="verdicts"
    )
    accepted = models.BooleanField()
    reason = models.TextField(max_length=NOTE_MAX_CHARS, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{'Accepted' if self.accepted else 'Rejected'}: {self.evidence}"
