"""The laws an assessment answers, through the API as on the law's page: which apply and
why, each one's standing, and the organization's call to add or remove one (with a reason).
A law's questions are answered with the same answer operation as the questionnaire's."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers
from integrations.api import serializers as s
from integrations.api.views import ERRORS, Logged, _valid
from questionnaires import regimes
from questionnaires.scoring import score


def _regimes_out(assessment) -> list[dict]:
    framework = assessment.framework_version.framework
    responses = answers.responses_for(assessment)
    core = score(framework, responses)
    choices = regimes.choices_of(assessment)
    reached = regimes.reaches(framework, responses)
    applying = regimes.applicable(framework, responses, choices, reached)
    return [
        _regime_out(
            regimes.result_for(regime, core, responses, choice=choices.get(regime.slug)),
            applies=regime in applying,
            reached=reached[regime.slug],
        )
        for regime in regimes.catalogue().values()
        if regime.core == framework.slug
    ]


def _regime_out(outcome: regimes.RegimeResult, *, applies: bool, reached: regimes.Reach) -> dict:
    regime, result, choice = outcome.regime, outcome.result, outcome.choice
    return {
        "slug": regime.slug,
        "name": regime.name,
        "short": regime.short,
        "jurisdiction": regime.jurisdiction,
        "applies": applies,
        "standing": regimes.standing(regime, reached, choice),
        "choice": None
        if choice is None
        else {
            "included": choice.included,
            "reason": choice.reason,
            "by": str(choice.decided_by or ""),
            "at": choice.decided_at,
        },
        "score": result.score,
        "claimed_score": result.claimed_score,
        "complete": result.is_complete,
        "missing_required": [r.question.id for r in result.missing_required],
        "questions": [
            {
                "id": r.question.id,
                "text": r.question.text,
                "status": r.status.value,
                "answered_through": outcome.through[r.question.id][0].core
                if r.question.id in outcome.through
                else None,
            }
            for section in result.sections
            for r in section.questions
        ],
    }


class AssessmentRegimes(Logged, APIView):
    @extend_schema(
        responses={200: s.Regime(many=True), **ERRORS},
        description="Every law that maps to this assessment's questionnaire: whether it "
        "applies (the scope answers call for it, or the organization added it) and how it "
        "stands. Answer a law's question with the answer operation, under its question id.",
    )
    def get(self, request, assessment_id):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
        return Response(_regimes_out(assessment))


class RegimeChoice(Logged, APIView):
    @extend_schema(
        request=s.RegimeChoiceWrite,
        responses={200: s.Regime, **ERRORS},
        description="Add a law the scope answers do not call for, or remove one they do; the "
        "reason goes on the audit trail and into the signed snapshot.",
    )
    def post(self, request, assessment_id, slug):
        assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
        regime = regimes.catalogue().get(slug)
        if regime is None or regime.core != assessment.framework_version.slug:
            raise Http404
        data = _valid(s.RegimeChoiceWrite, request.data)
        regimes.choose(
            assessment,
            regime=regime,
            included=data["included"],
            reason=data["reason"],
            actor=Actor.from_request(request),
        )
        return Response(next(r for r in _regimes_out(assessment) if r["slug"] == slug))
