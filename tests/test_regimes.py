"""Regimes: the laws an organization answers to besides the provider's policies, answered in
the same assessment, with core answers standing in where the crosswalk allows."""

import html
import json
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.demo import answer_everything
from assessments.errors import MissingRequirement, NotPermitted
from assessments.models import Answer, AuditAction, AuditEvent
from assessments.workbooks import ANSWERS, COLUMN
from attestations import credentials
from attestations.reports import report_context
from questionnaires import regimes
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.frameworks.schema import CHOICE_TYPES, AnswerStatus, Condition
from questionnaires.scoring import Response, score
from tests.conftest import sign_now
from tests.test_api import call, reviewer_token
from tests.test_api import token as api_token
from tests.test_workbooks import download, fill, upload

REGIMES = regimes.catalogue()


def core_of(regime: regimes.Regime):
    return parse(BUNDLED_DIR / f"{regime.core}-{regime.core_version}.yaml")[0]


def conditions_in(condition: Condition) -> list[Condition]:
    if condition.question is not None:
        return [condition]
    return [c for part in condition.any_of + condition.all_of for c in conditions_in(part)]


@pytest.mark.parametrize("slug", sorted(REGIMES))
def test_every_mapping_points_at_questions_that_exist_in_the_versions_it_names(slug):
    regime = REGIMES[slug]
    core = core_of(regime).questions
    own = regime.framework.questions
    for entry in regime.mappings:
        assert entry.question in own, entry
        assert entry.core in core, f"{slug}: {entry.core} is not in core v{regime.core_version}"
    for test in conditions_in(regime.applies_when):
        target = core[test.question]
        if target.type in CHOICE_TYPES:
            assert set(test.wanted) <= {o.value for o in target.options}, test
    assert not set(own) & set(core), "a regime question id is also a core question id"


@pytest.mark.parametrize("slug", sorted(REGIMES))
def test_every_regime_question_cites_its_own_law_and_never_the_providers_documents(slug):
    framework = REGIMES[slug].framework
    sources = {s.id: s for s in framework.sources}
    assert all(s.url.startswith("https://") and not s.file for s in sources.values())
    for question in framework.questions.values():
        assert question.citations, question.id
        assert all(c.source in sources for c in question.citations)


def test_the_three_regimes_cover_what_each_law_asks():
    assert {"us-coppa", "uk-aadc", "eu-dsa-minors"} <= set(REGIMES)
    aadc = REGIMES["uk-aadc"].framework.questions.values()
    standards = {c.section.split(":")[0] for q in aadc for c in q.citations}
    assert standards == {f"Standard {n}" for n in range(1, 16)}
    coppa = {
        c.section for q in REGIMES["us-coppa"].framework.questions.values() for c in q.citations
    }
    for section in ("§ 312.5(a)(2)", "§ 312.8(b)", "§ 312.10", "§ 312.11"):
        assert section in coppa


def test_every_regime_version_is_recorded_and_a_released_one_cannot_change(tmp_path, monkeypatch):
    released = json.loads(regimes.PUBLISHED.read_text())
    for slug, regime in REGIMES.items():
        assert released[slug][regime.framework.version] == regimes.content_sha256(regime)

    edited = (
        (regimes.REGIMES_DIR / "uk-aadc.yaml")
        .read_text()
        .replace("Standard 13: Nudge techniques", "Standard 13: Nudges")
    )
    (tmp_path / "uk-aadc.yaml").write_text(edited)
    monkeypatch.setattr(regimes, "REGIMES_DIR", tmp_path)
    regimes.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="A released version never changes"):
            regimes.catalogue()
    finally:
        monkeypatch.undo()
        regimes.catalogue.cache_clear()


def scope(*jurisdictions, ages=("under_13",)) -> dict[str, Response]:
    return {
        "scope.access": Response(value="direct"),
        "scope.age_bands": Response(value=list(ages)),
        "scope.jurisdictions": Response(value=list(jurisdictions)),
    }


