"""A file a preparer picked is never lost silently, in a real browser."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leaving_a_section_with_a_picked_file_asks_first_and_saving_does_not(
    journey,
    live_server,
    draft,
    preparer,
    tmp_path,
):
    flow = tmp_path / "age-gate.pdf"
    flow.write_bytes(b"%PDF-1.4\n% our age gate\n")
    page = journey.tab(preparer.email)
    page.goto(f"{live_server.url}/a/{draft.pk}/section/age_assurance/")
    page.click("h1")  # a person has interacted with the page
    page.locator("input[type=file]").first.set_input_files(str(flow))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    note = page.locator("text=Chosen, not uploaded yet: save to upload it.").count()
    page.click("a:has-text('Content moderation and filtering →')")
    stayed = "/section/age_assurance/" in page.url
    page.click("button:has-text('Save')  >> nth=1")
    page.wait_for_load_state()

    assert note == 1
    assert dialogs == ["beforeunload"] and stayed
    assert draft.evidence.filter(question_id="age.evidence").count() == 1
    assert dialogs == ["beforeunload"]  # saving uploaded it without asking
