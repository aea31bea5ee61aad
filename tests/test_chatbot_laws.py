"""The laws written for AI chatbots and children since 2024 (the EU AI Act, the UK Online
Safety Act with Ofcom's children's codes, the US state companion-chatbot laws), as an
organization meets them: each applies for its reasons, asks who it covers where the scope
answers cannot say, and cites the article or section it asks about."""

import html

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.forms.questionnaire import field_name
from questionnaires import regimes
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.regimes import Reach
from questionnaires.scoring import Response, score

REGIMES = regimes.catalogue()
CORE = parse(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
MINORS_IN_US = {
    "scope.access": Response(value="direct"),
    "scope.age_bands": Response(value=["age_13_15"]),
    "scope.jurisdictions": Response(value=["us"]),
}


def draft_answering(org, preparer, given: dict):
    """A draft of questionnaire 3 with these answers saved."""
    version = publish(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    inputs = [answers.AnswerInput(k, v) for k, v in given.items()]
    answers.save_answers(draft, inputs, actor=Actor(preparer))
    return draft


def reach(slug: str, given: dict) -> Reach:
    return regimes.reach(REGIMES[slug], CORE, given)


def test_a_law_the_scope_cannot_decide_stays_until_its_own_questions_say_who_it_covers():
    companion = {"companion.is_companion": Response(value="yes")}
    not_companion = {"companion.is_companion": Response(value="no")}
    california = {"companion.states": Response(value=["california"])}
    elsewhere = {"companion.states": Response(value=["elsewhere"])}

    assert reach("us-companion-chatbots", MINORS_IN_US) == Reach.UNDECIDED
    assert reach("us-companion-chatbots", MINORS_IN_US | companion) == Reach.UNDECIDED
    assert reach("us-companion-chatbots", MINORS_IN_US | companion | california) == Reach.APPLIES
    assert reach("us-companion-chatbots", MINORS_IN_US | companion | elsewhere) == (
        Reach.NOT_COVERED
    )
    assert reach("us-companion-chatbots", MINORS_IN_US | not_companion | california) == (
        Reach.NOT_COVERED
    )
    # "Not a companion" decides it before the states are answered.
    assert reach("us-companion-chatbots", MINORS_IN_US | not_companion) == Reach.NOT_COVERED
    assert reach("us-companion-chatbots", MINORS_IN_US | elsewhere) == Reach.NOT_COVERED
    adults_only = MINORS_IN_US | {"scope.age_bands": Response(value=["adults"])}
    assert reach("us-companion-chatbots", adults_only | companion | california) == (
        Reach.NOT_CALLED
    )
    assert REGIMES["us-companion-chatbots"] not in regimes.called_for(
        CORE, MINORS_IN_US | not_companion | california
    )


def test_a_chatbot_where_each_user_talks_only_with_the_ai_is_not_covered_by_the_uk_act():
    uk_children = MINORS_IN_US | {"scope.jurisdictions": Response(value=["uk"])}

    assert reach("uk-osa-children", uk_children) == Reach.UNDECIDED
    only_ai = uk_children | {"osa.service": Response(value=["neither"])}
    assert reach("uk-osa-children", only_ai) == Reach.NOT_COVERED
    shared = uk_children | {"osa.service": Response(value=["user_to_user"])}
    assert reach("uk-osa-children", shared) == Reach.APPLIES
    searching = uk_children | {"osa.service": Response(value=["search"])}
    assert reach("uk-osa-children", searching) == Reach.APPLIES


def test_californias_own_duties_are_asked_only_when_users_in_california_reach_it():
    companion = REGIMES["us-companion-chatbots"]
    given = MINORS_IN_US | {"companion.is_companion": Response(value="yes")}

    def asked(states):
        responses = given | {"companion.states": Response(value=states)}
        outcome = regimes.result_for(companion, score(CORE, responses), responses)
        return set(outcome.result.by_question)

    california_only = {
        "companion.suitability_notice",
        "companion.protocol_published",
        "companion.referral_records",
        "companion.minor_sexual_content",
    }
    assert california_only <= asked(["california"])
    assert not california_only & asked(["new_york"])
    # Both states' shared duties are asked either way.
    assert {"companion.crisis_protocol", "companion.three_hour_reminder"} <= asked(["new_york"])


def test_the_ai_acts_transparency_duty_is_asked_of_the_provider_not_of_a_deployer():
    ai_act = REGIMES["eu-ai-act"]
    eu = MINORS_IN_US | {"scope.jurisdictions": Response(value=["eu_eea"])}

    def asked(role):
        responses = eu | {"euai.role": Response(value=role)}
        return set(regimes.result_for(ai_act, score(CORE, responses), responses).result.by_question)

    assert "euai.ai_disclosure" in asked("provider")
    assert "euai.ai_disclosure" not in asked("deployer")
    assert "euai.no_age_exploitation" in asked("deployer")  # Article 5 binds every operator


def test_a_notice_at_the_start_answers_the_ai_acts_disclosure_and_nothing_weaker_does():
    ai_act = REGIMES["eu-ai-act"]
    base = MINORS_IN_US | {
        "scope.jurisdictions": Response(value=["eu_eea"]),
        "euai.role": Response(value="provider"),
    }

    def carried(how):
        responses = base | {"disclosure.how": Response(value=how)}
        outcome = regimes.result_for(ai_act, score(CORE, responses), responses)
        carried = outcome.result.by_question["euai.ai_disclosure"]
        return carried.claimed.value, set(outcome.through)

    assert carried("at_start") == ("met", {"euai.ai_disclosure"})
    assert carried("terms_only")[1] == set()  # a line in the terms says nothing here
    assert regimes.check_crosswalk(ai_act, CORE) == []


@pytest.mark.parametrize(
    ("slug", "sections"),
    [
        ("eu-ai-act", {"Article 50(1)", "Article 50(5)", "Article 5(1)(b)", "Article 5(1)(f)"}),
        (
            "uk-osa-children",
            {
                "s. 9 (s. 26 for search services)",
                "s. 11 (s. 28 for search services)",
                "s. 12",
                "s. 20",
                "s. 21",
                "s. 23",
            },
        ),
        (
            "us-companion-chatbots",
            {
                "§ 22602(a) and (c)(1)",
                "§ 22602(b)(1)",
                "§ 22602(b)(2)",
                "§ 22602(c)(2)",
                "§ 22602(c)(3)",
                "§ 22604",
                "§ 1701",
                "§ 1702",
            },
        ),
    ],
)
def test_each_add_on_cites_the_provisions_it_asks_about(slug, sections):
    cited = {c.section for q in REGIMES[slug].framework.questions.values() for c in q.citations}
    assert sections <= cited
    unchecked = [
        c
        for q in REGIMES[slug].framework.questions.values()
        for c in q.citations
        if c.needs_legal_review
    ]
    assert unchecked  # wording not checked here is said to be so


def test_an_organization_with_eu_uk_and_california_users_gets_each_law_with_its_reasons(
    client, org, preparer
):
    draft = draft_answering(
        org,
        preparer,
        {
            "scope.access": "direct",
            "scope.age_bands": ["age_13_15", "age_16_17"],
            "scope.jurisdictions": ["us", "eu_eea", "uk"],
            "scope.eu_online_platform": "no",
        },
    )
    client.force_login(preparer)

    first = client.get(reverse("assessment", args=[draft.pk]))
    assert [o.regime.slug for o in first.context["regime_results"]] == [
        "eu-ai-act",
        "uk-aadc",
        "uk-osa-children",
        "us-companion-chatbots",
    ]
    assert "depends on the questions on who it covers" in html.unescape(first.text)

    answers.save_answers(
        draft,
        [
            answers.AnswerInput("companion.is_companion", "yes"),
            answers.AnswerInput("companion.states", ["california"]),
            answers.AnswerInput("osa.service", ["neither"]),
        ],
        actor=Actor(preparer),
    )
    page = client.get(reverse("assessment", args=[draft.pk]))
    text = html.unescape(page.text)
    why = {o.regime.slug: o.why for o in page.context["regime_results"]}

    assert list(why) == ["eu-ai-act", "uk-aadc", "us-companion-chatbots"]
    assert "since 2 August 2026" in why["eu-ai-act"]
    assert "users in California or New York can reach it" in why["us-companion-chatbots"]
    assert why["eu-ai-act"] in text and why["us-companion-chatbots"] in text
    # The UK Act leaves, and the overview says why, from the organization's own answer.
    why_not = dict((r.slug, standing) for r, standing in page.context["other_regimes"])
    assert why_not["uk-osa-children"].startswith(
        "Your answers on who this law covers say it does not cover the product: a chatbot "
        "where each user talks only with the AI"
    )
    assert why_not["uk-osa-children"] in text
    assert "Your scope answers do not call for this law." in text  # Article 28 of the DSA


def test_the_laws_page_asks_who_it_covers_first_and_only_what_applies_to_the_answers(
    client, org, preparer
):
    draft = draft_answering(
        org,
        preparer,
        {
            "scope.access": "direct",
            "scope.age_bands": ["age_13_15"],
            "scope.jurisdictions": ["us"],
            "companion.is_companion": "yes",
            "companion.states": ["new_york"],
        },
    )
    client.force_login(preparer)
    url = reverse("regime_questions", args=[draft.pk, "us-companion-chatbots"])

    page = client.get(url)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert text.index("Who these laws cover") < text.index("Telling users it is not human")
    assert f'name="{field_name("companion.crisis_protocol")}"' in page.text
    assert field_name("companion.suitability_notice") not in text  # California's own duty
    assert "Users you know are minors" not in text

    answers.save_answers(
        draft,
        [answers.AnswerInput("companion.states", ["new_york", "california"], base_revision=1)],
        actor=Actor(preparer),
    )
    text = html.unescape(client.get(url).text)
    assert field_name("companion.suitability_notice") in text
    assert "Users you know are minors" in text
