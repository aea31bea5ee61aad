"""The organization's side of the API beyond answering: what its people do on the pages,
through the same services and permission checks (signing stays a person's act)."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import evidence, workbooks, workflow
from assessments.models import ApiToken
from integrations import api_tokens, oscal
from integrations.api import serializers as s
from integrations.api.views import ERRORS, Logged, _assessment_out, _valid, binary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReturnToDraft(Logged, APIView):
    @extend_schema(request=s.ReturnToDraft, responses={200: s.Assessment, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.ReturnToDraft, request.data)
        workflow.return_to_draft(
            assessment, actor=Actor.from_request(request), reason=data["reason"]
        )
        assessment.refresh_from_db()
        return Response(_assessment_out(request, assessment))


class EvidenceFile(Logged, APIView):
    @extend_schema(responses={**binary("*/*"), **ERRORS})  # the type of the file uploaded
    def get(self, request, evidence_id):
        item = permissions.evidence_for(request.user, evidence_id, need=Need.VIEW)
        if not item.file:
            raise Http404
        return FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=evidence.download_name(item),
            content_type=item.content_type,
        )


class Workbook(Logged, APIView):
    @extend_schema(responses={**binary(XLSX), **ERRORS})
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        response = HttpResponse(workbooks.export(assessment), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{workbooks.filename(assessment)}"'
        return response


class AssessmentResults(Logged, APIView):
    """The attestation as OSCAL assessment results (JSON), as its page offers it."""

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, attestation_id):
        attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
        return Response(oscal.assessment_results(attestation))


class Tokens(Logged, APIView):
    """The organization's API tokens (making one needs a person with a second factor)."""

    @extend_schema(responses={200: s.TokenOut(many=True), **ERRORS})
    def get(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        return Response(
            [
                {
                    "id": t.pk,
                    "name": t.name,
                    "role": t.role,
                    "prefix": t.prefix,
                    "created_at": t.created_at,
                    "expires_at": t.expires_at,
                    "revoked_at": t.revoked_at,
                }
                for t in organization.api_tokens.order_by("-created_at")
            ]
        )


class TokenRevoke(Logged, APIView):
    @extend_schema(request=None, responses={204: None, **ERRORS})
    def post(self, request, token_id):
        found = get_object_or_404(ApiToken, pk=token_id)
        if found.organization_id is not None:
            permissions.organization_for(request.user, found.organization_id, need=Need.MANAGE)
        api_tokens.revoke_token(found, actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
