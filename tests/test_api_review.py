"""A reviewer's token does what the review page does: start the review, judge each answer
and each item of evidence with its note, accept the rest, assign, read the audit trail and
send the assessment back with a note per question; an organization's token does none of it."""

import pytest
from django.urls import reverse

from assessments.models import Comment, Evidence, Status
from tests.test_api import call, reviewer_token, token


@pytest.fixture
def reviewer_key(reviewer):
    return reviewer_token(reviewer)


def test_a_reviewer_token_judges_answers_and_evidence_and_sends_back_with_notes(
    client, signed, reviewer, reviewer_key
):
    assessment = signed.assessment
    key = reviewer_key
    item = Evidence.objects.filter(assessment=assessment).first()

    started = call(client, "post", reverse("api_start_review", args=[assessment.pk]), key)
    no_note = call(
        client,
        "put",
        reverse("api_question_verdict", args=[assessment.pk, "age.method"]),
        key,
        {"verdict": "needs_change"},
    )
    judged = call(
        client,
        "put",
        reverse("api_question_verdict", args=[assessment.pk, "age.method"]),
        key,
        {"verdict": "needs_change", "note": "Self-declaration is not age assurance."},
    )
    unknown = call(
        client,
        "put",
        reverse("api_question_verdict", args=[assessment.pk, "no.such"]),
        key,
        {"verdict": "accepted"},
    )
    rejected_bare = call(
        client, "post", reverse("api_evidence_verdict", args=[item.pk]), key, {"accepted": False}
    )
    rejected = call(
        client,
        "post",
        reverse("api_evidence_verdict", args=[item.pk]),
        key,
        {"accepted": False, "reason": "An empty template, not the policy."},
    )
    assigned = call(
        client,
        "post",
        reverse("api_assign", args=[assessment.pk]),
        key,
        {"reviewer": reviewer.email},
    )
    sent_back = call(
        client,
        "post",
        reverse("api_decide", args=[assessment.pk]),
        key,
        {
            "outcome": "request_changes",
            "rationale": "See the notes on each question.",
            "question_notes": {"moderation.evidence": "Attach the real policy."},
        },
    )
    trail = call(client, "get", reverse("api_audit_trail", args=[assessment.pk]), key)

    assert started.status_code == 200 and started.json()["status"] == Status.IN_REVIEW
    assert (
        no_note.status_code == 400
        and "Say what needs to change" in no_note.json()["error"]["message"]
    )
    assert judged.status_code == 200 and judged.json()["verdict"] == "needs_change"
    assert unknown.status_code == 400
    assert rejected_bare.status_code == 400
    assert rejected.status_code == 200 and rejected.json()["accepted"] is False
    assert assigned.status_code == 200
    assert sent_back.status_code == 200 and sent_back.json()["status"] == Status.CHANGES_REQUESTED
    notes = dict(
        Comment.objects.filter(assessment=assessment, requests_change=True).values_list(
            "question_id", "body"
        )
    )
    assert notes["age.method"] == "Self-declaration is not age assurance."
    assert notes["moderation.evidence"] == "Attach the real policy."
    actions = [row["action"] for row in trail.json()["results"]]
    assert trail.status_code == 200 and "changes_requested" in actions


def test_a_reviewer_token_accepts_the_rest_with_one_note(client, signed, reviewer_key):
    assessment = signed.assessment
    bare = call(client, "post", reverse("api_accept_rest", args=[assessment.pk]), reviewer_key, {})
    accepted = call(
        client,
        "post",
        reverse("api_accept_rest", args=[assessment.pk]),
        reviewer_key,
        {"note": "Checked against the evidence given."},
    )

    assert bare.status_code == 400
    assert accepted.status_code == 200 and accepted.json()["accepted"] > 0


def test_an_organization_token_cannot_judge_its_own_answers(client, org, admin, signed):
    key = token(org, admin)
    assessment = signed.assessment

    verdict = call(
        client,
        "put",
        reverse("api_question_verdict", args=[assessment.pk, "age.method"]),
        key,
        {"verdict": "accepted"},
    )
    start = call(client, "post", reverse("api_start_review", args=[assessment.pk]), key)
    trail = call(client, "get", reverse("api_audit_trail", args=[assessment.pk]), key)

    assert (verdict.status_code, start.status_code) == (403, 403)
    assert trail.status_code == 403 and trail.json()["error"]["code"] == "permission_denied"
    assert Status(signed.assessment.status) == Status.SUBMITTED


def test_a_reviewer_token_sends_back_with_a_note_on_a_laws_question_and_nowhere_else(
    client, org, preparer, signatory, reviewer, reviewer_key
):
    """A note may be left on any question the assessment asks, a law's included, as the
    review page leaves them; one on a question it does not ask is refused, nothing sent."""
    from tests.test_regimes import in_review_with_laws

    draft = in_review_with_laws(org, preparer, signatory, reviewer)
    url = reverse("api_decide", args=[draft.pk])
    decision = {"outcome": "request_changes", "rationale": "See the notes."}

    nowhere = call(
        client, "post", url, reviewer_key, decision | {"question_notes": {"no.such": "Fix it."}}
    )
    draft.refresh_from_db()
    assert nowhere.status_code == 400 and draft.status == Status.IN_REVIEW
    assert "This assessment asks no question no.such." in nowhere.json()["error"]["message"]

    law = {"coppa.security_program": "Send us the security programme."}
    sent = call(client, "post", url, reviewer_key, decision | {"question_notes": law})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == Status.CHANGES_REQUESTED
    assert Comment.objects.get(requests_change=True).question_id == "coppa.security_program"


def test_nobody_assigns_an_assessment_to_a_reviewer_who_has_left(
    client, signed, reviewer, reviewer_key
):
    """The page offers only active reviewers; the service refuses the others, so a token
    cannot give the work to someone who will never see it."""
    from tests.factories import UserFactory

    gone = UserFactory(is_reviewer=True, is_active=False, full_name="Gone Reviewer")
    url = reverse("api_assign", args=[signed.assessment_id])

    refused = call(client, "post", url, reviewer_key, {"reviewer": gone.email})
    signed.assessment.refresh_from_db()

    assert refused.status_code == 400
    assert "no longer a reviewer here" in refused.json()["error"]["message"]
    assert signed.assessment.assigned_reviewer is None
    kept = call(client, "post", url, reviewer_key, {"reviewer": reviewer.email})
    assert kept.status_code == 200
