"""The reviewer's work is the gate: no approval without a verdict on every critical claim and
the evidence behind it, a confirmation, and a second reviewer where the figure is high risk.
Tried as a hurried reviewer would, through the review page."""

import re

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import approval, workflow
from assessments.demo import answer_everything
from assessments.models import (
    ApprovalProposal,
    AuditAction,
    AuditEvent,
    Decision,
    EvidenceVerdict,
    QuestionVerdict,
    Status,
)
from tests.conftest import sign_now, with_authenticator
from tests.factories import UserFactory

APPROVE = {"outcome": "approve", "rationale": "Evidenced.", "confirm": "on"}


def signed_as(draft, quality, preparer, signatory):
    answer_everything(draft, actor=Actor(preparer), quality=quality)
    workflow.submit(draft, actor=Actor(preparer))
    sign_now(draft, signatory)
    return draft


@pytest.fixture
def strong(v2_draft, preparer, signatory):
    """A diligent organization's assessment of questionnaire 2, signed: the best answer
    everywhere, a file on every evidence question."""
    return signed_as(v2_draft, "strong", preparer, signatory)


def decide(client, assessment, data=APPROVE):
    return client.post(reverse("decide", args=[assessment.pk]), data, follow=True)


def accept_rest(client, assessment, note="Read every file against its claim."):
    return client.post(reverse("accept_rest", args=[assessment.pk]), {"note": note}, follow=True)


def actions(assessment):
    return list(
        AuditEvent.objects.filter(assessment_id=assessment.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_one_click_approval_over_evidence_nobody_judged_is_refused(client, signed, reviewer):
    client.force_login(reviewer)

    page = decide(client, signed.assessment)

    assert page.status_code == 200
    assert "Before approving, give a verdict on" in page.text
    signed.assessment.refresh_from_db()
    assert signed.assessment.status == Status.SUBMITTED
    assert not Decision.objects.exists()


def test_the_review_page_lists_what_is_still_unjudged(client, signed, reviewer):
    client.force_login(reviewer)
    checked = approval.check(signed.assessment)

    page = client.get(reverse("review_assessment", args=[signed.assessment.pk]))

    assert checked.outstanding > 0
    assert "Still unjudged before an approval" in page.text
    assert f"{len(checked.unjudged_answers)} critical or scope answer" in page.text
    # Before any verdict the verified figure is not zero: it says what it counts.
    assert (
        "verified so far: a claim counts in full once a reviewer accepted it and its evidence, "
        "half while either waits for a verdict, nothing when turned down"
    ) in page.text


def test_the_first_verdict_starts_the_review(client, signed, reviewer):
    client.force_login(reviewer)

    client.post(
        reverse("question_verdict", args=[signed.assessment.pk, "age.method"]),
        {"verdict": "accepted", "note": ""},
    )

    signed.assessment.refresh_from_db()
    assert signed.assessment.status == Status.IN_REVIEW
    assert actions(signed.assessment)[-2:] == [
        AuditAction.REVIEW_STARTED,
        AuditAction.QUESTION_VERDICT_RECORDED,
    ]


def test_accepting_the_rest_is_one_verdict_per_claim_on_the_trail(client, strong, reviewer):
    client.force_login(reviewer)

    accept_rest(client, strong)

    verdicts = QuestionVerdict.objects.count() + EvidenceVerdict.objects.count()
    trail = actions(strong)
    recorded = trail.count(AuditAction.QUESTION_VERDICT_RECORDED) + trail.count(
        AuditAction.EVIDENCE_VERDICT_RECORDED
    )
    assert verdicts > 20 and recorded == verdicts
    assert set(QuestionVerdict.objects.values_list("note", flat=True)) == {
        "Read every file against its claim."
    }
    assert approval.check(strong).outstanding == 0


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("   ", "Write the note to keep with each verdict, in at most 5,000 characters."),
        ("x" * 5001, "Write the note to keep with each verdict, in at most 5,000 characters."),
    ],
)
def test_accepting_the_rest_without_a_fit_note_says_why_and_judges_nothing(
    client, strong, reviewer, note, said
):
    client.force_login(reviewer)

    page = accept_rest(client, strong, note=note)

    assert page.redirect_chain == [(reverse("review_assessment", args=[strong.pk]), 302)]
    assert said in [str(m) for m in page.context["messages"]]
    assert QuestionVerdict.objects.count() + EvidenceVerdict.objects.count() == 0


