from django.conf import settings
from django.core.management.base import BaseCommand

from platform_audits.platform_requests import send_reminders


class Command(BaseCommand):
    help = (
        "Remind organizations of the platform's open requests "
        f"{', '.join(map(str, settings.REQUEST_REMINDER_DAYS))} days before they are due "
        "(REQUEST_REMINDER_DAYS; each reminder once). Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"Sent {sent} request reminder(s).")
