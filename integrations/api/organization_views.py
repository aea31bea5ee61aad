"""The organization's side of the API beyond answering: what its people do on the pages,
through the same services and permission checks (signing stays a person's act)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.organizations import (
    MembershipRefused,
    cancel_invitation,
    change_role,
    invite_member,
    remove_member,
)
from accounts.permissions import Need
from accounts.throttling import TooOften
from assessments import evidence, workbooks, workflow
from assessments.errors import IllegalTransition
from assessments.models import ApiToken, Role, WebhookEndpoint
from integrations import api_tokens, oscal, webhooks
from integrations.api import serializers as s
from integrations.api.errors import FieldErrors
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
        return evidence.download(item, actor=Actor.from_request(request))


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


def _member_out(membership) -> dict:
    user = membership.user
    return {
        "id": membership.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": membership.role,
    }


class Members(Logged, APIView):
    """The organization's members (administrators' tokens), and inviting by email: the answer
    is the same whether the address has an account or not."""

    @extend_schema(responses={200: s.MemberOut(many=True), **ERRORS})
    def get(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        return Response(
            [
                _member_out(m)
                for m in organization.memberships.select_related("user").order_by("user__email")
            ]
        )

    @extend_schema(request=s.Invite, responses={202: s.Invited, **ERRORS})
    def post(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        data = _valid(s.Invite, request.data)
        try:
            invite_member(
                organization,
                email=data["email"],
                full_name=data["full_name"],
                role=Role(data["role"]),
                actor=Actor.from_request(request),
            )
        except TooOften:
            raise  # a limit, not bad input: 429 with Retry-After (errors.handle)
        except MembershipRefused as exc:  # a member already: say so
            raise FieldErrors({"email": [str(exc)]}) from exc
        return Response(
            {
                "email": data["email"].strip().lower(),
                "role": data["role"],
                "detail": "An invitation was emailed: the person joins when they accept it.",
            },
            status=status.HTTP_202_ACCEPTED,
        )


class Member(Logged, APIView):
    """One member: change their role, or remove them (an organization keeps an administrator)."""

    def _membership(self, request, organization_id, membership_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        return get_object_or_404(organization.memberships.select_related("user"), pk=membership_id)

    @extend_schema(request=s.RoleChange, responses={200: s.MemberOut, **ERRORS})
    def put(self, request, organization_id, membership_id):
        membership = self._membership(request, organization_id, membership_id)
        data = _valid(s.RoleChange, request.data)
        try:
            changed = change_role(
                membership, role=Role(data["role"]), actor=Actor.from_request(request)
            )
        except MembershipRefused as exc:
            raise IllegalTransition(str(exc)) from exc
        user = changed.user
        return Response(
            {
                "id": changed.pk,
                "email": user.email,
                "full_name": user.full_name,
                "role": changed.role,
            }
        )

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, organization_id, membership_id):
        membership = self._membership(request, organization_id, membership_id)
        try:
            remove_member(membership, actor=Actor.from_request(request))
        except MembershipRefused as exc:
            raise IllegalTransition(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class Invitations(Logged, APIView):
    @extend_schema(responses={200: s.InvitationOut(many=True), **ERRORS})
    def get(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        pending = organization.invitations.filter(accepted_at=None).order_by("created_at", "id")
        return Response(
            [
                {
                    "id": i.pk,
                    "email": i.email,
                    "full_name": i.full_name,
                    "role": i.role,
                    "sent_at": i.created_at,
                }
                for i in pending
            ]
        )


class Invitation(Logged, APIView):
    @extend_schema(
        responses={204: None, **ERRORS},
        description="Cancel an invitation not yet accepted: its emailed link stops working. "
        "To send it again, invite the same address again.",
    )
    def delete(self, request, organization_id, invitation_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        invitation = get_object_or_404(organization.invitations, pk=invitation_id)
        try:
            cancel_invitation(invitation, actor=Actor.from_request(request))
        except MembershipRefused as exc:
            raise IllegalTransition(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _endpoint_out(endpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "created_at": endpoint.created_at,
    }


class Webhooks(Logged, APIView):
    @extend_schema(responses={200: s.WebhookEndpointOut(many=True), **ERRORS})
    def get(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        endpoints = organization.webhook_endpoints.filter(disabled_at=None).order_by("created_at")
        return Response([_endpoint_out(e) for e in endpoints])

    @extend_schema(request=s.WebhookEndpointWrite, responses={201: s.WebhookEndpointMade, **ERRORS})
    def post(self, request, organization_id):
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        data = _valid(s.WebhookEndpointWrite, request.data)
        endpoint, secret = webhooks.add_endpoint(
            organization=organization,
            url=data["url"],
            events=data["events"],
            actor=Actor.from_request(request),
        )
        return Response(
            _endpoint_out(endpoint) | {"secret": secret}, status=status.HTTP_201_CREATED
        )


class WebhookDetail(Logged, APIView):
    @extend_schema(responses={200: s.WebhookDeliveryOut(many=True), **ERRORS})
    def get(self, request, endpoint_id):
        """The endpoint's delivery log, newest first (the last 100)."""
        endpoint = _endpoint_for(request, endpoint_id)
        deliveries = endpoint.deliveries.order_by("-created_at")[:100]
        return Response(
            [
                {
                    "id": d.pk,
                    "event_type": d.event_type,
                    "state": d.state,
                    "attempts": d.attempts,
                    "last_status_code": d.last_status_code,
                    "created_at": d.created_at,
                }
                for d in deliveries
            ]
        )

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, endpoint_id):
        webhooks.remove_endpoint(
            _endpoint_for(request, endpoint_id), actor=Actor.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _endpoint_for(request, endpoint_id):
    endpoint = get_object_or_404(
        WebhookEndpoint, pk=endpoint_id, disabled_at=None, organization__isnull=False
    )
    permissions.organization_for(request.user, endpoint.organization_id, need=Need.MANAGE)
    return endpoint
