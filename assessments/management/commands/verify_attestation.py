from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.attestation import Verdict, verify_pdf


class Command(BaseCommand):
    help = (
        "Check an attestation report PDF: its embedded snapshot, the hash printed on it and "
        "the portal's records. Exit 0 only for a genuine, unaltered report."
    )

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path)

    def handle(self, *args, pdf, **options):
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {pdf}: {exc}") from exc
        try:
            result = verify_pdf(data)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not result.genuine:
            raise CommandError(f"NOT GENUINE ({result.verdict}): {result.detail}")
        att = result.attestation
        self.stdout.write(
            f"GENUINE: attestation {att.number} of {att.assessment.organization.legal_name}, "
            f"signed {att.signed_at:%Y-%m-%d}, expires {att.expires_at:%Y-%m-%d}. "
            f"Status: {result.verdict}."
        )
        if result.verdict != Verdict.CURRENT:
            self.stdout.write(self.style.WARNING(f"Note: this attestation is {result.verdict}."))
