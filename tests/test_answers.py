"""What a person types is never silently lost; hidden answers are kept but never count."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.answers import AnswerInput, save_answers
from assessments.demo import answer_everything
from assessments.evidence import add_url
from assessments.models import Answer, AuditEvent, Evidence, Verdict
from questionnaires.scoring import visible_question_ids
from review import verdicts
from tests.conftest import sign_now


def section_url(assessment, section="age_assurance"):
    return reverse("section", args=[assessment.pk, section])


def test_a_partial_section_saves_and_resumes(client, draft, preparer):
    client.force_login(preparer)
    client.post(section_url(draft), {"q_age__method": "self_declared", "stay": "1"})
    page = client.get(section_url(draft))
    assert page.context["form"]["q_age__method"].value() == "self_declared"


def test_two_tabs_never_silently_overwrite_each_other(client, draft, preparer, admin):
    save_answers(draft, [AnswerInput("age.method", "self_declared")], actor=Actor(preparer))
    # Both people open the page at revision 1 ...
    client.force_login(admin)
    client.post(
        section_url(draft), {"q_age__method": "verified", "rev_age__method": "1", "stay": "1"}
    )
    # ... and the second save, made on the stale revision, is refused and explained.
    client.force_login(preparer)
    response = client.post(
        section_url(draft), {"q_age__method": "none", "rev_age__method": "1", "stay": "1"}
    )
    assert response.status_code == 409
    assert "changed “age.method” while you were editing, to: Age verification" in response.text
    assert Answer.objects.get(question_id="age.method").value == "verified"
    # What the second person typed is still in their form, ready to save again.
    assert response.context["form"]["q_age__method"].value() == "none"


def test_the_first_answers_from_two_tabs_do_not_overwrite_each_other(draft, preparer, admin):
    save_answers(
        draft, [AnswerInput("age.method", "verified", base_revision=0)], actor=Actor(admin)
    )
    result = save_answers(
        draft, [AnswerInput("age.method", "none", base_revision=0)], actor=Actor(preparer)
    )
    assert list(result.conflicts) == ["age.method"]
    assert Answer.objects.get(question_id="age.method").value == "verified"


def test_an_invalid_value_gets_a_message_and_keeps_the_rest(client, draft, preparer):
    client.force_login(preparer)
    response = client.post(
        section_url(draft, "education"),
        {"q_education__link": "not a link at all", "q_education__limits": "yes"},
    )
    assert response.status_code == 422
    assert "Enter a valid URL." in response.text
    assert response.context["form"]["q_education__limits"].value() == "yes"


def test_a_refused_post_links_each_failing_answer_and_names_the_file_to_pick_again(
    client, draft, preparer
):
    client.force_login(preparer)
    question = draft.framework_version.framework.questions["age.method"]
    response = client.post(
        section_url(draft),
        {
            "q_age__method": "perhaps",
            "evfile_age__evidence": SimpleUploadedFile("age gate.pdf", b"%PDF-1.4 design"),
        },
    )
    banner = response.text[response.text.index('id="attention"') :]
    banner = html.unescape(banner[: banner.index("</div>")])

    assert response.status_code == 422
    assert "Nothing was saved: 1 answer needs attention." in banner
    assert f'<a href="#q-age-method" class="alert-link">{question.text}</a>' in banner
    assert "(age gate.pdf) was not kept" in banner and "pick it again" in banner
    assert "nothing you typed was lost" not in response.text
    assert not Evidence.objects.exists() and not Answer.objects.exists()


def test_not_applicable_needs_a_justification(client, draft, preparer):
    client.force_login(preparer)
    response = client.post(section_url(draft, "education"), {"na_education__adults": "on"})
    assert "a justification is required" in response.text
    assert not Answer.objects.filter(question_id="education.adults").exists()


def test_a_hidden_answer_is_kept_but_left_out_of_the_snapshot(complete_draft, preparer, signatory):
    from assessments import workflow

    actor = Actor(preparer)
    revision = Answer.objects.get(assessment=complete_draft, question_id="scope.age_bands").revision
    save_answers(
        complete_draft,
        [AnswerInput("scope.age_bands", ["age_16_17"], base_revision=revision)],
        actor=actor,
    )
    assert Answer.objects.filter(question_id="age.parental_consent").exists()
    workflow.submit(complete_draft, actor=actor)
    attestation = sign_now(complete_draft, signatory)
    shown = {
        q["id"] for s in json.loads(attestation.snapshot_json)["sections"] for q in s["questions"]
    }
    assert "age.parental_consent" not in shown
    assert "age.method" in shown


def upload(client, assessment, content, name):
    return client.post(
        section_url(assessment),
        {"evfile_age__evidence": SimpleUploadedFile(name, content), "stay": "1"},
        follow=True,
    )


def test_evidence_is_hashed_stored_privately_and_audited(client, draft, preparer, outsider):
    client.force_login(preparer)
    upload(client, draft, b"%PDF-1.4 our age gate design", "age gate.pdf")
    item = Evidence.objects.get()
    assert item.content_type == "application/pdf"
    assert len(item.sha256) == 64
    assert item.original_name == "age_gate.pdf"
    assert client.get(f"/media/{item.file.name}").status_code == 404  # no public URL
    assert AuditEvent.objects.filter(action="evidence_uploaded").count() == 1
    assert client.get(reverse("evidence_file", args=[item.pk])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("evidence_file", args=[item.pk])).status_code == 404


def test_a_disguised_file_is_rejected_by_its_content(client, draft, preparer):
    client.force_login(preparer)
    page = upload(client, draft, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "report.pdf")
    assert "report.pdf is not a file type we accept" in page.text
    assert not Evidence.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_an_oversized_file_is_rejected_with_the_limit(client, draft, preparer):
    client.force_login(preparer)
    page = upload(client, draft, b"%PDF-" + b"x" * 2048, "big.pdf")
    assert "big.pdf is larger than the 1.0\xa0KB limit" in page.text
    assert not Evidence.objects.exists()


def test_a_path_in_the_filename_is_stripped(client, draft, preparer):
    client.force_login(preparer)
    upload(client, draft, b"plain notes\n", "../../etc/passwd")
    item = Evidence.objects.get()
    assert item.original_name == "passwd.txt"
    assert ".." not in item.file.name


def test_a_retry_after_a_conflict_replaces_their_answer(client, draft, preparer, admin):
    save_answers(draft, [AnswerInput("age.method", "self_declared")], actor=Actor(preparer))
    client.force_login(admin)
    client.post(section_url(draft), {"q_age__method": "verified", "rev_age__method": "1"})
    client.force_login(preparer)
    conflict = client.post(
        section_url(draft), {"q_age__method": "none", "rev_age__method": "1", "stay": "1"}
    )
    assert "save again to replace theirs" in conflict.text
    form = conflict.context["form"]
    retry = {"q_age__method": form["q_age__method"].value()}
    retry["rev_age__method"] = form["rev_age__method"].value()
    again = client.post(section_url(draft), {**retry, "stay": "1"})
    assert again.status_code == 302
    assert Answer.objects.get(question_id="age.method").value == "none"


def test_autosave_without_a_revision_does_not_overwrite(client, draft, preparer, admin):
    save_answers(draft, [AnswerInput("age.method", "verified")], actor=Actor(admin))
    client.force_login(preparer)
    response = autosave(client, draft, "age.method", {"q_age__method": "none"})
    assert response.status_code == 409
    assert "changed this answer meanwhile" in response.text
    assert Answer.objects.get(question_id="age.method").value == "verified"


def test_a_file_whose_name_has_no_usable_characters_is_stored_under_a_plain_name(
    client, draft, preparer
):
    client.force_login(preparer)
    page = upload(client, draft, b"%PDF-1.4 notes", "$$$")
    assert page.status_code == 200
    assert Evidence.objects.get().original_name == "file.pdf"


def test_a_rejected_file_saves_nothing_of_the_post(client, draft, preparer):
    client.force_login(preparer)
    response = client.post(
        section_url(draft),
        {
            "q_age__method": "verified",
            "evfile_age__evidence": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 422
    assert "not a file type we accept" in response.text
    assert response.context["form"]["q_age__method"].value() == "verified"  # nothing lost
    assert not Answer.objects.filter(question_id="age.method").exists()  # nothing half-saved
    assert not Evidence.objects.exists()


def test_utf8_text_is_accepted_when_a_character_straddles_the_sniffing_window(
    client, draft, preparer
):
    client.force_login(preparer)
    text = ("a" * 2047 + "é" + " policy review notes\n").encode()
    assert text[2047:2049] == "é".encode()  # the 2048-byte window ends inside it
    upload(client, draft, text, "notes.txt")
    assert Evidence.objects.get().content_type == "text/plain"


@pytest.mark.parametrize("name", ["page.html", "drawing.svg"])
def test_evidence_always_downloads_as_an_attachment_named_for_its_real_type(
    client, draft, preparer, name
):
    client.force_login(preparer)
    upload(client, draft, b"<html><script>alert(1)</script></html>\n", name)
    item = Evidence.objects.get()
    response = client.get(reverse("evidence_file", args=[item.pk]))
    assert response["Content-Type"] == "text/plain"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.endswith(f'filename="{name}.txt"')


def test_a_zip_bomb_disguised_as_a_word_document_is_refused(client, draft, preparer):
    import io
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w/>")
        for n in range(3):
            archive.writestr(f"word/media/{n}.bin", b"\0" * (100 * 1024 * 1024))
    client.force_login(preparer)
    page = upload(client, draft, bomb.getvalue(), "policy.docx")
    assert "unpacks to far more than any document" in page.text
    assert not Evidence.objects.exists()


def autosave(client, assessment, question_id, data):
    return client.post(
        reverse("autosave", args=[assessment.pk, question_id]), data, HTTP_HX_REQUEST="true"
    )


def test_autosave_stores_one_answer_and_refreshes_its_revision(client, draft, preparer):
    client.force_login(preparer)
    response = autosave(client, draft, "age.method", {"q_age__method": "verified"})
    assert "Saved" in response.text
    revision = re.search(r'<input[^>]*id="id_rev_age__method"[^>]*>', response.text).group(0)
    assert 'value="1"' in revision and 'hx-swap-oob="true"' in revision
    again = autosave(
        client, draft, "age.method", {"q_age__method": "estimation", "rev_age__method": "1"}
    )
    assert "Saved" in again.text
    assert Answer.objects.get(question_id="age.method").revision == 2


def test_autosave_tells_the_page_which_questions_appear(client, draft, preparer):
    client.force_login(preparer)
    response = autosave(client, draft, "scope.age_bands", {"q_scope__age_bands": ["under_13"]})
    shown = json.loads(response["HX-Trigger"])["portal:visibility"]["show"]
    assert shown == ["age.child_data_retention", "age.parental_consent"]


def test_autosave_status_counts_the_evidence_given_under_the_question_that_backs_it(
    client, v2_draft, preparer
):
    add_url(v2_draft, "age.evidence", "https://example.com/age-audit", actor=Actor(preparer))
    client.force_login(preparer)
    response = autosave(client, v2_draft, "age.method", {"q_age__method": "verified"})
    assert '<div class="small" id="status-q-age-method" hx-swap-oob="true">Met</div>' in (
        response.text
    )


def test_autosave_status_says_claimed_when_nothing_backs_the_answer(client, v2_draft, preparer):
    client.force_login(preparer)
    response = autosave(client, v2_draft, "age.method", {"q_age__method": "verified"})
    assert ">Claimed, not evidenced</div>" in response.text


def test_autosave_status_counts_the_reviewers_verdict_on_the_link_that_backs_it(
    client, v2_draft, preparer, signatory, reviewer
):
    """The public statement is claimed, its link was sent back by the reviewer: saving the
    claim again must not read as met, nor as merely unevidenced."""
    answer_everything(v2_draft, actor=Actor(preparer), quality="strong")
    workflow.submit(v2_draft, actor=Actor(preparer))
    sign_now(v2_draft, signatory)
    verdicts.record_question_verdict(
        v2_draft,
        question_id="legal.statement_url",
        verdict=Verdict.NEEDS_CHANGE,
        note="The page does not mention children.",
        actor=Actor(reviewer),
    )
    workflow.request_changes(
        v2_draft, actor=Actor(reviewer), message="See the link.", question_notes={}
    )
    stored = Answer.objects.get(assessment=v2_draft, question_id="legal.public_statement")
    client.force_login(preparer)
    response = autosave(
        client,
        v2_draft,
        "legal.public_statement",
        {"q_legal__public_statement": "no", "rev_legal__public_statement": stored.revision},
    )
    assert "Saved" in response.text
    response = autosave(
        client,
        v2_draft,
        "legal.public_statement",
        {"q_legal__public_statement": "yes", "rev_legal__public_statement": stored.revision + 1},
    )
    assert ">Not met</div>" in response.text


def test_autosave_refuses_a_stale_revision_and_says_so(client, draft, preparer, admin):
    save_answers(draft, [AnswerInput("age.method", "verified")], actor=Actor(admin))
    client.force_login(preparer)
    response = autosave(
        client, draft, "age.method", {"q_age__method": "none", "rev_age__method": "0"}
    )
    assert response.status_code == 409
    assert "changed this answer meanwhile, to: Age verification" in response.text
    assert Answer.objects.get(question_id="age.method").value == "verified"


def test_autosave_explains_an_invalid_value(client, draft, preparer):
    client.force_login(preparer)
    response = autosave(client, draft, "education.link", {"q_education__link": "nonsense"})
    assert response.status_code == 422
    assert "Not saved: Enter a valid URL." in response.text
    assert not draft.answers.filter(question_id="education.link").exists()


def test_a_section_page_renders_conditional_questions_hidden_until_needed(client, draft, preparer):
    client.force_login(preparer)
    page = client.get(section_url(draft))
    assert 'id="q-age-parental_consent"\n         hidden' in page.text


def _upload_with_dates(client, assessment, applies_from="", valid_until=""):
    return client.post(
        section_url(assessment),
        {
            "evfile_age__evidence": SimpleUploadedFile("pentest.pdf", b"%PDF-1.4 pentest"),
            "evfrom_age__evidence": applies_from,
            "evuntil_age__evidence": valid_until,
            "stay": "1",
        },
    )


def test_evidence_that_lapses_before_the_attestation_would_end_is_flagged(
    client, draft, preparer, settings
):
    settings.ATTESTATION_VALID_DAYS = 365
    client.force_login(preparer)
    soon = (timezone.localdate() + timedelta(days=90)).isoformat()
    later = (timezone.localdate() + timedelta(days=400)).isoformat()
    _upload_with_dates(client, draft, "2026-01-01", soon)
    _upload_with_dates(client, draft, "2026-01-01", later)
    page = client.get(section_url(draft))
    assert page.text.count("Lapses before the attestation would end") == 1
    lapsing = Evidence.objects.get(valid_until=soon)
    assert str(lapsing.applies_from) == "2026-01-01"
    event = AuditEvent.objects.filter(action="evidence_uploaded").first()
    assert set(event.details) >= {"applies_from", "valid_until"}


def test_a_validity_that_ends_before_it_starts_is_refused_and_nothing_is_stored(
    client, draft, preparer
):
    client.force_login(preparer)
    page = _upload_with_dates(client, draft, "2026-06-01", "2026-05-01")
    assert "“Valid until” is before “applies from”" in page.text
    assert not Evidence.objects.exists()


def test_the_signatory_sees_which_evidence_lapses_before_the_attestation_would_end(
    client, complete_draft, preparer, signatory
):
    from assessments import workflow

    client.force_login(preparer)
    soon = (timezone.localdate() + timedelta(days=30)).isoformat()
    _upload_with_dates(client, complete_draft, valid_until=soon)
    workflow.submit(complete_draft, actor=Actor(preparer))
    client.force_login(signatory)
    page = client.get(reverse("sign", args=[complete_draft.pk]))
    assert "Evidence that lapses before this attestation would end" in page.text
    assert "pentest.pdf" in page.text


def test_a_file_backs_a_second_question_without_being_uploaded_twice(
    client, draft, preparer, committed
):
    client.force_login(preparer)
    upload(client, draft, b"%PDF-1.4 our safety policy", "policy.pdf")
    original = Evidence.objects.get()
    page = client.get(section_url(draft, "moderation"))
    assert "policy.pdf (for age.evidence)" in page.text
    client.post(
        section_url(draft, "moderation"),
        {"evreuse_moderation__evidence": [str(original.pk)], "stay": "1"},
    )
    again = Evidence.objects.get(question_id="moderation.evidence")
    assert again.file.name == original.file.name and again.sha256 == original.sha256
    event = AuditEvent.objects.filter(action="evidence_uploaded").last()
    assert event.details["reused_from"] == str(original.pk)
    # Removing it from one question keeps the file for the other; the last removal deletes it.
    with committed():
        client.post(reverse("evidence_remove", args=[original.pk]))
    assert client.get(reverse("evidence_file", args=[again.pk])).status_code == 200
    with committed():
        client.post(reverse("evidence_remove", args=[again.pk]))
    assert not again.file.storage.exists(again.file.name)


def test_a_section_offers_to_remove_its_own_files_only(client, draft, preparer):
    """Each file shown has its remove form on the page; another section's files have none
    (the button would have nothing to remove here)."""
    client.force_login(preparer)
    upload(client, draft, b"%PDF-1.4 our age gate design", "age gate.pdf")
    item = Evidence.objects.get()
    remove_form = f'id="remove-{item.pk}"'
    age_page = client.get(section_url(draft, "age_assurance"))
    assert remove_form in age_page.text and f'form="remove-{item.pk}"' in age_page.text
    assert remove_form not in client.get(section_url(draft, "moderation")).text


def test_only_this_assessments_files_can_be_reused(client, draft, preparer, other_org, outsider):
    from assessments import workflow

    theirs = workflow.start_assessment(
        organization=other_org, framework_version=draft.framework_version, actor=Actor(outsider)
    )
    client.force_login(outsider)
    upload(client, theirs, b"%PDF-1.4 their secret", "secret.pdf")
    foreign = Evidence.objects.get()
    client.force_login(preparer)
    upload(client, draft, b"%PDF-1.4 ours", "ours.pdf")
    page = client.post(
        section_url(draft, "moderation"),
        {"evreuse_moderation__evidence": [str(foreign.pk)], "stay": "1"},
    )
    assert "Select a valid choice" in page.text
    assert not Evidence.objects.filter(question_id="moderation.evidence").exists()


def test_a_section_after_a_hidden_one_shows_its_own_progress(client, v2_draft, preparer):
    """A product without contact between users hides that section; the sections after it
    still open and count their own questions (they counted the next section's, and the last
    one failed)."""
    client.force_login(preparer)
    draft = v2_draft
    framework = draft.framework_version.framework
    visible = visible_question_ids(framework, answers.responses_for(draft))
    shown = {s.id: sum(q.id in visible for q in s.questions) for s in framework.sections}
    assert shown["contact"] == 0
    after = [s.id for s in framework.sections][
        [s.id for s in framework.sections].index("contact") :
    ]
    for section_id in after:
        page = client.get(section_url(draft, section_id))
        assert page.status_code == 200
        progress = f"0 of {shown[section_id]} answered in this section"
        assert progress in page.content.decode()


def test_each_organizations_section_page_shows_its_own_answers_evidence_and_comments(
    client, draft, preparer, outsider, framework_version, reviewer
):
    """The page's questions are kept drawn in the cache: the second organization's visit must
    not see the first one's rows."""
    theirs = workflow.start_assessment(
        organization=outsider.memberships.get().organization,
        framework_version=framework_version,
        actor=Actor(outsider),
    )
    for assessment, person, word in ((draft, preparer, "ours"), (theirs, outsider, "theirs")):
        save_answers(assessment, [AnswerInput("age.method", "verified")], actor=Actor(person))
        add_url(assessment, "age.evidence", f"https://example.com/{word}", actor=Actor(person))
        workflow.comment(
            assessment, actor=Actor(reviewer), body=f"Note on {word}", question_id="age.method"
        )
    for assessment, person, word, other, others in (
        (draft, preparer, "ours", "theirs", theirs),
        (theirs, outsider, "theirs", "ours", draft),
    ):
        client.force_login(person)
        page = client.get(section_url(assessment))
        assert page.status_code == 200
        assert f"https://example.com/{word}" in page.text
        assert f"Note on {word}" in page.text
        assert f"https://example.com/{other}" not in page.text
        assert f"Note on {other}" not in page.text
        # the same answer drawn for each: each saves to its own assessment
        assert f"/a/{assessment.pk}/autosave/" in page.text
        assert str(others.pk) not in page.text
        assert page.context["form"]["rev_age__method"].value() == 1
    # And neither person reaches the other's page.
    client.force_login(preparer)
    assert client.get(section_url(theirs)).status_code == 404


def test_an_evidence_file_is_handed_out_only_to_those_who_may_see_it_whoever_asks(
    draft, preparer, outsider, reviewer
):
    """The page and the API ask first; the service that hands the file out refuses an
    outsider itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments import evidence
    from assessments.errors import NotPermitted

    upload = SimpleUploadedFile("policy.txt", b"Our moderation policy.", "text/plain")
    checked = evidence.check_upload(upload)
    item = evidence.add_file(draft, "moderation.evidence", checked, actor=Actor(preparer))

    with pytest.raises(NotPermitted):
        evidence.download(item, actor=Actor(outsider))
    given = evidence.download(item, actor=Actor(reviewer))
    assert b"".join(given.streaming_content) == b"Our moderation policy."
