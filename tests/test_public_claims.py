"""Public claims the portal checks itself, against pages served on 127.0.0.1: read at
submission, shown to the reviewer with what they mention, and re-read after approval."""

import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.demo import answer_everything
from assessments.models import (
    AuditAction,
    AuditEvent,
    CaptureReason,
    ClaimCapture,
    ClaimChange,
    PublicClaimFlag,
)
from integrations import outbound, public_claims
from questionnaires.frameworks.loader import BUNDLED_DIR, publish
from tests.conftest import approve_after_review, sign_now
from tests.servers import DripServer, LocalServer, Reply, self_signed_certificate

STATEMENT = b"""<html><head><script>var built = "2026-11-30T10:00";</script></head><body>
<h1>Our commitments</h1><p>We comply with COPPA and review it every year (updated 1 Nov 2026).</p>
</body></html>"""


@pytest.fixture
def pages(settings):
    settings.PUBLIC_CLAIMS_CHECKED = True
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the pages are served on loopback
    made = []

    def make(reply):
        made.append(LocalServer(reply))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture
def submitted(pages, org, preparer, committed):
    """A 2.0 assessment whose statement page is served locally, submitted for signature."""
    page = pages(Reply(body=STATEMENT))
    other = pages(Reply(body=b"<p>You talk to an AI. Terms that protect children.</p>"))
    version = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    answer_everything(draft, actor=Actor(preparer))
    revisions = answers.responses_and_revisions(draft)[1]
    answers.save_answers(
        draft,
        [
            answers.AnswerInput(
                "legal.laws", ["coppa", "gdpr"], base_revision=revisions["legal.laws"]
            ),
            answers.AnswerInput(
                "legal.statement_url", page.url, base_revision=revisions["legal.statement_url"]
            ),
            *(
                answers.AnswerInput(qid, other.url, base_revision=revisions[qid])
                for qid in ("disclosure.page_url", "prohibited.terms_url")
            ),
        ],
        actor=Actor(preparer),
    )
    with committed():
        workflow.submit(draft, actor=Actor(preparer))
    return draft, page


def test_the_statement_is_read_at_submission_with_what_it_does_and_does_not_mention(
    submitted, client, signatory, reviewer, committed
):
    assessment, page = submitted
    capture = ClaimCapture.objects.get(assessment=assessment, question_id="legal.statement_url")

    assert capture.reason == CaptureReason.SUBMITTED and capture.status_code == 200
    assert capture.found == ["COPPA"] and capture.missing == ["GDPR"]
    assert "var built" not in capture.text and "Our commitments" in capture.text
    assert page.received[0][1]["User-Agent"].startswith("MinorSafetyPortal/")
    with committed():
        sign_now(assessment, signatory)
    client.force_login(reviewer)
    review = client.get(
        reverse("review_assessment", args=[assessment.pk]), {"section": "legal"}
    ).content.decode()
    assert "Does not mention GDPR." in review and "Mentions COPPA." in review
    with CaptureQueriesContext(connection) as queries:  # a section without a public claim
        scope = client.get(reverse("review_assessment", args=[assessment.pk])).text
    assert "Mentions COPPA." not in scope
    assert not [q for q in queries if "assessments_claimcapture" in q["sql"]]


def approve(assessment, signatory, reviewer, committed):
    with committed():
        sign_now(assessment, signatory)
        approve_after_review(assessment, reviewer, "Fine.")


def recheck(assessment, committed):
    with committed():
        public_claims.check_public_claims.enqueue(str(assessment.pk), CaptureReason.RECHECK)


def test_a_new_date_or_script_is_not_a_change(submitted, signatory, reviewer, committed):
    assessment, page = submitted
    approve(assessment, signatory, reviewer, committed)
    page.reply.body = STATEMENT.replace(b"2026-11-30T10:00", b"2026-12-01T09:00").replace(
        b"1 Nov 2026", b"1 Dec 2026"
    )

    recheck(assessment, committed)

    assert not PublicClaimFlag.objects.exists()


