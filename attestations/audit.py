"""Record audit events in a hash chain, and verify that chain.

Each event stores the hash of the previous one, so editing or deleting any row breaks
every later link. Each also carries a MAC of its hash under a key that is not in the database
(settings.AUDIT_MAC_KEY, or a file beside the signing keys): a database superuser alone can
recompute hashes, but cannot append or rewrite an event whose MAC holds. Events are written
inside the caller's transaction, so an event exists exactly when the change it describes was
committed.
"""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from accounts.actors import Actor
from assessments.models import AuditAction, AuditEvent
from attestations.canonical import canonical_json
from attestations.signing_keys import keys_dir

GENESIS = "0" * 64
_CHAIN_LOCK = 727_401  # any constant: the advisory lock that serialises chain appends


def event_hash(event: AuditEvent) -> str:
    payload = {
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "ip_address": event.ip_address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organization_id": str(event.organization_id) if event.organization_id else None,
        "assessment_id": str(event.assessment_id) if event.assessment_id else None,
        "details": event.details,
        "previous_hash": event.previous_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


MAC_FILE = "audit-mac.secret"


def mac_key() -> bytes:
    if settings.AUDIT_MAC_KEY:
        return settings.AUDIT_MAC_KEY.encode()
    return _file_key(keys_dir() / MAC_FILE)


@functools.cache
def _file_key(path: Path) -> bytes:
    """The key file's content, made once (by whichever process gets there first); read only
    where it exists, as on the workers' read-only mount of the keys."""
    if path.exists():
        return path.read_bytes().strip()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x") as f:
            f.write(secrets.token_hex(32))
        path.chmod(0o600)
    except FileExistsError:
        pass
    return path.read_bytes().strip()


def event_mac(hash_: str) -> str:
    return hmac.new(mac_key(), hash_.encode(), hashlib.sha256).hexdigest()


def record(
    *,
    actor: Actor,
    action: AuditAction,
    obj,
    details: dict | None = None,
    organization_id=None,
    assessment_id=None,
) -> AuditEvent:
    """Append one event to the chain; must run inside the transaction making the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction it describes")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    user = actor.user if actor.user and actor.user.is_authenticated else None
    event = AuditEvent(
        actor=user,
        actor_email=user.email if user else "",
        ip_address=actor.ip,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        organization_id=organization_id,
        assessment_id=assessment_id,
        details=(details or {}) | ({"api_token": actor.token_id} if actor.token_id else {}),
        previous_hash=previous or GENESIS,
    )
    event.hash = event_hash(event)
    event.mac = event_mac(event.hash)
    event.save(force_insert=True)
    return event


def record_on(
    assessment, *, actor: Actor, action: AuditAction, obj=None, details=None
) -> AuditEvent:
    """Record an event about an assessment (or one of its objects), filed under both the
    assessment and its organization so each one's trail finds it."""
    return record(
        actor=actor,
        action=action,
        obj=assessment if obj is None else obj,
        details=details,
        organization_id=assessment.organization_id,
        assessment_id=assessment.pk,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: AuditEvent | None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain() -> ChainReport:
    """Walk the whole chain in order; name the first event whose link or MAC does not hold.
    Events from before MACs existed carry none; once one does, every later one must."""
    expected_previous = GENESIS
    checked = 0
    macs_began = False
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            if event.previous_hash != expected_previous:
                return ChainReport(
                    checked, event, "its previous hash does not match the event before it"
                )
            if event_hash(event) != event.hash:
                return ChainReport(checked, event, "its contents do not match its hash")
            if event.mac or macs_began:
                macs_began = True
                if not hmac.compare_digest(event.mac, event_mac(event.hash)):
                    return ChainReport(
                        checked, event, "its MAC does not hold: the portal did not write it"
                    )
            expected_previous = event.hash
            checked += 1
    return ChainReport(checked, None)
