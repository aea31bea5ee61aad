"""Every role's journey in a real browser, with axe-core run on each page on the way."""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from assessments.models import Attestation, ReportState, User
from tests.browser.chromium import SIGNING_MS
from tests.conftest import authenticator_code
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILL_SECTION = """() => {
  const groups = new Set();
  for (const input of document.querySelectorAll('input[type=radio][name^="q_"]')) {
    if (!groups.has(input.name)) { groups.add(input.name); input.checked = true; }
  }
  const boxes = {};
  for (const input of document.querySelectorAll('input[type=checkbox][name^="q_"]')) {
    boxes[input.name] = (boxes[input.name] || 0) + 1;
    input.checked = boxes[input.name] <= 2;
  }
  const fill = (selector, value) => {
    for (const field of document.querySelectorAll(selector)) field.value = value;
  };
  fill('textarea[name^="q_"]', "Tutoring for teens");
  fill('input[type=url][name^="q_"]', "https://example.org/safety");
  fill('input[type=date][name^="q_"]', "2026-09-01");
  fill('input[type=number][name^="q_"], input[inputmode=decimal][name^="q_"]', "1200");
}"""


def fill_questionnaire(page, journey, evidence_path):
    page.click("table a:has-text('Scope and audience')")
    while "/section/" in page.url:
        journey.check(page)
        page.evaluate(FILL_SECTION)
        for upload in page.locator("input[type=file]").all():
            upload.set_input_files(str(evidence_path))
        page.click("button:has-text('Save and continue')")
        if "/section/" in page.url and page.locator(".alert-danger").count():
            raise AssertionError(page.locator(".alert-danger").first.inner_text())


def emailed_link(live_server) -> str:
    link = re.search(r"http://\S+/", mail.outbox[-1].body).group(0)
    return link.replace("http://127.0.0.1:8000", live_server.url)


