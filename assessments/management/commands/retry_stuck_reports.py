from django.core.management.base import BaseCommand

from attestations.tasks import retry_stuck_reports


class Command(BaseCommand):
    help = "Queue again the PDF reports whose rendering task was lost (e.g. a crashed worker)."

    def handle(self, *args, **options):
        retried, failed = retry_stuck_reports()
        self.stdout.write(f"Queued {retried} stuck report(s) again; {failed} marked failed.")