def test_which_regimes_apply_follows_the_scope_answers():
    core = core_of(REGIMES["us-coppa"])
    names = lambda responses: {r.slug for r in regimes.called_for(core, responses)}  # noqa: E731
    # The two laws that ask who they cover stay until their own questions are answered.
    undecided = {"uk-osa-children", "us-companion-chatbots"}
    assert names(scope("us", "uk")) == {"us-coppa", "uk-aadc"} | undecided
    # COPPA is about under-13s
    assert names(scope("us", ages=("age_13_15",))) == {"us-companion-chatbots"}
    assert names(scope("uk", ages=("adults",))) == set()  # the UK laws: children likely to use it
    eu_teens = scope("eu_eea", ages=("age_16_17",))
    platform = {"scope.eu_online_platform": Response(value="yes")}
    large = {"scope.eu_small_enterprise": Response(value="no")}
    small = {"scope.eu_small_enterprise": Response(value="yes")}
    # Article 28 binds online platforms, and not micro or small enterprises; the AI Act any
    # AI system used in the EU.
    assert names(eu_teens) == {"eu-ai-act"}
    assert names(eu_teens | platform | large) == {"eu-dsa-minors", "eu-ai-act"}
    assert names(eu_teens | platform | small) == {"eu-ai-act"}
    # Ticking a law is the organization's word, not a reason the law applies: it adds a law
    # on the law's page, with its reason.
    assert names(scope("canada") | {"legal.laws": Response(value=["coppa"])}) == set()


def test_a_core_answer_answers_a_regime_question_as_far_as_the_relation_allows():
    uk, coppa = REGIMES["uk-aadc"], REGIMES["us-coppa"]
    core = core_of(uk)
    given = scope("us", "uk") | {
        "legal.impact_assessment": Response(value="no"),  # equal: carried, met or not
        "age.parental_consent": Response(value="verifiable"),  # intersects: never carried
        "age.parent_deletion": Response(value="yes"),  # subset: never carried
    }
    result = score(core, given)
    outcome = regimes.result_for(uk, result, given)

    assert outcome.result.by_question["aadc.dpia"].status == AnswerStatus.NOT_MET
    assert set(outcome.through) == {"aadc.dpia"}
    assert not regimes.result_for(coppa, result, given).through
    # ...and the preparer's own answer always wins over a carried one.
    own = given | {"aadc.dpia": Response(value="yes")}
    outcome = regimes.result_for(uk, score(core, own), own)
    assert outcome.result.by_question["aadc.dpia"].status == AnswerStatus.MET
    assert "aadc.dpia" not in outcome.through


def test_a_mapping_carries_an_answer_only_when_every_met_core_option_implies_met():
    coppa = REGIMES["us-coppa"]
    core = core_of(coppa)
    entry = next(m for m in coppa.mappings if m.question == "coppa.consent.verifiable")
    # 2.0's claim: school consent (met in the core) would have answered COPPA's verifiable
    # parental consent.
    claimed = coppa.model_copy(
        update={"mappings": (entry.model_copy(update={"relation": regimes.Relation.SUPERSET}),)}
    )
    listed = entry.model_copy(
        update={"relation": regimes.Relation.SUPERSET, "carries": {"verifiable": "yes"}}
    )

    assert regimes.check_crosswalk(coppa, core) == []
    assert "must say what each met option" in regimes.check_crosswalk(claimed, core)[0]
    problems = regimes.check_crosswalk(coppa.model_copy(update={"mappings": (listed,)}), core)
    assert "['school_consent', 'verifiable']" in problems[0]


def test_an_organization_with_us_and_uk_users_gets_results_per_regime(client, preparer, v2_draft):
    client.force_login(preparer)
    overview = client.get(reverse("assessment", args=[v2_draft.pk]))
    assert [o.regime.slug for o in overview.context["regime_results"]] == [
        "uk-aadc",
        "uk-osa-children",  # until its questions on who it covers say otherwise
        "us-companion-chatbots",
        "us-coppa",
    ]
    coppa_url = reverse("regime_questions", args=[v2_draft.pk, "us-coppa"])
    assert f'href="{coppa_url}"' in overview.text

    page = client.get(coppa_url)
    assert page.status_code == 200
    assert "needs legal review" in page.text  # a citation whose wording was not checked
    assert page.context["applies"] is True
    answers.save_answers(
        v2_draft, [answers.AnswerInput("legal.impact_assessment", "yes")], actor=Actor(preparer)
    )
    uk = client.get(reverse("regime_questions", args=[v2_draft.pk, "uk-aadc"]))
    core_text = v2_draft.framework_version.framework.questions["legal.impact_assessment"].text
    assert 'class="alert alert-success py-2 mb-2" role="note">Answered by your answer to' in uk.text
    assert f"{escape(core_text)}</a> (asks the same): Met." in uk.text
    revision = Answer.objects.get(assessment=v2_draft, question_id="legal.impact_assessment")
    answers.save_answers(
        v2_draft,
        [answers.AnswerInput("legal.impact_assessment", "no", base_revision=revision.revision)],
        actor=Actor(preparer),
    )
    uk = client.get(reverse("regime_questions", args=[v2_draft.pk, "uk-aadc"]))
    assert "alert alert-success py-2 mb-2" not in uk.text  # green is for met alone
    assert f"{escape(core_text)}</a> (asks the same): Not met." in uk.text


