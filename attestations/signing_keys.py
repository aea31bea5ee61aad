"""The platform's keys for signing reports: an X.509 certificate and its private key per key.

Keys live in files under SIGNING_KEYS_DIR (a mounted secret in production, shared read-only by
every web and worker machine), never in the database. Each key is a pair of files:

    <created>-<kid>.key.pem    the private key (an operator may drop their own here)
    <created>-<kid>.cert.pem   its certificate, optionally followed by the chain to a CA

The newest key that still has its private part signs; every key's certificate stays published
(/.well-known/), so reports signed before a rotation still verify. A retired key is rotated out
by deleting its .key.pem and keeping its .cert.pem.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_SUFFIX = ".key.pem"
CERT_SUFFIX = ".cert.pem"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    certificate_path: Path
    key_path: Path | None  # None once retired: only the certificate remains

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
        certificate = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        found.append(
            SigningKey(
                kid=key_id(certificate.public_key()),
                certificate_path=cert_path,
                key_path=key_path if key_path.exists() else None,
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


def create_key(directory: Path | None = None, *, common_name: str | None = None) -> SigningKey:
    """A new EC P-256 key and a self-signed certificate for it (ten years)."""
    directory = directory or keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name or settings.SIGNING_KEY_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SIGNING_KEY_NAME),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(private_key, hashes.SHA256())
    )
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
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return SigningKey(kid=kid, certificate_path=cert_path, key_path=key_path)


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def jwks(keys: list[SigningKey] | None = None) -> dict:
    """Every published key as a JSON Web Key Set (RFC 7517), with its certificate chain."""
    entries = []
    for key in keys if keys is not None else all_keys():
        numbers = key.certificate.public_key().public_numbers()
        entries.append(
            {
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
