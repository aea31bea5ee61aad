"""The published key set, signed by the platform root: the one list a verifier believes.

A compact JWS (ES256) whose header names the root by its certificate's SHA-256 (x5t#S256)
and whose payload carries the root certificate and the JSON Web Key Set of every signing key,
withdrawals included. A verifier checks the root
against the fingerprint it pins, then the signature, and trusts no key the set does not
list: adding a key to a copy of the file breaks the signature. It is written to
SIGNING_KEYS_DIR/keyset.jws by the commands that change the keys (the only moments the root's
private key is needed) and served as a file."""

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import ECKey
from minor_safety_verifier import TrustedKeySet, UntrustedKeySet, trusted_key_set

from attestations import platform_root
from attestations.canonical import canonical_json, utc_iso
from attestations.signing_keys import all_keys, jwks, keys_dir

FILE_NAME = "keyset.jws"
MEDIA_TYPE = "application/jose"
TYPE = "minor-safety-keyset+jwt"


def path() -> Path:
    return keys_dir() / FILE_NAME


def publish(*, root_key_path: Path | None = None) -> str:
    """Sign today's key set with the root and write it where the portal serves it from."""
    root_der = platform_root.certificate().public_bytes(serialization.Encoding.DER)
    key = platform_root.private_key(root_key_path)
    payload = {
        "iss": settings.SITE_URL,
        "iat": utc_iso(timezone.now()),
        "root": base64.b64encode(root_der).decode(),
        "keys": jwks()["keys"],
    }
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(root_der).digest()).rstrip(b"=")
    token = jws.serialize_compact(
        {"alg": "ES256", "typ": TYPE, "x5t#S256": thumbprint.decode()},
        canonical_json(payload).encode(),
        ECKey.import_key(key),
    )
    path().write_text(token)
    return token


def published() -> str | None:
    """The signed key set as last published, or None before any."""
    return path().read_text().strip() if path().exists() else None


def stale() -> list[str]:
    """The keys on file the published set does not say as they are (missing, or withdrawn
    since): the commands publish on every change, so this is a hand-made change."""
    token = published()
    if token is None:
        return [key.kid for key in all_keys()]
    listed = json.loads(base64.urlsafe_b64decode(_padded(token.split(".")[1])))["keys"]
    said = {entry["kid"]: entry.get("withdrawn") for entry in listed}
    return [
        key.kid
        for key in all_keys()
        if key.kid not in said or said[key.kid] != (key.withdrawn_at and utc_iso(key.withdrawn_at))
    ]


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def trusted() -> TrustedKeySet:
    """The published set as the offline verifier believes it, pinned to this portal's root:
    the portal checks its own files exactly as an outsider would."""
    token = published()
    if token is None:
        raise UntrustedKeySet(
            "no signed key set is published yet: run `python manage.py create_signing_key`"
        )
    return trusted_key_set(token, [platform_root.fingerprint()])
