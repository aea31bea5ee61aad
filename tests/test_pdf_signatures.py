"""Every issued report carries the platform's PAdES signature, checked as an outside party
would: with pdfsig (poppler) and pyHanko's validator, on files the portal really produced."""

import io
import re
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from attestations import platform_root
from attestations.attestation import SNAPSHOT_ATTACHMENT
from attestations.pdf_signing import FIELD_NAME
from attestations.signing_keys import all_keys, create_key, current_key
from tests.conftest import approve_after_review, forger_key, sign_now, signer_of
from tests.test_attestation import report_bytes

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler-utils")


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    run = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [shutil.which("pdfsig"), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return run.stdout + run.stderr  # pdfsig always exits 0: its words are the verdict


def status_against_the_platform_root(data: bytes, *, skip_diff: bool = False) -> object:
    """pyHanko's own validator, trusting the platform root alone, as an outsider would.
    ``skip_diff``: without grading what an appended update changed (minutes on a tagged
    report); whether the signature covers the whole file is found all the same."""
    root = load_cert_from_pemder(str(platform_root.root_dir() / platform_root.CERT_FILE))
    (signature, *_) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(
        signature, ValidationContext(trust_roots=[root]), skip_diff=skip_diff
    )


@pytest.mark.real_report  # the outside tool judges what the portal really issues
@pytest.mark.slow
@needs_pdfsig
def test_pdfsig_finds_the_report_signed_whole(attestation, tmp_path):
    out = pdfsig(tmp_path, report_bytes(attestation))
    assert "Signature is Valid." in out
    assert "Total document signed" in out


@pytest.mark.real_report  # the outside tool judges what the portal really issues
def test_pyhanko_validates_it_against_the_published_certificate(attestation):
    status = status_against_the_platform_root(report_bytes(attestation))
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"


@pytest.mark.real_report
def test_signing_keeps_the_pdfa_file_and_its_snapshot(attestation):
    data = report_bytes(attestation)
    reader = PdfReader(io.BytesIO(data))
    (embedded,) = reader.attachments[SNAPSHOT_ATTACHMENT]
    assert embedded.decode() == attestation.snapshot_json
    assert FIELD_NAME in (reader.get_fields() or {})
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp  # still PDF/A-3 after the incremental update
    # PDF/A: the document information and the XMP metadata agree (the Producer was not).
    producer = re.search(rb'pdf:Producer="([^"]*)"', xmp).group(1).decode()
    assert reader.metadata["/Producer"] == producer
    assert reader.metadata["/Title"].encode() in xmp
    # The PDF/A-3 rules no validator installable here checks for us (veraPDF needs Java and a
    # download): an output intent, no encryption, every font embedded, every attachment
    # related to the document with its media type.
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/Encrypt" not in reader.trailer
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts and all("/DescendantFonts" in f or "/FontDescriptor" in f for f in fonts)
    for font in fonts:
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        )
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    for spec in (names[i].get_object() for i in range(1, len(names), 2)):
        assert spec["/AFRelationship"] == "/Data" and spec["/EF"]["/F"].get_object()["/Subtype"]
        assert spec.indirect_reference in root["/AF"]


@pytest.mark.real_report
def test_the_signature_certifies_the_report_and_allows_no_change(attestation):
    from pyhanko.sign.fields import MDPPerm

    (signature,) = PdfFileReader(io.BytesIO(report_bytes(attestation))).embedded_signatures
    assert signature.docmdp_level == MDPPerm.NO_CHANGES


@pytest.mark.slow
@needs_pdfsig
def test_a_changed_byte_breaks_the_signature(attestation, tmp_path):
    data = bytearray(report_bytes(attestation))
    position = len(data) // 3
    data[position] = (data[position] + 1) % 256
    out = pdfsig(tmp_path, bytes(data))
    assert "Signature is Valid." not in out


@pytest.mark.real_report
@pytest.mark.slow
@needs_pdfsig
def test_an_appended_update_is_not_covered_by_the_signature(attestation, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(report_bytes(attestation)))
    writer.root["/Lang"] = writer.root.get("/Lang")  # any change, written as a new revision
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert "Not total document signed" in pdfsig(tmp_path, out.getvalue())
    status = status_against_the_platform_root(out.getvalue(), skip_diff=True)
    assert status.intact  # the signed revision itself is untouched ...
    assert status.coverage.name == "ENTIRE_REVISION"  # ... but the file has more than it


def test_a_report_signed_with_another_key_is_not_trusted(attestation, tmp_path):
    forger = forger_key(tmp_path)
    signer = signer_of(forger)
    unsigned = report_bytes(attestation)[: _first_revision_end(report_bytes(attestation))]
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(unsigned)),
        signers.PdfSignatureMetadata(field_name=FIELD_NAME),
        signer=signer,
        output=out,
    )
    status = status_against_the_platform_root(out.getvalue())
    assert status.intact  # the forger's own signature is sound ...
    assert not status.trusted  # ... but not by any key the platform published
    assert not status.bottom_line


def _first_revision_end(data: bytes) -> int:
    """Where WeasyPrint's file ended, before the signature's incremental update."""
    return data.index(b"%%EOF") + len(b"%%EOF")


