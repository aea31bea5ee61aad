"""Pieces of pages kept in the cache show exactly what a fresh page would: a change to
anything a piece shows is seen at once, by the right person only."""

import html
import re

from django import forms
from django.urls import reverse

from accounts.actors import Actor
from assessments.answers import AnswerInput, save_answers
from assessments.models import Evidence
from assessments.views import fragments
from review import verdicts

BLOCK = "assessments/_question_block.html"


def section_url(assessment, section="age_assurance"):
    return reverse("section", args=[assessment.pk, section])


def without_tokens(page: str) -> str:
    """A page with its CSRF tokens (masked anew on every response) left out."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", page)


def drawn(response, template_name) -> int:
    return sum(t.name == template_name for t in response.templates)


def test_a_section_opened_again_reuses_its_drawn_questions(client, draft, preparer):
    client.force_login(preparer)
    first = client.get(section_url(draft))
    again = client.get(section_url(draft))
    assert first.status_code == again.status_code == 200
    assert drawn(first, BLOCK) > 5
    assert drawn(again, BLOCK) == 0
    assert without_tokens(again.text) == without_tokens(first.text)


def test_a_changed_answer_shows_at_once_and_only_its_question_is_drawn_again(
    client, draft, preparer
):
    client.force_login(preparer)
    save_answers(draft, [AnswerInput("age.method", "self_declared")], actor=Actor(preparer))
    client.get(section_url(draft))
    client.post(
        reverse("autosave", args=[draft.pk, "age.method"]),
        {"q_age__method": "verified", "rev_age__method": "1"},
        HTTP_HX_REQUEST="true",
    )
    page = client.get(section_url(draft))
    assert re.search(r'value="verified"\s+id="id_q_age__method_\d+" checked>', page.text)
    assert not re.search(r'value="self_declared"\s+id="id_q_age__method_\d+" checked>', page.text)
    assert drawn(page, BLOCK) == 1  # the answered question; its neighbours come from the cache


def test_a_block_drawn_for_an_editor_is_never_shown_to_someone_who_may_only_read(
    client, draft, preparer, signatory
):
    client.force_login(preparer)
    assert "hx-post" in client.get(section_url(draft)).text
    client.force_login(signatory)  # a signatory reads the answers; only preparers edit them
    page = client.get(section_url(draft))
    assert page.status_code == 200
    assert "hx-post" not in page.text


def test_a_reviewers_verdict_on_evidence_shows_to_the_organization_at_once(
    client, attestation, preparer, reviewer
):
    item = Evidence.objects.filter(assessment=attestation.assessment).first()
    url = reverse("section", args=[attestation.assessment.pk, _section_of(attestation, item)])
    client.force_login(preparer)
    before = client.get(url)
    assert "Rejected by the reviewer" not in before.text
    verdicts.record_evidence_verdict(
        item, accepted=False, reason="The policy is a draft, unsigned.", actor=Actor(reviewer)
    )
    after = html.unescape(client.get(url).text)
    assert "Rejected by the reviewer" in after
    assert "The policy is a draft, unsigned." in after


def test_a_piece_holding_what_cannot_be_keyed_is_drawn_every_time(db):
    class Opaque:
        text = "drawn"

    context = {"block": {"question": None, "result": None}, "editable": False, "x": Opaque()}
    assert fragments._key(BLOCK, context) is None
    assert fragments._key(BLOCK, {**context, "x": "plain"}) is not None
    first = fragments.render_each(BLOCK, [context])
    assert first == fragments.render_each(BLOCK, [context])


def test_keys_differ_for_any_change_in_what_is_shown(db):
    base = {"editable": True, "block": {"change": "New question", "requests": None}}
    keys = {
        fragments._key(BLOCK, base),
        fragments._key(BLOCK, {**base, "editable": False}),
        fragments._key(BLOCK, {**base, "block": {"change": "New question ", "requests": None}}),
        fragments._key(BLOCK, {**base, "block": {"change": None, "requests": "New question"}}),
        fragments._key("assessments/_gaps.html", base),
    }
    assert len(keys) == 5


def test_a_row_read_with_another_is_keyed_by_both(draft, preparer):
    """A comment shows its author's name: renaming the author is a new key, as changing the
    comment is, so a piece never shows the old name."""
    from assessments import workflow
    from assessments.models import Comment

    workflow.comment(draft, actor=Actor(preparer), body="Please look", question_id="age.method")

    def key():
        note = Comment.objects.select_related("author").get()
        return fragments._key(BLOCK, {"block": {"notes": [note]}})

    before = key()
    preparer.full_name = "Someone Renamed"
    preparer.save(update_fields=["full_name"])

    assert before is not None and key() not in (before, None)
    assert key() == key()


class OneAnswer(forms.Form):
    answer = forms.CharField(max_length=20)


def test_a_field_refused_is_keyed_apart_from_the_same_field_accepted(db):
    """Fields are drawn by crispy-forms from the bound field: its errors are part of the key."""
    accepted, refused = OneAnswer({"answer": "same"}), OneAnswer({"answer": "same"})
    assert accepted.is_valid() and refused.is_valid()
    refused.add_error("answer", "Refused.")
    keys = {
        fragments._key(BLOCK, {"block": {"value": form["answer"]}}) for form in (accepted, refused)
    }
    assert len(keys) == 2 and None not in keys


def test_a_refused_answer_shows_its_message_on_a_question_drawn_before(client, draft, preparer):
    client.force_login(preparer)
    client.get(section_url(draft))  # every question drawn and kept
    page = client.post(section_url(draft), {"q_age__method": "not-an-option"})
    assert page.status_code == 422
    assert "not-an-option is not one of the available choices" in html.unescape(page.text)


def _section_of(attestation, item) -> str:
    framework = attestation.assessment.framework_version.framework
    return next(
        s.id for s in framework.sections if any(q.id == item.question_id for q in s.questions)
    )
