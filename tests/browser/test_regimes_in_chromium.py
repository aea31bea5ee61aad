"""A preparer with users in the US and the UK answers the laws' own questions in Chromium."""

import pytest

from assessments.models import Answer, AuditAction, AuditEvent
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_preparer_answers_coppa_and_removes_the_uk_code(
    browser, live_server, axe_check, preparer, v2_draft
):
    draft = v2_draft
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", preparer.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    problems = []

    page.goto(f"{live_server.url}/a/{draft.pk}/")
    problems += axe_check(page)
    page.click("a:has-text('US COPPA Rule (as amended in 2025)')")
    problems += axe_check(page)
    # COPPA's parents' rights ask more than the core question: shown beside, never carried.
    assert "Related question of the questionnaire: “" in page.content()
    assert "age.parent_deletion" not in page.content()
    assert "Answered by your answer to" not in page.content()
    page.check("#id_q_coppa__security_program_0")  # Yes
    page.click("button:has-text('Save COPPA answers')")
    page.wait_for_selector("text=COPPA answers saved.")
    problems += axe_check(page)
    assert Answer.objects.get(assessment=draft, question_id="coppa.security_program").value == "yes"

    page.goto(f"{live_server.url}/a/{draft.pk}/regimes/uk-aadc/")
    page.click("summary:has-text('remove it')")
    page.fill("#id_reason", "Our UK users are adults only.")
    page.click("button:has-text('Remove UK Children')")
    page.wait_for_selector("text=removed from this assessment")
    problems += axe_check(page)
    assert AuditEvent.objects.filter(
        assessment_id=draft.pk, action=AuditAction.REGIME_REMOVED
    ).exists()

    page.goto(f"{live_server.url}/regimes/uk-aadc/crosswalk/")
    problems += axe_check(page)
    context.close()
    assert problems == []
