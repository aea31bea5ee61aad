"""Thin API views: each asks permissions and the lifecycle, calls the same domain action as
the browser, and answers in the shapes of serializers.py."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers, evidence, lifecycle, workflow
from assessments.forms.questionnaire import (
    SectionForm,
    field_name,
    justification_name,
    na_name,
    revision_name,
)
from assessments.lifecycle import Transition
from assessments.models import Assessment as AssessmentModel
from assessments.models import Evidence as EvidenceItem
from assessments.models import FrameworkVersion, Organization, ReportState
from attestations import reports
from attestations.attestation_status import status_of
from integrations import api_tokens
from integrations.api import serializers as s
from integrations.api.errors import FieldErrors, error_body
from questionnaires import regimes
from questionnaires.frameworks.schema import QuestionType
from questionnaires.scoring import Result

ERRORS = {400: s.Error, 401: s.Error, 403: s.Error, 404: s.Error, 409: s.Error, 429: s.Error}


class Logged:
    """Every call made with a token is logged with the token, and the token's last use kept."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(request, "auth", None) is not None:
            api_tokens.log_call(request.auth, request, response.status_code)
        return response


# What a program can do to an assessment through this API (the lifecycle decides who may).
API_TRANSITIONS = frozenset(
    {Transition.SUBMIT, Transition.APPROVE, Transition.REJECT, Transition.REQUEST_CHANGES}
)


def _assessment_out(request, assessment) -> dict:
    result: Result = answers.result_for(assessment)
    return {
        "id": assessment.pk,
        "organization": assessment.organization.legal_name,
        "product": {"id": assessment.product_id, "name": assessment.product.name},
        "questionnaire": _questionnaire(assessment),
        "status": assessment.status,
        "score": result.score,
        "claimed_score": result.claimed_score,
        "risk_tier": result.risk_tier.value,
        "complete": result.is_complete,
        "missing_required": [r.question.id for r in result.missing_required],
        "gaps": [
            {
                "question_id": g.question.id,
                "text": g.question.text,
                "status": g.status.value,
                "critical": g.question.critical,
                "remediation": g.question.remediation,
            }
            for g in result.gaps
        ],
        "actions": [
            rule.transition.value
            for rule in lifecycle.available(request.user, assessment)
            if rule.transition in API_TRANSITIONS
        ],
        "attestations": [
            {
                "id": a.pk,
                "number": a.number,
                "status": (st := status_of(a)).status,
                "headline": st.headline,
            }
            for a in assessment.attestations.order_by("-number")
        ],
    }


def _questionnaire(assessment) -> str:
    return f"{assessment.framework_version.slug}/{assessment.framework_version.version}"


def _answer_out(answer) -> dict:
    return {
        "question_id": answer.question_id,
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "justification": answer.justification,
        "revision": answer.revision,
    }


class QuestionnaireList(Logged, GenericAPIView):
    serializer_class = s.QuestionnaireSummary
    queryset = FrameworkVersion.objects.defer("definition").order_by("slug", "-published_on")

    @extend_schema(responses={200: s.QuestionnaireSummary(many=True), **ERRORS})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class QuestionnaireDetail(Logged, APIView):
    @extend_schema(responses={200: s.Questionnaire, **ERRORS})
    def get(self, request, slug, version):
        found = get_object_or_404(FrameworkVersion, slug=slug, version=version)
        return Response(s.Questionnaire(found).data)


class AssessmentList(Logged, GenericAPIView):
    serializer_class = s.Assessment

    def get_queryset(self):
        mine = permissions.organizations_of(self.request.user)
        return (
            AssessmentModel.objects.filter(organization__in=mine)
            .select_related("organization", "product", "framework_version")
            .order_by("-created_at", "id")
        )

    @extend_schema(responses={200: s.Assessment(many=True), **ERRORS})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_assessment_out(request, a) for a in page])

    @extend_schema(request=s.StartAssessment, responses={201: s.Assessment, **ERRORS})
    def post(self, request):
        data = _valid(s.StartAssessment, request.data)
        organization = _token_organization(request)
        permissions.check(request.user, organization, Need.EDIT)
        version = questionnaire_version(data)
        product = (
            get_object_or_404(organization.products, pk=data["product"])
            if data.get("product")
            else None
        )
        assessment = workflow.start_assessment(
            organization=organization,
            framework_version=version,
            actor=Actor.from_request(request),
            product=product,
        )
        return Response(_assessment_out(request, assessment), status=status.HTTP_201_CREATED)


