from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attestations.audit import verify_chain
from attestations.checkpoints import check_against, read, stored_checkpoints


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain, then the chain against every signed checkpoint "
        "stored outside the database and every one given with --checkpoint (a copy held "
        "elsewhere: a line of /.well-known/minor-safety-portal/audit-checkpoints, say); exit 0 "
        "only when all hold. A checkpoint whose signature does not hold is a failure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            type=Path,
            action="append",
            default=[],
            help="a file of checkpoints held elsewhere (JSON documents, one a line)",
        )

    def handle(self, *args, checkpoint, **options):
        report = verify_chain()
        if not report.intact:
            event = report.first_broken
            raise CommandError(
                f"Audit trail broken at event #{event.pk} ({event.action}, "
                f"{event.created_at:%Y-%m-%d %H:%M:%S} UTC): {report.problem}. "
                f"{report.checked} events before it verified."
            )
        stored, forged = stored_checkpoints()
        if forged:
            raise CommandError(
                f"{forged} stored checkpoint(s) carry no valid platform signature: the "
                "checkpoints were tampered with."
            )
        checkpoints = stored + self._given(checkpoint)
        if not checkpoints:
            self.stdout.write(
                f"Audit trail intact: {report.checked} events verified. No signed checkpoint "
                "found, so the deletion of the newest events cannot be ruled out."
            )
            return
        for held in checkpoints:
            problem = check_against(held)
            if problem:
                raise CommandError(f"Audit trail does not match a signed checkpoint: {problem}.")
        newest = max(checkpoints, key=lambda c: (c.events, c.head_id, c.at))
        self.stdout.write(
            f"Audit trail intact: {report.checked} events verified, and {len(checkpoints)} "
            f"signed checkpoint(s) match, the newest of {newest.events} events signed at "
            f"{newest.at}." + _stamped(newest)
        )

    def _given(self, paths: list[Path]) -> list:
        found = []
        for path in paths:
            try:
                lines = [line for line in path.read_text().splitlines() if line.strip()]
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
            for number, line in enumerate(lines, start=1):
                held = read(line)
                if held is None:
                    raise CommandError(
                        f"{path}, line {number}: not a checkpoint the platform signed."
                    )
                found.append(held)
        return found


def _stamped(checkpoint) -> str:
    stamp = checkpoint.stamp
    if stamp is None:
        return ""
    trust = "" if stamp.trusted else " (not checked against SIGNING_TIMESTAMP_ROOTS)"
    return f" Timestamped by {stamp.authority} at {stamp.at}{trust}."
