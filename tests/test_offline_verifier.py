"""The offline verifier, used as a partner would: the report file, the platform's published
JWKS, and no portal at all (no Django, no database), against genuine reports and forgeries."""

import base64
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from minor_safety_verifier import Verdict, check_credential, trusted_key_set, verify_report
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pypdf import PdfReader, PdfWriter

from attestations import platform_root
from attestations.attestation import SNAPSHOT_ATTACHMENT
from tests.conftest import approve_after_review, forger_key, signer_of
from tests.test_attestation import report_bytes
from tests.test_pdf_signatures import _first_revision_end

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = "minor_safety_verifier"


def served_key_set(client) -> str:
    return client.get(reverse("key_set")).content.decode()


@pytest.fixture
def published(client, db):
    """The key set the portal serves, believed as an outsider pinning its root would."""
    return trusted_key_set(served_key_set(client), [platform_root.fingerprint()])


def outside(tmp_path, report: bytes, key_set: str, *args) -> subprocess.CompletedProcess:
    """Run the verifier as a separate program with no Django settings and no database,
    pinning the portal's root."""
    (tmp_path / "report.pdf").write_bytes(report)
    (tmp_path / "keyset.jws").write_text(key_set)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH"}
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            *args,
            str(tmp_path / "report.pdf"),
            "--keyset",
            str(tmp_path / "keyset.jws"),
            "--root-fingerprint",
            platform_root.fingerprint(),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.real_report  # the outside tool judges what the portal really issues
@pytest.mark.slow
def test_the_first_line_and_the_exit_status_are_the_platforms_decision(
    client, approved, published, tmp_path
):
    lists = []
    for n, token in enumerate(status_lists(client)):
        (tmp_path / f"list{n}.jwt").write_text(token)
        lists += ["--status-list", tmp_path / f"list{n}.jwt"]

    valid = outside(
        tmp_path, report_bytes(approved), served_key_set(client), "-m", VERIFIER, *lists
    )
    unknown = outside(tmp_path, report_bytes(approved), served_key_set(client), "-m", VERIFIER)

    assert valid.returncode == 0, valid.stdout + valid.stderr
    first, second = valid.stdout.splitlines()[:2]
    assert first.startswith("VALID: approved by the platform")
    assert second.startswith("Genuine file: signed by the platform's key")
    assert "Brightpath Learning Ltd" in valid.stdout
    assert approved.snapshot_sha256 in valid.stdout
    assert unknown.returncode == 4
    assert unknown.stdout.startswith("STATUS UNKNOWN: approved by the platform")


@pytest.mark.slow
def test_a_genuine_report_of_an_attestation_nobody_approved_is_not_valid(
    client, attestation, tmp_path
):
    run = outside(tmp_path, report_bytes(attestation), served_key_set(client), "-m", VERIFIER)

    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout.startswith("NOT VALID: not approved: the report carries no credential")
    assert "Genuine file:" in run.stdout.splitlines()[1]


def test_an_expired_credential_is_not_valid_offline(approved, published):
    later = approved.expires_at + datetime.timedelta(days=1)

    result = verify_report(report_bytes(approved), published, now=later)

    assert result.genuine and result.verdict == Verdict.NOT_VALID
    assert result.not_valid[0].startswith("expired on ")


@pytest.mark.slow
def test_the_verifier_imports_no_django(client, attestation, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json, sys\n"
        "from minor_safety_verifier import verify_report\n"
        "from minor_safety_verifier import trusted_key_set\n"
        "keys = trusted_key_set(open(sys.argv[3]).read(), [sys.argv[5]])\n"
        "result = verify_report(open(sys.argv[1], 'rb').read(), keys)\n"
        "assert result.genuine\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
        "print('ok without django')\n"
    )
    run = outside(tmp_path, report_bytes(attestation), served_key_set(client), str(probe))
    assert run.stdout.strip() == "ok without django", run.stderr


def test_a_self_consistent_forgery_without_the_platform_signature_is_rejected(
    attestation, published
):
    forged_snapshot = attestation.snapshot_json.replace('"not_met"', '"met"')
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(report_bytes(attestation))))
    writer.add_attachment(SNAPSHOT_ATTACHMENT, forged_snapshot.encode())
    out = io.BytesIO()
    writer.write(out)
    result = verify_report(out.getvalue(), published)
    assert not result.genuine  # the copied signature no longer matches the bytes
    assert "does not match the file" in result.problems[0]
    data = report_bytes(attestation)
    unsigned = verify_report(data[: _first_revision_end(data)], published)  # the bare render
    assert not unsigned.genuine
    assert "0 signatures" in unsigned.problems[0]


