"""The append-only, hash-chained record of everything that changed state."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    """Every kind of event on the trail. The lifecycle's transitions name theirs."""

    ORGANIZATION_REGISTERED = "organization_registered", "Organization registered"
    MEMBER_INVITED = "member_invited", "Member invited"
    MEMBER_INVITATION_CANCELLED = "member_invitation_cancelled", "Member's invitation cancelled"
    MEMBER_JOINED = "member_joined", "Member joined"
    MEMBER_ROLE_CHANGED = "member_role_changed", "Member's role changed"
    MEMBER_REMOVED = "member_removed", "Member removed"
    PLATFORM_ROLE_CHANGED = "platform_role_changed", "Platform role changed"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor authentication set up"
    PASSWORD_CHANGED = "password_changed", "Password changed by its owner"
    PRODUCT_REGISTERED = "product_registered", "Product registered"
    PRODUCT_CHANGED = "product_changed", "Product changed"
    ASSESSMENT_STARTED = "assessment_started", "Assessment started"
    ANSWER_SAVED = "answer_saved", "Answer saved"
    EVIDENCE_UPLOADED = "evidence_uploaded", "Evidence uploaded"
    EVIDENCE_LINKED = "evidence_linked", "Evidence linked"
    EVIDENCE_REMOVED = "evidence_removed", "Evidence removed"
    REGIME_ADDED = "regime_added", "A law's questions added"
    REGIME_REMOVED = "regime_removed", "A law's questions removed"
    SUBMITTED_FOR_SIGNATURE = "submitted_for_signature", "Submitted for signature"
    RETURNED_TO_DRAFT = "returned_to_draft", "Returned to the preparers"
    SIGNED = "signed", "Signed and submitted to the platform"
    REVIEW_STARTED = "review_started", "Review started"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    APPROVAL_PROPOSED = "approval_proposed", "Approval proposed, awaiting a second reviewer"
    REJECTED = "rejected", "Rejected"
    ATTESTATION_REVOKED = "attestation_revoked", "Attestation revoked"
    REVIEWER_ASSIGNED = "reviewer_assigned", "Reviewer assigned"
    COMMENT_ADDED = "comment_added", "Comment added"
    QUESTION_VERDICT_RECORDED = "question_verdict_recorded", "Verdict on an answer"
    EVIDENCE_VERDICT_RECORDED = "evidence_verdict_recorded", "Verdict on evidence"
    REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
    EXPIRY_REMINDER_SENT = "expiry_reminder_sent", "Expiry reminder sent"
    API_TOKEN_CREATED = "api_token_created", "API token created"
    API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
    WEBHOOK_ADDED = "webhook_added", "Webhook endpoint added"
    WEBHOOK_REMOVED = "webhook_removed", "Webhook endpoint removed"
    PROBE_ENDPOINT_ADDED = "probe_endpoint_added", "Test endpoint registered for probes"
    PROBE_ENDPOINT_REMOVED = "probe_endpoint_removed", "Test endpoint removed, consent withdrawn"
    PROBE_RUN_STARTED = "probe_run_started", "Probe run started"
    PROBE_REGRESSED = "probe_regressed", "A live product test that passed now fails"
    PROBE_JUDGED = "probe_judged", "A live product test's transcript judged"
    PROMPT_REFERENCE_CHANGED = (
        "prompt_reference_changed",
        "The platform published a new child-safety prompt than the one compared",
    )
    PUBLIC_CLAIM_CHANGED = "public_claim_changed", "A public claim changed or disappeared"
    POLICY_TEXT_LOADED = "policy_text_loaded", "New policy text loaded"
    POLICY_CHANGE_FLAGGED = "policy_change_flagged", "Cited policy changed: re-attestation due"
    AUDIT_REQUESTED = "audit_requested", "The platform asked for an attestation or remediation"
    AUDIT_REQUEST_OPENED = "audit_request_opened", "The organization opened the platform's request"
    AUDIT_REQUEST_CLAIMED = "audit_request_claimed", "An invited organization registered"
    AUDIT_REQUEST_REMINDED = "audit_request_reminded", "Reminder of a request sent"
    AUDIT_REQUEST_FULFILLED = "audit_request_fulfilled", "The platform's request was answered"
    ENFORCEMENT_RECOMMENDED = "enforcement_recommended", "Enforcement recommended"
    CAMPAIGN_LAUNCHED = "campaign_launched", "Audit campaign launched"
    VIOLATION_FIGURES_IMPORTED = "violation_figures_imported", "Safety figures imported"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One recorded action. Written only by attestations.audit.record()."""

    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=60, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    organization_id = models.UUIDField(null=True, blank=True, db_index=True)
    assessment_id = models.UUIDField(null=True, blank=True, db_index=True)
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC-SHA256 of the hash under a key kept outside the database (attestations/audit.py).
    mac = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_email or 'system'}"
