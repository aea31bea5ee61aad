"""Canonical snapshots, their hashes, and what an attestation's status is today.

The snapshot is the attested record: canonical JSON (sorted keys, UTF-8, no spaces,
UTC ISO times) hashed with SHA-256. It lists only questions that were shown, so hidden
answers never reach a report.
"""

import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db.models import Q
from django.utils import timezone
from pypdf import PdfReader

from assessments.answers import responses_for
from assessments.frameworks.schema import QuestionType, Status
from assessments.models import Assessment, Attestation, Evidence, User
from assessments.scoring import Response, score

log = logging.getLogger(__name__)

SNAPSHOT_SCHEMA = "minor-safety-attestation/1"
SNAPSHOT_ATTACHMENT = "attestation-snapshot.json"
STATEMENT_VERSION = "2026-11"
STATEMENTS = {
    "2026-11": (
        "I am an officer of {organization} authorised to make this attestation. To the best of "
        "my knowledge, after reasonable enquiry, the answers and evidence in this assessment "
        "truthfully describe the safeguards {organization} operates today for minors using its "
        "product built on the model. I will inform the platform of any material change."
    ),
}


def statement_text(version: str, organization_name: str) -> str:
    return STATEMENTS[version].format(organization=organization_name)


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")


def display_value(question, response: Response | None) -> str:
    """An answer as a person reads it (also what reports print)."""
    if response is None:
        return ""
    if response.not_applicable:
        return "Not applicable"
    value = response.value
    if question.type == QuestionType.MULTI_CHOICE and isinstance(value, list):
        return "; ".join(question.option_label(v) for v in value)
    if question.options and isinstance(value, str):
        return question.option_label(value)
    if question.type == QuestionType.EVIDENCE:
        return f"{response.evidence_count} item(s) of evidence"
    return "" if value is None else str(value)


def _evidence_entry(item: Evidence) -> dict:
    if item.url:
        return {"url": item.url}
    return {"file": item.original_name, "sha256": item.sha256, "size": item.size}


def build_snapshot(
    assessment: Assessment, *, number: int, signer: User, signed_at, statement_version: str
) -> dict:
    version = assessment.framework_version
    framework = version.framework
    responses = responses_for(assessment)
    result = score(framework, responses)
    evidence: dict[str, list[dict]] = {}
    for item in assessment.evidence.order_by("uploaded_at", "id"):
        evidence.setdefault(item.question_id, []).append(_evidence_entry(item))
    organization = assessment.organization
    return {
        "schema": SNAPSHOT_SCHEMA,
        "assessment_id": str(assessment.pk),
        "attestation_number": number,
        "organization": {
            "id": str(organization.pk),
            "legal_name": organization.legal_name,
            "website": organization.website,
        },
        "framework": {
            "slug": version.slug,
            "version": version.version,
            "title": version.title,
            "sha256": version.sha256,
        },
        "statement": {
            "version": statement_version,
            "text": statement_text(statement_version, organization.legal_name),
        },
        "signed": {"name": signer.full_name, "email": signer.email, "at": _iso(signed_at)},
        "overall": {"score": result.score, "risk_tier": result.risk_tier},
        "sections": [
            {
                "id": s.section.id,
                "title": s.section.title,
                "score": s.score,
                "questions": [
                    {
                        "id": r.question.id,
                        "text": r.question.text,
                        "answer": display_value(r.question, responses.get(r.question.id)),
                        "status": r.status.value,
                        "justification": (
                            responses[r.question.id].justification
                            if r.status == Status.NOT_APPLICABLE
                            else ""
                        ),
                        "evidence": evidence.get(r.question.id, []),
                        "citations": [
                            {
                                "document": framework.source(c.source).title,
                                "file": framework.source(c.source).file,
                                "section": c.section,
                            }
                            for c in r.question.citations
                        ],
                    }
                    for r in s.questions
                ],
            }
            for s in result.sections
        ],
        "gaps": [
            {
                "question_id": g.question.id,
                "status": g.status.value,
                "remediation": g.question.remediation,
            }
            for g in result.gaps
        ],
    }


class Verdict:
    CURRENT = "current"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    ALTERED = "altered"


def newer_attestation(attestation: Attestation) -> Attestation | None:
    """A later attestation by the same organization on the same framework, if any."""
    return (
        Attestation.objects.filter(
            assessment__organization_id=attestation.assessment.organization_id,
            assessment__framework_version__slug=attestation.assessment.framework_version.slug,
            signed_at__gt=attestation.signed_at,
            revoked_at__isnull=True,
        )
        .order_by("-signed_at")
        .first()
    )


def status_of(attestation: Attestation) -> str:
    if attestation.revoked_at:
        return Verdict.REVOKED
    if newer_attestation(attestation):
        return Verdict.SUPERSEDED
    if attestation.is_expired:
        return Verdict.EXPIRED
    return Verdict.CURRENT


@dataclass(frozen=True)
class Verification:
    verdict: str
    attestation: Attestation | None = None
    detail: str = ""

    @property
    def genuine(self) -> bool:
        return self.attestation is not None and self.verdict != Verdict.ALTERED


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


def verify_reference(text: str) -> Verification:
    attestation = find_by_hash(text)
    if attestation is None:
        return Verification(Verdict.UNKNOWN, detail="No attestation has this hash.")
    return Verification(status_of(attestation), attestation)


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


def verify_pdf(pdf: bytes) -> Verification:
    """Check a report file. A file the portal issued is recognised by its hash before any
    parsing; anything else is read only far enough to say how it differs."""
    issued = (
        Attestation.objects.select_related(
            "assessment__organization", "assessment__framework_version"
        )
        .filter(reports__sha256=sha256_hex(pdf))
        .first()
    )
    if issued is not None:
        return Verification(status_of(issued), issued)
    snapshot = embedded_snapshot(pdf)
    if snapshot is None:
        return Verification(
            Verdict.UNKNOWN, detail="This PDF carries no attestation snapshot: it is not a report."
        )
    attestation = find_by_hash(sha256_hex(snapshot))
    if attestation is None:
        return Verification(
            Verdict.ALTERED,
            detail="The embedded snapshot matches no attestation: the report was altered.",
        )
    return Verification(
        Verdict.ALTERED,
        attestation,
        "The snapshot is genuine but this PDF file is not one the portal issued: it was "
        "changed after it was issued.",
    )


def snapshot_changes(previous_json: str, current_json: str) -> list[dict]:
    """Questions whose answer, status or evidence differ between two signed snapshots."""

    def by_id(text):
        return {
            q["id"]: q for section in json.loads(text)["sections"] for q in section["questions"]
        }

    before, after = by_id(previous_json), by_id(current_json)
    changes = []
    for question_id in [*after, *(q for q in before if q not in after)]:
        old, new = before.get(question_id), after.get(question_id)
        fields = ("answer", "status", "justification", "evidence")
        if old and new and all(old[f] == new[f] for f in fields):
            continue
        changes.append(
            {"id": question_id, "text": (new or old)["text"], "before": old, "after": new}
        )
    return changes
