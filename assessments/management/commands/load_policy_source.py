import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.actors import SYSTEM
from questionnaires.policy_changes import (
    PolicyTextError,
    current_frameworks,
    do_load_policy_text,
    latest,
    record_of,
)
from questionnaires.policy_sources import Change, citing, compare, record_from


class Command(BaseCommand):
    help = (
        "Load a new text of a policy document the questionnaire cites: show which sections "
        "changed and which questions cite them, store it, and flag the attestations in force "
        "that cite a changed section (their organizations are told, with a due date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The source's id, e.g. usage_policy.")
        parser.add_argument("document", type=Path, help="The new text, as a text file.")
        parser.add_argument(
            "--effective",
            type=datetime.date.fromisoformat,
            required=True,
            help="The date the new text took effect (YYYY-MM-DD).",
        )
        parser.add_argument("--url", help="The document's address, if it moved.")
        parser.add_argument("--check", action="store_true", help="Show the changes; store nothing.")

    def handle(self, *args, source, document, effective, url, check, **options):
        previous = latest(source)
        if previous is None:
            raise CommandError(
                f"No text of {source!r} is loaded yet; run load_framework to load the bundled ones."
            )
        try:
            text = document.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{document}: cannot be read ({exc})") from exc
        record = record_from(text, record_of(previous), effective)
        if url:
            record = record.model_copy(update={"url": url})
        self._show(compare(record_of(previous), record), source)
        if check:
            return
        try:
            loaded = do_load_policy_text(record, actor=SYSTEM)
        except PolicyTextError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded.created:
            self.stdout.write("This text is loaded already: nothing changed.")
            return
        self.stdout.write(
            f"Loaded {loaded.document}. Attestations flagged for re-attestation: "
            f"{len(loaded.flags)}."
        )

    def _show(self, changes, source):
        frameworks = current_frameworks()
        for change in changes:
            if change.change == Change.UNCHANGED:
                continue
            questions = sorted({q for f in frameworks for q in citing(f, source, change.heading)})
            cited = f" — cited by {', '.join(questions)}" if questions else ""
            self.stdout.write(f"{change.change.upper():9} {change.heading}{cited}")
        if all(c.change == Change.UNCHANGED for c in changes):
            self.stdout.write("No section changed.")
