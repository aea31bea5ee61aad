"""The API's shapes: what it returns, and what it accepts. The schema is generated from these."""

from rest_framework import serializers

from assessments.models import Status
from questionnaires.scoring import RiskTier


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
    value = serializers.JSONField(required=False, allow_null=True)
    not_applicable = serializers.BooleanField(required=False, default=False)
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    base_revision = serializers.IntegerField(
        min_value=0, help_text="The revision you read (0 when there was no answer)."
    )


class Conflict(serializers.Serializer):
    error = ErrorBody()
    current = Answer(help_text="The answer someone else saved; yours was not applied.")


class Evidence(serializers.Serializer):
    id = serializers.UUIDField()
    question_id = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class EvidenceUpload(serializers.Serializer):
    question_id = serializers.CharField()
    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, max_length=500)


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
    body = serializers.CharField(max_length=5000)
    question_id = serializers.CharField(required=False, allow_blank=True, default="")


class Decision(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approve", "reject", "request_changes"])
    rationale = serializers.CharField(max_length=5000)


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
