"""The reviewer's side of the API: what a reviewer does on the review page, a reviewer's
token does here, through the same services (which check the role, the state and the notes
themselves)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
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
from integrations.api.views import ERRORS, Logged, _assessment_out, _valid
from review import verdicts


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
        if question_id not in assessment.framework_version.framework.questions:
            raise FieldErrors({"question_id": ["No such question in this questionnaire."]})
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
