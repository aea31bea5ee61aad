from django.core.management.base import BaseCommand

from attestations.checkpoints import write_checkpoint


class Command(BaseCommand):
    help = "Sign where the audit trail stands now and store it outside the database."

    def handle(self, *args, **options):
        checkpoint = write_checkpoint()
        if checkpoint is None:
            self.stdout.write("The audit trail is empty: nothing to sign yet.")
        else:
            self.stdout.write(
                f"Checkpoint: {checkpoint.events} events, newest #{checkpoint.head_id}, "
                f"signed with key {checkpoint.kid}."
            )
