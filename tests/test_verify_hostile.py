"""The public verification page, attacked: huge bodies, hostile PDFs, floods, and forged
forwarding headers. Each answer is clear and quick; none is a 500."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from bench.hostile_pdfs import attachment_bomb, encrypted, page_bomb
from tests.test_attestation import report_bytes


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    return pdf_bytes(writer)


def upload(client, data: bytes, **extra):
    file = io.BytesIO(data)
    file.name = "report.pdf"
    return client.post(reverse("verify"), {"report": file}, **extra)


def test_a_body_larger_than_any_report_is_refused_before_it_is_read(client, db):
    # It declares 300 MB; if the portal tried to read it, it would find 10 bytes and choke.
    response = client.generic(
        "POST",
        reverse("verify"),
        b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "That upload is too large" in response.text
    assert "300.0\xa0MB" in response.text


def test_a_real_upload_just_over_the_limit_is_refused_with_413(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024))
    assert response.status_code == 413


def test_ten_thousand_pages_are_refused_from_the_header(client, db):
    response = upload(client, page_bomb(10_000))
    assert response.status_code == 422
    assert "more than 200 pages" in response.text


def test_an_encrypted_pdf_gets_a_clear_answer(client, db):
    response = upload(client, encrypted())
    assert response.status_code == 422
    assert "This PDF is encrypted" in response.text


def test_a_decompression_bomb_in_the_snapshot_gets_a_clear_answer(client, db):
    response = upload(client, attachment_bomb())
    assert response.status_code == 422
    assert "cannot be checked" in response.text


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n%garbage", b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 9 0 R>>", b"\0"]
)
def test_broken_files_get_a_clear_answer(client, db, data):
    response = upload(client, data)
    assert response.status_code in (200, 422)
    assert "cannot be checked" in response.text or "not a report" in response.text


def test_an_issued_report_is_recognised_by_its_hash_without_parsing(
    client, attestation, monkeypatch
):
    def no_parsing(*args, **kwargs):
        raise AssertionError("an issued report must not be parsed")

    monkeypatch.setattr("attestations.verification.PdfReader", no_parsing)
    response = upload(client, report_bytes(attestation))
    assert response.status_code == 200
    assert "The platform issued this record: it is genuine." in response.text


def test_uploads_are_rate_limited_per_address(db):
    attacker, bystander = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="198.51.100.8")
    statuses = [upload(attacker, blank_pdf()).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert upload(bystander, blank_pdf()).status_code == 200


def test_a_new_ipv6_address_from_the_same_network_does_not_evade_the_limit(db):
    """One subscriber holds a whole /64 and picks any address in it: the limit counts the
    network, and a neighbouring network keeps its own."""
    statuses = [
        upload(Client(REMOTE_ADDR=f"2001:db8:7:1::{n:x}"), blank_pdf()).status_code
        for n in range(1, 22)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert upload(Client(REMOTE_ADDR="2001:db8:7:2::1"), blank_pdf()).status_code == 200


def test_an_ipv4_client_seen_through_a_dual_stack_socket_is_counted_by_its_ipv4_address(db):
    """A server listening on IPv6 sees IPv4 clients as ::ffff:a.b.c.d: each keeps its own
    limit, the same as when seen plainly, rather than all sharing the ::ffff:0:0/64 block."""
    mapped = Client(REMOTE_ADDR="::ffff:198.51.100.30")
    assert [upload(mapped, blank_pdf()).status_code for _ in range(20)] == [200] * 20
    assert upload(Client(REMOTE_ADDR="198.51.100.30"), blank_pdf()).status_code == 429
    assert upload(Client(REMOTE_ADDR="::ffff:198.51.100.31"), blank_pdf()).status_code == 200


def test_a_forged_forwarding_header_does_not_evade_the_limit(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    direct = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [
        upload(direct, blank_pdf(), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(21)
    ]
    assert statuses[20] == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    first = [
        upload(proxy, blank_pdf(), HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.9").status_code
        for _ in range(21)
    ]
    assert first[20] == 429
    other = upload(proxy, blank_pdf(), HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 200


def test_sign_ups_are_rate_limited_per_address(db):
    client = Client(REMOTE_ADDR="198.51.100.9")
    statuses = [client.post(reverse("signup"), {}).status_code for _ in range(11)]
    assert statuses[10] == 429
    assert "Too many requests" in client.post(reverse("signup"), {}).text
