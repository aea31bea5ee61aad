"""Simulated people for the load test (bench/load.sh): preparers and reviewers.

Preparers log in, open their draft's sections, autosave answers and finally submit;
reviewers log in and browse the queue with filters and open review pages. Accounts come
from bench/generate.py's data, prepared by bench/load_accounts.py.
"""

import json
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads((Path(__file__).parent.parent / "var" / "load-accounts.json").read_text())
PASSWORD = ACCOUNTS["password"]
SECTIONS = ["scope", "age_assurance", "moderation", "system_prompt", "monitoring", "education"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The answer's revision, on the section page and in each autosave reply: a save must name it.
REVISION = re.compile(r'name="rev_scope__product"[^>]*? value="(\d+)"')


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def log_in(self, email):
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="log in",
        )
        self.csrf = self.client.cookies.get("csrftoken")


class Preparer(Person):
    weight = 3

    def on_start(self):
        account = ACCOUNTS["preparers"].pop()
        self.assessment = account["assessment"]
        self.log_in(account["email"])
        self.saves = 0
        self.revision = None

    @task(3)
    def open_section(self):
        section = random.choice(SECTIONS)
        self.client.get(f"/a/{self.assessment}/section/{section}/", name="section page")

    @task(6)
    def autosave(self):
        self.saves += 1
        if self.revision is None:  # as a person opens the page before typing
            scope = self.client.get(f"/a/{self.assessment}/section/scope/", name="section page")
            self.revision = REVISION.search(scope.text).group(1)
        saved = self.client.post(
            f"/a/{self.assessment}/autosave/scope.product/",
            {
                "q_scope__product": f"A tutoring app for pupils, draft {self.saves}",
                "rev_scope__product": self.revision,
            },
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true"},
            name="autosave",
        )
        found = REVISION.search(saved.text)
        self.revision = found.group(1) if found else None

    @task(1)
    def overview_and_submit(self):
        self.client.get(f"/a/{self.assessment}/", name="assessment overview")
        if self.saves > 20:
            self.client.post(
                f"/a/{self.assessment}/submit/",
                {"confirm": "on"},  # the preparer confirms the summary
                headers={"X-CSRFToken": self.csrf},
                name="submit",
            )


class Reviewer(Person):
    weight = 1

    def on_start(self):
        self.log_in(ACCOUNTS["reviewer"])

    @task(4)
    def dashboard(self):
        filters = random.choice(
            [{}, {"status": "submitted"}, {"risk": "high", "sort": "risk"}, {"overdue": "on"}]
        )
        self.client.get("/review/", params=filters, name="dashboard")

    @task(1)
    def review_page(self):
        self.client.get(f"/review/{random.choice(ACCOUNTS['reviewable'])}/", name="review page")
