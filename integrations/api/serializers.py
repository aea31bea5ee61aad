"""The API's shapes: what it returns, and what it accepts. The schema is generated from these."""

from rest_framework import serializers

from assessments.evidence import ALLOWED
from assessments.forms.fields import single_line
from assessments.models import (
    NOTE_MAX_CHARS,
    EnforcementLevel,
    EventType,
    RequestKind,
    RequestState,
    Role,
    Status,
    Verdict,
)
from platform_audits.platform_requests import Stage
from questionnaires.scoring import RiskTier


def one_line(max_length: int) -> serializers.RegexField:
    """A name or title, held to the pages' rule (`single_line`): it reaches email headers,
    PDF titles, file names and CSV cells, so one line of printable text, not blank."""
    return serializers.RegexField(r"\S", max_length=max_length, validators=[single_line])


class ErrorBody(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class Error(serializers.Serializer):
    """Every error, whatever went wrong: {"error": {...}}."""

    error = ErrorBody()


class QuestionnaireSummary(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()
    published_on = serializers.DateField()
    sha256 = serializers.CharField()


class Questionnaire(QuestionnaireSummary):
    definition = serializers.JSONField(
        help_text="Sections and questions, as the portal reads them."
    )


class Gap(serializers.Serializer):
    question_id = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()
    critical = serializers.BooleanField()
    remediation = serializers.CharField()


class AttestationSummary(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="valid, awaiting_review, in_review, rejected, ...")
    headline = serializers.CharField()


class Product(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class Assessment(serializers.Serializer):
    id = serializers.UUIDField()
    organization = serializers.CharField()
    product = Product(help_text="What is assessed: one product of the organization.")
    questionnaire = serializers.CharField(help_text="slug/version")
    status = serializers.ChoiceField(choices=Status.choices)
    score = serializers.IntegerField(allow_null=True, help_text="Evidenced readiness, percent.")
    claimed_score = serializers.IntegerField(allow_null=True, help_text="As claimed, percent.")
    risk_tier = serializers.ChoiceField(choices=[t.value for t in RiskTier])
    complete = serializers.BooleanField()
    missing_required = serializers.ListField(child=serializers.CharField())
    gaps = Gap(many=True)
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="What this token may do to it now."
    )
    attestations = AttestationSummary(many=True)


class StartAssessment(serializers.Serializer):
    questionnaire = serializers.CharField(help_text="The questionnaire's slug, e.g. minor-safety.")
    product = serializers.UUIDField(
        required=False, help_text="The product to assess; defaults to the organization's first."
    )
    version = serializers.CharField(required=False, help_text="Defaults to the newest version.")


class Answer(serializers.Serializer):
    question_id = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    not_applicable = serializers.BooleanField()
    justification = serializers.CharField(allow_blank=True)
    revision = serializers.IntegerField()


class AnswerWrite(serializers.Serializer):
    value = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="A string (an option's value for a choice, yes or no, a date as YYYY-MM-DD); "
        "a number for a number question; a list of option values for a multi-choice one.",
    )
    not_applicable = serializers.BooleanField(required=False, default=False)
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_CHARS
    )
    base_revision = serializers.IntegerField(
        min_value=0, help_text="The revision you read (0 when there was no answer)."
    )


class Conflict(serializers.Serializer):
    """A 409: the error, and the answer someone else saved when that is the conflict (absent
    when the assessment is locked: submitted, signed or under review)."""

    error = ErrorBody()
    current = Answer(
        required=False,
        help_text="Only when someone saved another answer since your base_revision: theirs, "
        "which was kept; yours was not applied.",
    )


class Evidence(serializers.Serializer):
    id = serializers.UUIDField()
    question_id = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    applies_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)


class EvidencePeriod(serializers.Serializer):
    """The period a document speaks for, as the section page asks it (both ends optional)."""

    applies_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Not before applies_from."
    )


class EvidenceFileUpload(EvidencePeriod):
    question_id = serializers.CharField()
    file = serializers.FileField(help_text=f"A {ALLOWED} file.")


