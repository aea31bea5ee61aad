from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from assessments import prompt_check


class Command(BaseCommand):
    help = (
        "Publish a version of the platform's child-safety system prompt: the text deployers' "
        "prompts are compared with from then on. A published version never changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="The version, e.g. 2026.1.")
        parser.add_argument(
            "text",
            type=Path,
            nargs="?",
            help="The prompt as a text file (default: the bundled child-safety-VERSION.txt).",
        )

    def handle(self, *args, version, text, **options):
        path = text or prompt_check.BUNDLED_DIR / f"child-safety-{version}.txt"
        try:
            body = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        if not body.strip():
            raise CommandError(f"{path} is empty.")
        try:
            published, created = prompt_check.publish_reference(version, body)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not created:
            self.stdout.write(f"{published} was already published; nothing changed.")
            return
        self.stdout.write(f"Published {published} (sha256 {published.sha256}).")
        again = prompt_check.compare_again()
        self.stdout.write(
            f"Compared again: {again} prompt{pluralize(again)} of assessments being answered."
        )
        older = prompt_check.flag_older_comparisons()
        for attestation in older:
            organization = attestation.assessment.organization.legal_name
            self.stdout.write(f"  compared with an older version: {organization}, {attestation}")
        if older:
            self.stdout.write(
                f"{len(older)} attestation{pluralize(len(older))} in force "
                f"{pluralize(len(older), 'was,were')} compared with an older version: flagged, "
                "their organizations and the reviewers told."
            )
