"""Capture the portal's key pages and a report page for the README (run by bin/screenshots)."""

import subprocess
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

django.setup()

from assessments.models import Assessment, Attestation  # noqa: E402
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