class EvidenceLinkUpload(EvidencePeriod):
    question_id = serializers.CharField()
    url = serializers.URLField(max_length=500, help_text="Where the evidence is published.")


class Attestation(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    assessment = serializers.UUIDField()
    signed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    status = serializers.CharField()
    headline = serializers.CharField()
    detail = serializers.CharField()
    snapshot_sha256 = serializers.CharField()
    report_ready = serializers.BooleanField()


class QueueItem(serializers.Serializer):
    id = serializers.UUIDField()
    organization = serializers.CharField()
    questionnaire = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    attested_score = serializers.IntegerField(allow_null=True)
    risk_tier = serializers.CharField(allow_blank=True)
    status_changed_at = serializers.DateTimeField()


class Comment(serializers.Serializer):
    body = serializers.CharField(max_length=NOTE_MAX_CHARS)
    question_id = serializers.CharField(required=False, allow_blank=True, default="")


class Decision(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approve", "reject", "request_changes"])
    # A pattern, so the schema itself refuses a rationale of blanks (the server trims too).
    rationale = serializers.RegexField(
        r"\S", max_length=NOTE_MAX_CHARS, error_messages={"invalid": "Write the rationale."}
    )
    question_notes = serializers.DictField(
        child=serializers.CharField(max_length=NOTE_MAX_CHARS),
        required=False,
        default=dict,
        help_text="With request_changes: a note per question to revisit (added to the "
        "reviewer's own 'needs change' verdicts).",
    )


class QuestionVerdictWrite(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_CHARS,
        required=False,
        default="",
        allow_blank=True,
        help_text="Required with needs_change: the organization reads it.",
    )


class QuestionVerdictOut(serializers.Serializer):
    question_id = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    note = serializers.CharField()
    reviewer = serializers.CharField()


class EvidenceVerdictWrite(serializers.Serializer):
    accepted = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=NOTE_MAX_CHARS,
        required=False,
        default="",
        allow_blank=True,
        help_text="Required to reject: the organization reads it.",
    )


class EvidenceVerdictOut(serializers.Serializer):
    evidence_id = serializers.UUIDField()
    accepted = serializers.BooleanField()
    reason = serializers.CharField()
    reviewer = serializers.CharField()


class AcceptRest(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_CHARS, help_text="Kept with each verdict.")


class Accepted(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Answers and evidence items accepted.")


class Assign(serializers.Serializer):
    reviewer = serializers.EmailField(
        allow_null=True, help_text="A platform reviewer's email; null takes it back."
    )


class AuditEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_blank=True)
    details = serializers.DictField()
    hash = serializers.CharField()


class FigureRow(serializers.Serializer):
    organization_id = serializers.UUIDField()
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="The month, e.g. 2026-11.")
    requests = serializers.IntegerField(min_value=0, max_value=10**15)
    flagged_requests = serializers.IntegerField(min_value=0, max_value=10**15)
    confirmed_violations = serializers.IntegerField(min_value=0, max_value=10**15)


class Figures(serializers.Serializer):
    rows = FigureRow(many=True, allow_empty=False, max_length=50_000)


