from pathlib import Path

from django.core.management.base import BaseCommand

from compliance_portal.storage_backup import write_archive


class Command(BaseCommand):
    help = (
        "Write every stored file (evidence, reports, audit checkpoints) to a .tar.gz, from "
        "local files or the S3 bucket alike (bin/backup runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        with file.open("wb") as out:
            count = write_archive(out)
        self.stdout.write(f"{count} stored files written to {file}.")
