"""The business, by topic: organizations, frameworks, assessments, attestations, reviews, audit."""

from assessments.models.api import ApiCall, ApiToken, TokenRole
from assessments.models.assessments import (
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    Answer,
    Assessment,
    Evidence,
    RegimeChoice,
    Status,
    StatusCount,
)
from assessments.models.attestations import Attestation, Report, ReportState
from assessments.models.audit import AuditAction, AuditEvent
from assessments.models.claims import (
    CaptureReason,
    ClaimCapture,
    ClaimChange,
    PublicClaimFlag,
)
from assessments.models.frameworks import FrameworkVersion
from assessments.models.organizations import Invitation, Membership, Organization, Role, User
from assessments.models.platform_audits import (
    AttestationPurpose,
    AuditRequest,
    Campaign,
    EnforcementLevel,
    EnforcementRecommendation,
    RequestKind,
    RequestReminder,
    RequestState,
    ViolationFigure,
)
from assessments.models.policy import PolicyChangeFlag, PolicyDocumentVersion
from assessments.models.probes import (
    EndpointKind,
    ProbeEndpoint,
    ProbeRun,
    ProbeVerdict,
    RunState,
)
from assessments.models.products import Platform, Product
from assessments.models.prompts import PromptComparison, PromptMatch, ReferencePrompt
from assessments.models.reviews import (
    ApprovalProposal,
    Comment,
    Decision,
    EvidenceVerdict,
    Outcome,
    QuestionVerdict,
    Verdict,
)
from assessments.models.text import NOTE_MAX_CHARS
from assessments.models.webhooks import (
    DeliveryState,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "EDITABLE_STATUSES",
    "FINAL_STATUSES",
    "NOTE_MAX_CHARS",
    "Answer",
    "ApiCall",
    "ApiToken",
    "ApprovalProposal",
    "Assessment",
    "Attestation",
    "AttestationPurpose",
    "AuditAction",
    "AuditEvent",
    "AuditRequest",
    "Campaign",
    "CaptureReason",
    "ClaimCapture",
    "ClaimChange",
    "Comment",
    "Decision",
    "DeliveryState",
    "EndpointKind",
    "EnforcementLevel",
    "EnforcementRecommendation",
    "EventType",
    "Evidence",
    "EvidenceVerdict",
    "FrameworkVersion",
    "Invitation",
    "Membership",
    "Organization",
    "Outcome",
    "Platform",
    "PolicyChangeFlag",
    "PolicyDocumentVersion",
    "ProbeEndpoint",
    "ProbeRun",
    "ProbeVerdict",
    "Product",
    "PromptComparison",
    "PromptMatch",
    "PublicClaimFlag",
    "QuestionVerdict",
    "ReferencePrompt",
    "RegimeChoice",
    "Report",
    "ReportState",
    "RequestKind",
    "RequestReminder",
    "RequestState",
    "Role",
    "RunState",
    "Status",
    "StatusCount",
    "TokenRole",
    "User",
    "Verdict",
    "ViolationFigure",
    "WebhookDelivery",
    "WebhookEndpoint",
]