@pytest.mark.real_report
def test_every_role_in_chromium(journey, live_server, framework_version, tmp_path):
    evidence = tmp_path / "incident-plan.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% our incident-response plan\n")
    reviewer = UserFactory(is_reviewer=True, full_name="Riley Reviewer")

    # An organization signs up and confirms its address from the email; its admin invites a
    # signatory, who accepts from the email by choosing a password.
    admin = journey.tab()
    journey.visit(admin, "/signup/")
    admin.fill("#id_legal_name", "Brightpath Learning Ltd")
    admin.fill("#id_website", "https://brightpath.example")
    admin.fill("#id_full_name", "Avery Admin")
    admin.fill("#id_email", "avery@brightpath.example")
    admin.click("button:has-text('Register')")
    admin.wait_for_selector("h1:has-text('Check your email')")
    journey.check(admin)
    admin.goto(emailed_link(live_server))
    journey.check(admin)
    admin.fill("#id_password1", PASSWORD)
    admin.fill("#id_password2", PASSWORD)
    admin.click("button:has-text('Register')")
    admin.wait_for_selector("h1:has-text('Brightpath Learning Ltd')")
    journey.check(admin)
    admin.click("a:has-text('Members')")
    admin.fill("#id_email", "sam@brightpath.example")
    admin.fill("#id_full_name", "Sam Signatory")
    admin.select_option("#id_role", "signatory")
    admin.click("button:has-text('Send invitation')")
    journey.check(admin)
    signatory = journey.tab()
    signatory.goto(emailed_link(live_server))
    journey.check(signatory)
    signatory.fill("#id_password1", PASSWORD)
    signatory.fill("#id_password2", PASSWORD)
    signatory.click("button:has-text('Create my account and join')")
    signatory.wait_for_selector("h1:has-text('Set up two-factor authentication')")

    # The admin (who can prepare) fills every section, with evidence, and submits.
    admin.click("text=Minor-safety portal")
    admin.click("button:has-text('Start an assessment of Brightpath Learning Ltd')")
    journey.check(admin)
    fill_questionnaire(admin, journey, evidence)
    journey.check(admin)
    admin.check("#id_confirm")
    admin.click("button:has-text('Submit for signature')")
    admin.wait_for_selector("text=Awaiting signature")

    # The signatory reads the statement and signs; the PDF is downloaded and read.
    signatory = journey.tab("sam@brightpath.example")
    signatory.click("a:has-text('Open the assessment awaiting signature')")
    signatory.click("a:has-text('Review and sign')")
    journey.check(signatory)
    signatory.check("#id_confirm")
    signatory.fill("#id_password", PASSWORD)
    signatory.fill("#id_code", authenticator_code(User.objects.get(email="sam@brightpath.example")))
    # Signing takes seconds: the page says it is working, and a second press sends nothing.
    # (Submissions are stopped at the window here, after the page's own handler, and counted.)
    signatory.evaluate(
        """() => { window.sent = 0; window.addEventListener("submit", (event) => {
            if (!event.defaultPrevented) window.sent += 1; event.preventDefault(); }); }"""
    )
    busy = "form[data-working] button[type=submit]"
    signatory.click(busy)
    signatory.wait_for_function(f"document.querySelector('{busy}').disabled")
    working = signatory.inner_text(busy)
    signatory.evaluate("document.querySelector('form[data-working]').requestSubmit()")
    assert signatory.evaluate("window.sent") == 1
    assert working == "Signing: this takes a few seconds…"
    signatory.reload()
    signatory.check("#id_confirm")
    signatory.fill("#id_password", PASSWORD)
    signatory.fill("#id_code", authenticator_code(User.objects.get(email="sam@brightpath.example")))
    signatory.click(busy, timeout=SIGNING_MS)
    signatory.wait_for_selector("a:has-text('Download the PDF report')", timeout=SIGNING_MS)
    journey.check(signatory)
    with signatory.expect_download() as download:
        signatory.click("a:has-text('Download the PDF report')")
    first_pdf = download.value.path().read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(first_pdf)).pages)
    assert "Brightpath Learning Ltd" in " ".join(text.split())

    # The reviewer finds it in the queue and requests a change.
    review = journey.tab(reviewer.email)
    journey.visit(review, "/review/")
    review.click("a:has-text('Brightpath Learning Ltd')")
    journey.check(review)
    # A verdict and a comment given beside a question: their forms sit outside the question's
    # row (rows are kept drawn in the cache, never with a CSRF token), joined by `form=`.
    menu = review.locator("select[name=verdict]").first
    question = menu.get_attribute("id").removeprefix("verdict-q-")
    menu.select_option("accepted")
    review.fill(f"#note-q-{question}", "Matches the published terms.")
    review.click(f"button[form='verdict-form-q-{question}']")
    review.wait_for_selector("text=recorded.")
    assert review.input_value(f"#verdict-q-{question}") == "accepted"
    review.locator("details.comments summary").first.click()
    comment = review.locator("textarea[name=body]").first
    comment.fill("Checked against the published terms.")
    review.click(f"button[form='{comment.get_attribute('form')}']")
    review.wait_for_selector("text=Checked against the published terms.")
    review.fill("#id_message", "Please link your public compliance statement.")
    review.click("button:has-text('Request changes')")
    review.wait_for_selector("text=Changes requested")

    # The organization sees the request, resubmits, and the signatory signs again.
    admin.goto(admin.url)
    admin.reload()
    assert "Please link your public compliance statement." in admin.content()
    admin.click("a:has-text('Check and submit')")
    admin.check("#id_confirm")
    admin.click("button:has-text('Submit for signature')")
    signatory.goto(live_server.url)
    signatory.click("a:has-text('Open the assessment awaiting signature')")
    signatory.click("a:has-text('Review and sign')")
    signatory.check("#id_confirm")
    signatory.fill("#id_password", PASSWORD)
    signatory.fill("#id_code", authenticator_code(User.objects.get(email="sam@brightpath.example")))
    signatory.click("button:has-text('Sign and submit')", timeout=SIGNING_MS)
    signatory.wait_for_selector("a:has-text('Download the PDF report')", timeout=SIGNING_MS)

    # The reviewer cannot approve before judging: they accept the rest with a note, then
    # approve, confirming; the report is issued again with the decision in it.
    review.reload()
    review.check("input[name=outcome][value=approve]")
    review.fill("#id_rationale", "Safeguards evidenced.")
    review.check("#id_confirm")
    review.click("button:has-text('Record decision')")
    review.wait_for_selector("text=Before approving, give a verdict on")
    review.fill("#id_note", "Each file read against the claim it backs.")
    review.click("button:has-text('Accept the rest')")
    review.wait_for_selector("text=Every critical answer and the evidence behind it has a verdict")
    journey.check(review)
    review.check("input[name=outcome][value=approve]")
    review.fill("#id_rationale", "Safeguards evidenced.")
    review.check("#id_confirm")
    review.click("button:has-text('Record decision')")
    review.wait_for_selector("text=Decision recorded")
    latest = Attestation.objects.order_by("-signed_at").first()
    assert latest.report_state == ReportState.READY
    signatory.reload()
    with signatory.expect_download() as download:
        signatory.click("a:has-text('Download the PDF report')")
    approved_pdf = download.value.path()

    # Anyone verifies the PDFs on the public page: what the platform decided, in its words.
    public = journey.tab()
    journey.visit(public, "/verify/")
    public.set_input_files("#id_report", str(approved_pdf))
    public.click("button:has-text('Verify')")
    assert public.text_content("#verdict") == "Valid"
    journey.check(public)
    old = tmp_path / "first.pdf"
    old.write_bytes(first_pdf)
    public.set_input_files("#id_report", str(old))
    public.click("button:has-text('Verify')")
    # The first attestation was sent back for changes: never valid, whatever came after.
    assert public.text_content("#verdict") == "Changes requested by the platform"

    assert User.objects.filter(email="sam@brightpath.example").exists()
    assert journey.problems == []
