from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance_portal.storage_backup import StorageBackupError, restore_archive


class Command(BaseCommand):
    help = (
        "Restore the files of an archive made by backup_files into an empty file storage "
        "(local files or the S3 bucket; bin/restore runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            with file.open("rb") as archive:
                count = restore_archive(archive)
        except (OSError, StorageBackupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} stored files restored.")