@pytest.mark.parametrize("message", ["", "x" * 5001])
def test_a_change_request_without_a_fit_message_says_why_and_leaves_the_status(
    client, strong, reviewer, message
):
    client.force_login(reviewer)

    page = client.post(
        reverse("request_changes", args=[strong.pk]), {"message": message}, follow=True
    )

    assert page.redirect_chain == [(reverse("review_assessment", args=[strong.pk]), 302)]
    assert "Write what should change, in at most 5,000 characters." in [
        str(m) for m in page.context["messages"]
    ]
    strong.refresh_from_db()
    assert strong.status == Status.SUBMITTED


def test_an_approval_asks_to_confirm_and_records_the_verified_figure(client, strong, reviewer):
    client.force_login(reviewer)
    accept_rest(client, strong)

    unconfirmed = decide(client, strong, {"outcome": "approve", "rationale": "Evidenced."})
    strong.refresh_from_db()
    assert "Tick the box to confirm the approval." in unconfirmed.text
    assert strong.status == Status.IN_REVIEW

    decide(client, strong)

    strong.refresh_from_db()
    decision = Decision.objects.get()
    assert strong.status == Status.APPROVED
    assert (decision.verified_score, decision.verified_risk_tier) == (100, "low")
    assert decision.proposed_by is None


def test_a_high_risk_approval_needs_a_second_reviewer(client, signed, reviewer):
    assessment = signed.assessment
    client.force_login(reviewer)
    accept_rest(client, assessment)
    assert approval.check(assessment).result.verified_tier == "high"

    proposed = decide(client, assessment)
    again = decide(client, assessment)

    assessment.refresh_from_db()
    assert "a second reviewer must approve it before it counts" in proposed.text
    assert "You proposed this approval: a second reviewer must approve it." in again.text
    assert assessment.status == Status.IN_REVIEW
    assert AuditAction.APPROVAL_PROPOSED in actions(assessment)
    assert not Decision.objects.exists()

    second = with_authenticator(UserFactory(is_reviewer=True, full_name="Sam Second"))
    client.force_login(second)
    decide(client, assessment)

    assessment.refresh_from_db()
    decision = Decision.objects.get()
    assert assessment.status == Status.APPROVED
    assert (decision.reviewer, decision.proposed_by) == (second, reviewer)
    assert decision.verified_risk_tier == "high"
    assert ApprovalProposal.objects.get().reviewer == reviewer


def test_evidence_is_judged_beside_the_claim_it_backs(client, strong, reviewer):
    client.force_login(reviewer)
    framework = strong.framework_version.framework
    claim = framework.questions["moderation.inputs"]

    page = client.get(reverse("review_assessment", args=[strong.pk]), {"section": "all"})

    rows = {row["id"]: row for _, rows in page.context["shown"] for row in rows}
    assert not set(claim.evidenced_by) & set(rows)  # no separate "evidence of" item
    assert rows[claim.id]["backing"]
    assert "Evidence behind this claim" in page.text


def test_every_control_beside_a_claim_posts_through_a_form_on_the_page(client, strong, reviewer):
    """The controls of a drawn row (verdict, note, each item's reason and buttons, the
    comment box) belong to forms drawn outside it: each must name one the page has, the
    reason beside an item behind a claim included."""
    client.force_login(reviewer)
    page = client.get(reverse("review_assessment", args=[strong.pk]), {"section": "all"}).text
    forms = set(re.findall(r'<form id="([^"]+)"', page))
    named = re.findall(r'<(?:input|select|textarea|button)\b[^>]*\bform="([^"]+)"', page)
    reasons = re.findall(r'<input\b[^>]*\bname="reason"[^>]*\bform="([^"]+)"', page)
    assert "Evidence behind this claim" in page and len(reasons) > 5 and len(named) > 100
    assert set(named) <= forms


def test_evidence_behind_a_claim_the_reviewer_accepted_still_needs_its_own_verdict(
    strong, reviewer
):
    attestation = strong.attestations.get()
    for r in approval.check(strong).rest_answers:  # every answer accepted, no file opened
        QuestionVerdict.objects.create(
            attestation=attestation,
            question_id=r.question.id,
            verdict="accepted",
            reviewer=reviewer,
        )

    after = approval.check(strong)

    assert not after.unjudged_answers
    assert after.unjudged_evidence and after.outstanding == len(after.unjudged_evidence)


def test_scope_answers_are_judged_like_claims(client, strong, reviewer):
    framework = strong.framework_version.framework
    checked = approval.check(strong)
    client.force_login(reviewer)

    page = client.get(reverse("review_assessment", args=[strong.pk]))

    assert "scope.access" in framework.deciding
    assert {"scope.access", "scope.age_bands"} <= {r.question.id for r in checked.unjudged_answers}
    assert checked.result.hidden > 0
    assert f"The scope answers hide {checked.result.hidden} of" in page.text
