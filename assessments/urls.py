from django.urls import path

from assessments.views import (
    accounts,
    api_tokens,
    attestations,
    audit_trail,
    frameworks,
    invitations,
    organizations,
    oscal,
    questionnaire,
    regimes,
    review,
    sources,
    two_factor,
    verify,
    webhooks,
    workbooks,
)

urlpatterns = [
    path("", accounts.home, name="home"),
    path("signup/", accounts.signup, name="signup"),
    path("signup/confirm/<str:token>/", accounts.signup_confirm, name="signup_confirm"),
    path("account/", accounts.account, name="account"),
    path("account/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("org/<uuid:organization_id>/", organizations.organization_detail, name="organization"),
    path("org/<uuid:organization_id>/members/", organizations.members, name="members"),
    path("org/<uuid:organization_id>/api-tokens/", api_tokens.tokens, name="org_tokens"),
    path("review/api-tokens/", api_tokens.tokens, name="reviewer_tokens"),
    path("api-tokens/<uuid:token_id>/revoke/", api_tokens.token_revoke, name="token_revoke"),
    path("org/<uuid:organization_id>/webhooks/", webhooks.endpoints, name="org_webhooks"),
    path("review/webhooks/", webhooks.endpoints, name="platform_webhooks"),
    path("webhooks/<uuid:endpoint_id>/test/", webhooks.send_test, name="webhook_test"),
    path("webhooks/<uuid:endpoint_id>/remove/", webhooks.remove, name="webhook_remove"),
    path(
        "org/<uuid:organization_id>/members/<int:membership_id>/role/",
        organizations.member_role,
        name="member_role",
    ),
    path(
        "org/<uuid:organization_id>/members/<int:membership_id>/remove/",
        organizations.member_remove,
        name="member_remove",
    ),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path(
        "org/<uuid:organization_id>/assessments/start/",
        organizations.start_assessment,
        name="start_assessment",
    ),
    path("a/<uuid:assessment_id>/", questionnaire.assessment_overview, name="assessment"),
    path(
        "a/<uuid:assessment_id>/section/<slug:section_id>/",
        questionnaire.section,
        name="section",
    ),
    path(
        "a/<uuid:assessment_id>/autosave/<str:question_id>/",
        questionnaire.autosave,
        name="autosave",
    ),
    path(
        "a/<uuid:assessment_id>/workbook.xlsx",
        workbooks.workbook_download,
        name="workbook_download",
    ),
    path("a/<uuid:assessment_id>/workbook/", workbooks.workbook_import, name="workbook_import"),
    path("a/<uuid:assessment_id>/submit/", questionnaire.submit, name="submit"),
    path("a/<uuid:assessment_id>/sign/", attestations.sign, name="sign"),
    path("a/<uuid:assessment_id>/return/", attestations.return_to_draft, name="return_to_draft"),
    path("evidence/<uuid:evidence_id>/", questionnaire.evidence_file, name="evidence_file"),
    path(
        "evidence/<uuid:evidence_id>/remove/", questionnaire.evidence_remove, name="evidence_remove"
    ),
    path(
        "attestations/<uuid:attestation_id>/", attestations.attestation_detail, name="attestation"
    ),
    path(
        "attestations/<uuid:attestation_id>/report.pdf",
        attestations.report_download,
        name="report_download",
    ),
    path(
        "attestations/<uuid:attestation_id>/credential.jwt",
        attestations.credential_download,
        name="credential_download",
    ),
    path(
        "attestations/<uuid:attestation_id>/revoke/", attestations.revoke, name="revoke_attestation"
    ),
    path("review/", review.dashboard, name="dashboard"),
    path("review/export.csv", review.export_queue, name="export_queue"),
    path("review/metrics/", review.metrics_page, name="metrics"),
    path(
        "review/<uuid:assessment_id>/export.json",
        review.export_assessment,
        name="export_assessment",
    ),
    path("review/<uuid:assessment_id>/assign/", review.assign, name="assign"),
    path("a/<uuid:assessment_id>/comments/", review.add_comment, name="add_comment"),
    path("review/<uuid:assessment_id>/", review.review_assessment, name="review_assessment"),
    path(
        "a/<uuid:assessment_id>/regimes/<slug:slug>/",
        regimes.regime_questions,
        name="regime_questions",
    ),
    path(
        "a/<uuid:assessment_id>/regimes/<slug:slug>/choice/",
        regimes.regime_choice,
        name="regime_choice",
    ),
    path("regimes/<slug:slug>/crosswalk/", regimes.regime_crosswalk, name="regime_crosswalk"),
    path(
        "regimes/<slug:slug>/oscal-catalog.json", oscal.regime_catalog, name="regime_oscal_catalog"
    ),
    path(
        "frameworks/<slug:slug>/<str:version>/oscal-catalog.json",
        oscal.framework_catalog,
        name="oscal_catalog",
    ),
    path(
        "attestations/<uuid:attestation_id>/oscal-assessment-results.json",
        oscal.assessment_results,
        name="oscal_assessment_results",
    ),
    path(
        "review/<uuid:assessment_id>/audit/",
        audit_trail.assessment_audit_trail,
        name="assessment_audit_trail",
    ),
    path("review/<uuid:assessment_id>/start/", review.start_review, name="start_review"),
    path("review/<uuid:assessment_id>/decide/", review.decide, name="decide"),
    path(
        "review/<uuid:assessment_id>/verdict/<str:question_id>/",
        review.question_verdict,
        name="question_verdict",
    ),
    path(
        "review/evidence/<uuid:evidence_id>/verdict/",
        review.evidence_verdict,
        name="evidence_verdict",
    ),
    path("review/<uuid:assessment_id>/changes/", review.request_changes, name="request_changes"),
    path("frameworks/", frameworks.framework_list, name="frameworks"),
    path(
        "frameworks/<slug:slug>/<str:old>/to/<str:new>/",
        frameworks.framework_diff,
        name="framework_diff",
    ),
    path("sources/", sources.source_list, name="policy_sources"),
    path("sources/<slug:source_id>/", sources.source_detail, name="policy_source"),
    path("verify/", verify.verify, name="verify"),
    path(".well-known/minor-safety-portal/jwks.json", verify.published_keys, name="jwks"),
    path(
        ".well-known/minor-safety-portal/certificates.pem",
        verify.published_certificates,
        name="signing_certificates",
    ),
    path(
        ".well-known/minor-safety-portal/status/<slug:which>",
        verify.published_status_list,
        name="status_list",
    ),
    path(
        ".well-known/minor-safety-portal/audit-checkpoints.jsonl",
        verify.published_checkpoints,
        name="audit_checkpoints",
    ),
    path("verify/<str:digest>/", verify.verify_hash, name="verify_hash"),
]
