from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings

from assessments import prompt_check
from assessments.demo import DEMO_PASSWORD, seed

DISCARD = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = "Create demo organizations, people of every role and assessments in every state."

    def handle(self, *args, **options):
        # The demo's reports are signed: without a key none would be, and nothing would say why.
        call_command("create_signing_key", "--if-missing", stdout=self.stdout)
        call_command("load_framework", stdout=self.stdout)
        call_command("publish_reference_prompt", prompt_check.BUNDLED_VERSION, stdout=self.stdout)
        # Demo people are not real: their notifications go nowhere.
        with override_settings(MAILERS=DISCARD):
            logins = seed()
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for role, email in logins:
            self.stdout.write(f"  {email:<34} {role}")
