from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.test import override_settings

from assessments import prompt_check
from assessments.demo import DEMO_PASSWORD, DEMO_REVIEWER, seed
from assessments.models import User

DISCARD = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = "Create demo organizations, people of every role and assessments in every state."

    def handle(self, *args, **options):
        # Every demo account shares a published password, a platform admin among them: never
        # into a live database (a demo someone signed up to since loads again).
        real = _real_accounts()
        if real and not User.objects.filter(email=DEMO_REVIEWER).exists():
            raise CommandError(
                f"This database holds real accounts ({', '.join(real)}): the demo, whose "
                "accounts share a published password, loads only into a database of its own."
            )
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


# Addresses reserved for examples (RFC 2606): the demo's and the tests' people use only these.
EXAMPLE_DOMAINS = (".example", "@example.com", "@example.net", "@example.org")


def _real_accounts(shown: int = 3) -> list[str]:
    examples = Q()
    for domain in EXAMPLE_DOMAINS:
        examples |= Q(email__endswith=domain)
    real = User.objects.exclude(examples).order_by("email").values_list("email", flat=True)
    return list(real[:shown])