def test_the_preparer_answers_a_regime_question_and_it_is_on_the_audit_trail(
    client, preparer, v2_draft
):
    client.force_login(preparer)
    url = reverse("regime_questions", args=[v2_draft.pk, "us-coppa"])
    response = client.post(url, {"q_coppa__security_program": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    stored = Answer.objects.get(assessment=v2_draft, question_id="coppa.security_program")
    assert stored.value == "yes" and stored.updated_by == preparer
    assert AuditEvent.objects.filter(
        assessment_id=v2_draft.pk,
        action=AuditAction.ANSWER_SAVED,
        details__question_id="coppa.security_program",
    ).exists()
    page = client.get(url)
    result = page.context["outcome"].result.by_question["coppa.security_program"]
    assert result.status == AnswerStatus.MET


def test_a_bad_regime_answer_is_explained_and_nothing_typed_is_lost(client, preparer, v2_draft):
    client.force_login(preparer)
    url = reverse("regime_questions", args=[v2_draft.pk, "us-coppa"])
    response = client.post(
        url,
        {
            "q_coppa__security_program": "perhaps",
            "q_coppa__safe_harbor": "PRIVO, since 2024",
            "na_coppa__consent__third_party": "on",
        },
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    assert "a justification is required" in response.text
    assert "PRIVO, since 2024" in response.text  # what was typed is still there
    assert not Answer.objects.filter(assessment=v2_draft, question_id__startswith="coppa.").exists()


def test_an_unknown_regime_is_not_found_and_a_submitted_assessment_refuses_answers(
    client, preparer, v2_draft
):
    client.force_login(preparer)
    assert client.get(reverse("regime_questions", args=[v2_draft.pk, "nowhere"])).status_code == 404
    v2_draft.status = "submitted"
    v2_draft.save(update_fields=["status"])
    url = reverse("regime_questions", args=[v2_draft.pk, "uk-aadc"])
    response = client.post(url, {"q_aadc__dpia": "yes"})
    assert response.status_code == 302
    assert not Answer.objects.filter(assessment=v2_draft, question_id="aadc.dpia").exists()


def test_the_crosswalk_page_lists_every_mapping_with_its_relation(client, preparer, v2_draft):
    client.force_login(preparer)
    page = client.get(reverse("regime_crosswalk", args=["uk-aadc"]))
    assert page.status_code == 200
    regime = REGIMES["uk-aadc"]
    assert len(page.context["rows"]) == len(regime.mappings)
    for entry in regime.mappings:
        assert entry.core in page.text and entry.relation.label in page.text
    assert [q.id for q in page.context["unmapped"]][:2] == [
        "aadc.best_interests",
        "aadc.detrimental_use",
    ]
    assert "aadc.nudges" in page.text  # asked only by the code


def test_a_signed_attestation_carries_each_regime_to_the_report_credential_and_verification(
    client, org, preparer, signatory
):
    version = publish(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    answer_everything(draft, actor=Actor(preparer), quality="strong")  # US, EU, UK users
    revision = Answer.objects.get(assessment=draft, question_id="scope.eu_small_enterprise")
    answers.save_answers(  # a platform too large for the small-enterprise exemption
        draft,
        [answers.AnswerInput("scope.eu_small_enterprise", "no", base_revision=revision.revision)],
        actor=Actor(preparer),
    )
    workflow.submit(draft, actor=Actor(preparer))
    attestation = sign_now(draft, signatory)

    signed = json.loads(attestation.snapshot_json)["regimes"]
    assert [r["slug"] for r in signed] == [
        "eu-ai-act",
        "eu-dsa-minors",
        "uk-aadc",
        "uk-osa-children",
        "us-companion-chatbots",
        "us-coppa",
    ]
    coppa = signed[5]
    assert coppa["sha256"] == regimes.content_sha256(REGIMES["us-coppa"])
    by_id = {q["id"]: q for q in coppa["questions"]}
    uk = {q["id"]: q for q in signed[2]["questions"]}
    assert uk["aadc.dpia"]["answered_through"] == "legal.impact_assessment"
    assert by_id["coppa.security_program"]["status"] == AnswerStatus.UNANSWERED
    assert "coppa.security_program" in [g["question_id"] for g in coppa["gaps"]]

    subject = credentials.claims(attestation, at=timezone.now())["credentialSubject"]
    assert [r["slug"] for r in subject["regimes"]] == [r["slug"] for r in signed]

    page = client.get(reverse("verify_hash", args=[attestation.snapshot_sha256]))
    assert "Laws also covered" not in page.text  # never "covered" without its result
    assert "Laws answered, as signed" in page.text
    for law in signed:
        gaps = len(law["gaps"])
        line = (
            f"{law['name']} (questions v{law['version']}): {law['score']} % with the evidence "
            f"given, {gaps} gap"
        )
        assert line in html.unescape(page.text)
    # The platform's decision first; that the record is genuine comes after it.
    headline = page.text.index("Signed, awaiting platform review")
    assert headline < page.text.index("The platform issued this record: it is genuine.")

    # The report, as a school reads it: question texts, never ids; a law's unchecked wording
    # said once, in the notes; the technical details after them.
    report = render_to_string("reports/attestation.html", report_context(attestation))
    core_text = attestation.assessment.framework_version.framework.questions[
        "legal.impact_assessment"
    ].text
    assert "<h2>US COPPA Rule (as amended in 2025)</h2>" in report
    assert f"As answered to “{escape(core_text)}”" in report
    assert not re.search(r"\b(aadc|coppa|dsa|legal|age)\.[a-z_]+\b", report)
    assert report.count("counsel should confirm it") == 1
    assert report.index("<h2>Notes</h2>") < report.index("<h2>Technical verification details</h2>")


def test_an_organization_removes_a_law_with_a_reason_and_the_signed_report_says_so(
    client, preparer, signatory, v2_draft
):
    client.force_login(preparer)
    choice_url = reverse("regime_choice", args=[v2_draft.pk, "uk-aadc"])
    refused = client.post(choice_url, {"action": "remove", "reason": "  "})
    assert refused.status_code == 302
    assert "a reason is required" in client.get(refused["Location"]).text
    assert not v2_draft.regime_choices.exists()

    reason = "Our UK users are all adults; the under-13 plan is US-only."
    client.post(choice_url, {"action": "remove", "reason": reason})
    client.post(
        reverse("regime_choice", args=[v2_draft.pk, "eu-dsa-minors"]),
        {"action": "add", "reason": "We launch in Ireland next quarter."},
    )

    overview = client.get(reverse("assessment", args=[v2_draft.pk]))
    listed = [o.regime.slug for o in overview.context["regime_results"]]
    assert listed == ["eu-dsa-minors", "uk-osa-children", "us-companion-chatbots", "us-coppa"]
    assert "We launch in Ireland next quarter." in overview.text
    event = AuditEvent.objects.get(assessment_id=v2_draft.pk, action=AuditAction.REGIME_REMOVED)
    assert event.details == {"regime": "uk-aadc", "reason": reason}
    assert event.actor_email == preparer.email

    answer_everything(v2_draft, actor=Actor(preparer), quality="strong")
    answers.save_answers(  # answer_everything widens the scope; put the UK back in it
        v2_draft,
        [answers.AnswerInput("scope.jurisdictions", ["us", "uk"], base_revision=2)],
        actor=Actor(preparer),
    )
    workflow.submit(v2_draft, actor=Actor(preparer))
    attestation = sign_now(v2_draft, signatory)
    signed = json.loads(attestation.snapshot_json)
    assert [r["slug"] for r in signed["regimes"]] == [
        "eu-dsa-minors",
        "uk-osa-children",
        "us-companion-chatbots",
        "us-coppa",
    ]
    assert signed["regimes"][0]["included"] == {
        "by": "organization",
        "reason": "We launch in Ireland next quarter.",
    }
    assert signed["regimes_removed"] == [
        {"slug": "uk-aadc", "name": REGIMES["uk-aadc"].name, "reason": reason}
    ]
    report = render_to_string("reports/attestation.html", report_context(attestation))
    assert reason in report

    # Once submitted, the choice is as fixed as the answers.
    response = client.post(choice_url, {"action": "add", "reason": "Changed our mind."})
    assert response.status_code == 302
    assert v2_draft.regime_choices.count() == 2


def test_the_reviewer_sees_each_law_covered_and_reads_its_answers(client, reviewer, v2_draft):
    client.force_login(reviewer)
    review = client.get(reverse("review_assessment", args=[v2_draft.pk]))
    coppa_url = reverse("regime_questions", args=[v2_draft.pk, "us-coppa"])
    assert f'href="{coppa_url}"' in review.text
    page = client.get(coppa_url)
    assert page.status_code == 200
    assert page.context["editable"] is False  # reviewers read; only the organization answers
    assert client.post(coppa_url, {"q_coppa__security_program": "yes"}).status_code == 403


def test_the_workbook_carries_the_laws_questions_and_imports_their_answers(
    client, preparer, v2_draft
):
    client.force_login(preparer)
    book = download(client, v2_draft)
    rows = {row[0].value: row for row in book[ANSWERS].iter_rows(min_row=2)}
    assert (
        rows["coppa.security_program"][COLUMN["section"]].value == "COPPA: Security and retention"
    )
    assert "aadc.nudges" in rows and "dsa.risk_review" not in rows  # no EU users

    response = upload(client, v2_draft, fill(book, {"coppa.security_program": {"answer": "Yes"}}))
    assert response.status_code == 200 and "1 answer saved" in response.text
    stored = Answer.objects.get(assessment=v2_draft, question_id="coppa.security_program")
    assert stored.value == "yes"


def in_review_with_laws(org, preparer, signatory, reviewer):
    """An assessment on questionnaire 2, answered in full (its scope calls for COPPA and the
    UK code), signed and under review."""
    version = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    answer_everything(draft, actor=Actor(preparer), quality="strong")
    workflow.submit(draft, actor=Actor(preparer))
    sign_now(draft, signatory)
    workflow.start_review(draft, actor=Actor(reviewer))
    return draft


def test_the_reviewer_gives_a_verdict_on_a_laws_question_from_the_review_page(
    client, org, preparer, signatory, reviewer
):
    draft = in_review_with_laws(org, preparer, signatory, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("review_assessment", args=[draft.pk]), {"section": "coppa_security"})
    assert [s.id for s, _, current in page.context["sections"] if current] == ["coppa_security"]
    assert "COPPA: Security and retention" in page.text

    url = reverse("question_verdict", args=[draft.pk, "coppa.security_program"])
    response = client.post(url, {"verdict": "needs_change", "note": "Send us the programme."})
    assert response["Location"].endswith("?section=coppa_security#q-coppa-security_program")
    page = client.get(response["Location"])
    assert "Send us the programme." in page.text
    through_api = call(  # a reviewer's token judges the laws' questions as the page does
        client,
        "put",
        reverse("api_question_verdict", args=[draft.pk, "coppa.security_program"]),
        reviewer_token(reviewer),
        {"verdict": "accepted"},
    )
    assert through_api.status_code == 200, through_api.text
    assert (
        client.post(
            reverse("question_verdict", args=[draft.pk, "nowhere.question"]),
            {"verdict": "accepted"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["reviewer", "outsider", "signatory"])
def test_only_the_organizations_editors_add_or_remove_a_law_whoever_calls_the_service(
    request, who, v2_draft
):
    """The page and the API ask first, but a law left out changes what the signed report
    states: the service itself refuses anyone who may not edit the answers."""
    person = request.getfixturevalue(who)
    law = regimes.catalogue()["uk-aadc"]

    with pytest.raises(NotPermitted):
        regimes.choose(v2_draft, regime=law, included=False, reason="Not us.", actor=Actor(person))

    assert not v2_draft.regime_choices.exists()


def test_a_comment_on_a_laws_question_stays_with_that_question(
    client, org, admin, preparer, reviewer, v2_draft
):
    """The review page gives every row a comment box, the laws' questions too: a comment
    posted there is kept on that question (it was filed as a general comment), through the
    page and the API alike; a question the assessment does not ask is refused."""
    draft = v2_draft
    client.force_login(reviewer)
    review = reverse("review_assessment", args=[draft.pk]) + "?section=coppa_security"
    url = reverse("add_comment", args=[draft.pk])

    posted = client.post(
        url, {"body": "Which programme?", "question_id": "coppa.security_program", "next": review}
    )
    refused = client.post(url, {"body": "Lost?", "question_id": "nowhere.question"}, follow=True)

    assert posted.status_code == 302 and posted["Location"] == review
    assert [(c.question_id, c.body) for c in draft.comments.all()] == [
        ("coppa.security_program", "Which programme?")
    ]
    assert "This assessment asks no question nowhere.question." in html.unescape(refused.text)
    with pytest.raises(MissingRequirement):
        workflow.comment(draft, actor=Actor(reviewer), body="x", question_id="nowhere.question")
    key = api_token(org, admin)  # a preparer's token, as a program writes it
    through_api = call(
        client,
        "post",
        reverse("api_comments", args=[draft.pk]),
        key,
        {"body": "It is in the appendix.", "question_id": "coppa.security_program"},
    )
    assert through_api.status_code == 201
    assert draft.comments.filter(question_id="coppa.security_program").count() == 2
    client.force_login(preparer)  # the organization reads it linked to the law's page
    overview = client.get(reverse("assessment", args=[draft.pk]))
    law_page = reverse("regime_questions", args=[draft.pk, "us-coppa"])
    assert f'href="{law_page}#q-coppa-security_program"' in overview.text
