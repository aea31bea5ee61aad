"""The laws an assessment answers, through the API as on a law's page: which apply and why,
answering a law's question, adding or removing a law with a reason; for the organization's
own tokens only, and never once the answers are locked."""

from django.urls import reverse

from assessments.models import Answer, AuditAction, AuditEvent, Role, Status, TokenRole
from tests.factories import OrganizationFactory, member
from tests.test_api import call, token


def by_slug(response) -> dict:
    return {regime["slug"]: regime for regime in response.json()}


def test_a_preparer_token_reads_which_laws_apply_and_answers_one(client, org, admin, v2_draft):
    key = token(org, admin)
    listing = reverse("api_regimes", args=[v2_draft.pk])

    before = by_slug(call(client, "get", listing, key))
    saved = call(
        client,
        "put",
        reverse("api_answer", args=[v2_draft.pk, "coppa.security_program"]),
        key,
        {"value": "yes", "base_revision": 0},
    )
    core = call(
        client,
        "put",
        reverse("api_answer", args=[v2_draft.pk, "legal.impact_assessment"]),
        key,
        {"value": "yes", "base_revision": 0},
    )
    after = by_slug(call(client, "get", listing, key))

    assert {slug for slug, r in before.items() if r["applies"]} == {
        "us-coppa",
        "uk-aadc",
        "uk-osa-children",
        "us-companion-chatbots",
    }
    assert "depends on the questions on who it covers" in before["uk-osa-children"]["standing"]
    assert before["eu-dsa-minors"]["applies"] is False
    assert "do not call for this law" in before["eu-dsa-minors"]["standing"]
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    assert core.status_code == 200
    assert not [q for q in before["uk-aadc"]["questions"] if q["answered_through"]]
    through = [q for q in after["uk-aadc"]["questions"] if q["answered_through"]]
    assert [q["answered_through"] for q in through] == ["legal.impact_assessment"]
    coppa = {q["id"]: q for q in after["us-coppa"]["questions"]}
    assert coppa["coppa.security_program"]["status"] == "met"
    assert "coppa.security_program" not in after["us-coppa"]["missing_required"]
    assert AuditEvent.objects.filter(
        assessment_id=v2_draft.pk,
        action=AuditAction.ANSWER_SAVED,
        details__question_id="coppa.security_program",
    ).exists()


def test_an_administrator_token_adds_and_removes_a_law_with_a_reason(client, org, admin, v2_draft):
    key = token(org, admin, TokenRole.ADMIN)
    choice = lambda slug: reverse("api_regime_choice", args=[v2_draft.pk, slug])  # noqa: E731

    blank = call(client, "post", choice("us-coppa"), key, {"included": False, "reason": " "})
    removed = call(
        client,
        "post",
        choice("us-coppa"),
        key,
        {"included": False, "reason": "Our US service is for schools only; counsel confirmed."},
    )
    added = call(
        client,
        "post",
        choice("eu-dsa-minors"),
        key,
        {"included": True, "reason": "We open in Ireland next term."},
    )
    unknown = call(client, "post", choice("nowhere"), key, {"included": True, "reason": "x"})

    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    assert removed.status_code == 200
    assert removed.json()["applies"] is False
    assert removed.json()["choice"]["reason"].startswith("Our US service")
    assert removed.json()["standing"].startswith("Removed by")
    assert added.status_code == 200 and added.json()["applies"] is True
    assert unknown.status_code == 404
    assert list(
        AuditEvent.objects.filter(
            assessment_id=v2_draft.pk,
            action__in=[AuditAction.REGIME_ADDED, AuditAction.REGIME_REMOVED],
        )
        .order_by("id")
        .values_list("action", "details__regime")
    ) == [(AuditAction.REGIME_REMOVED, "us-coppa"), (AuditAction.REGIME_ADDED, "eu-dsa-minors")]


def test_outsiders_read_only_tokens_and_locked_answers_are_refused(client, org, admin, v2_draft):
    outsider_org = OrganizationFactory(legal_name="Elsewhere Tutors Inc.")
    outsider = token(outsider_org, member(outsider_org, Role.ADMIN))
    read_only = token(org, admin, TokenRole.SIGNATORY)
    preparer = token(org, admin)
    choice = reverse("api_regime_choice", args=[v2_draft.pk, "us-coppa"])
    body = {"included": False, "reason": "Schools only."}
    answer = reverse("api_answer", args=[v2_draft.pk, "coppa.security_program"])

    assert (
        call(client, "get", reverse("api_regimes", args=[v2_draft.pk]), outsider).status_code == 404
    )
    assert call(client, "post", choice, outsider, body).status_code == 404
    assert call(client, "post", choice, read_only, body).status_code == 403
    v2_draft.status = Status.SUBMITTED
    v2_draft.save(update_fields=["status"])
    locked_choice = call(client, "post", choice, preparer, body)
    locked_answer = call(client, "put", answer, preparer, {"value": "yes", "base_revision": 0})

    assert locked_choice.status_code == 409 and locked_answer.status_code == 409
    assert not v2_draft.regime_choices.exists()
    assert not Answer.objects.filter(assessment=v2_draft, question_id__startswith="coppa.").exists()
