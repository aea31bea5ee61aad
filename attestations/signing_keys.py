"""The platform's keys for signing reports: an X.509 certificate and its private key per key.

Keys live in files under SIGNING_KEYS_DIR (a mounted secret in production, shared read-only by
every web and worker machine), never in the database. Each key is a pair of files:

    <created>-<kid>.key.pem    the private key (an operator may drop their own here)
    <created>-<kid>.cert.pem   its certificate, optionally followed by the chain to a CA

    <created>-<kid>.withdrawn.json   when the key was withdrawn, and why (see `withdraw`)

Each certificate is issued by the platform root (platform_root.py), and the file carries the
root after it. The newest key that still has its private part signs; every key's certificate
stays published (/.well-known/), so reports signed before a rotation still verify. A retired
key is rotated out by deleting its .key.pem and keeping its .cert.pem; a key that must no longer
be believed (lost, or compromised) is withdrawn with a date: what it signed before stays valid,
what bears a later signing time does not.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from attestations import platform_root
from attestations.canonical import utc_iso

KEY_SUFFIX = ".key.pem"
CERT_SUFFIX = ".cert.pem"
WITHDRAWN_SUFFIX = ".withdrawn.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    certificate_path: Path
    key_path: Path | None  # None once retired: only the certificate remains
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""

    @cached_property
    def certificates(self) -> list[x509.Certificate]:
        """The key's certificate, then any chain the file carries."""
        return x509.load_pem_x509_certificates(self.certificate_path.read_bytes())

    @property
    def certificate(self) -> x509.Certificate:
        return self.certificates[0]

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def certified(self) -> bool:
        """Whether the platform root certified this key (keys made before the root was not)."""
        return platform_root.certified(self.certificate)


def key_id(public_key) -> str:
    """The first 16 hex digits of the SHA-256 of the public key's DER form."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def keys_dir() -> Path:
    return Path(settings.SIGNING_KEYS_DIR)


def all_keys(directory: Path | None = None) -> list[SigningKey]:
    """Every key whose certificate is on file, oldest first."""
    directory = directory or keys_dir()
    found = []
    for cert_path in sorted(directory.glob(f"*{CERT_SUFFIX}")):
        stem = cert_path.name.removesuffix(CERT_SUFFIX)
        key_path = directory / f"{stem}{KEY_SUFFIX}"
        withdrawal_path = directory / f"{stem}{WITHDRAWN_SUFFIX}"
        withdrawal = json.loads(withdrawal_path.read_text()) if withdrawal_path.exists() else {}
        certificate = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        found.append(
            SigningKey(
                kid=key_id(certificate.public_key()),
                certificate_path=cert_path,
                key_path=key_path if key_path.exists() and not withdrawal else None,
                withdrawn_at=datetime.fromisoformat(withdrawal["at"]) if withdrawal else None,
                withdrawn_reason=withdrawal.get("reason", ""),
            )
        )
    return found


def current_key() -> SigningKey:
    usable = [k for k in all_keys() if k.key_path is not None]
    if not usable:
        raise ImproperlyConfigured(
            f"No signing key in {keys_dir()}: run `python manage.py create_signing_key`."
        )
    return usable[-1]


def create_key(
    directory: Path | None = None,
    *,
    common_name: str | None = None,
    root_key_path: Path | None = None,
) -> SigningKey:
    """A new EC P-256 key with a certificate from the platform root (made first if there is
    none), the root's certificate after it in the file."""
    directory = directory or keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if not platform_root.exists():
        platform_root.create()
    private_key = ec.generate_private_key(ec.SECP256R1())
    certificate = platform_root.certify(
        private_key.public_key(),
        common_name or settings.SIGNING_KEY_NAME,
        root_key_path=root_key_path,
    )
    now = datetime.now(UTC)
    kid = key_id(private_key.public_key())
    stem = f"{now:%Y%m%dT%H%M%S%f}-{kid}"
    key_path = directory / f"{stem}{KEY_SUFFIX}"
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path = directory / f"{stem}{CERT_SUFFIX}"
    cert_path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + platform_root.certificate().public_bytes(serialization.Encoding.PEM)
    )
    return SigningKey(kid=kid, certificate_path=cert_path, key_path=key_path)


class UnknownKey(ValueError):
    pass


def withdraw(kid: str, *, at: datetime, reason: str) -> SigningKey:
    """Withdraw a key from a date on: its private part is deleted (it signs nothing more) and
    the withdrawal is recorded beside its certificate, for the signed key set to publish."""
    if not reason.strip():
        raise ValueError("Say why the key is withdrawn: readers of the key set are told.")
    key = next((k for k in all_keys() if k.kid == kid), None)
    if key is None:
        raise UnknownKey(f"No key {kid} in {keys_dir()}.")
    stem = key.certificate_path.name.removesuffix(CERT_SUFFIX)
    (keys_dir() / f"{stem}{WITHDRAWN_SUFFIX}").write_text(
        json.dumps({"at": utc_iso(at), "reason": reason.strip()})
    )
    if key.key_path is not None:
        key.key_path.unlink()
    return next(k for k in all_keys() if k.kid == kid)


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def jwks(keys: list[SigningKey] | None = None) -> dict:
    """Every published key as a JSON Web Key Set (RFC 7517), with its certificate chain and,
    for a withdrawn key, when it was withdrawn and why."""
    entries = []
    for key in keys if keys is not None else all_keys():
        numbers = key.certificate.public_key().public_numbers()
        withdrawal = (
            {"withdrawn": utc_iso(key.withdrawn_at), "withdrawnReason": key.withdrawn_reason}
            if key.withdrawn_at
            else {}
        )
        entries.append(
            {
                **withdrawal,
                "kty": "EC",
                "crv": "P-256",
                "x": _b64url(numbers.x),
                "y": _b64url(numbers.y),
                "kid": key.kid,
                "use": "sig",
                "alg": "ES256",
                "x5c": [
                    base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                    for c in key.certificates
                ],
            }
        )
    return {"keys": entries}


def certificates_pem(keys: list[SigningKey] | None = None) -> bytes:
    return b"".join(
        key.certificate.public_bytes(serialization.Encoding.PEM)
        for key in (keys if keys is not None else all_keys())
    )
