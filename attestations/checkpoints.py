"""Signed checkpoints of the audit trail, kept outside the database.

The hash chain shows an edited or removed event in the middle; it cannot show that the newest
events were deleted, or that someone with the database rewrote the whole chain. So at each
attestation and at least daily the platform signs (number of events, id and hash of the
newest, time) with its report-signing key and stores it as a file in the default storage (the
shared bucket in production), published at /.well-known/. `verify_audit_trail` checks the
chain against every stored checkpoint, newest by its signed content (never by file name), and
against checkpoints held elsewhere (`--checkpoint FILE`): a rollback of the database and of
the storage together is caught by any copy kept outside. A checkpoint whose signature does not
hold fails the check. When a timestamp authority is configured, each checkpoint also carries
its RFC 3161 token (`rfc3161`) over the signed document: proof from outside that it existed
then; a token that does not hold makes the checkpoint unbelieved.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessments.models import AuditEvent
from attestations import timestamps
from attestations.canonical import canonical_json, utc_iso
from attestations.signing_keys import all_keys, current_key

FOLDER = "audit-checkpoints"


@dataclass(frozen=True)
class Checkpoint:
    events: int
    head_id: int
    head: str
    at: str
    kid: str
    stamp: timestamps.Stamp | None = field(default=None, compare=False)  # the authority's word

    @property
    def body(self) -> dict:
        return {"events": self.events, "head_id": self.head_id, "head": self.head, "at": self.at}


def write_checkpoint() -> Checkpoint | None:
    """Sign where the chain stands now and store it; None for an empty trail."""
    newest = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if newest is None:
        return None
    checkpoint = Checkpoint(
        events=AuditEvent.objects.filter(id__lte=newest["id"]).count(),
        head_id=newest["id"],
        head=newest["hash"],
        at=utc_iso(datetime.now(UTC)),
        kid=current_key().kid,
    )
    key = serialization.load_pem_private_key(current_key().key_path.read_bytes(), password=None)
    signature = key.sign(canonical_json(checkpoint.body).encode(), ec.ECDSA(hashes.SHA256()))
    document = checkpoint.body | {
        "kid": checkpoint.kid,
        "signature": base64.b64encode(signature).decode(),
    }
    token = timestamps.token_for(canonical_json(document).encode())
    if token is not None:
        document["rfc3161"] = base64.b64encode(token).decode()
    name = f"{FOLDER}/{checkpoint.head_id:012d}-{checkpoint.at.replace(':', '')}.json"
    default_storage.save(name, ContentFile(json.dumps(document).encode()))
    return checkpoint


def _verified(document: dict) -> Checkpoint | None:
    keys = {k.kid: k for k in all_keys()}
    key = keys.get(document.get("kid", ""))
    if key is None:
        return None
    checkpoint = Checkpoint(
        events=document["events"],
        head_id=document["head_id"],
        head=document["head"],
        at=document["at"],
        kid=document["kid"],
    )
    if key.withdrawn_at is not None and datetime.fromisoformat(checkpoint.at) >= key.withdrawn_at:
        return None  # whoever holds a withdrawn key could sign any checkpoint after the date
    try:
        key.certificate.public_key().verify(
            base64.b64decode(document["signature"]),
            canonical_json(checkpoint.body).encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError):
        return None
    if "rfc3161" not in document:
        return checkpoint
    signed = {k: v for k, v in document.items() if k != "rfc3161"}
    stamp = timestamps.check(base64.b64decode(document["rfc3161"]), canonical_json(signed).encode())
    if stamp is None:
        return None  # a token that is not over this document, or not from a trusted authority
    return Checkpoint(**checkpoint.body, kid=checkpoint.kid, stamp=stamp)


def read(text: str | bytes) -> Checkpoint | None:
    """A checkpoint from its JSON document, if the platform's signature on it holds."""
    try:
        return _verified(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def stored_checkpoints() -> tuple[list[Checkpoint], int]:
    """Every stored checkpoint whose signature holds, newest first by what it signed (the
    events it counts, then its time), and how many stored ones did not hold."""
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return [], 0
    verified, forged = [], 0
    for name in names:
        with default_storage.open(f"{FOLDER}/{name}") as f:
            checkpoint = read(f.read())
        if checkpoint is None:
            forged += 1
        else:
            verified.append(checkpoint)
    return sorted(verified, key=lambda c: (c.events, c.head_id, c.at), reverse=True), forged


def newest_checkpoint() -> tuple[Checkpoint | None, int]:
    """The newest stored checkpoint whose signature holds (by its content), and how many
    stored ones did not hold."""
    verified, forged = stored_checkpoints()
    return (verified[0] if verified else None), forged


def check_against(checkpoint: Checkpoint) -> str:
    """What the database lacks, or has rewritten, compared with a signed checkpoint ("" when
    it holds)."""
    head = AuditEvent.objects.filter(id=checkpoint.head_id).values_list("hash", flat=True).first()
    if head is None:
        return (
            f"event #{checkpoint.head_id}, the newest when the checkpoint of {checkpoint.at} "
            "was signed, is gone: the newest events were deleted"
        )
    if head != checkpoint.head:
        return (
            f"event #{checkpoint.head_id} no longer has the hash signed at {checkpoint.at}: "
            "the chain was rewritten"
        )
    count = AuditEvent.objects.filter(id__lte=checkpoint.head_id).count()
    if count != checkpoint.events:
        return (
            f"{checkpoint.events} events were signed at {checkpoint.at}, {count} remain up to "
            f"event #{checkpoint.head_id}: events were deleted"
        )
    return ""


def published() -> bytes:
    """Every stored checkpoint, newest first, one JSON document a line."""
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return b""
    lines = []
    for name in sorted(names, reverse=True):
        with default_storage.open(f"{FOLDER}/{name}") as f:
            lines.append(f.read().strip())
    return b"\n".join(lines) + (b"\n" if lines else b"")