def test_the_genuine_snapshot_signed_by_another_key_is_rejected(attestation, published, tmp_path):
    forger = forger_key(tmp_path)
    data = report_bytes(attestation)
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data[: _first_revision_end(data)])),
        signers.PdfSignatureMetadata(field_name="PlatformSignature"),
        signer=signer_of(forger),
        output=out,
    )
    result = verify_report(out.getvalue(), published)
    assert not result.genuine
    assert "not one the platform's signed key set lists" in " ".join(result.problems)


@pytest.mark.real_report
def test_a_changed_byte_or_an_appended_update_is_rejected(attestation, published):
    data = bytearray(report_bytes(attestation))
    data[len(data) // 2] ^= 0x01
    assert not verify_report(bytes(data), published).genuine
    writer = IncrementalPdfFileWriter(io.BytesIO(report_bytes(attestation)))
    writer.root["/Lang"] = writer.root.get("/Lang")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_report(out.getvalue(), published)
    assert "does not cover the whole file" in " ".join(result.problems)


def test_garbage_gets_an_answer_not_a_crash(published):
    result = verify_report(b"%PDF-1.7\n%garbage", published)
    assert not result.genuine


def test_the_page_and_the_command_use_the_same_signature_check(client, approved, capsys):
    from django.core.management import call_command

    upload = io.BytesIO(report_bytes(approved))
    upload.name = "report.pdf"
    page = client.post(reverse("verify"), {"report": upload})
    assert "signed this whole file" in page.text
    call_command("verify_attestation", approved.reports.first().file.path)
    assert "Genuine file: the platform's key" in capsys.readouterr().out


def embedded(data: bytes, name: str) -> bytes:
    (content,) = PdfReader(io.BytesIO(data)).attachments[name]
    return content


def test_the_report_carries_the_platforms_credential_for_its_snapshot(approved, published):
    attestation = approved
    data = report_bytes(attestation)
    token = embedded(data, "attestation-credential.jwt").decode()
    claims, problem = check_credential(token, embedded(data, SNAPSHOT_ATTACHMENT), published)
    assert problem == ""
    subject = claims["credentialSubject"]
    assert claims["type"] == ["VerifiableCredential", "MinorSafetyAttestation"]
    assert subject["name"] == "Brightpath Learning Ltd"
    assert subject["snapshotSha256"] == attestation.snapshot_sha256
    assert subject["reviewStateAtIssue"] == "valid"


def test_a_credential_signed_by_another_key_is_rejected(attestation, published, tmp_path):
    from joserfc import jwt
    from joserfc.jwk import ECKey

    forger = forger_key(tmp_path)
    data = report_bytes(attestation)
    forged = jwt.encode(
        {"alg": "ES256", "kid": published.jwks["keys"][0]["kid"]},  # claims to be the platform's
        {"credentialSubject": {"snapshotSha256": attestation.snapshot_sha256}},
        ECKey.import_key(forger.key_path.read_bytes()),
        ["ES256"],
    )
    claims, problem = check_credential(forged, embedded(data, SNAPSHOT_ATTACHMENT), published)
    assert claims is None
    assert "signature does not hold" in problem


def test_a_genuine_credential_does_not_vouch_for_another_organizations_report(
    approved, published, other_org, framework_version
):
    from attestations.credentials import issue

    attestation = approved
    data = report_bytes(attestation)
    mine = embedded(data, SNAPSHOT_ATTACHMENT)
    theirs_snapshot = mine.replace(b"Brightpath Learning Ltd", b"Elsewhere Tutors Inc.")
    claims, problem = check_credential(issue(attestation), theirs_snapshot, published)
    assert claims is None
    assert problem == "the credential is about another snapshot"


def test_members_download_the_credential_from_the_attestation_page(
    client, approved, preparer, published
):
    attestation = approved
    client.force_login(preparer)
    response = client.get(reverse("credential_download", args=[attestation.pk]))
    assert response["Content-Type"] == "application/vc+jwt"
    claims, problem = check_credential(
        response.content.decode(), attestation.snapshot_json.encode(), published
    )
    assert problem == ""
    assert claims["credentialSubject"]["attestationNumber"] == attestation.number


def status_lists(client) -> list[str]:
    return [
        client.get(reverse("status_list", args=[which])).content.decode()
        for which in ("revocation", "superseded")
    ]


@pytest.mark.slow
def test_a_revoked_attestation_is_rejected_with_the_published_status_list(
    client, approved, reviewer, published, tmp_path
):
    from accounts.actors import Actor
    from assessments import workflow

    attestation = approved
    report = report_bytes(attestation)
    fine = verify_report(report, published, status_lists=status_lists(client))
    assert fine.genuine
    assert fine.unchecked == []
    unchecked = verify_report(report, published)
    assert unchecked.unchecked == ["revocation", "message"]  # and it says so
    workflow.revoke(attestation, actor=Actor(reviewer), reason="Safeguards withdrawn.")
    result = verify_report(report, published, status_lists=status_lists(client))
    assert result.genuine and result.verdict == Verdict.NOT_VALID
    assert "the platform has revoked this attestation" in result.not_valid
    args = []
    for n, token in enumerate(status_lists(client)):
        (tmp_path / f"list{n}.jwt").write_text(token)
        args += ["--status-list", tmp_path / f"list{n}.jwt"]
    run = outside(tmp_path, report, served_key_set(client), "-m", VERIFIER, *args)
    assert run.returncode == 3
    assert run.stdout.startswith("NOT VALID:") and "revoked" in run.stdout.splitlines()[0]


def test_a_superseded_attestation_is_said_so_by_the_published_list(
    client, approved, reviewer, preparer, signatory, published
):
    from tests.test_attestation_status import reassess

    report = report_bytes(approved)
    check = lambda: verify_report(report, published, status_lists=status_lists(client))  # noqa: E731
    assert check().verdict == Verdict.VALID
    newer = reassess(approved, preparer, signatory)
    assert check().verdict == Verdict.VALID  # a newer one only signed replaces nothing
    approve_after_review(newer.assessment, reviewer, "Still evidenced.")
    result = check()
    assert result.verdict == Verdict.NOT_VALID
    assert result.not_valid == ["superseded by a newer approved attestation"]


def test_a_status_list_signed_by_another_key_is_not_believed(approved, published, tmp_path):
    from joserfc import jwt
    from joserfc.jwk import ECKey

    forger = forger_key(tmp_path)
    forged = jwt.encode(
        {"alg": "ES256", "kid": published.jwks["keys"][0]["kid"]},
        {"id": "whatever", "credentialSubject": {"encodedList": ""}},
        ECKey.import_key(forger.key_path.read_bytes()),
        ["ES256"],
    )
    result = verify_report(report_bytes(approved), published, status_lists=[forged])
    assert result.verdict == Verdict.STATUS_UNKNOWN
    assert "status list's signature does not hold" in result.status_problems[0]


def test_an_old_status_list_replayed_later_is_stale(client, approved, published):
    lists = status_lists(client)
    tomorrow_and_after = approved.signed_at + datetime.timedelta(days=3)

    result = verify_report(
        report_bytes(approved), published, status_lists=lists, now=tomorrow_and_after
    )

    assert result.verdict == Verdict.STATUS_UNKNOWN
    assert "a status list is stale" in result.status_problems[0]
    claims = json.loads(base64.urlsafe_b64decode(lists[0].split(".")[1] + "=="))
    assert claims["credentialSubject"]["encodedList"].startswith("u")  # Multibase base64url


def test_no_credential_is_issued_for_an_attestation_the_platform_has_not_approved(
    client, attestation, preparer
):
    client.force_login(preparer)

    response = client.get(reverse("credential_download", args=[attestation.pk]))

    assert response.status_code == 409
    assert "only for an approved attestation" in response.text
    assert (
        "attestation-credential.jwt"
        not in PdfReader(io.BytesIO(report_bytes(attestation))).attachments
    )


def test_the_credential_names_a_published_context_defining_its_type_and_terms(
    client, approved, published
):
    from attestations.credentials import issue

    claims, _ = check_credential(issue(approved), approved.snapshot_json.encode(), published)
    url = claims["@context"][1]
    served = client.get(reverse("credential_context"))
    defined = served.json()["@context"]

    assert url.endswith(reverse("credential_context"))
    assert served.status_code == 200 and served["Content-Type"] == "application/ld+json"
    assert "MinorSafetyAttestation" in defined
    subject_terms = set(claims["credentialSubject"]) - {"id", "name"}
    assert subject_terms <= set(defined)
    assert {"claimed", "evidenceGiven", "verified"} <= set(defined)
