"""Questionnaire 3.0: citations as strong as their text, and scope that asks what applies.
Walked as the organizations in issue 34 would walk it, with the portal's own condition code."""

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.carryover import question_changes
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.frameworks.schema import Strength
from questionnaires.scoring import Response, score, visible_question_ids

V2 = parse(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
V3 = parse(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]


def shown(**answers) -> set[str]:
    return visible_question_ids(V3, {f"scope.{k}": Response(value=v) for k, v in answers.items()})


def test_a_product_only_teachers_use_is_still_asked_what_the_usage_policy_asks_of_everyone():
    teachers_only = shown(access="indirect", features=["text_chat"], age_bands=["age_13_15"])
    notice = score(V3, {"scope.access": Response(value="indirect")}).notices[0]

    asked = {
        "disclosure.how",
        "disclosure.no_human_persona",
        "moderation.jailbreak",
        "moderation.csam_reporting",
        "prohibited.terms",
    }
    assert asked <= teachers_only
    assert not {"design.no_exploitation", "moderation.inputs", "age.method"} & teachers_only
    assert "still asked" in notice and "told they are talking to an AI" in notice


@pytest.mark.parametrize(
    "question_id",
    [
        "moderation.images",
        "moderation.csam_reporting",
        "moderation.preservation",
        "moderation.jailbreak",
        "contact.private_defaults",
        "contact.grooming_detection",
        "reporting.urgent_response",
        "training.clean_data",
    ],
)
def test_no_must_is_pinned_on_a_usage_policy_clause_that_does_not_require_it(question_id):
    citations = V3.questions[question_id].citations

    assert not [c for c in citations if c.source == "usage_policy" and c.strength == Strength.MUST]
    assert citations  # still cited, by what does ask for it


def test_no_text_requires_a_yearly_legal_review_and_age_checks_are_an_example():
    review = V3.questions["legal.review"]

    assert {c.strength for c in review.citations} == {Strength.GOOD_PRACTICE}
    assert not review.critical and not V3.questions["age.method"].critical


def test_the_childrens_privacy_notice_follows_ages_and_places_not_a_ticked_law():
    assert "legal.children_privacy_notice" in shown(
        access="direct", age_bands=["under_13"], jurisdictions=["us"]
    )
    assert "legal.children_privacy_notice" not in shown(
        access="direct", age_bands=["age_13_15"], jurisdictions=["us"]
    )
    assert "age.data_retention" in shown(
        access="direct", age_bands=["age_16_17"], jurisdictions=["uk"]
    )


def test_moving_to_3_0_reopens_exactly_the_questions_whose_words_citations_or_scope_changed():
    changes = question_changes(V2, V3)

    assert "privacy.location" in changes["changed"]  # no double negative any more
    assert "disclosure.how" in changes["changed"]  # asked of every product now
    assert "legal.review" in changes["changed"]  # its strength is honest now
    assert "moderation.inputs" in changes["unchanged"]  # scope moved to the question: same
    assert not changes["removed"]


def test_the_overview_says_why_a_law_does_not_apply(client, org, preparer):
    version = publish(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    given = {"scope.age_bands": ["age_16_17"], "scope.jurisdictions": ["eu_eea"]}
    given |= {"scope.eu_online_platform": "yes", "scope.eu_small_enterprise": "yes"}
    answers.save_answers(
        draft, [answers.AnswerInput(k, v) for k, v in given.items()], actor=Actor(preparer)
    )
    client.force_login(preparer)

    page = client.get(reverse("assessment", args=[draft.pk]))

    # The AI Act reaches any product used by minors in the EU; Article 28 of the DSA does not
    # bind a small enterprise, and the overview says so.
    assert [o.regime.slug for o in page.context["regime_results"]] == ["eu-ai-act"]
    assert "unless the provider is a micro or small enterprise" in page.text


def test_every_critical_question_says_why_it_is_critical():
    critical = [q for q in V3.questions.values() if q.critical]

    assert len(critical) > 15
    assert [q.id for q in critical if "Critical because" not in (q.help or "")] == []


def test_uk_teenagers_are_asked_about_privacy_information_written_for_them():
    uk_teens = shown(access="direct", age_bands=["age_13_15"], jurisdictions=["uk"])

    assert {"legal.children_privacy_notice", "age.data_retention"} <= uk_teens
