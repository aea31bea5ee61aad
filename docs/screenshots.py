"""Capture the portal's key pages and a report page for the README (run by bin/screenshots)."""

import subprocess
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

django.setup()

from openpyxl import load_workbook  # noqa: E402

from assessments.models import Assessment, Attestation  # noqa: E402
from assessments.workbooks import COLUMN  # noqa: E402
from tests.browser.chromium import ARGS, EXECUTABLE  # noqa: E402

BASE = sys.argv[1]
OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "portal-demo-2026"  # noqa: S105 - the demo accounts' password


def login(page, email):
    page.context.clear_cookies()
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")


def workbook_check(page, draft):
    """The workbook round trip as a preparer sees it: two answers typed offline, one wrong."""
    page.goto(f"{BASE}/a/{draft.pk}/workbook/")
    with page.expect_download() as download:
        page.click("a:has-text('Download the workbook')")
    path = OUT / "answers.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    rows = {row[0].value: row for row in book["Answers"].iter_rows(min_row=2)}
    rows["scope.monthly_minors"][COLUMN["answer"]].value = -40
    rows["age.method"][COLUMN["answer"]].value = "Age estimation with a fallback check"
    book.save(path)
    page.set_input_files("#id_workbook", str(path))
    page.click("button:has-text('Check and import')")
    page.screenshot(path=OUT / "workbook.png")
    path.unlink()


def main():
    OUT.mkdir(exist_ok=True)
    draft = Assessment.objects.get(organization__legal_name__startswith="Quizzly", status="draft")
    submitted = Assessment.objects.get(organization__legal_name__startswith="TeenTalk")
    current = Attestation.objects.filter(assessment__organization__legal_name__startswith="Bright")
    current = current.order_by("-signed_at").first()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=EXECUTABLE, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        login(page, "preparer@quizzly.example")
        page.goto(f"{BASE}/a/{draft.pk}/section/age_assurance/")
        page.screenshot(path=OUT / "questionnaire.png")
        page.goto(f"{BASE}/a/{draft.pk}/")
        page.screenshot(path=OUT / "gaps.png")
        workbook_check(page, draft)
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        login(phone, "preparer@quizzly.example")
        phone.goto(f"{BASE}/a/{draft.pk}/section/age_assurance/")
        phone.screenshot(path=OUT / "questionnaire-phone.png")
        login(page, "reviewer@portal.example")
        page.goto(f"{BASE}/review/")
        page.screenshot(path=OUT / "dashboard.png")
        page.goto(f"{BASE}/review/{submitted.pk}/")
        page.screenshot(path=OUT / "review.png")
        page.context.clear_cookies()
        page.goto(f"{BASE}/verify/{current.snapshot_sha256}/")
        page.screenshot(path=OUT / "verification.png")
        browser.close()
    report = current.reports.first().file.path
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", report, str(OUT / "report")],  # noqa: S607
        check=True,
    )
    print("Screenshots written to", OUT)


main()
