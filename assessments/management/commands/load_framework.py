from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.actors import SYSTEM
from questionnaires.frameworks.loader import FrameworkError, bundled_files, parse, publish
from questionnaires.policy_changes import PolicyTextError, load_bundled


class Command(BaseCommand):
    help = (
        "Validate and publish framework files (all bundled ones, and the policy texts they "
        "cite, when no path is given). Idempotent; a published version never changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument("--check", action="store_true", help="Validate only; store nothing.")
        parser.add_argument(
            "--published",
            action="store_true",
            help="Store nothing; exit 1 unless every file is published (workers wait for it).",
        )

    def handle(self, *args, paths, check, published, **options):
        if published:
            return self._require_published(paths or bundled_files())
        failures = []
        if not paths and not check:
            try:
                loaded = load_bundled(actor=SYSTEM)
            except PolicyTextError as exc:
                failures.append(str(exc))
            else:
                new = sum(1 for item in loaded if item.created)
                self.stdout.write(f"Policy texts: {new} loaded, {len(loaded) - new} already there.")
        for path in paths or bundled_files():
            try:
                if check:
                    framework, _, _ = parse(path)
                    self.stdout.write(f"OK {path}: {framework.slug} v{framework.version}")
                    continue
                version, created = publish(path)
            except FrameworkError as exc:
                failures.append(str(exc))
                continue
            word = "Published" if created else "Already published"
            self.stdout.write(f"{word}: {version} ({path.name})")
        if failures:
            raise CommandError("\n".join(failures))

    def _require_published(self, paths):
        from assessments.models import FrameworkVersion

        missing = []
        for path in paths:
            framework, _, _ = parse(path)
            if not FrameworkVersion.objects.filter(
                slug=framework.slug, version=framework.version
            ).exists():
                missing.append(f"{framework.slug} v{framework.version}")
        if missing:
            raise CommandError(f"Not published yet: {', '.join(missing)}")
        self.stdout.write("Every bundled questionnaire is published.")
