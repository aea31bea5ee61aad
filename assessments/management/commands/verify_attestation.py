from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attestations.verification import CannotCheck, verify_pdf

NOT_VALID = 2  # genuine, but the platform's decision or the calendar says it is not valid


class Command(BaseCommand):
    help = (
        "Check an attestation report PDF: its signature (the offline verifier, with the "
        "platform's published keys), then the portal's records. Exit 0 only for a "
        "genuine report of a valid attestation; 2 for a genuine one that is not valid (awaiting "
        "review, rejected, superseded, expired, revoked...); 1 for anything else."
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
        except CannotCheck as exc:
            raise CommandError(str(exc)) from exc
        if not result.genuine:
            raise CommandError(f"NOT GENUINE ({result.finding}): {result.detail}")
        # The decision first, in the verification page's words; that the file is genuine after.
        signature = result.signature
        att = result.attestation
        said = result.explanation if result.is_valid else f"{result.headline}. {result.explanation}"
        summary = (
            f"{said} Attestation {att.number} of "
            f"{att.attested_organization['legal_name']}, signed {att.signed_at:%Y-%m-%d}."
        )
        genuine = (
            f"Genuine file: the platform's key {signature.key_id} signed the whole file."
            if signature.genuine
            else f"Genuine record, but the file's signature: {'; '.join(signature.problems)}."
        )
        if not result.is_valid:
            raise CommandError(f"NOT VALID: {summary}\n{genuine}", returncode=NOT_VALID)
        self.stdout.write(f"VALID: {summary}\n{genuine}")
