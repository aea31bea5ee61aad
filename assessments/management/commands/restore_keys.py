import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attestations.key_backup import KeyBackupError, unpack


class Command(BaseCommand):
    help = (
        "Restore the keys from a file made by backup_keys into an empty SIGNING_KEYS_DIR (and "
        "SIGNING_ROOT_DIR), with the passphrase in KEYS_BACKUP_PASSPHRASE (bin/restore runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        passphrase = os.environ.get("KEYS_BACKUP_PASSPHRASE", "")
        if not passphrase:
            raise CommandError("Set KEYS_BACKUP_PASSPHRASE to the passphrase of the backup.")
        try:
            restored = unpack(file.read_bytes(), passphrase)
        except (OSError, KeyBackupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {len(restored)} key files.")
