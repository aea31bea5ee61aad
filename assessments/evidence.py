"""Evidence files and links: checked by content, hashed, stored privately, audited."""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

from assessments import audit
from assessments.actors import Actor
from assessments.errors import IllegalTransition
from assessments.models import Assessment, Evidence


class EvidenceRejected(ValueError):
    """An upload we will not store; the message says why, for the person uploading."""


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str


PDF = Kind("application/pdf", "PDF")
PNG = Kind("image/png", "PNG image")
JPEG = Kind("image/jpeg", "JPEG image")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook")
TEXT = Kind("text/plain", "plain text")
ALLOWED = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text"  # what sniff() accepts


def sniff(head: bytes, upload) -> Kind | None:
    """The file's real type from its first bytes, whatever its name claims."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            names = set(zipfile.ZipFile(upload).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT if b"\x00" not in head else None


def size_limit() -> str:
    return filesizeformat(settings.EVIDENCE_MAX_BYTES)


def _hash_and_check(upload) -> tuple[str, Kind]:
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceRejected(f"{upload.name} is larger than the {size_limit()} limit.")
    if upload.size == 0:
        raise EvidenceRejected(f"{upload.name} is empty.")
    upload.seek(0)
    head = upload.read(2048)
    kind = sniff(head, upload)
    if kind is None:
        raise EvidenceRejected(
            f"{upload.name} is not a file type we accept. Upload a {ALLOWED} file."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), kind


def _require_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise IllegalTransition("Evidence can only change while the assessment is being edited.")


def add_file(assessment: Assessment, question_id: str, upload, *, actor: Actor) -> Evidence:
    _require_editable(assessment)
    digest, kind = _hash_and_check(upload)
    name = get_valid_filename(upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200] or "file"
    with transaction.atomic():
        item = Evidence(
            assessment=assessment,
            question_id=question_id,
            original_name=name,
            content_type=kind.content_type,
            size=upload.size,
            sha256=digest,
            uploaded_by=actor.user,
        )
        item.file.save(item.id.hex, upload, save=False)
        item.save()
        audit.record_on(
            assessment,
            actor=actor,
            action="evidence_uploaded",
            obj=item,
            details={"question_id": question_id, "file": name, "sha256": digest},
        )
    return item


def add_url(assessment: Assessment, question_id: str, url: str, *, actor: Actor) -> Evidence:
    _require_editable(assessment)
    with transaction.atomic():
        item = Evidence.objects.create(
            assessment=assessment, question_id=question_id, url=url, uploaded_by=actor.user
        )
        audit.record_on(
            assessment,
            actor=actor,
            action="evidence_linked",
            obj=item,
            details={"question_id": question_id, "url": url},
        )
    return item


def remove(item: Evidence, *, actor: Actor) -> None:
    _require_editable(item.assessment)
    with transaction.atomic():
        audit.record_on(
            item.assessment,
            actor=actor,
            action="evidence_removed",
            obj=item,
            details={"question_id": item.question_id, "file": item.original_name, "url": item.url},
        )
        stored = item.file.name
        item.delete()
        if stored:
            storage = item.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


def by_question(assessment: Assessment) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = {}
    for item in assessment.evidence.all():
        grouped.setdefault(item.question_id, []).append(item)
    return grouped
