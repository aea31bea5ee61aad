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
        signature = result.signature
        self.stdout.write(
            f"Signature: the platform's key {signature.key_id} signed the whole file."
            if signature.genuine
            else f"Signature: {'; '.join(signature.problems)}."
        )
        att, status = result.attestation, result.status
        summary = (
            f"attestation {att.number} of {att.attested_organization['legal_name']}, signed "
            f"{att.signed_at:%Y-%m-%d}. {status.headline}: {status.detail}"
        )
        if not status.is_valid:
            raise CommandError(f"GENUINE, but NOT VALID: {summary}", returncode=NOT_VALID)
        self.stdout.write(f"GENUINE and VALID: {summary}")
