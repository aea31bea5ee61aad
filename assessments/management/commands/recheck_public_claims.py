from django.core.management.base import BaseCommand

from integrations.public_claims import RECHECK_EVERY, recheck_due


class Command(BaseCommand):
    help = (
        "Read again the public pages behind approved attestations not read for "
        f"{RECHECK_EVERY}; a page that changed or disappeared flags its attestation."
    )

    def handle(self, *args, **options):
        queued = recheck_due()
        self.stdout.write(f"Queued the public claims of {queued} assessment(s) for a re-check.")
