from django.core.management.base import BaseCommand, CommandError

from attestations.audit import verify_chain
from attestations.checkpoints import check_against, newest_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain, then the chain against the newest signed "
        "checkpoint kept outside the database; exit 0 only when both hold."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.intact:
            event = report.first_broken
            raise CommandError(
                f"Audit trail broken at event #{event.pk} ({event.action}, "
                f"{event.created_at:%Y-%m-%d %H:%M:%S} UTC): {report.problem}. "
                f"{report.checked} events before it verified."
            )
        checkpoint, forged = newest_checkpoint()
        if forged:
            self.stderr.write(f"{forged} stored checkpoint(s) carry no valid platform signature.")
        if checkpoint is None:
            self.stdout.write(
                f"Audit trail intact: {report.checked} events verified. No signed checkpoint "
                "found, so the deletion of the newest events cannot be ruled out."
            )
            return
        problem = check_against(checkpoint)
        if problem:
            raise CommandError(f"Audit trail does not match its signed checkpoint: {problem}.")
        self.stdout.write(
            f"Audit trail intact: {report.checked} events verified, and the first "
            f"{checkpoint.events} match the checkpoint signed at {checkpoint.at}."
        )
