"""A reviewer imports safety figures (a bad file first), builds a campaign from them and
follows its requests through a reminder, a submission and an overdue escalation, while the
organization reads what it was asked: in Chromium, with axe on every page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.models import AuditRequest, RequestState
from platform_audits import platform_requests
from tests.conftest import sign_now
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "organization_id,month,requests,flagged_requests,confirmed_violations\n"


def test_a_campaign_from_imported_figures_to_an_escalation(
    journey, tmp_path, org, other_org, preparer, signatory, complete_draft, settings
):
    settings.REQUEST_REMINDER_DAYS = [14, 3]
    reviewer = UserFactory(is_reviewer=True, full_name="Riley Reviewer")
    desk = journey.tab(reviewer.email)

    bad = tmp_path / "figures-bad.csv"
    bad.write_text(HEADER + f"{org.pk},2026-11,100000,1200,90\n{other_org.pk},Nov,100000,800,60\n")
    journey.visit(desk, "/review/figures/")
    desk.set_input_files("#id_file", str(bad))
    desk.click("button:has-text('Check and import')")
    desk.wait_for_selector("text=Nothing was imported")
    journey.check(desk)
    assert "month 'Nov' is not a month like 2026-11" in desk.content()

    good = tmp_path / "figures.csv"
    good.write_text(
        HEADER + f"{org.pk},2026-11,100000,1200,90\n{other_org.pk},2026-11,100000,800,60\n"
    )
    desk.set_input_files("#id_file", str(good))
    desk.click("button:has-text('Check and import')")
    desk.wait_for_selector("text=Imported 2 rows: 2 new")

    journey.visit(desk, "/review/campaigns/new/")
    desk.fill("#id_name", "Above threshold, November")
    desk.fill("#id_violation_rate_above", "5")
    desk.fill("#id_reason", "Your confirmed violations are above the platform's threshold.")
    desk.click("button:has-text('Preview the selection')")
    desk.wait_for_selector("text=Whom the selection finds")
    journey.check(desk)
    assert org.legal_name in desk.content() and other_org.legal_name in desk.content()
    desk.click("button:has-text('Send the requests')")
    desk.wait_for_selector("text=Campaign sent: 2 requests.")
    journey.check(desk)
    campaign_url = desk.url

    # The organization's side: told by email, and on its home page.
    assert any(preparer.email in m.to for m in mail.outbox)
    office = journey.tab(preparer.email)
    journey.visit(office, f"/org/{org.pk}/")
    office.click("section:has-text('The platform asks') a")
    office.wait_for_selector("text=Why the platform asks")
    journey.check(office)
    assert "above the platform's threshold" in office.content()

    # A reminder fourteen days before the due date, then the organization signs.
    mine = AuditRequest.objects.get(organization=org)
    theirs = AuditRequest.objects.get(organization=other_org)
    mail.outbox.clear()
    assert platform_requests.send_reminders(today=mine.due_on - timedelta(days=14)) == 2
    assert {tuple(m.to) for m in mail.outbox} >= {(preparer.email,)}
    workflow.submit(complete_draft, actor=Actor(preparer))
    sign_now(complete_draft, signatory)
    mine.refresh_from_db()
    assert mine.state == RequestState.FULFILLED

    # The other organization let its request pass the due date: the reviewer escalates.
    AuditRequest.objects.filter(pk=theirs.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    journey.visit(desk, "/review/")
    assert "Requests overdue" in desk.content()
    journey.visit(desk, "/review/requests/?show=overdue")
    desk.click(f"a:has-text('View'):has(span:has-text('{other_org.legal_name}'))")
    desk.wait_for_selector("text=record an enforcement recommendation")
    journey.check(desk)
    desk.check("input[name=level][value=restrict]")
    desk.fill("#id_rationale", "Asked on time, reminded twice, no answer.")
    desk.click("button:has-text('Record the recommendation')")
    desk.wait_for_selector("text=Recommendation recorded: Restrict access.")
    journey.check(desk)

    desk.goto(campaign_url)
    journey.check(desk)
    table = desk.locator("table:has(caption:has-text('Requests by where they stand'))").inner_text()
    assert "Submitted\t1" in table and "Escalated\t1" in table
    desk.screenshot(path=str(tmp_path / "campaign.png"), full_page=True)
    desk.set_viewport_size({"width": 390, "height": 844})
    journey.check(desk)
    assert journey.problems == []
