"""Checking a report someone holds (a file, a hash or a link) against what the portal issued.

A file is hostile until proven otherwise: an issued report is recognised by its hash before
any parsing, and anything else is read only as far as its embedded snapshot.
"""

import io
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice

from django.db.models import Q
from minor_safety_verifier import OfflineResult, verify_report
from pypdf import PdfReader

from assessments.models import Attestation, Report
from attestations import key_set
from attestations.attestation import SNAPSHOT_ATTACHMENT
from attestations.attestation_status import AttestationStatus, Tone, status_of
from attestations.canonical import sha256_hex
from attestations.pdf_signing import outside_event_loop
from attestations.signing_keys import all_keys

log = logging.getLogger(__name__)


class Finding(StrEnum):
    GENUINE = "genuine"  # the portal issued it; what it means today is in .status
    ALTERED = "altered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    finding: Finding
    attestation: Attestation | None = None
    detail: str = ""
    signature: OfflineResult | None = None  # the offline verifier's check of an uploaded file

    @property
    def genuine(self) -> bool:
        return self.finding == Finding.GENUINE

    @property
    def status(self) -> AttestationStatus | None:
        return status_of(self.attestation) if self.genuine else None

    @property
    def signature_holds(self) -> bool:
        """A file's signature can fail on a genuine record (its key withdrawn before it
        signed, or no longer published): then the file is not valid, whatever the record."""
        return self.signature is None or self.signature.genuine

    @property
    def is_valid(self) -> bool:
        return self.genuine and self.signature_holds and self.status.is_valid

    @property
    def headline(self) -> str:
        if self.genuine and not self.signature_holds:
            return "Not valid: this file's signature no longer holds"
        return self.status.headline

    @property
    def explanation(self) -> str:
        """The headline's reason, for a genuine record (`detail` says why one is not)."""
        if self.genuine and not self.signature_holds:
            return (
                "The platform issued this record, but " + "; ".join(self.signature.problems) + "."
            )
        return self.status.detail

    @property
    def tone(self) -> str:
        return Tone.BAD if not self.signature_holds else self.status.tone


def _genuine(attestation: Attestation) -> Verification:
    return Verification(Finding.GENUINE, attestation)


HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")


def find_by_hash(text: str) -> Attestation | None:
    """Match a pasted snapshot hash, report hash or verification URL to an attestation."""
    match = HASH_RE.search(text.strip().lower())
    if not match:
        return None
    digest = match.group(0)
    return (
        Attestation.objects.select_related(
            "assessment__organization", "assessment__framework_version"
        )
        .filter(Q(snapshot_sha256=digest) | Q(reports__sha256=digest))
        .first()
    )


NOT_A_REFERENCE = (
    "That is neither a verification link nor a hash. Paste the link printed at the foot of "
    "every page of the report (it ends in 64 letters and digits), the 64-character SHA-256 "
    "shown on the report, or upload the PDF itself."
)


def verify_reference(text: str) -> Verification:
    if not HASH_RE.search(text.strip().lower()):
        return Verification(Finding.UNKNOWN, detail=NOT_A_REFERENCE)
    attestation = find_by_hash(text)
    if attestation is None:
        return Verification(Finding.UNKNOWN, detail="No attestation has this hash.")
    return _genuine(attestation)


# What an issued report can look like; anything beyond is not one, and is not parsed further.
REPORT_MAX_BYTES = 20 * 1024 * 1024
REPORT_MAX_PAGES = 200
REPORT_MAX_ATTACHMENTS = 10
SNAPSHOT_MAX_BYTES = 2 * 1024 * 1024


class CannotCheck(ValueError):
    """An uploaded file verification gives up on; the message says why, for anyone."""


def embedded_snapshot(pdf: bytes) -> str | None:
    """The snapshot attached to a report PDF, reading only what that needs.

    The file is hostile until proven otherwise: no page is rendered or its text extracted,
    an encrypted file or one with more pages than any report is refused from its header,
    and whatever the PDF library fails on becomes CannotCheck (pypdf's own limits stop
    decompression bombs)."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted:
            raise CannotCheck("This PDF is encrypted. The portal's reports never are.")
        declared_pages = int(reader.root_object["/Pages"].get("/Count", 0))  # never walked
        if declared_pages > REPORT_MAX_PAGES:
            raise CannotCheck(
                f"This PDF has more than {REPORT_MAX_PAGES} pages: it is not one of our reports."
            )
        first = islice(reader.attachment_list, REPORT_MAX_ATTACHMENTS)
        entries = [e for e in first if e.name == SNAPSHOT_ATTACHMENT]
        content = entries[0].content if entries else None
    except CannotCheck:
        raise
    except Exception as exc:  # any failure of the parser on hostile input is the same answer
        log.info("Cannot read an uploaded PDF: %r", exc)
        raise CannotCheck("This file is not a PDF we can read, so it cannot be checked.") from exc
    if content is None:
        return None
    if len(content) > SNAPSHOT_MAX_BYTES:
        raise CannotCheck("This PDF's attachment is far larger than any attestation snapshot.")
    return content.decode("utf-8", errors="replace")


def _signature_of(report: Report, pdf: bytes) -> OfflineResult:
    """The signature check of an issued file. Its bytes are the ones the offline verifier
    accepted before the file was issued, so that finding stands, unless the key that signed
    it is no longer published or was withdrawn before it signed. Reports issued before the
    portal checked its own files are checked now, in full."""
    if not report.key_id:
        return outside_event_loop(verify_report, pdf, key_set.trusted())
    key = next((k for k in all_keys() if k.kid == report.key_id), None)
    if key is None:
        problem = "the key that signed this file is no longer one the platform publishes"
        return OfflineResult(False, [problem], report.key_id)
    if key.withdrawn_at is not None and report.rendered_at >= key.withdrawn_at:
        problem = (
            f"it was signed on {report.rendered_at:%Y-%m-%d %H:%M} UTC, after the platform "
            f"withdrew the key {key.kid} on {key.withdrawn_at:%Y-%m-%d %H:%M} UTC "
            f"({key.withdrawn_reason})"
        )
        return OfflineResult(False, [problem], report.key_id)
    return OfflineResult(True, key_id=report.key_id)


def verify_pdf(pdf: bytes) -> Verification:
    """Check a report file. A file the portal issued is recognised by its hash before any
    parsing; anything else is read only far enough to say how it differs."""
    issued = (
        Report.objects.select_related(
            "attestation__assessment__organization",
            "attestation__assessment__framework_version",
        )
        .filter(sha256=sha256_hex(pdf))
        .first()
    )
    if issued is not None:
        return Verification(
            Finding.GENUINE, issued.attestation, signature=_signature_of(issued, pdf)
        )
    snapshot = embedded_snapshot(pdf)
    if snapshot is None:
        return Verification(
            Finding.UNKNOWN, detail="This PDF carries no attestation snapshot: it is not a report."
        )
    attestation = find_by_hash(sha256_hex(snapshot))
    if attestation is None:
        return Verification(
            Finding.ALTERED,
            detail="The embedded snapshot matches no attestation: the report was altered.",
        )
    return Verification(
        Finding.ALTERED,
        attestation,
        "The snapshot is genuine but this PDF file is not one the portal issued: it was "
        "changed after it was issued.",
    )
