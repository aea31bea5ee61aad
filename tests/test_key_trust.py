"""The verifier believes the key set the pinned platform root signed, and a withdrawn key's
signatures only from before its withdrawal: as an attacker who edits the key set, and as a
reader after the platform withdrew a key."""

import base64
import datetime
import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import ECKey
from minor_safety_verifier import UntrustedKeySet, Verdict, trusted_key_set, verify_report
from minor_safety_verifier.__main__ import main as verifier_main

from attestations import key_set, platform_root
from attestations.signing_keys import all_keys, current_key
from tests.conftest import forger_key
from tests.test_attestation import report_bytes
from tests.test_pdf_signatures import _uploaded


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_the_portal_serves_a_key_set_signed_by_its_root_and_prints_the_root(client, db):
    served = client.get(reverse("key_set"))
    trusted = trusted_key_set(served.content.decode(), [platform_root.fingerprint()])

    assert served.status_code == 200 and served["Content-Type"] == "application/jose"
    assert {k.kid for k in all_keys()} == set(trusted.certificates)
    assert trusted.root_fingerprint == platform_root.fingerprint()
    assert platform_root.fingerprint() in client.get(reverse("verify")).text


def test_a_key_added_to_the_key_set_breaks_its_signature(client, attestation, tmp_path):
    token = client.get(reverse("key_set")).content.decode()
    header, payload, signature = _parts(token)
    forger = forger_key(tmp_path)
    payload["keys"].append(
        {**ECKey.import_key(forger.key_path.read_bytes()).as_dict(private=False), "kid": "x"}
    )
    edited = f"{_b64(header)}.{_b64(payload)}.{signature}"

    with pytest.raises(UntrustedKeySet, match="signature does not hold"):
        trusted_key_set(edited, [platform_root.fingerprint()])


def test_a_key_set_signed_by_another_root_is_not_believed(client, attestation, tmp_path):
    """The forger signs a whole key set of their own, root included: the pin tells."""
    forger = forger_key(tmp_path)
    forger_root_key = (tmp_path / "forger-root" / platform_root.KEY_FILE).read_bytes()
    forger_root = (tmp_path / "forger-root" / platform_root.CERT_FILE).read_bytes()
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(forger_root).public_bytes(Encoding.DER)
    payload = {
        "root": base64.b64encode(der).decode(),
        "keys": [{"kid": forger.kid, "x5c": [base64.b64encode(der).decode()]}],
    }
    forged = jws.serialize_compact(
        {"alg": "ES256", "typ": "minor-safety-keyset+jwt"},
        json.dumps(payload).encode(),
        ECKey.import_key(forger_root_key),
    )

    with pytest.raises(UntrustedKeySet, match="not the pinned one"):
        trusted_key_set(forged, [platform_root.fingerprint()])
    with pytest.raises(UntrustedKeySet, match="no platform root is pinned"):
        trusted_key_set(client.get(reverse("key_set")).content.decode(), [])


def test_the_verifier_refuses_to_run_without_a_pinned_root(client, attestation, tmp_path, capsys):
    (tmp_path / "report.pdf").write_bytes(report_bytes(attestation))
    (tmp_path / "keyset.jws").write_text(client.get(reverse("key_set")).content.decode())
    args = [str(tmp_path / "report.pdf"), "--keyset", str(tmp_path / "keyset.jws")]

    with pytest.raises(SystemExit) as exit_:
        verifier_main(args)

    assert exit_.value.code == 2
    assert "no platform root is pinned" in capsys.readouterr().err
    assert verifier_main([*args, "--root-fingerprint", "00" * 32]) == 1
    assert capsys.readouterr().out.startswith("NOT GENUINE: the key set is signed by a root")


@pytest.fixture
def own_keys(settings, tmp_path):
    """A copy of the platform's keys and root this test may withdraw from."""
    copy = tmp_path / "keys"
    shutil.copytree(settings.SIGNING_KEYS_DIR, copy)
    settings.SIGNING_KEYS_DIR = copy
    return copy


def _withdraw(at: datetime.datetime):
    call_command(
        "withdraw_signing_key", current_key().kid, "--reason", "Lost laptop", "--at", at.isoformat()
    )


def test_a_report_signed_after_its_key_was_withdrawn_is_not_valid_anywhere(
    client, approved, own_keys, capsys
):
    report = approved.reports.first()  # the one report_bytes reads
    _withdraw(report.rendered_at - datetime.timedelta(minutes=1))
    data = report_bytes(approved)

    offline = verify_report(data, key_set.trusted())
    page = _uploaded(client, data)
    with pytest.raises(CommandError) as command:
        call_command("verify_attestation", report.file.path)

    assert offline.verdict == Verdict.NOT_GENUINE
    assert "after the platform withdrew the key" in offline.problems[0]
    assert "Not valid: this file&#x27;s signature no longer holds" in page.text
    assert "Lost laptop" in page.text
    assert command.value.returncode == 2
    assert str(command.value).startswith("NOT VALID: Not valid: this file's signature")


def test_a_report_signed_before_its_key_was_withdrawn_stays_valid(client, approved, own_keys):
    report = approved.reports.first()  # the one report_bytes reads
    _withdraw(report.rendered_at + datetime.timedelta(minutes=5))
    data = report_bytes(approved)

    offline = verify_report(data, key_set.trusted())
    page = _uploaded(client, data)

    assert offline.genuine and offline.verdict == Verdict.STATUS_UNKNOWN  # no status list given
    assert "Valid" in page.text and "no longer holds" not in page.text
    assert "withdrawn on" in page.text  # the key list says it, with its date


def test_a_withdrawn_key_signs_nothing_more(approved, own_keys):
    kid = current_key().kid
    _withdraw(datetime.datetime.now(datetime.UTC))

    assert kid not in {k.kid for k in all_keys() if k.key_path is not None}
    with pytest.raises(CommandError, match="Say why"):
        call_command("withdraw_signing_key", kid, "--reason", " ")


def test_check_deploy_warns_when_a_key_on_file_is_not_in_the_signed_set(own_keys, db):
    from django.core import checks

    from attestations.signing_keys import create_key

    assert "portal.W003" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}
    create_key()  # dropped in by hand, the key set not signed again

    warned = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "portal.W003"]

    assert warned and all_keys()[-1].kid in warned[0].msg


def test_a_checkpoint_signed_after_its_key_was_withdrawn_is_not_believed(attestation, own_keys):
    from django.core.files.storage import default_storage

    from attestations import checkpoints

    written = checkpoints.write_checkpoint()
    _, names = default_storage.listdir(checkpoints.FOLDER)
    with default_storage.open(f"{checkpoints.FOLDER}/{max(names)}") as f:
        document = f.read()
    assert checkpoints.read(document) == written

    _withdraw(datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1))

    assert checkpoints.read(document) is None
    with pytest.raises(CommandError, match="carry no valid platform"):
        call_command("verify_audit_trail")
