"""The reviewer's side of the API: the queue, and what a reviewer does on the review page
(verdicts, assigning, deciding), a reviewer's token does here, through the same services
(which check the role, the state and the notes themselves)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import workflow
from assessments.models import AuditEvent, User, Verdict
from integrations.api import serializers as s
from integrations.api.errors import FieldErrors
from integrations.api.views import (
    ERRORS,
    Logged,
    _assessment_out,
    _questionnaire,
    _require_reviewer,
    _valid,
)
from review import queue, verdicts


class StartReview(Logged, APIView):
    @extend_schema(request=None, responses={200: s.Assessment, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        workflow.start_review(assessment, actor=Actor.from_request(request))
        assessment.refresh_from_db()
        return Response(_assessment_out(request, assessment))


class QuestionVerdict(Logged, APIView):
    @extend_schema(request=s.QuestionVerdictWrite, responses={200: s.QuestionVerdictOut, **ERRORS})
    def put(self, request, assessment_id, question_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.QuestionVerdictWrite, request.data)
        recorded = verdicts.record_question_verdict(
            assessment,
            question_id=question_id,
            verdict=Verdict(data["verdict"]),
            note=data["note"],
            actor=Actor.from_request(request),
        )
        return Response(
            {
                "question_id": recorded.question_id,
                "verdict": recorded.verdict,
                "note": recorded.note,
                "reviewer": str(recorded.reviewer),
            }
        )


class EvidenceVerdict(Logged, APIView):
    @extend_schema(request=s.EvidenceVerdictWrite, responses={200: s.EvidenceVerdictOut, **ERRORS})
    def post(self, request, evidence_id):
        item = permissions.evidence_for(request.user, evidence_id, need=Need.VIEW)
        data = _valid(s.EvidenceVerdictWrite, request.data)
        recorded = verdicts.record_evidence_verdict(
            item,
            accepted=data["accepted"],
            reason=data["reason"],
            actor=Actor.from_request(request),
        )
        return Response(
            {
                "evidence_id": item.pk,
                "accepted": recorded.accepted,
                "reason": recorded.reason,
                "reviewer": str(recorded.reviewer),
            }
        )


class AcceptRest(Logged, APIView):
    @extend_schema(request=s.AcceptRest, responses={200: s.Accepted, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.AcceptRest, request.data)
        count = verdicts.accept_the_rest(
            assessment, note=data["note"], actor=Actor.from_request(request)
        )
        return Response({"accepted": count})


class Assign(Logged, APIView):
    @extend_schema(request=s.Assign, responses={200: s.Assessment, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.Assign, request.data)
        reviewer = (
            get_object_or_404(User, email__iexact=data["reviewer"], is_reviewer=True)
            if data["reviewer"]
            else None
        )
        workflow.assign(assessment, actor=Actor.from_request(request), reviewer=reviewer)
        assessment.refresh_from_db()
        return Response(_assessment_out(request, assessment))


class AuditTrail(Logged, GenericAPIView):
    """Every recorded action on one assessment, newest first, as the reviewer's page lists it."""

    serializer_class = s.AuditEventOut

    @extend_schema(responses={200: s.AuditEventOut(many=True), **ERRORS})
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
        events = AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("-id")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(
            [
                {
                    "id": e.pk,
                    "at": e.created_at,
                    "action": e.action,
                    "actor": e.actor_email,
                    "details": e.details,
                    "hash": e.hash,
                }
                for e in page
            ]
        )


class ReviewQueue(Logged, GenericAPIView):
    serializer_class = s.QueueItem

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[queue.ANY_STATUS, *(st.value for st in queue.QUEUE_STATUSES)],
                description="A status, or 'all'; default: waiting for a reviewer.",
            ),
            OpenApiParameter("risk", str, enum=["low", "medium", "high"]),
        ],
        responses={200: s.QueueItem(many=True), **ERRORS},
    )
    def get(self, request):
        _require_reviewer(request)
        filters = {
            "status": request.query_params.get("status", ""),
            "risk": request.query_params.get("risk", ""),
        }
        if filters["status"] not in {
            "",
            queue.ANY_STATUS,
            *(st.value for st in queue.QUEUE_STATUSES),
        }:
            raise FieldErrors({"status": ["Unknown status."]})
        if filters["risk"] not in {"", "low", "medium", "high"}:
            raise FieldErrors({"risk": ["Unknown risk tier."]})
        page = self.paginate_queryset(queue.review_queue(filters, user=request.user))
        return self.get_paginated_response(
            [
                {
                    "id": a.pk,
                    "organization": a.organization.legal_name,
                    "questionnaire": _questionnaire(a),
                    "status": a.status,
                    "attested_score": a.attested_score,
                    "risk_tier": a.attested_risk_tier,
                    "status_changed_at": a.status_changed_at,
                }
                for a in page
            ]
        )


# The workflow refuses a caller whose role may not decide (403) or a state that does not
# allow it (409): the rule is the lifecycle's, checked where the change is made.
DECIDE = {
    "approve": lambda a, actor, text, notes: workflow.approve(a, actor=actor, rationale=text),
    "reject": lambda a, actor, text, notes: workflow.reject(a, actor=actor, rationale=text),
    # Each question to revisit with its note: the reviewer's "needs change" verdicts, and
    # those the call names (as the review page sends them).
    "request_changes": lambda a, actor, text, notes: workflow.request_changes(
        a, actor=actor, message=text, question_notes=verdicts.change_notes(a) | notes
    ),
}


class Decide(Logged, APIView):
    @extend_schema(request=s.Decision, responses={200: s.Assessment, **ERRORS})
    def post(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        data = _valid(s.Decision, request.data)
        act = DECIDE[data["outcome"]]
        act(assessment, Actor.from_request(request), data["rationale"], data["question_notes"])
        assessment.refresh_from_db()
        return Response(_assessment_out(request, assessment))
