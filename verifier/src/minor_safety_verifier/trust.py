"""What the verifier believes: the key set the pinned platform root signed, nothing else.

The root is pinned by the SHA-256 fingerprint of its certificate: given on the command line
(as printed on the portal's /verify/ page, on every report and in its README), or shipped in
this package's pinned_roots.txt by whoever distributes it. A key set signed by another root,
a key added to a copy of the set, or a signing certificate the root did not issue is not
believed."""

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import load_der_public_key  # via joserfc
from joserfc import jws
from joserfc.jwk import ECKey

KEY_SET_TYPE = "minor-safety-keyset+jwt"


class UntrustedKeySet(ValueError):
    """The key set cannot be believed; the message says why, for anyone."""


@dataclass(frozen=True)
class TrustedKeySet:
    root: asn1_x509.Certificate
    jwks: dict  # the keys as a JSON Web Key Set, for the credential and status list checks
    certificates: dict[str, asn1_x509.Certificate] = field(default_factory=dict)  # by kid
    withdrawn: dict[str, datetime] = field(default_factory=dict)  # kid -> from when

    @property
    def root_fingerprint(self) -> str:
        return hashlib.sha256(self.root.dump()).hexdigest()


def packaged_pins() -> list[str]:
    """Fingerprints shipped in pinned_roots.txt (one per line, # for comments)."""
    text = files("minor_safety_verifier").joinpath("pinned_roots.txt").read_text()
    return [
        line.split("#")[0].strip().lower()
        for line in text.splitlines()
        if line.split("#")[0].strip()
    ]


def _normalized(fingerprint: str) -> str:
    return fingerprint.replace(":", "").replace(" ", "").strip().lower()


def _moment(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def trusted_key_set(token: str, pins: list[str]) -> TrustedKeySet:
    """The signed key set, believed only if a pinned root signed it."""
    pins = [_normalized(p) for p in pins if p.strip()]
    if not pins:
        raise UntrustedKeySet(
            "no platform root is pinned: give --root-fingerprint (printed on the portal's "
            "/verify/ page and on every report)"
        )
    try:  # the root is read before the signature is checked: it is believed only if pinned
        unverified = json.loads(base64.urlsafe_b64decode(_padded(token.strip().split(".")[1])))
        root = asn1_x509.Certificate.load(base64.b64decode(unverified["root"]))
    except Exception as exc:  # anything but a signed key set is the same answer
        raise UntrustedKeySet(
            f"the key set is not a signed key set ({type(exc).__name__}); give the portal's "
            "keyset.jws"
        ) from exc
    fingerprint = hashlib.sha256(root.dump()).hexdigest()
    if fingerprint not in pins:
        raise UntrustedKeySet(
            f"the key set is signed by a root whose fingerprint ({fingerprint}) is not the "
            "pinned one"
        )
    try:
        public = ECKey.import_key(load_der_public_key(root.public_key.dump()))
        signed = jws.deserialize_compact(token.strip(), public, algorithms=["ES256"])
        if signed.headers().get("typ") != KEY_SET_TYPE:
            raise ValueError("not a key set")
        payload = json.loads(signed.payload)
    except Exception as exc:
        raise UntrustedKeySet(
            f"the key set's signature does not hold ({type(exc).__name__}): it was changed"
        ) from exc
    keys = payload.get("keys", [])
    certificates, withdrawn = {}, {}
    for entry in keys:
        for der in entry.get("x5c", [])[:1]:
            certificates[entry.get("kid", "")] = asn1_x509.Certificate.load(base64.b64decode(der))
        if entry.get("withdrawn"):
            withdrawn[entry.get("kid", "")] = _moment(entry["withdrawn"])
    return TrustedKeySet(root, {"keys": keys}, certificates, withdrawn)


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)
