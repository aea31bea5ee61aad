"""The platform's root: the certificate every report-signing and credential key is certified
by, and whose SHA-256 fingerprint a verifier pins. A file in the key set naming another key
proves nothing unless this root certified that key.

The root lives in SIGNING_ROOT_DIR (by default SIGNING_KEYS_DIR/root):

    root.cert.pem   the root certificate (published; an operator may put their own CA here)
    root.key.pem    its private key: needed only to certify a new key or sign the key set, so
                    an operator may keep it offline and pass it to the commands with --root-key
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CERT_FILE = "root.cert.pem"
KEY_FILE = "root.key.pem"


def root_dir() -> Path:
    return Path(settings.SIGNING_ROOT_DIR or Path(settings.SIGNING_KEYS_DIR) / "root")


def exists() -> bool:
    return (root_dir() / CERT_FILE).exists()


def certificate() -> x509.Certificate:
    path = root_dir() / CERT_FILE
    if not path.exists():
        raise ImproperlyConfigured(
            f"No platform root in {root_dir()}: run `python manage.py create_signing_key`."
        )
    return x509.load_pem_x509_certificate(path.read_bytes())


def fingerprint() -> str:
    """What a verifier pins: the SHA-256 of the root certificate, hex."""
    return certificate().fingerprint(hashes.SHA256()).hex()


def private_key(path: Path | None = None) -> ec.EllipticCurvePrivateKey:
    path = path or root_dir() / KEY_FILE
    if not path.exists():
        raise ImproperlyConfigured(
            f"The platform root's private key is not at {path}: give it with --root-key."
        )
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SIGNING_KEY_NAME),
        ]
    )


def create() -> x509.Certificate:
    """A new root: an EC P-256 key and a self-signed CA certificate for twenty years."""
    directory = root_dir()
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{settings.SIGNING_KEY_NAME} root")
    now = datetime.now(UTC)
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=7300))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path = directory / KEY_FILE
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / CERT_FILE).write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return root


def certify(public_key, common_name: str, *, root_key_path: Path | None = None) -> x509.Certificate:
    """A ten-year signing certificate for a key, issued by the root."""
    root = certificate()
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=3650), root.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()), critical=False
        )
        .sign(private_key(root_key_path), hashes.SHA256())
    )


def certified(leaf: x509.Certificate) -> bool:
    """Whether the root issued this certificate (its signature checks with the root's key)."""
    if not exists():
        return False
    try:
        leaf.verify_directly_issued_by(certificate())
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
