from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.api import (
    organization_views,
    platform_views,
    regime_views,
    review_views,
    views,
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("questionnaires/", views.QuestionnaireList.as_view(), name="api_questionnaires"),
    path(
        "questionnaires/<slug:slug>/<str:version>/",
        views.QuestionnaireDetail.as_view(),
        name="api_questionnaire",
    ),
    path("assessments/", views.AssessmentList.as_view(), name="api_assessments"),
    path(
        "assessments/<uuid:assessment_id>/", views.AssessmentDetail.as_view(), name="api_assessment"
    ),
    path(
        "assessments/<uuid:assessment_id>/answers/", views.AnswerList.as_view(), name="api_answers"
    ),
    path(
        "assessments/<uuid:assessment_id>/answers/<str:question_id>/",
        views.AnswerDetail.as_view(),
        name="api_answer",
    ),
    path(
        "assessments/<uuid:assessment_id>/evidence/",
        views.EvidenceList.as_view(),
        name="api_evidence",
    ),
    path(
        "assessments/<uuid:assessment_id>/evidence/links/",
        views.EvidenceLinks.as_view(),
        name="api_evidence_links",
    ),
    path("evidence/<uuid:evidence_id>/", views.EvidenceDetail.as_view(), name="api_evidence_item"),
    path("assessments/<uuid:assessment_id>/submit/", views.Submit.as_view(), name="api_submit"),
    path(
        "assessments/<uuid:assessment_id>/comments/", views.Comments.as_view(), name="api_comments"
    ),
    path(
        "assessments/<uuid:assessment_id>/decision/",
        review_views.Decide.as_view(),
        name="api_decide",
    ),
    path(
        "assessments/<uuid:assessment_id>/review/start/",
        review_views.StartReview.as_view(),
        name="api_start_review",
    ),
    path(
        "assessments/<uuid:assessment_id>/verdicts/<str:question_id>/",
        review_views.QuestionVerdict.as_view(),
        name="api_question_verdict",
    ),
    path(
        "assessments/<uuid:assessment_id>/accept-rest/",
        review_views.AcceptRest.as_view(),
        name="api_accept_rest",
    ),
    path(
        "assessments/<uuid:assessment_id>/assign/",
        review_views.Assign.as_view(),
        name="api_assign",
    ),
    path(
        "assessments/<uuid:assessment_id>/audit-trail/",
        review_views.AuditTrail.as_view(),
        name="api_audit_trail",
    ),
    path(
        "evidence/<uuid:evidence_id>/verdict/",
        review_views.EvidenceVerdict.as_view(),
        name="api_evidence_verdict",
    ),
    path(
        "attestations/<uuid:attestation_id>/",
        views.AttestationDetail.as_view(),
        name="api_attestation",
    ),
    path(
        "attestations/<uuid:attestation_id>/report.pdf",
        views.AttestationReport.as_view(),
        name="api_report",
    ),
    path("review/queue/", review_views.ReviewQueue.as_view(), name="api_queue"),
    path(
        "review/violation-figures/",
        platform_views.ViolationFigures.as_view(),
        name="api_violation_figures",
    ),
    path(
        "assessments/<uuid:assessment_id>/return-to-draft/",
        organization_views.ReturnToDraft.as_view(),
        name="api_return_to_draft",
    ),
    path(
        "assessments/<uuid:assessment_id>/workbook.xlsx",
        organization_views.Workbook.as_view(),
        name="api_workbook",
    ),
    path(
        "evidence/<uuid:evidence_id>/file/",
        organization_views.EvidenceFile.as_view(),
        name="api_evidence_file",
    ),
    path(
        "attestations/<uuid:attestation_id>/oscal.json",
        organization_views.AssessmentResults.as_view(),
        name="api_oscal_results",
    ),
    path(
        "organizations/<uuid:organization_id>/tokens/",
        organization_views.Tokens.as_view(),
        name="api_tokens",
    ),
    path(
        "tokens/<uuid:token_id>/revoke/",
        organization_views.TokenRevoke.as_view(),
        name="api_token_revoke",
    ),
    path(
        "organizations/<uuid:organization_id>/members/",
        organization_views.Members.as_view(),
        name="api_members",
    ),
    path(
        "organizations/<uuid:organization_id>/webhooks/",
        organization_views.Webhooks.as_view(),
        name="api_webhooks",
    ),
    path(
        "webhooks/<uuid:endpoint_id>/",
        organization_views.WebhookDetail.as_view(),
        name="api_webhook",
    ),
    # Last: whatever matches no operation answers the API's own 404.
    path(
        "assessments/<uuid:assessment_id>/regimes/",
        regime_views.AssessmentRegimes.as_view(),
        name="api_regimes",
    ),
    path(
        "assessments/<uuid:assessment_id>/regimes/<slug:slug>/choice/",
        regime_views.RegimeChoice.as_view(),
        name="api_regime_choice",
    ),
    path("requests/", platform_views.AuditRequests.as_view(), name="api_requests"),
    path("requests/invite/", platform_views.Invite.as_view(), name="api_request_invite"),
    path(
        "requests/<uuid:request_id>/",
        platform_views.AuditRequestDetail.as_view(),
        name="api_request",
    ),
    path(
        "requests/<uuid:request_id>/escalate/",
        platform_views.EscalateRequest.as_view(),
        name="api_request_escalate",
    ),
    path("assessments/<uuid:assessment_id>/ask/", platform_views.Ask.as_view(), name="api_ask"),
    path("campaigns/", platform_views.Campaigns.as_view(), name="api_campaigns"),
    path(
        "campaigns/preview/", platform_views.CampaignPreview.as_view(), name="api_campaign_preview"
    ),
    path(
        "campaigns/<uuid:campaign_id>/",
        platform_views.CampaignDetail.as_view(),
        name="api_campaign",
    ),
    path(
        "organizations/<uuid:organization_id>/members/<int:membership_id>/",
        organization_views.Member.as_view(),
        name="api_member",
    ),
    path(
        "organizations/<uuid:organization_id>/invitations/",
        organization_views.Invitations.as_view(),
        name="api_invitations",
    ),
    path(
        "organizations/<uuid:organization_id>/invitations/<uuid:invitation_id>/",
        organization_views.Invitation.as_view(),
        name="api_invitation",
    ),
    re_path(r"^(?P<rest>.*)$", views.no_such_operation, name="api_not_found"),
]
