"""What autosave says beside a question, in a real browser: a refused value answers 422 and
the page still shows why, as it shows "Saved" for a 200."""

import pytest

from assessments.models import Answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_value_autosave_refuses_is_explained_beside_the_question(
    journey, live_server, draft, preparer
):
    page = journey.tab(preparer.email)
    page.goto(f"{live_server.url}/a/{draft.pk}/section/education/")
    field = page.locator("[id='id_q_education__link']")
    status = page.locator("[id='saved-q-education-link']")

    with page.expect_response(lambda r: "/autosave/education.link/" in r.url) as refused:
        field.fill("not an address")
        field.dispatch_event("change")
    status.filter(has_text="Not saved").wait_for()
    shown_refused = status.inner_text()
    with page.expect_response(lambda r: "/autosave/education.link/" in r.url) as saved:
        field.fill("https://example.org/safety")
        field.dispatch_event("change")
    status.filter(has_text="Saved").wait_for()

    assert refused.value.status == 422
    assert shown_refused.startswith("Not saved: Enter a valid URL.")
    assert saved.value.status == 200
    assert Answer.objects.get(assessment=draft, question_id="education.link").value == (
        "https://example.org/safety"
    )
