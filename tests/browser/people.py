"""A person in the browser: one tab each, logged in as a person would (password, then the
code their authenticator app shows), with axe-core run on every page they open."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.test_two_factor import code_for


class Journey:
    """One browser tab per person, each checked with axe on every page it opens."""

    def __init__(self, browser, base_url, axe_check):
        self.browser, self.base, self.axe = browser, base_url, axe_check
        self.problems: list[str] = []
        self.contexts = []

    def tab(self, email=None):
        context = self.browser.new_context(accept_downloads=True)
        self.contexts.append(context)
        page = context.new_page()
        if email:
            page.goto(self.base + "/accounts/login/")
            self.check(page)
            page.fill("#id_username", email)
            page.fill("#id_password", PASSWORD)
            page.click("button:has-text('Log in')")
            self.second_factor(page, email)
        return page

    def second_factor(self, page, email):
        """Scan-and-type as a person would, with the code their app would show."""
        if "/two-factor/setup/" in page.url:
            self.check(page)
            device = TOTPDevice.objects.get(user__email=email, confirmed=False)
            page.fill("#id_password", PASSWORD)
            page.fill("#id_token", code_for(device))
            page.click("button:has-text('Turn on')")
            page.click("a:has-text('Continue')")
        elif "/two-factor/verify/" in page.url:
            device = TOTPDevice.objects.get(user__email=email, confirmed=True)
            page.fill("#id_token", code_for(device))
            page.click("button:has-text('Continue')")

    def visit(self, page, path):
        page.goto(self.base + path)
        self.check(page)

    def check(self, page):
        self.problems += self.axe(page)
