from django.core.management.base import BaseCommand

from attestations.reminders import REMIND_DAYS_BEFORE, send_expiry_reminders


class Command(BaseCommand):
    help = (
        f"Email organizations whose attestation expires within {REMIND_DAYS_BEFORE} days "
        "(once per attestation). Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        sent = send_expiry_reminders()
        self.stdout.write(f"Sent {sent} expiry reminder(s).")
