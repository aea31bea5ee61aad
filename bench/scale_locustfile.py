"""The whole journey for the scale-out run (bench/scale_out.py), spread over every web
process: preparers autosave and submit, signatories sign with a second factor, reviewers
start reviews and approve, visitors verify. Accounts come from bench/scale_accounts.py.
"""

import json
import os
import random
import re
import secrets

from locust import HttpUser, between, task

ACCOUNTS = json.loads(open(os.environ["SCALE_ACCOUNTS"]).read())  # noqa: SIM115
HOSTS = os.environ["SCALE_HOSTS"].split(",")
PASSWORD = ACCOUNTS["password"]
TEAMS = ACCOUNTS["teams"]
FOR_PREPARERS, FOR_SIGNATORIES = list(TEAMS), list(TEAMS)
REVIEWERS = list(ACCOUNTS["reviewers"])
SECTIONS = ["scope", "age_assurance", "moderation", "monitoring", "education", "legal"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The answer's revision, on the section page and in each autosave reply: a save must name it.
REVISION = re.compile(r'name="rev_scope__product"[^>]*? value="(\d+)"')
SUBMITTED_LINK = re.compile(r'href="/review/([0-9a-f-]{36})/"')


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.base_url = random.choice(HOSTS)

    def log_in(self, email, codes=None):
        page = self.client.get("/accounts/login/", name="login page")
        answer = self.client.post(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token(page)},
            name="log in",
        )
        if codes is not None:  # signatories and reviewers give a second factor
            self.client.post(
                answer.url,
                {"token": codes.pop(), "csrfmiddlewaretoken": token(answer)},
                name="second factor",
            )

    def post(self, url, data, name):
        data = data | {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken")}
        return self.client.post(url, data, name=name)


def token(page) -> str:
    return CSRF.search(page.text).group(1)


class Preparer(Person):
    fixed_count = len(TEAMS)

    def on_start(self):
        super().on_start()
        self.team = FOR_PREPARERS.pop()
        self.assessment = self.team["assessment"]
        self.log_in(self.team["preparer"])
        self.saves, self.submitted, self.revision = 0, False, None

    @task(3)
    def open_section(self):
        section = random.choice(SECTIONS)
        self.client.get(f"/a/{self.assessment}/section/{section}/", name="section page")

    @task(6)
    def autosave(self):
        if self.submitted:
            return
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
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken"), "HX-Request": "true"},
            name="autosave",
        )
        found = REVISION.search(saved.text)
        self.revision = found.group(1) if found else None

    @task(1)
    def overview_and_submit(self):
        self.client.get(f"/a/{self.assessment}/", name="assessment overview")
        if self.saves >= 8 and not self.submitted:
            self.post(f"/a/{self.assessment}/submit/", {"confirm": "on"}, name="submit")
            self.submitted = True


class Signatory(Person):
    fixed_count = len(TEAMS)

    def on_start(self):
        super().on_start()
        self.team = FOR_SIGNATORIES.pop()
        self.assessment = self.team["assessment"]
        self.codes = list(self.team["signatory_codes"])
        self.log_in(self.team["signatory"], self.codes)
        self.signed = False

    @task
    def sign_when_asked(self):
        if self.signed:
            self.client.get(f"/a/{self.assessment}/", name="assessment overview")
            return
        page = self.client.get(f"/a/{self.assessment}/sign/", name="sign page")
        if 'name="confirm"' not in page.text:
            return  # not submitted for signature yet
        done = self.client.post(
            f"/a/{self.assessment}/sign/",
            {
                "confirm": "on",
                "password": PASSWORD,
                "code": self.codes.pop(),
                "csrfmiddlewaretoken": token(page),
            },
            name="sign",
        )
        self.signed = "/attestations/" in done.url


class Reviewer(Person):
    fixed_count = len(REVIEWERS)

    def on_start(self):
        super().on_start()
        account = REVIEWERS.pop()
        self.log_in(account["email"], list(account["codes"]))

    @task(3)
    def queue(self):
        self.client.get("/review/", params={"status": "submitted"}, name="dashboard")

    @task(2)
    def review_and_approve(self):
        queue = self.client.get("/review/", params={"status": "submitted"}, name="dashboard")
        waiting = SUBMITTED_LINK.findall(queue.text)
        if not waiting:
            return
        pk = random.choice(waiting)
        self.client.get(f"/review/{pk}/", name="review page")
        # Two reviewers may pick the same one: the second is told, not failed.
        self.post(f"/review/{pk}/start/", {}, name="start review")
        self.post(
            f"/review/{pk}/decide/",
            {"outcome": "approve", "rationale": "Evidence checked; safeguards in place."},
            name="approve",
        )


class Visitor(HttpUser):
    """Anyone holding a report: the verification page, the published keys, a lookup."""

    wait_time = between(1, 3)

    def on_start(self):
        self.client.base_url = random.choice(HOSTS)

    @task(2)
    def verification_page(self):
        self.client.get("/verify/", name="verification page")

    @task(1)
    def look_up_a_hash(self):
        self.client.get(f"/verify/{secrets.token_hex(32)}/", name="verify a hash")

    @task(1)
    def published_keys(self):
        self.client.get("/.well-known/minor-safety-portal/jwks.json", name="published keys")