class AssessmentDetail(Logged, APIView):
    @extend_schema(responses={200: s.Assessment, **ERRORS})
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        return Response(_assessment_out(request, assessment))


class AnswerList(Logged, APIView):
    @extend_schema(responses={200: s.Answer(many=True), **ERRORS})
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        return Response([_answer_out(a) for a in assessment.answers.order_by("question_id")])


class AnswerDetail(Logged, APIView):
    @extend_schema(responses={200: s.Answer, **ERRORS})
    def get(self, request, assessment_id, question_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        answer = get_object_or_404(assessment.answers, question_id=question_id)
        return Response(_answer_out(answer))

    @extend_schema(
        request=s.AnswerWrite,
        responses={**ERRORS, 200: s.Answer, 409: s.Conflict},
        description="Save one answer, to a question of the questionnaire or of a law it maps "
        "to (see the assessment's regimes). `base_revision` is the revision you read: if "
        "someone saved another answer since, nothing is changed and the 409 carries theirs.",
    )
    def put(self, request, assessment_id, question_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
        question = regimes.question_of(assessment.framework_version.framework, question_id)
        if question is None or question.type == QuestionType.EVIDENCE:
            raise Http404
        data = _valid(s.AnswerWrite, request.data)
        form = SectionForm(
            _as_form_data(question, data), questions=[question], responses={}, revisions={}
        )
        if not form.is_valid():
            raise FieldErrors(
                {"value" if k == field_name(question_id) else k: v for k, v in form.errors.items()}
            )
        saved = answers.save_answers(
            assessment, form.answer_inputs(), actor=Actor.from_request(request)
        )
        if question_id in saved.conflicts:
            current = saved.conflicts[question_id]
            return Response(
                {
                    "error": error_body(
                        409,
                        "conflict",
                        f"Someone saved another answer since revision {data['base_revision']}: "
                        "yours was not applied. Read theirs and send yours again with "
                        f"base_revision {current.revision}.",
                    ),
                    "current": _answer_out(current),
                },
                status=status.HTTP_409_CONFLICT,
            )
        stored = saved.after.get(question_id)
        if stored is None:  # nothing typed, nothing stored: the answer is still empty
            return Response(
                {
                    "question_id": question_id,
                    "value": None,
                    "not_applicable": False,
                    "justification": "",
                    "revision": 0,
                }
            )
        return Response(_answer_out(stored))


def _wrong_shape(question, value) -> str:
    """The JSON shape the question's value takes, when ``value`` is not of it ("" when it
    is): the form behind would turn an object into its text, or keep a list's last item."""
    if value is None:
        return ""
    if question.type == QuestionType.MULTI_CHOICE:
        fits = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return "" if fits else "a list of the chosen options' values"
    if question.type == QuestionType.NUMBER:
        return "" if isinstance(value, int | float) and not isinstance(value, bool) else "a number"
    return "" if isinstance(value, str) else "a string"


def _as_form_data(question, data) -> MultiValueDict:
    """The value as the questionnaire's own form takes it, once it has the question's shape."""
    value = data.get("value")
    if shape := _wrong_shape(question, value):
        raise FieldErrors({"value": [f"Give {shape} for this question, or null."]})
    values = value if isinstance(value, list) else ([] if value is None else [value])
    form_data = MultiValueDict({field_name(question.id): [str(v) for v in values]})
    form_data[revision_name(question.id)] = str(data["base_revision"])
    if data.get("not_applicable"):
        form_data[na_name(question.id)] = "on"
    form_data[justification_name(question.id)] = data.get("justification", "")
    return form_data


class EvidenceList(Logged, APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.Evidence(many=True), **ERRORS})
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        return Response([_evidence_out(e) for e in assessment.evidence.all()])

    @extend_schema(
        request={"multipart/form-data": s.EvidenceFileUpload},
        description="Attach a file to a question (a link goes to `evidence/links/`).",
        responses={201: s.Evidence, **ERRORS},
    )
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
        if "url" in request.data and "file" not in request.data:
            raise FieldErrors({"file": [LINKS_ELSEWHERE]})
        data = _valid(s.EvidenceFileUpload, request.data)
        question_id = _evidence_question(assessment, data["question_id"])
        try:
            checked = evidence.check_upload(data["file"])
        except evidence.EvidenceRejected as exc:
            raise FieldErrors({"file": [str(exc)]}) from None
        item = evidence.add_file(
            assessment,
            question_id,
            checked,
            actor=Actor.from_request(request),
            validity=_period(data),
        )
        return Response(_evidence_out(item), status=status.HTTP_201_CREATED)


LINKS_ELSEWHERE = "Send a file here; send a link as JSON to the evidence/links/ operation."


class EvidenceLinks(Logged, APIView):
    """A link as evidence: its own operation, so every generated client can send it (a file
    or a link in one body, as oneOf or as two media types, broke openapi-python-client)."""

    @extend_schema(request=s.EvidenceLinkUpload, responses={201: s.Evidence, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
        data = _valid(s.EvidenceLinkUpload, request.data)
        question_id = _evidence_question(assessment, data["question_id"])
        item = evidence.add_url(
            assessment,
            question_id,
            data["url"],
            actor=Actor.from_request(request),
            validity=_period(data),
        )
        return Response(_evidence_out(item), status=status.HTTP_201_CREATED)


def _evidence_question(assessment, question_id: str) -> str:
    if question_id not in assessment.framework_version.framework.questions:
        raise FieldErrors({"question_id": ["No such question in this questionnaire."]})
    return question_id


class EvidenceDetail(Logged, APIView):
    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, evidence_id):
        item = permissions.evidence_for(request.user, evidence_id, need=Need.EDIT)
        evidence.remove(item, actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _period(data: dict) -> evidence.Validity:
    return evidence.Validity(data.get("applies_from"), data.get("valid_until"))


def _evidence_out(item: EvidenceItem) -> dict:
    return {
        "id": item.pk,
        "question_id": item.question_id,
        "name": item.original_name or item.url,
        "url": item.url,
        "sha256": item.sha256,
        "size": item.size,
        "uploaded_at": item.uploaded_at,
        "applies_from": item.applies_from,
        "valid_until": item.valid_until,
    }


class Submit(Logged, APIView):
    @extend_schema(request=None, responses={200: s.Assessment, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        workflow.submit(assessment, actor=Actor.from_request(request))
        assessment.refresh_from_db()
        return Response(_assessment_out(request, assessment))


class AttestationDetail(Logged, APIView):
    @extend_schema(responses={200: s.Attestation, **ERRORS})
    def get(self, request, attestation_id):
        attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
        now = status_of(attestation)
        return Response(
            {
                "id": attestation.pk,
                "number": attestation.number,
                "assessment": attestation.assessment_id,
                "signed_at": attestation.signed_at,
                "expires_at": attestation.expires_at,
                "status": now.status,
                "headline": now.headline,
                "detail": now.detail,
                "snapshot_sha256": attestation.snapshot_sha256,
                "report_ready": attestation.report_state == ReportState.READY,
            }
        )


def binary(media_type: str) -> dict:
    """A file download: what is sent, and octet-stream beside it so generated clients keep
    the operation as a download (openapi-python-client drops media types it does not know)."""
    return {
        (200, media_type): OpenApiTypes.BINARY,
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
    }


class AttestationReport(Logged, APIView):
    @extend_schema(responses={**binary("application/pdf"), **ERRORS})
    def get(self, request, attestation_id):
        attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
        return reports.download(attestation, actor=Actor.from_request(request))


class Comments(Logged, APIView):
    @extend_schema(request=s.Comment, responses={201: None, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.Comment, request.data)
        workflow.comment(
            assessment,
            actor=Actor.from_request(request),
            body=data["body"],
            question_id=data["question_id"],
        )
        return Response(status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@authentication_classes([])
def no_such_operation(request, rest=""):
    """Any /api/v1/ address that matches no operation: the API's 404, in its one error
    shape, whether DEBUG is on or not (Django's debug page is HTML)."""
    raise Http404


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise FieldErrors(serializer.errors)
    return serializer.validated_data


def _require_reviewer(request) -> None:
    if not request.user.is_reviewer:
        raise PermissionDenied("Only platform reviewer tokens can do this.")


def questionnaire_version(data: dict) -> FrameworkVersion:
    """The version a body names (`questionnaire`, and `version` or else the newest)."""
    versions = FrameworkVersion.objects.filter(slug=data["questionnaire"])
    version = (
        get_object_or_404(versions, version=data["version"])
        if data.get("version")
        else FrameworkVersion.current(data["questionnaire"])
    )
    if version is None:
        raise Http404
    return version


def _token_organization(request) -> Organization:
    found = permissions.organizations_of(request.user).first()
    if found is None:
        raise PermissionDenied("Only an organization's token can start an assessment.")
    return found
