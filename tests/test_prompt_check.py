"""The system prompt a product runs with, compared with the child-safety prompt the platform
publishes: the preparer and the reviewer see whether it is there exactly, altered (and how),
or absent, and whether it comes before the product's own instructions."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.actors import Actor
from assessments import prompt_check, workflow
from assessments.models import (
    AuditAction,
    AuditEvent,
    Evidence,
    PromptComparison,
    PromptMatch,
    ReferencePrompt,
    Role,
)
from tests.conftest import approve_after_review, sign_now
from tests.factories import member

REFERENCE = (prompt_check.BUNDLED_DIR / "child-safety-2026.1.txt").read_text()
OWN = "You are Homework Helper, a maths tutor for pupils aged 11 to 14.\n"


def test_the_platforms_prompt_is_found_exact_altered_or_absent():
    reflowed = "\n\n".join("   " + line for line in REFERENCE.splitlines())  # spacing only
    assert prompt_check.compare(reflowed + "\n" + OWN, REFERENCE) == (PromptMatch.EXACT, True, "")
    assert prompt_check.compare(OWN + REFERENCE, REFERENCE) == (PromptMatch.EXACT, False, "")

    weakened = REFERENCE.replace(
        "Never produce sexual content", "Avoid explicit sexual content where possible"
    )
    match, first, differences = prompt_check.compare(weakened + OWN, REFERENCE)
    assert (match, first) == (PromptMatch.ALTERED, True)
    assert "-Never produce sexual content" in differences
    assert "+Avoid explicit sexual content where possible" in differences

    only_two_lines = "\n".join(REFERENCE.splitlines()[:2]) + "\n" + OWN
    assert prompt_check.compare(only_two_lines, REFERENCE) == (PromptMatch.ABSENT, None, "")
    assert prompt_check.compare(OWN, REFERENCE) == (PromptMatch.ABSENT, None, "")


@pytest.fixture
def published(db):
    call_command("publish_reference_prompt", "2026.1")
    return ReferencePrompt.objects.get()


def give_prompt(client, assessment, text: str, question="prompt.evidence"):
    section = assessment.framework_version.framework.section_of(question).id
    field = "evfile_" + question.replace(".", "__")
    return client.post(
        reverse("section", args=[assessment.pk, section]),
        {field: SimpleUploadedFile("prompt.txt", text.encode()), "stay": "1"},
        follow=True,
    )


def test_a_preparer_sees_how_the_prompt_they_gave_differs_and_so_does_the_reviewer(
    client, complete_draft, preparer, signatory, reviewer, published
):
    weakened = REFERENCE.replace("Never suggest keeping secrets", "Try not to suggest secrets")
    client.force_login(preparer)

    page = give_prompt(client, complete_draft, OWN + weakened)

    item = Evidence.objects.get(assessment=complete_draft, original_name="prompt.txt")
    found = PromptComparison.objects.get(evidence=item)
    assert (found.match, found.placed_first, found.reference) == (
        PromptMatch.ALTERED,
        False,
        published,
    )
    text = html.unescape(page.text)
    assert "contains the platform's prompt, altered" in text
    assert "after other instructions" in text
    assert "+Try not to suggest secrets" in text

    workflow.submit(complete_draft, actor=Actor(preparer))
    sign_now(complete_draft, signatory)
    client.force_login(reviewer)
    review = client.get(
        reverse("review_assessment", args=[complete_draft.pk]), {"section": "system_prompt"}
    )
    assert review.status_code == 200
    assert "contains the platform's prompt, altered" in html.unescape(review.text)
    assert "An automatic check; the reviewer judges the evidence." in html.unescape(review.text)


def test_only_a_prompt_given_as_text_under_the_prompt_question_is_compared(
    client, draft, preparer, published
):
    client.force_login(preparer)
    give_prompt(client, draft, REFERENCE, question="age.evidence")
    give_prompt(client, draft, REFERENCE)

    compared = PromptComparison.objects.values_list("evidence__question_id", "match")
    assert list(compared) == [("prompt.evidence", PromptMatch.EXACT)]


def test_a_published_version_never_changes(published, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(REFERENCE + "One more rule.\n")
    call_command("publish_reference_prompt", "2026.1")  # the same text again: nothing new
    with pytest.raises(CommandError, match="already published with other text"):
        call_command("publish_reference_prompt", "2026.1", str(other))
    call_command("publish_reference_prompt", "2026.2", str(other))
    assert prompt_check.latest_reference().version == "2026.2"
    assert ReferencePrompt.objects.count() == 2


def test_a_new_version_compares_drafts_again_and_names_attestations_compared_with_an_older(
    client,
    signed,
    reviewer,
    other_org,
    framework_version,
    published,
    tmp_path,
    committed,
    mailoutbox,
):
    approve_after_review(signed.assessment, reviewer)  # in force
    other = member(other_org, Role.PREPARER)
    draft = workflow.start_assessment(
        organization=other_org, framework_version=framework_version, actor=Actor(other)
    )
    client.force_login(other)
    give_prompt(client, draft, OWN + REFERENCE)
    being_answered = Evidence.objects.get(assessment=draft, question_id="prompt.evidence")
    old = PromptComparison.objects.create(
        evidence=signed.assessment.evidence.get(question_id="prompt.evidence"),
        reference=published,
        match=PromptMatch.EXACT,
        placed_first=True,
    )
    newer = tmp_path / "v2.txt"
    newer.write_text(REFERENCE + "Never ask a child for a photo of themselves.\n")
    out = io.StringIO()

    with committed():
        call_command("publish_reference_prompt", "2026.2", str(newer), stdout=out)

    again = PromptComparison.objects.get(evidence=being_answered)
    assert (again.reference.version, again.match) == ("2026.2", PromptMatch.ALTERED)
    old.refresh_from_db()
    assert old.reference == published  # what was signed stays as it was compared
    assert "Compared again: 1 prompt of assessments being answered." in out.getvalue()
    assert signed.assessment.organization.legal_name in out.getvalue()
    assert "1 attestation in force was compared with an older version" in out.getvalue()
    flagged = AuditEvent.objects.get(action=AuditAction.PROMPT_REFERENCE_CHANGED)
    assert (flagged.assessment_id, flagged.details) == (signed.assessment_id, {"version": "2026.2"})
    assert f"A new child-safety system prompt: {other_org.legal_name}" not in [
        m.subject for m in mailoutbox
    ]  # the organization whose prompt was compared again is not flagged
    assert f"A new child-safety system prompt: {signed.assessment.organization.legal_name}" in [
        m.subject for m in mailoutbox
    ]
    call_command("publish_reference_prompt", "2026.2", str(newer), stdout=io.StringIO())
    assert AuditEvent.objects.filter(action=AuditAction.PROMPT_REFERENCE_CHANGED).count() == 1


def test_a_prompt_can_be_pasted_and_is_kept_and_compared_like_a_file(
    client, draft, preparer, published
):
    client.force_login(preparer)
    section = draft.framework_version.framework.section_of("prompt.evidence").id

    page = client.post(
        reverse("section", args=[draft.pk, section]),
        {"evtext_prompt__evidence": REFERENCE + OWN, "stay": "1"},
        follow=True,
    )

    item = Evidence.objects.get(assessment=draft, question_id="prompt.evidence")
    assert (item.original_name, item.content_type) == ("pasted-prompt.txt", "text/plain")
    assert item.file.read().decode() == REFERENCE + OWN
    assert item.prompt_comparison.match == PromptMatch.EXACT
    assert "contains the platform's prompt exactly" in html.unescape(page.text)
    assert client.get(reverse("evidence_file", args=[item.pk])).status_code == 200
