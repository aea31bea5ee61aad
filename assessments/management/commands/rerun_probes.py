from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from integrations.probes import RERUN_EVERY, rerun_due


class Command(BaseCommand):
    help = (
        "Run the probe set again on the test endpoints of organizations with an attestation "
        f"in force, where the latest run is older than {RERUN_EVERY.days} days; a probe that "
        "passed and now fails flags the attestation (audit trail, webhook, emails)."
    )

    def handle(self, *args, **options):
        started = rerun_due()
        self.stdout.write(f"Started the probe set on {started} endpoint{pluralize(started)}.")
