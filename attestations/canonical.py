"""The one canonical JSON of the code base: RFC 8785 (JSON Canonicalization Scheme).

Snapshots, audit events, checkpoints and credentials are hashed or signed over it, so any JCS
implementation, in any language, reproduces the bytes."""

import hashlib
from datetime import UTC, datetime

import rfc8785


def canonical_json(data) -> str:
    return rfc8785.dumps(data).decode("utf-8")


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def utc_iso(moment: datetime) -> str:
    """A moment as the signed documents write it: UTC, ISO 8601, ending in "Z"."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
