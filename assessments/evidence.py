"""Evidence files and links: checked by content, hashed, stored privately, audited."""

import codecs
import datetime
import hashlib
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import prompt_check
from assessments.errors import IllegalTransition, MissingRequirement
from assessments.models import Assessment, AuditAction, Evidence, EvidenceVerdict, Status
from attestations import audit


class EvidenceRejected(ValueError):
    """An upload we will not store; the message says why, for the person uploading."""


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str
    extension: str  # what a stored file's name ends with, whatever the upload was called


PDF = Kind("application/pdf", "PDF", ".pdf")
PNG = Kind("image/png", "PNG image", ".png")
JPEG = Kind("image/jpeg", "JPEG image", ".jpg")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document",
    ".docx",
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", ".xlsx"
)
TEXT = Kind("text/plain", "plain text", ".txt")
KINDS = {kind.content_type: kind for kind in (PDF, PNG, JPEG, DOCX, XLSX, TEXT)}
ALLOWED = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text"  # what sniff() accepts
ZIP_MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a real document; beyond it, a zip bomb
ZIP_MAX_ENTRIES = 5000


def _office_kind(upload) -> Kind | None:
    upload.seek(0)
    try:
        entries = zipfile.ZipFile(upload).infolist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > (
        ZIP_MAX_UNPACKED_BYTES
    ):
        raise EvidenceRejected(
            f"{upload.name} unpacks to far more than any document we accept, so it is refused."
        )
    names = {e.filename for e in entries}
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(head: bytes, upload) -> Kind | None:
    """The file's real type from its first bytes, whatever its name claims."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    try:  # the window may end inside a multi-byte character: that is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return TEXT if b"\x00" not in head else None


def safe_name(name: str, kind: Kind) -> str:
    """A file name that is safe on any disk and says what the file really is: an HTML page
    uploaded as text downloads as `page.html.txt`, never as something a browser runs."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    try:
        cleaned = get_valid_filename(base)[:200]
    except SuspiciousFileOperation:
        cleaned = ""
    cleaned = cleaned or "file"
    return cleaned if cleaned.lower().endswith(kind.extension) else cleaned + kind.extension


def download(item: Evidence, *, actor: Actor) -> FileResponse:
    """The stored file, always as a download named for what it really is: a browser never
    renders it (for the page and the API alike); only for those who may see the assessment."""
    permissions.require(actor.user, item.assessment.organization, Need.VIEW)
    if not item.file:
        raise Http404("This evidence is a link, not a file.")
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=safe_name(item.original_name, KINDS.get(item.content_type, TEXT)),
        content_type=item.content_type,
    )


def size_limit() -> str:
    return filesizeformat(settings.EVIDENCE_MAX_BYTES)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, ready to store: nothing about it can fail later."""

    upload: object
    name: str
    kind: Kind
    sha256: str


def check_upload(upload) -> CheckedUpload:
    """Everything we require of a file, checked before anything of the post is saved."""
    digest, kind = _hash_and_check(upload)
    return CheckedUpload(upload, safe_name(upload.name, kind), kind, digest)


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


def _require_editable(assessment: Assessment, actor: Actor) -> None:
    """Only those who may edit the organization's answers change its evidence; and under a
    row lock, so a submission cannot slip in between the check and the change."""
    permissions.require(actor.user, assessment.organization, Need.EDIT)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_editable:
        raise IllegalTransition("Evidence can only change while the assessment is being edited.")


@dataclass(frozen=True)
class Validity:
    """The period a document speaks for, as the preparer gives it (both ends optional)."""

    applies_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    def problem(self) -> str:
        """What is wrong with the period as given ("" when nothing is)."""
        if self.applies_from and self.valid_until and self.valid_until < self.applies_from:
            return "“Valid until” is before “applies from”: check the two dates."
        return ""

    def require_sound(self) -> None:
        """Refuse the period when its end is before its start, whoever gives it."""
        if problem := self.problem():
            raise MissingRequirement(problem)

    def as_details(self) -> dict:
        return {
            "applies_from": self.applies_from.isoformat() if self.applies_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


def add_file(
    assessment: Assessment,
    question_id: str,
    checked: CheckedUpload,
    *,
    actor: Actor,
    validity: Validity = Validity(),
) -> Evidence:
    name, digest = checked.name, checked.sha256
    validity.require_sound()
    with transaction.atomic():
        _require_editable(assessment, actor)
        item = Evidence(
            assessment=assessment,
            question_id=question_id,
            original_name=name,
            content_type=checked.kind.content_type,
            size=checked.upload.size,
            sha256=digest,
            uploaded_by=actor.user,
            applies_from=validity.applies_from,
            valid_until=validity.valid_until,
        )
        item.file.save(item.id.hex, checked.upload, save=False)
        item.save()
        prompt_check.check(item)  # the prompt in use, beside the platform's: its own evidence
        audit.record_on(
            assessment,
            actor=actor,
            action=AuditAction.EVIDENCE_UPLOADED,
            obj=item,
            details={"question_id": question_id, "file": name, "sha256": digest}
            | validity.as_details(),
        )
    return item


def add_url(
    assessment: Assessment,
    question_id: str,
    url: str,
    *,
    actor: Actor,
    validity: Validity = Validity(),
) -> Evidence:
    validity.require_sound()
    with transaction.atomic():
        _require_editable(assessment, actor)
        item = Evidence.objects.create(
            assessment=assessment,
            question_id=question_id,
            url=url,
            uploaded_by=actor.user,
            applies_from=validity.applies_from,
            valid_until=validity.valid_until,
        )
        audit.record_on(
            assessment,
            actor=actor,
            action=AuditAction.EVIDENCE_LINKED,
            obj=item,
            details={"question_id": question_id, "url": url} | validity.as_details(),
        )
    return item


def sharing_stored(
    source: Evidence,
    *,
    assessment: Assessment | None = None,
    question_id: str | None = None,
    uploaded_by=None,
    uploaded_at: datetime.datetime | None = None,
) -> Evidence:
    """An unsaved row backed by the same stored object or link as ``source``, with its dates
    of validity: the one place that knows which fields travel with a piece of evidence."""
    item = Evidence(
        assessment=assessment or source.assessment,
        question_id=question_id or source.question_id,
        file=source.file.name,
        url=source.url,
        original_name=source.original_name,
        content_type=source.content_type,
        size=source.size,
        sha256=source.sha256,
        uploaded_by=uploaded_by,
        applies_from=source.applies_from,
        valid_until=source.valid_until,
    )
    if uploaded_at is not None:
        item.uploaded_at = uploaded_at
    return item


def reuse(
    source: Evidence, question_id: str, *, actor: Actor, assessment: Assessment | None = None
) -> Evidence:
    """Attach a file already uploaded to another question, of this assessment or of another
    product's of the same organization (a policy that covers every product), without storing
    it twice: a row of its own (a reviewer judges evidence claim by claim), the same stored
    object and dates."""
    target = assessment or source.assessment
    if source.assessment.organization_id != target.organization_id:
        raise IllegalTransition("Only the organization's own files can back its answers.")
    with transaction.atomic():
        _require_editable(target, actor)
        item = sharing_stored(
            source, assessment=target, question_id=question_id, uploaded_by=actor.user
        )
        item.save()
        audit.record_on(
            target,
            actor=actor,
            action=AuditAction.EVIDENCE_UPLOADED,
            obj=item,
            details={
                "question_id": question_id,
                "file": source.original_name,
                "sha256": source.sha256,
                "reused_from": str(source.pk),
                **(
                    {"from_assessment": str(source.assessment_id)}
                    if source.assessment_id != target.pk
                    else {}
                ),
            },
        )
    return item


def organization_files(assessment: Assessment) -> list[Evidence]:
    """Files the organization uploaded for its other products' assessments, one per content:
    evidence that covers every product can back this one's answers too."""
    seen, found = set(), []
    others = (
        Evidence.objects.filter(assessment__organization_id=assessment.organization_id)
        .exclude(assessment=assessment)
        .exclude(assessment__product_id=assessment.product_id)
        .exclude(file="")
        .select_related("assessment__product")
        .order_by("-uploaded_at")
    )
    for item in others:
        if item.sha256 not in seen:
            seen.add(item.sha256)
            found.append(item)
    return found


