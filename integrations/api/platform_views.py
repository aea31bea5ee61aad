"""What the platform asks of organizations, through the API as on the reviewers' pages:
ask one organization (or invite one without an account), follow and escalate requests,
campaigns that ask every organization a selection finds, and the safety figures imported as
the CSV is. An organization's token reads the requests made to it. The services refuse
anyone but a reviewer, whoever calls them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.models import AuditRequest, Campaign, RequestKind
from integrations.api import serializers as s
from integrations.api.errors import FieldErrors
from integrations.api.views import (
    ERRORS,
    Logged,
    _require_reviewer,
    _valid,
    questionnaire_version,
)
from platform_audits import campaigns, platform_requests, violation_figures

SHOWN = {
    "open": lambda rows: rows.filter(state__in=platform_requests.OPEN_STATES),
    "overdue": platform_requests.overdue,
    "all": lambda rows: rows,
}


def requests_out(rows: list[AuditRequest], stages: dict | None = None) -> list[dict]:
    """Requests in the API's shape, their stages in two queries (unless the caller has them)
    and recommendations in one."""
    stages = platform_requests.stages(rows) if stages is None else stages
    recommended = {r.pk: [] for r in rows}
    for rec in platform_requests.recommendations_of(rows) if rows else []:
        recommended[rec.request_id].append(
            {
                "level": rec.level,
                "rationale": rec.rationale,
                "recommended_by": str(rec.recommended_by),
                "at": rec.created_at,
            }
        )
    return [
        {
            "id": r.pk,
            "organization": r.organization.legal_name if r.organization_id else None,
            "invited_email": r.invited_email,
            "kind": r.kind,
            "asked_for": r.asked_for,
            "questionnaire": f"{r.framework_version.slug}/{r.framework_version.version}",
            "assessment": r.assessment_id,
            "question_ids": r.question_ids,
            "reason": r.reason,
            "due_on": r.due_on,
            "state": r.state,
            "stage": stages[r.pk].value,
            "overdue": r.is_overdue,
            "campaign": r.campaign_id,
            "created_at": r.created_at,
            "opened_at": r.opened_at,
            "fulfilled_at": r.fulfilled_at,
            "recommendations": recommended[r.pk],
        }
        for r in rows
    ]


def _listed():
    return platform_requests.all_requests().select_related("product")


class AuditRequests(Logged, GenericAPIView):
    serializer_class = s.AuditRequestOut

    @extend_schema(
        parameters=[OpenApiParameter("show", str, enum=list(SHOWN), description="Default: open.")],
        responses={200: s.AuditRequestOut(many=True), **ERRORS},
        description="A reviewer's token: every request the platform made. An organization's "
        "token: the requests made to its organization.",
    )
    def get(self, request):
        shown = request.query_params.get("show", "open")
        if shown not in SHOWN:
            raise FieldErrors({"show": [f"One of: {', '.join(SHOWN)}."]})
        rows = _listed()
        if not request.user.is_reviewer:
            rows = rows.filter(organization__in=permissions.organizations_of(request.user))
        page = self.paginate_queryset(SHOWN[shown](rows).order_by("due_on", "created_at", "id"))
        return self.get_paginated_response(requests_out(page))


class AuditRequestDetail(Logged, APIView):
    @extend_schema(responses={200: s.AuditRequestOut, **ERRORS})
    def get(self, request, request_id):
        audit_request = permissions.audit_request_for(request.user, request_id, need=Need.VIEW)
        platform_requests.mark_opened(audit_request, actor=Actor.from_request(request))
        return Response(requests_out([_listed().get(pk=audit_request.pk)])[0])


class Ask(Logged, APIView):
    @extend_schema(
        request=s.Ask,
        responses={201: s.AuditRequestOut, **ERRORS},
        description="Ask the organization behind this assessment for an attestation of its "
        "product, or for the remediation of named questions of this assessment.",
    )
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
        data = _valid(s.Ask, request.data)
        remediation = data["kind"] == RequestKind.REMEDIATION
        unknown = set(data["question_ids"]) - set(assessment.framework_version.framework.questions)
        if unknown:
            raise FieldErrors({"question_ids": [f"No such question: {', '.join(sorted(unknown))}"]})
        asked = platform_requests.ask(
            assessment.organization,
            actor=Actor.from_request(request),
            kind=RequestKind(data["kind"]),
            framework_version=questionnaire_version(data),
            reason=data["reason"],
            due_on=data["due_on"],
            assessment=assessment if remediation else None,
            question_ids=data["question_ids"] if remediation else (),
            product=assessment.product,
        )
        return Response(requests_out([asked])[0], status=status.HTTP_201_CREATED)


class Invite(Logged, APIView):
    @extend_schema(
        request=s.InviteOrganization,
        responses={201: s.AuditRequestOut, **ERRORS},
        description="Ask an organization that has no account: it is emailed a link to "
        "register, and the request becomes its own.",
    )
    def post(self, request):
        permissions.require_reviewer(request.user)
        data = _valid(s.InviteOrganization, request.data)
        invited = platform_requests.invite(
            actor=Actor.from_request(request),
            email=data["email"],
            legal_name=data["legal_name"],
            framework_version=questionnaire_version(data),
            reason=data["reason"],
            due_on=data["due_on"],
        )
        return Response(requests_out([invited])[0], status=status.HTTP_201_CREATED)


class EscalateRequest(Logged, APIView):
    @extend_schema(
        request=s.Escalate,
        responses={200: s.AuditRequestOut, **ERRORS},
        description="For an overdue request: what the reviewer recommends the platform do. "
        "The portal acts on no account.",
    )
    def post(self, request, request_id):
        audit_request = permissions.audit_request_for(request.user, request_id, need=Need.REVIEW)
        data = _valid(s.Escalate, request.data)
        platform_requests.escalate(
            audit_request,
            actor=Actor.from_request(request),
            level=data["level"],
            rationale=data["rationale"],
        )
        return Response(requests_out([_listed().get(pk=audit_request.pk)])[0])


def _selection(data) -> campaigns.Selection:
    return campaigns.Selection(**data["selection"])


def campaign_out(campaign: Campaign) -> dict:
    progress = campaigns.progress(campaign)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "criteria": campaigns.Selection(**campaign.criteria).describe(),
        "created_at": campaign.created_at,
        "stages": {stage.value: n for stage, n in progress.counts},
        "requests": requests_out(
            [r for r, _ in progress.rows], {r.pk: stage for r, stage in progress.rows}
        ),
    }


class Campaigns(Logged, GenericAPIView):
    serializer_class = s.CampaignOut

    @extend_schema(responses={200: s.CampaignOut(many=True), **ERRORS})
    def get(self, request):
        permissions.require_reviewer(request.user)
        page = self.paginate_queryset(Campaign.objects.order_by("-created_at", "id"))
        return self.get_paginated_response([campaign_out(c) for c in page])

    @extend_schema(
        request=s.CampaignLaunch,
        responses={201: s.CampaignOut, **ERRORS},
        description="Ask every organization the selection finds (those asked already on this "
        "questionnaire are not asked twice): all the requests, or none.",
    )
    def post(self, request):
        permissions.require_reviewer(request.user)
        data = _valid(s.CampaignLaunch, request.data)
        campaign = campaigns.launch(
            actor=Actor.from_request(request),
            name=data["name"],
            selection=_selection(data),
            framework_version=questionnaire_version(data),
            reason=data["reason"],
            due_on=data["due_on"],
        )
        return Response(campaign_out(campaign), status=status.HTTP_201_CREATED)


class CampaignPreview(Logged, APIView):
    @extend_schema(
        request=s.CampaignPreview,
        responses={200: s.CandidateOut(many=True), **ERRORS},
        description="Whom a selection finds, before anyone is asked.",
    )
    def post(self, request):
        permissions.require_reviewer(request.user)
        data = _valid(s.CampaignPreview, request.data)
        found = campaigns.preview(_selection(data), questionnaire_version(data))
        return Response(
            [
                {
                    "organization_id": c.organization.pk,
                    "organization": c.organization.legal_name,
                    "already_asked": c.already_asked,
                }
                for c in found
            ]
        )


class CampaignDetail(Logged, APIView):
    @extend_schema(responses={200: s.CampaignOut, **ERRORS})
    def get(self, request, campaign_id):
        permissions.require_reviewer(request.user)
        return Response(campaign_out(get_object_or_404(Campaign, pk=campaign_id)))


class ViolationFigures(Logged, APIView):
    """The platform's safety figures, as the CSV import takes them: every row checked, none
    applied unless all are valid, the same rows twice change nothing."""

    @extend_schema(request=s.Figures, responses={200: s.FiguresImported, **ERRORS})
    def post(self, request):
        _require_reviewer(request)
        rows = [dict(row) for row in _valid(s.Figures, request.data)["rows"]]
        for row in rows:
            row["organization_id"] = str(row["organization_id"])
        result = violation_figures.import_rows(rows, actor=Actor.from_request(request))
        if result.rejected:
            raise FieldErrors({f"rows[{r.line - 1}]": r.problem for r in result.rejected})
        return Response(
            {
                "rows": result.rows,
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.unchanged,
            }
        )
