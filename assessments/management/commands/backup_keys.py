import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attestations.key_backup import KeyBackupError, pack


class Command(BaseCommand):
    help = (
        "Write the signing keys, the platform root and the audit MAC key to one file, "
        "encrypted with the passphrase in KEYS_BACKUP_PASSPHRASE (bin/backup runs it). Keep "
        "the passphrase apart from the backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        passphrase = os.environ.get("KEYS_BACKUP_PASSPHRASE", "")
        if not passphrase:
            raise CommandError("Set KEYS_BACKUP_PASSPHRASE: the keys are never backed up in clear.")
        try:
            file.write_bytes(pack(passphrase))
        except KeyBackupError as exc:
            raise CommandError(str(exc)) from exc
        file.chmod(0o600)
        self.stdout.write(f"Keys backed up, encrypted, to {file}.")