def test_a_rotated_key_signs_new_reports_and_old_ones_still_verify(
    client, attestation, reviewer, committed
):

    old = report_bytes(attestation)
    before = {k.kid for k in all_keys()}
    call_command("create_signing_key")  # a rotation: a new key, and the key set signed anew
    new_key = all_keys()[-1]
    with committed():  # the decision issues the report again, now with the new key
        approve_after_review(attestation.assessment, reviewer, "Evidenced.")
    new = attestation.reports.order_by("-rendered_at").first().file.read()
    (signature, *_) = PdfFileReader(io.BytesIO(new)).embedded_signatures
    assert signature.signer_cert.dump() == new_key.certificate.public_bytes(Encoding.DER)
    assert status_against_the_platform_root(old).bottom_line
    assert status_against_the_platform_root(new).bottom_line
    published = {k["kid"] for k in client.get(reverse("jwks")).json()["keys"]}
    assert published == before | {new_key.kid}
    assert new_key.fingerprint in client.get(reverse("verify")).text


def test_signing_works_inside_a_running_event_loop(attestation):
    """As under an ASGI server, or after a browser test left its loop running."""
    import asyncio

    from attestations.pdf_signing import sign_pdf

    data = report_bytes(attestation)
    unsigned = data[: _first_revision_end(data)]

    async def inside():
        return sign_pdf(unsigned)

    signed = asyncio.run(inside())
    assert status_against_the_platform_root(signed).bottom_line


def test_a_report_is_issued_and_checked_inside_a_running_event_loop(attestation, monkeypatch):
    """The worker's check of what it signed runs through pyHanko's asyncio.run() too."""
    import asyncio

    from attestations.reports import issue_report_pdf

    data = report_bytes(attestation)
    rendered = data[: _first_revision_end(data)]  # rendered here; signed and checked inside
    monkeypatch.setattr("attestations.reports.render_report_pdf", lambda attestation: rendered)

    async def inside():
        return issue_report_pdf(attestation)

    _, key_id = asyncio.run(inside())
    assert key_id == current_key().kid


def _uploaded(client, pdf: bytes):
    upload = io.BytesIO(pdf)
    upload.name = "report.pdf"
    return client.post(reverse("verify"), {"report": upload})


def test_an_issued_report_names_the_key_the_offline_verifier_found_before_it_was_issued(
    client, attestation
):
    report = attestation.reports.get()
    assert report.key_id == current_key().kid
    page = _uploaded(client, report_bytes(attestation))
    assert f'The platform\'s key <span class="hash">{report.key_id}</span> signed' in page.text


def test_a_report_whose_key_is_no_longer_published_is_not_valid_on_the_verification_page(
    client, attestation, settings, tmp_path
):
    settings.SIGNING_KEYS_DIR = str(tmp_path)  # the published set now holds another key only
    create_key()
    page = _uploaded(client, report_bytes(attestation))
    assert "no longer one the platform publishes" in page.text
    assert "signed this whole file" not in page.text
    assert "Not valid: this file&#x27;s signature no longer holds" in page.text


def test_a_report_issued_before_the_portal_checked_its_files_is_checked_in_full(
    client, attestation
):
    attestation.reports.update(key_id="")
    page = _uploaded(client, report_bytes(attestation))
    assert f'key <span class="hash">{current_key().kid}</span> signed' in page.text


def test_a_report_the_offline_verifier_rejects_is_never_issued(
    awaiting_signature, signatory, committed, monkeypatch
):
    """A signer gone wrong (here: no signature at all) must not put a file in anyone's hands."""
    from assessments.models import ReportState

    monkeypatch.setattr("attestations.reports.sign_pdf", lambda pdf: pdf)
    with committed():
        attestation = sign_now(awaiting_signature, signatory)
    attestation.refresh_from_db()
    assert attestation.reports.count() == 0
    assert attestation.report_state == ReportState.FAILED
    assert "0 signatures where a report has one" in attestation.report_error


def _structure(element, found: list) -> list:
    """(role, element) of every structure element, in reading order."""
    element = element.get_object()
    if isinstance(element, list):
        for child in element:
            _structure(child, found)
    elif hasattr(element, "get") and element.get("/S"):
        found.append((str(element["/S"]).lstrip("/"), element))
        if "/K" in element:
            _structure(element["/K"], found)
    return found


@pytest.mark.real_report
def test_the_report_is_a_tagged_pdf_a_screen_reader_can_follow(attestation, tmp_path):
    """What a screen reader needs: marked as tagged, a language, headings in order, tables
    with header cells, and a text alternative for every chart (poppler reads it the same)."""
    data = report_bytes(attestation)
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    elements = _structure(root["/StructTreeRoot"]["/K"], [])
    roles = [role for role, _ in elements]
    headings = [role for role in roles if role in {"H1", "H2", "H3"}]
    figures = [element for role, element in elements if role == "Figure"]

    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en"
    assert headings[0] == "H1" and headings.count("H1") == 1 and "H2" in headings
    assert roles.count("Table") >= 2 and roles.count("TH") >= roles.count("Table")
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    (tmp_path / "r.pdf").write_bytes(data)
    info = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [shutil.which("pdfinfo") or "pdfinfo", str(tmp_path / "r.pdf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Tagged:          yes" in info.stdout
