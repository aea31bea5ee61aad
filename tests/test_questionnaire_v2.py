"""Questionnaire 2.0: scores that count evidence, scope that decides what applies, and
citations that say how strongly the policy asks. Scored as an auditor would score them."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.actors import Actor
from assessments import answers, evidence, workflow
from assessments.models import Answer, EvidenceVerdict
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.frameworks.schema import AnswerStatus, QuestionType, Strength
from questionnaires.policy_sources import bundled_records
from questionnaires.scoring import Response, RiskTier, Support, score

V2 = BUNDLED_DIR / "minor-safety-2.0.yaml"
FRAMEWORK = parse(V2)[0]
SCOPE = {
    "scope.product": "A homework helper.",
    "scope.age_bands": ["under_13", "age_13_15"],
    "scope.access": "direct",
    "scope.features": ["text_chat", "image_upload", "user_to_user"],
    "scope.third_party": "no",
    "scope.fine_tuning": "no",
    "scope.jurisdictions": ["us"],
}


def claims_everywhere(**scope) -> dict[str, Response]:
    """An organization that gives the best answer to every question and attaches nothing."""
    given = {qid: Response(value=value) for qid, value in (SCOPE | scope).items()}
    for question in FRAMEWORK.questions.values():
        if question.id in given or question.type == QuestionType.EVIDENCE:
            continue
        if question.type == QuestionType.URL:
            continue
        if question.type == QuestionType.DATE:
            given[question.id] = Response(value=datetime.date.today().isoformat())
        elif question.options and question.scored:
            given[question.id] = Response(value=question.options[0].value)
        elif question.type == QuestionType.MULTI_CHOICE:
            given[question.id] = Response(value=[question.options[0].value])
        elif question.type == QuestionType.YES_NO:
            given[question.id] = Response(value="yes")
    return given


def with_evidence(given: dict[str, Response], support: Support) -> dict[str, Response]:
    backing = {b for q in FRAMEWORK.questions.values() for b in q.evidenced_by}
    return given | {
        qid: Response(
            value=given[qid].value if qid in given else None, evidence_count=1, support=support
        )
        for qid in backing
    }


def test_claims_without_evidence_no_longer_score_as_low_risk():
    result = score(FRAMEWORK, claims_everywhere())

    assert result.claimed_score == 100
    assert result.score <= result.claimed_score - 25  # 71 with this questionnaire
    assert result.risk_tier == RiskTier.MEDIUM
    claimed = [g.question.id for g in result.gaps if g.status == AnswerStatus.CLAIMED]
    assert "moderation.inputs" in claimed and "age.method" in claimed


def test_evidence_given_counts_and_evidence_a_reviewer_rejected_does_not():
    given = claims_everywhere()

    evidenced = score(FRAMEWORK, with_evidence(given, Support.SUBMITTED))
    accepted = score(FRAMEWORK, with_evidence(given, Support.ACCEPTED))
    rejected = score(FRAMEWORK, with_evidence(given, Support.REJECTED))

    # Files nobody looked at count toward the provisional figure, never toward "low risk".
    assert (evidenced.score, evidenced.risk_tier) == (100, RiskTier.MEDIUM)
    assert evidenced.by_question["moderation.inputs"].support == Support.SUBMITTED
    assert accepted.by_question["moderation.inputs"].support == Support.ACCEPTED
    assert rejected.by_question["moderation.inputs"].status == AnswerStatus.NOT_MET
    assert rejected.risk_tier == RiskTier.HIGH


def test_optional_questions_left_empty_are_neither_counted_nor_gaps():
    v1 = parse(BUNDLED_DIR / "minor-safety-1.0.yaml")[0]
    given = {
        q.id: Response(
            value=[q.options[0].value]
            if q.type == QuestionType.MULTI_CHOICE
            else q.options[0].value
        )
        for q in v1.questions.values()
        if q.options
    } | {"legal.review_date": Response(value="2026-10-01"), "legal.statement_url": Response("x")}
    given["monitoring.incident_plan_file"] = Response(evidence_count=1)

    result = score(v1, given)

    optional = {"age.evidence", "moderation.evidence", "prompt.evidence", "disclosure.screenshot"}
    assert not optional & {g.question.id for g in result.gaps}
    assert "education.link" not in {g.question.id for g in result.gaps}
    assert result.score == 100


def test_looking_only_when_something_is_reported_is_not_monitoring():
    given = with_evidence(claims_everywhere(), Support.ACCEPTED)
    given["monitoring.method"] = Response(value="ad_hoc")

    assert score(FRAMEWORK, given).by_question["monitoring.method"].status == AnswerStatus.NOT_MET


def test_a_legal_review_counts_by_what_it_found_and_how_old_it_is():
    given = with_evidence(claims_everywhere(), Support.ACCEPTED)
    today = datetime.date(2026, 12, 1)
    given["legal.review_date"] = Response(value="2025-06-30")
    given["legal.review_outcome"] = Response(value="open")

    result = score(FRAMEWORK, given, today)

    assert result.by_question["legal.review_date"].status == AnswerStatus.PARTIAL
    assert result.by_question["legal.review_outcome"].status == AnswerStatus.NOT_MET


def test_a_prompt_of_our_own_is_met_when_the_provider_offers_none():
    prompt = FRAMEWORK.questions["prompt.child_safety"]
    statuses = {o.value: o.status for o in prompt.options}
    assert statuses["own_none_offered"] == "met"
    assert statuses["own"] == "partial"


def test_self_harm_the_incident_plan_and_the_terms_outweigh_the_public_statement():
    questions = FRAMEWORK.questions
    for qid in ("prohibited.self_harm", "monitoring.incident_plan", "prohibited.terms"):
        assert questions[qid].critical
        assert questions[qid].weight > questions["legal.public_statement"].weight
    assert not questions["legal.public_statement"].critical


def test_indirect_access_takes_the_product_out_of_the_guidelines_scope():
    result = score(FRAMEWORK, claims_everywhere(**{"scope.access": "indirect"}))

    shown = {s.section.id for s in result.sections}
    assert shown == {"scope", "privacy_design", "high_risk", "prohibited"}
    assert result.notices and "do not apply" in result.notices[0]


def test_csam_reporting_is_asked_whenever_users_can_send_content_not_only_images():
    text_only = score(FRAMEWORK, claims_everywhere(**{"scope.features": ["text_chat"]}))
    nothing_sent = score(FRAMEWORK, claims_everywhere(**{"scope.features": []}))

    assert "moderation.csam_reporting" in text_only.by_question
    assert "moderation.images" not in text_only.by_question
    assert "contact.private_defaults" not in text_only.by_question
    assert "moderation.csam_reporting" not in nothing_sent.by_question


@pytest.mark.parametrize(
    ("ages", "where", "asked"),
    [
        (["under_13"], ["us"], True),
        (["age_13_15"], ["eu_eea"], True),
        (["age_13_15"], ["us"], False),
        (["age_16_17"], ["eu_eea"], False),
    ],
)
def test_parental_consent_follows_the_ages_and_the_countries(ages, where, asked):
    scope = {"scope.age_bands": ages, "scope.jurisdictions": where}
    result = score(FRAMEWORK, claims_everywhere(**scope))

    assert ("age.parental_consent" in result.by_question) is asked


def test_every_citation_says_how_strongly_and_pins_the_text_it_was_written_against():
    records = {r.id: r for r in bundled_records()}
    for question in FRAMEWORK.questions.values():
        for citation in question.citations:
            section = records[citation.source].section(citation.section)
            assert section is not None, (question.id, citation.section)
            assert citation.sha256 == section.sha256, question.id
            assert isinstance(citation.strength, Strength), question.id
        if question.critical:
            assert question.evidenced_by, f"{question.id} is critical but names no evidence"


def test_the_requirements_the_policy_adds_for_minors_are_asked():
    for qid in (
        "prohibited.trafficking_sextortion",
        "prohibited.fiction_roleplay",
        "privacy.biometrics",
        "design.no_exploitation",
        "design.no_emotional_deception",
        "privacy.emotion_recognition",
        "privacy.location",
        "moderation.jailbreak",
        "monitoring.report_to_provider",
        "moderation.third_party",
        "training.clean_data",
    ):
        assert qid in FRAMEWORK.questions


@pytest.fixture
def v2(db):
    return publish(V2)[0]


@pytest.fixture
def v2_draft(org, preparer, v2):
    return workflow.start_assessment(organization=org, framework_version=v2, actor=Actor(preparer))


def test_the_preparer_sees_what_is_claimed_beside_what_is_evidenced(client, preparer, v2_draft):
    answers.save_answers(
        v2_draft,
        [answers.AnswerInput("moderation.inputs", "yes"), *scope_inputs()],
        actor=Actor(preparer),
    )
    client.force_login(preparer)

    page = client.get(reverse("assessment", args=[v2_draft.pk])).content.decode()
    section = client.get(reverse("section", args=[v2_draft.pk, "moderation"])).content.decode()

    assert "as claimed" in page and "with the evidence given (provisional)" in page
    assert "Claimed, not evidenced" in section
    assert "0 accepted by a reviewer" in page
    assert "No evidence yet: claimed, not evidenced" in section


def scope_inputs():
    return [answers.AnswerInput(qid, value) for qid, value in SCOPE.items()]


def test_evidence_a_reviewer_accepted_stands_above_evidence_merely_uploaded(
    preparer, reviewer, v2_draft
):
    actor = Actor(preparer)
    answers.save_answers(
        v2_draft, [answers.AnswerInput("moderation.inputs", "yes"), *scope_inputs()], actor=actor
    )
    readme = ContentFile(b"# README\nWe filter things.\n", name="README.md")
    item = evidence.add_file(
        v2_draft, "moderation.evidence", evidence.check_upload(readme), actor=actor
    )

    uploaded_result = answers.result_for(v2_draft)
    uploaded = uploaded_result.by_question["moderation.inputs"]
    EvidenceVerdict.objects.create(
        evidence=item, accepted=False, reason="A README", reviewer=reviewer
    )
    rejected = answers.result_for(v2_draft).by_question["moderation.inputs"]

    assert (uploaded.status, uploaded.support) == (AnswerStatus.MET, Support.SUBMITTED)
    assert uploaded_result.backing[Support.SUBMITTED] == 1
    assert uploaded_result.backing[Support.ACCEPTED] == 0
    assert (rejected.status, rejected.support) == (AnswerStatus.NOT_MET, Support.REJECTED)


def test_a_counted_number_cannot_be_negative_and_a_past_date_cannot_be_in_the_future(
    client, preparer, v2_draft
):
    answers.save_answers(v2_draft, scope_inputs(), actor=Actor(preparer))
    answers.save_answers(
        v2_draft, [answers.AnswerInput("legal.review", "yes")], actor=Actor(preparer)
    )
    client.force_login(preparer)

    scope = client.post(
        reverse("section", args=[v2_draft.pk, "scope"]), {"q_scope__monthly_minors": "-5"}
    )
    legal = client.post(
        reverse("section", args=[v2_draft.pk, "legal"]),
        {"q_legal__review_date": "2030-01-01", "rev_legal__review_date": 0},
    )

    assert scope.status_code == 422
    assert "greater than or equal to 0" in scope.content.decode()
    assert legal.status_code == 422
    assert "This date is in the future" in legal.content.decode()
    stored = Answer.objects.filter(
        assessment=v2_draft, question_id__in=["scope.monthly_minors", "legal.review_date"]
    )
    assert not stored.exists()


def test_scope_questions_show_no_empty_why_we_ask(client, preparer, v2_draft):
    client.force_login(preparer)

    page = client.get(reverse("section", args=[v2_draft.pk, "scope"])).content.decode()
    moderation = client.get(reverse("section", args=[v2_draft.pk, "moderation"])).content.decode()

    assert "Why we ask" not in page
    assert "Why we ask" in moderation and "(the policy recommends it)" in moderation


def test_version_2_is_published_beside_1_and_the_diff_says_what_changed(
    client, preparer, framework_version, v2
):
    client.force_login(preparer)

    page = client.get(reverse("framework_diff", args=["minor-safety", "1.0", "2.0"]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "prohibited.fiction_roleplay" in text  # new
    assert "monitoring.method" in text  # changed: "only when reported" is no longer partial