def test_a_statement_that_changes_flags_the_attestation_and_tells_everyone(
    submitted, signatory, reviewer, preparer, committed, client, settings
):
    assessment, page = submitted
    approve(assessment, signatory, reviewer, committed)
    mail.outbox.clear()
    page.reply.body = b"<html><body><p>We care about privacy.</p></body></html>"

    recheck(assessment, committed)

    flag = PublicClaimFlag.objects.get()
    assert (flag.question_id, flag.change) == ("legal.statement_url", ClaimChange.CHANGED)
    assert AuditEvent.objects.filter(action=AuditAction.PUBLIC_CLAIM_CHANGED).exists()
    assert {preparer.email, reviewer.email} <= {r for m in mail.outbox for r in m.to}
    digest = flag.attestation.snapshot_sha256
    hidden = client.get(reverse("verify_hash", args=[digest])).content.decode()
    settings.PUBLIC_CLAIM_FLAGS_SHOWN = True
    shown = client.get(reverse("verify_hash", args=[digest])).content.decode()
    assert "Under re-check" not in hidden
    assert "Under re-check" in shown
    client.force_login(reviewer)
    review = client.get(reverse("review_assessment", args=[assessment.pk])).content.decode()
    assert f"({flag.capture.url}), found on" in review
    assert f"after attestation {flag.attestation.number} was approved" in review


def test_a_statement_that_disappears_is_flagged_as_gone(submitted, signatory, reviewer, committed):
    assessment, page = submitted
    approve(assessment, signatory, reviewer, committed)
    page.reply.status, page.reply.body = 404, b"Not here"

    recheck(assessment, committed)

    assert PublicClaimFlag.objects.get().change == ClaimChange.GONE


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/", "http://[64:ff9b::a9fe:a9fe]/latest/"]
)
def test_a_redirect_to_a_link_local_address_is_refused(pages, db, target):
    page = pages(Reply(status=302, headers={"Location": target}))

    with pytest.raises(outbound.Refused, match="private or reserved"):
        outbound.get(page.url)


def test_a_huge_page_is_read_only_up_to_the_limit_and_a_slow_one_times_out(pages, monkeypatch):
    huge = pages(Reply(body=b"<p>" + b"COPPA " * (1024 * 1024) + b"</p>"))
    slow = pages(Reply(delay=1))
    monkeypatch.setattr(outbound, "READ_SECONDS", 0.2)

    read = outbound.get(huge.url)

    assert len(read.body) == outbound.MAX_PAGE_BYTES
    with pytest.raises(outbound.Refused, match="timed out"):
        outbound.get(slow.url)


@pytest.mark.parametrize(
    ("scheme", "answer"),
    [
        ("http", b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + b"x" * 200),
        ("https", b"\x16\x03\x03\x40\x00" + b"\x00" * 300),  # a handshake record, dripped
    ],
)
def test_an_answer_dripped_out_byte_by_byte_is_cut_off_at_the_deadline(
    pages, monkeypatch, scheme, answer
):
    """Each byte comes well within the read timeout, so only a deadline on the whole exchange
    (the TLS handshake, the headers, the body) keeps a worker from being held for hours."""
    drip = DripServer(answer, every=0.02)
    monkeypatch.setattr(outbound, "TOTAL_SECONDS", 0.5)
    started = time.monotonic()

    with pytest.raises(outbound.Refused, match=r"No whole answer within 0\.5 seconds"):
        outbound.get(f"{scheme}://127.0.0.1:{drip.port}/")

    assert time.monotonic() - started < 2
    drip.close()


def test_a_page_is_read_over_tls_only_from_a_certificate_the_system_trusts(
    pages, monkeypatch, tmp_path
):
    """The pinned connection still checks the certificate and the name in it: a page behind
    one nobody vouches for is refused, and read once the system trusts it."""
    certificate = self_signed_certificate(tmp_path)
    server = LocalServer(Reply(body=b"<p>COPPA</p>"), tls=certificate)

    with pytest.raises(outbound.Refused, match="CERTIFICATE_VERIFY_FAILED"):
        outbound.get(server.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # as if a CA vouched for it
    read = outbound.get(server.url)

    assert (read.status, read.body) == (200, b"<p>COPPA</p>")
    assert server.received[-1][1]["Host"] == server.url.removeprefix("https://").rstrip("/")
    server.close()


def test_only_approved_assessments_not_read_for_a_day_are_rechecked(
    submitted, signatory, reviewer, committed
):
    assessment, _ = submitted
    assert public_claims.recheck_due() == 0  # submitted, not approved
    approve(assessment, signatory, reviewer, committed)
    for capture in ClaimCapture.objects.all():
        capture.fetched_at -= public_claims.RECHECK_EVERY
        capture.save(update_fields=["fetched_at"])

    with committed():
        queued = public_claims.recheck_due()

    assert queued == 1
    assert ClaimCapture.objects.filter(reason=CaptureReason.RECHECK).count() == 3
    with committed():
        assert public_claims.recheck_due() == 0  # just read