class FiguresImported(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ReturnToDraft(serializers.Serializer):
    reason = serializers.RegexField(
        r"\S",
        max_length=NOTE_MAX_CHARS,
        help_text="What the preparers should change: they read it.",
    )


class TokenOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    role = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class MemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class Invite(serializers.Serializer):
    email = serializers.EmailField()
    full_name = one_line(150)
    role = serializers.ChoiceField(choices=Role.choices)


class Invited(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    detail = serializers.CharField()


class WebhookEndpointOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class WebhookEndpointWrite(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1
    )


class WebhookEndpointMade(WebhookEndpointOut):
    secret = serializers.CharField(help_text="whsec_…: shown this once, keep it.")


class WebhookDeliveryOut(serializers.Serializer):
    id = serializers.UUIDField()
    event_type = serializers.CharField()
    state = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class RegimeChoiceOut(serializers.Serializer):
    included = serializers.BooleanField(help_text="Added (true) or removed (false).")
    reason = serializers.CharField()
    by = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class RegimeQuestion(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()
    answered_through = serializers.CharField(
        allow_null=True, help_text="The questionnaire's question whose answer answers it."
    )


class Regime(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    short = serializers.CharField()
    jurisdiction = serializers.CharField()
    applies = serializers.BooleanField(help_text="Part of this assessment (and its report).")
    standing = serializers.CharField(help_text="Why it applies or not, in a sentence.")
    choice = RegimeChoiceOut(allow_null=True, help_text="The organization's call, if any.")
    score = serializers.IntegerField(allow_null=True)
    claimed_score = serializers.IntegerField(allow_null=True)
    complete = serializers.BooleanField()
    missing_required = serializers.ListField(child=serializers.CharField())
    questions = RegimeQuestion(many=True)


class RegimeChoiceWrite(serializers.Serializer):
    included = serializers.BooleanField(help_text="true adds the law, false removes it.")
    reason = serializers.RegexField(
        r"\S",
        max_length=NOTE_MAX_CHARS,
        help_text="Why: on the audit trail and in the signed snapshot.",
    )


class RecommendationOut(serializers.Serializer):
    level = serializers.ChoiceField(choices=EnforcementLevel.choices)
    rationale = serializers.CharField()
    recommended_by = serializers.CharField()
    at = serializers.DateTimeField()


class AuditRequestOut(serializers.Serializer):
    id = serializers.UUIDField()
    organization = serializers.CharField(
        allow_null=True, help_text="None until an invited organization registers."
    )
    invited_email = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    asked_for = serializers.CharField(help_text="What is asked, in the organization's words.")
    questionnaire = serializers.CharField(help_text="slug/version")
    assessment = serializers.UUIDField(allow_null=True)
    question_ids = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    stage = serializers.ChoiceField(choices=[stage.value for stage in Stage])
    overdue = serializers.BooleanField()
    campaign = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    recommendations = RecommendationOut(many=True)


class QuestionnaireRef(serializers.Serializer):
    questionnaire = serializers.CharField(help_text="The questionnaire's slug, e.g. minor-safety.")
    version = serializers.CharField(required=False, help_text="Defaults to the newest version.")


class Ask(QuestionnaireRef):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    reason = serializers.RegexField(
        r"\S", max_length=NOTE_MAX_CHARS, help_text="The organization reads it."
    )
    due_on = serializers.DateField(help_text="In the future.")
    question_ids = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="With remediation: the questions of this assessment to remediate.",
    )


class InviteOrganization(QuestionnaireRef):
    email = serializers.EmailField()
    legal_name = one_line(200)
    reason = serializers.RegexField(r"\S", max_length=NOTE_MAX_CHARS)
    due_on = serializers.DateField()


class Escalate(serializers.Serializer):
    level = serializers.ChoiceField(choices=EnforcementLevel.choices)
    rationale = serializers.RegexField(r"\S", max_length=NOTE_MAX_CHARS)


class Selection(serializers.Serializer):
    """Organizations must meet every criterion given (at least one)."""

    violation_rate_above = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0, max_value=10_000
    )
    high_risk = serializers.BooleanField(required=False, default=False)
    expires_within_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=730
    )
    cited_policy_changed = serializers.BooleanField(required=False, default=False)


class CampaignPreview(QuestionnaireRef):
    selection = Selection()


class CampaignLaunch(CampaignPreview):
    name = one_line(150)
    reason = serializers.RegexField(r"\S", max_length=NOTE_MAX_CHARS)
    due_on = serializers.DateField()


class CandidateOut(serializers.Serializer):
    organization_id = serializers.UUIDField()
    organization = serializers.CharField()
    already_asked = serializers.BooleanField(help_text="Asked already: not asked twice.")


class CampaignOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    criteria = serializers.ListField(child=serializers.CharField(), help_text="In words.")
    created_at = serializers.DateTimeField()
    stages = serializers.DictField(child=serializers.IntegerField(), help_text="Requests by stage.")
    requests = AuditRequestOut(many=True)


class RoleChange(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOut(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    sent_at = serializers.DateTimeField()
