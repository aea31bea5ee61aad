"""The reviewer works through the answers on one screen: a verdict per question with its own
note, evidence accepted or rejected with a reason, filters to get through 57 questions; the
organization reads each note where it applies."""

import html
import re

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import workflow
from assessments.models import AuditEvent, Comment, QuestionVerdict, Status


@pytest.fixture
def reviewing(client, signed, reviewer):
    client.force_login(reviewer)
    return signed.assessment


def verdict(client, assessment, question_id, value, note=""):
    return client.post(
        reverse("question_verdict", args=[assessment.pk, question_id]),
        {"verdict": value, "note": note},
        follow=True,
    )


def test_each_question_sent_back_carries_its_own_note(client, reviewing, preparer):
    verdict(client, reviewing, "age.method", "needs_change", "Self-declaration is not enough.")
    verdict(client, reviewing, "moderation.inputs", "needs_change", "Filter inputs as well.")
    verdict(client, reviewing, "scope.product", "accepted")
    client.post(
        reverse("request_changes", args=[reviewing.pk]), {"message": "Two safeguards are weak."}
    )
    reviewing.refresh_from_db()
    assert reviewing.status == Status.CHANGES_REQUESTED
    notes = dict(Comment.objects.filter(requests_change=True).values_list("question_id", "body"))
    assert notes == {
        "age.method": "Self-declaration is not enough.",
        "moderation.inputs": "Filter inputs as well.",
    }
    client.force_login(preparer)
    page = client.get(reverse("section", args=[reviewing.pk, "age_assurance"]))
    assert "Self-declaration is not enough." in page.text
    assert "Filter inputs as well." not in page.text  # that one is on its own question


def test_needs_change_without_a_note_is_refused(client, reviewing):
    page = verdict(client, reviewing, "age.method", "needs_change", "  ")
    assert "Say what needs to change" in page.text
    assert not QuestionVerdict.objects.exists()


def test_a_changed_mind_is_recorded_not_rewritten(client, reviewing):
    verdict(client, reviewing, "age.method", "needs_change", "Weak.")
    page = verdict(client, reviewing, "age.method", "accepted", "Fine after the call.")
    assert list(QuestionVerdict.objects.values_list("verdict", flat=True)) == [
        "needs_change",
        "accepted",
    ]
    assert AuditEvent.objects.filter(action="question_verdict_recorded").count() == 2
    # Back on the review page, at the section of the question just decided.
    assert page.redirect_chain[-1][0].endswith("?section=age_assurance#q-age-method")
    rows = {row["id"]: row for _, rows in page.context["shown"] for row in rows}
    assert rows["age.method"]["verdict"].verdict == "accepted"


def test_rejected_evidence_and_its_reason_reach_the_preparer(client, reviewing, preparer):
    item = reviewing.evidence.first()
    refused = client.post(
        reverse("evidence_verdict", args=[item.pk]), {"accepted": "no", "reason": ""}, follow=True
    )
    assert "Say why the evidence is rejected" in refused.text
    client.post(
        reverse("evidence_verdict", args=[item.pk]),
        {"accepted": "no", "reason": "This is a README, not a moderation policy."},
    )
    client.post(reverse("request_changes", args=[reviewing.pk]), {"message": "See evidence."})
    client.force_login(preparer)
    section = reviewing.framework_version.framework.section_of(item.question_id).id
    page = client.get(reverse("section", args=[reviewing.pk, section]))
    assert "Rejected by the reviewer" in page.text
    assert "This is a README, not a moderation policy." in page.text


def test_verdicts_are_recorded_only_while_a_decision_is_pending(client, reviewing, reviewer):
    workflow.reject(reviewing, actor=Actor(reviewer), rationale="Not evidenced.")
    page = verdict(client, reviewing, "age.method", "accepted")
    assert "verdicts are recorded while it awaits the platform" in page.text
    assert not QuestionVerdict.objects.exists()


def test_filters_keep_the_questions_asked_for(client, reviewing):
    everything = client.get(reverse("review_assessment", args=[reviewing.pk]), {"section": "all"})
    total = sum(len(rows) for _, rows in everything.context["shown"])
    gaps = client.get(reverse("review_assessment", args=[reviewing.pk]), {"show": "gaps"})
    statuses = {r["result"].status for _, rows in gaps.context["shown"] for r in rows}
    assert statuses <= {"not_met", "partial", "unanswered"}
    assert 0 < sum(len(rows) for _, rows in gaps.context["shown"]) < total
    verdict(client, reviewing, "scope.product", "accepted")
    pending = client.get(reverse("review_assessment", args=[reviewing.pk]), {"show": "pending"})
    ids = {r["id"] for _, rows in pending.context["shown"] for r in rows}
    assert "scope.product" not in ids
    assert len(ids) == total - 1


def menu(page, question_id: str) -> tuple[str, str]:
    """The verdict menu's chosen option and the note field's value for one question."""
    dom = question_id.replace(".", "-")
    select = re.search(rf'<select[^>]*id="verdict-q-{dom}"[^>]*>(.*?)</select>', page.text, re.S)
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1)).group(1)
    field = re.search(rf'<input[^>]*id="note-q-{dom}"[^>]*>', page.text).group(0)
    note = re.search(r'value="([^"]*)"', field)
    return chosen, html.unescape(note.group(1)) if note else ""


def test_a_saved_verdict_shows_after_a_reload_and_an_unjudged_one_says_so(client, reviewing):
    verdict(client, reviewing, "age.method", "needs_change", "Self-declaration is not enough.")

    page = client.get(reverse("review_assessment", args=[reviewing.pk]), {"section": "all"})

    assert menu(page, "age.method") == ("needs_change", "Self-declaration is not enough.")
    assert menu(page, "age.signals") == ("", "")  # "Not judged yet", nothing recorded
    assert "Not judged yet" in page.text


def test_saving_an_untouched_verdict_records_nothing(client, reviewing):
    page = verdict(client, reviewing, "age.signals", "")

    assert "Choose a verdict." in page.text
    assert not QuestionVerdict.objects.exists()
