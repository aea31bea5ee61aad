"""Signed snapshots are deterministic and tamper-evident; reports verify online and offline."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from accounts.actors import Actor
from assessments import workflow
from assessments.answers import AnswerInput, save_answers
from assessments.errors import IllegalTransition
from assessments.models import NOTE_MAX_CHARS, Organization, ReportState, Status
from attestations import credentials
from attestations.attestation import (
    SNAPSHOT_ATTACHMENT,
)
from attestations.canonical import sha256_hex
from attestations.verification import Finding, verify_pdf
from tests.conftest import sign_now


def report_bytes(attestation) -> bytes:
    with attestation.reports.first().file.open("rb") as f:
        return f.read()


def test_the_report_embeds_exactly_the_stored_snapshot(attestation):
    assert attestation.reports.count() == 1
    reader = PdfReader(io.BytesIO(report_bytes(attestation)))
    (embedded,) = reader.attachments[SNAPSHOT_ATTACHMENT]
    assert embedded.decode("utf-8") == attestation.snapshot_json
    assert sha256_hex(embedded) == attestation.snapshot_sha256
    assert attestation.reports.first().sha256 == sha256_hex(report_bytes(attestation))


def test_verify_attestation_passes_the_report_of_an_approved_attestation(approved, capsys):
    path = approved.reports.first().file.path
    call_command("verify_attestation", path)
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert first.startswith("VALID: Approved by the platform")
    assert second.startswith("Genuine file: the platform's key")


def test_verify_attestation_fails_a_genuine_report_that_awaits_review(attestation):
    path = attestation.reports.first().file.path
    with pytest.raises(CommandError, match=r"^NOT VALID: Signed, awaiting platform review") as e:
        call_command("verify_attestation", path)
    assert e.value.returncode == 2


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_any_changed_byte_in_the_pdf_fails_verification(attestation, tmp_path, where):
    data = bytearray(report_bytes(attestation))
    position = int(len(data) * where)
    data[position] = (data[position] + 1) % 256
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    with pytest.raises(CommandError):
        call_command("verify_attestation", str(tampered))


def test_a_changed_snapshot_fails_verification(attestation):
    reader = PdfReader(io.BytesIO(report_bytes(attestation)))
    writer = PdfWriter()
    writer.append(reader)
    forged = attestation.snapshot_json.replace('"not_met"', '"met"')
    assert forged != attestation.snapshot_json
    writer.add_attachment(SNAPSHOT_ATTACHMENT, forged.encode())
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert result.finding == Finding.ALTERED
    assert not result.genuine


def test_a_pdf_that_is_no_report_is_not_genuine(tmp_path, db):
    path = tmp_path / "letter.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(CommandError, match="not a report"):
        call_command("verify_attestation", str(path))


def test_signed_answers_cannot_change(attestation, preparer):
    with pytest.raises(IllegalTransition):
        save_answers(
            attestation.assessment,
            [AnswerInput("age.method", "none", base_revision=None)],
            actor=Actor(preparer),
        )


def test_the_verification_page_shows_status_but_never_answers(client, attestation):
    page = client.get(reverse("verify_hash", args=[attestation.snapshot_sha256]))
    assert b"Signed, awaiting platform review" in page.content
    assert b"text-success" not in page.content
    assert b"Brightpath Learning Ltd" in page.content
    assert b"age.method" not in page.content


def test_an_uploaded_report_is_verified_on_the_public_page(client, approved):
    upload = io.BytesIO(report_bytes(approved))
    upload.name = "report.pdf"
    page = client.post(reverse("verify"), {"report": upload})
    assert 'id="verdict">Valid</h2>' in page.text
    assert "text-success-emphasis" in page.text


def test_an_expired_attestation_says_so(client, approved):
    approved.expires_at = timezone.now() - timedelta(days=1)
    approved.save(update_fields=["expires_at"])
    page = client.get(reverse("verify_hash", args=[approved.snapshot_sha256]))
    assert 'id="verdict">Expired</h2>' in page.text


def test_the_public_page_and_the_credential_show_the_name_as_attested(client, signed):
    """Renamed afterwards (by whatever path), the record still shows who signed what."""
    Organization.objects.filter(pk=signed.organization_id).update(legal_name="Renamed Later Inc.")
    signed.refresh_from_db()

    page = client.get(reverse("verify_hash", args=[signed.snapshot_sha256]))

    assert "Brightpath Learning Ltd" in page.text
    assert "Renamed Later" not in page.text
    subject = credentials.claims(signed, at=timezone.now())["credentialSubject"]
    assert subject["name"] == "Brightpath Learning Ltd"


def test_an_unknown_hash_is_not_found(client, db):
    page = client.get(reverse("verify_hash", args=["ab" * 32]))
    assert b"Not found" in page.content


def test_a_failing_render_is_retried_then_shown_as_failed_without_losing_the_attestation(
    client, awaiting_signature, signatory, committed, monkeypatch
):
    calls = []

    def broken(attestation):
        calls.append(attestation.pk)
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr("attestations.reports.render_report_pdf", broken)
    with committed():
        attestation = sign_now(awaiting_signature, signatory)
    attestation.refresh_from_db()
    assert len(calls) == 3
    assert attestation.report_state == ReportState.FAILED
    assert attestation.assessment.status == Status.SUBMITTED
    client.force_login(signatory)
    page = client.get(reverse("attestation", args=[attestation.pk]))
    assert b"could not be produced after 3 attempts" in page.content
    assert client.get(reverse("verify_hash", args=[attestation.snapshot_sha256])).status_code == 200


def test_a_reviewer_revokes_with_a_reason_and_the_public_page_says_so(
    client, attestation, reviewer, signatory, committed
):
    from django.core import mail

    client.force_login(reviewer)
    with committed():
        client.post(
            reverse("revoke_attestation", args=[attestation.pk]),
            {"reason": "Unfiltered uploads found."},
        )
    client.logout()
    page = client.get(reverse("verify_hash", args=[attestation.snapshot_sha256]))
    assert b"Revoked by the platform" in page.content
    assert b"Unfiltered uploads found." in page.content
    assert "revoked" in mail.outbox[-1].subject
    assert signatory.email in mail.outbox[-1].to


def test_revoking_needs_a_reason_and_happens_once(client, attestation, reviewer):
    client.force_login(reviewer)
    url = reverse("revoke_attestation", args=[attestation.pk])
    assert b"Say why" in client.post(url, {"reason": " "}, follow=True).content
    client.post(url, {"reason": "Found out."})
    assert b"already revoked" in client.post(url, {"reason": "Again"}, follow=True).content


def test_a_revocation_reason_too_long_is_refused_whole_not_cut(client, attestation, reviewer):
    client.force_login(reviewer)
    url = reverse("revoke_attestation", args=[attestation.pk])
    page = client.post(url, {"reason": "x" * (NOTE_MAX_CHARS + 1)}, follow=True)
    assert "in at most 5,000 characters" in page.text  # as every note, on every channel
    attestation.refresh_from_db()
    assert attestation.revoked_at is None


def test_revoking_clears_the_validity_shown_in_the_queue(attestation, reviewer):
    workflow.revoke(attestation, actor=Actor(reviewer), reason="Withdrawn.")
    attestation.assessment.refresh_from_db()
    assert attestation.assessment.attested_until is None


@pytest.mark.parametrize(
    "url", ["https://tracker.example/pixel.png", "file:///etc/passwd", "data:text/plain,hi"]
)
def test_report_rendering_fetches_nothing_but_the_portals_static_files(url):
    from attestations.reports import static_only_fetcher

    with pytest.raises(ValueError, match="may"):
        static_only_fetcher().fetch(url)


def test_a_report_lost_with_a_crashed_worker_is_queued_again(attestation, committed):
    from assessments.models import Attestation
    from attestations.tasks import retry_stuck_reports

    # The worker died mid-render: the attestation was left pending, long ago.
    Attestation.objects.filter(pk=attestation.pk).update(
        report_state=ReportState.PENDING, report_requested_at=timezone.now() - timedelta(hours=1)
    )
    with committed():
        assert retry_stuck_reports() == (1, 0)
    attestation.refresh_from_db()
    assert attestation.report_state == ReportState.READY
    assert attestation.report_attempts == 2


def test_a_report_stuck_after_its_last_attempt_is_marked_failed(attestation):
    from assessments.models import Attestation
    from attestations.tasks import retry_stuck_reports

    Attestation.objects.filter(pk=attestation.pk).update(
        report_state=ReportState.PENDING,
        report_attempts=3,
        report_requested_at=timezone.now() - timedelta(hours=1),
    )
    assert retry_stuck_reports() == (0, 1)
    attestation.refresh_from_db()
    assert attestation.report_state == ReportState.FAILED


def test_verify_attestation_says_a_genuine_report_was_rejected(attestation, reviewer):
    workflow.reject(attestation.assessment, actor=Actor(reviewer), rationale="No age checks.")
    path = attestation.reports.first().file.path  # the copy issued before the decision
    with pytest.raises(CommandError, match=r"NOT VALID.*Rejected by the platform") as e:
        call_command("verify_attestation", path)
    assert e.value.returncode == 2


def test_the_verification_page_is_titled_plainly(client, db):
    page = client.get(reverse("verify"))
    assert "<title>Verify an attestation · Minor-safety portal</title>" in page.text
    assert page.text.count("Checking a report without us") == 1


def test_a_report_still_waiting_in_a_long_queue_is_not_queued_twice(
    awaiting_signature, signatory, settings, committed
):
    """Under load the queue can be longer than the stuck-report delay: a render still
    queued is not lost, and queueing it again would render the same report twice."""
    from django_tasks_db.models import DBTaskResult

    from assessments.models import Attestation
    from attestations.tasks import retry_stuck_reports

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with committed():
        attestation = sign_now(awaiting_signature, signatory)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    Attestation.objects.filter(pk=attestation.pk).update(
        report_state=ReportState.PENDING, report_requested_at=timezone.now() - timedelta(hours=1)
    )
    assert retry_stuck_reports() == (0, 0)
    # Its worker dies mid-render: now it is lost, and queued again once.
    DBTaskResult.objects.update(status="RUNNING")
    assert retry_stuck_reports() == (1, 0)
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_report_is_handed_out_only_to_those_who_may_see_the_attestation_whoever_asks(
    signed, outsider, reviewer
):
    """The page and the API ask first; the download service, which writes the download on the
    audit trail, refuses an outsider itself and records nothing for them."""
    from assessments.errors import NotPermitted
    from assessments.models import AuditAction, AuditEvent
    from attestations import reports

    with pytest.raises(NotPermitted):
        reports.download(signed, actor=Actor(outsider))
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_DOWNLOADED).exists()

    assert reports.download(signed, actor=Actor(reviewer)).status_code == 200
