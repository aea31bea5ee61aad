"""With a timestamp authority configured, every audit checkpoint carries its RFC 3161 token:
an outside party's word that the checkpoint existed then. A token moved from another
checkpoint, or from an authority that is not trusted, makes the checkpoint unbelieved."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from accounts.actors import Actor
from assessments import workflow
from attestations import checkpoints, timestamps


def _authority(tmp_path, name: str):
    """A timestamp authority of our own making (pyHanko's in-process one), and its root file."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / f"{name}.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    stamper = DummyTimeStamper(
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
    )
    return stamper, pem


@pytest.fixture
def authority(tmp_path, monkeypatch, settings):
    stamper, pem = _authority(tmp_path, "Test TSA")
    monkeypatch.setattr(timestamps, "timestamper", lambda: stamper)
    settings.SIGNING_TIMESTAMP_ROOTS = str(pem)
    return stamper


def _stored() -> list[dict]:
    _, names = default_storage.listdir(checkpoints.FOLDER)
    found = []
    for name in sorted(names):
        with default_storage.open(f"{checkpoints.FOLDER}/{name}") as f:
            found.append(json.loads(f.read()))
    return found


def test_each_checkpoint_carries_a_timestamp_the_trail_check_reports(
    attestation, authority, capsys
):
    written = checkpoints.write_checkpoint()

    call_command("verify_audit_trail")

    (document,) = [d for d in _stored() if d["at"] == written.at]
    assert "rfc3161" in document
    assert checkpoints.read(json.dumps(document)).stamp.authority == "Common Name: Test TSA"
    assert "Timestamped by Common Name: Test TSA at" in capsys.readouterr().out


def test_a_token_moved_from_another_checkpoint_is_not_believed(attestation, authority, committed):
    first = checkpoints.write_checkpoint()
    with committed():
        workflow.comment(attestation.assessment, actor=Actor(attestation.signed_by), body="Hi.")
    second = checkpoints.write_checkpoint()
    by_time = {d["at"]: d for d in _stored()}
    moved = by_time[second.at] | {"rfc3161": by_time[first.at]["rfc3161"]}

    assert checkpoints.read(json.dumps(moved)) is None


def test_a_token_from_an_authority_that_is_not_trusted_is_not_believed(
    attestation, authority, tmp_path, monkeypatch, settings
):
    stranger, _ = _authority(tmp_path, "Stranger TSA")
    monkeypatch.setattr(timestamps, "timestamper", lambda: stranger)
    checkpoints.write_checkpoint()

    with pytest.raises(CommandError, match="carry no valid platform signature"):
        call_command("verify_audit_trail")
    assert any("rfc3161" in d for d in _stored())  # stamped, but by an authority not trusted