def remove(item: Evidence, *, actor: Actor) -> None:
    with transaction.atomic():
        _require_editable(item.assessment, actor)
        audit.record_on(
            item.assessment,
            actor=actor,
            action=AuditAction.EVIDENCE_REMOVED,
            obj=item,
            details={"question_id": item.question_id, "file": item.original_name, "url": item.url},
        )
        stored = item.file.name
        item.delete()
        # The stored object goes with the last question it backs.
        if stored and not Evidence.objects.filter(file=stored).exists():
            storage = item.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


def attestation_end(assessment: Assessment, *, latest=None) -> datetime.date:
    """The day the attestation this evidence backs ends: the signed one's expiry once the
    assessment is signed, before that the expiry a signature today would give. A page that
    has already read the latest attestation passes it as ``latest``."""
    if not (assessment.is_editable or assessment.status == Status.AWAITING_SIGNATURE):
        latest = latest or assessment.attestations.order_by("-number").first()
        if latest is not None:
            return timezone.localdate(latest.expires_at)
    return timezone.localdate() + datetime.timedelta(days=settings.ATTESTATION_VALID_DAYS)


def with_verdicts(
    assessment: Assessment,
    *,
    end: datetime.date | None = None,
    questions: Collection[str] | None = None,
) -> list[Evidence]:
    """Every item of an assessment with its latest reviewer verdict (``accepted``: True, False
    or None when none yet; ``verdict_reason``), whether it lapses before the attestation
    would end (``lapses``) and whether it came from the previous assessment
    (``carried_over``): scoring and pages share it. A page that also shows the attestation's
    end passes it as ``end`` so it is worked out once. Two plain reads (one when there is no
    evidence) cost less than one with a subquery per verdict field. With ``questions``, the
    items given under those questions only (none, unread, when it is empty)."""
    if questions is not None and not questions:
        return []
    end = end or attestation_end(assessment)
    items = list(
        Evidence.objects.filter(assessment_id=assessment.pk).select_related(
            "prompt_comparison__reference"
        )
    )
    if questions is not None:
        items = [item for item in items if item.question_id in questions]
    latest = {}
    if items:
        verdicts = EvidenceVerdict.objects.filter(evidence__assessment_id=assessment.pk)
        for evidence_id, accepted, reason in verdicts.order_by("decided_at", "id").values_list(
            "evidence_id", "accepted", "reason"
        ):
            latest[evidence_id] = (accepted, reason)  # in decision order: the latest wins
    for item in items:
        item.assessment = assessment
        item.accepted, item.verdict_reason = latest.get(item.pk, (None, None))
        item.lapses = item.valid_until is not None and item.valid_until < end
        item.carried_over = item.uploaded_at < assessment.created_at
    return items


def by_question(items: list[Evidence]) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = {}
    for item in items:
        grouped.setdefault(item.question_id, []).append(item)
    return grouped
