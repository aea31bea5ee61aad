"""PAdES signatures on issued reports (pyHanko), as an incremental update: the PDF/A-3 file
and its embedded snapshot stay byte for byte at the start of the signed file."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

from attestations.signing_keys import SigningKey, current_key

FIELD_NAME = "PlatformSignature"


@lru_cache(maxsize=4)
def _signer(key: SigningKey) -> signers.SimpleSigner:
    """Loaded once per key and process: parsing a key is the slow part of signing."""
    certificates = list(load_certs_from_pemder_data(key.certificate_path.read_bytes()))
    private_key = load_private_key_from_pemder_data(key.key_path.read_bytes(), passphrase=None)
    return signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=private_key,
        cert_registry=SimpleCertificateStore.from_certs(certificates[1:]),
    )


def timestamper() -> timestamps.TimeStamper | None:
    url = settings.SIGNING_TIMESTAMP_URL
    return timestamps.HTTPTimeStamper(url) if url else None


def outside_event_loop(call, *args):
    """pyHanko signs and validates through asyncio.run(), which cannot start inside a running
    event loop (an ASGI server, or a test driving a browser): there, the call runs in a
    thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args).result()


def sign_pdf(pdf: bytes) -> bytes:
    """The report signed by the platform's current key (with a trusted timestamp when a
    timestamp authority is configured; otherwise the signing time is the platform's claim)."""
    return outside_event_loop(_sign, pdf)


def _sign(pdf: bytes) -> bytes:
    """A certification signature allowing no change (DocMDP): a PDF viewer flags anything
    added after it. The document information's Producer is set to the product that writes the
    signed revision, as pyHanko writes it into the XMP metadata too, so the two agree as PDF/A
    requires."""
    key = current_key()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Attestation report issued by the minor-safety compliance portal",
        location=settings.SITE_URL,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    if "/Info" in writer.trailer_view:
        info = writer.trailer_view.raw_get("/Info")
        info.get_object()["/Producer"] = generic.TextStringObject(VENDOR)
        writer.mark_update(info)
    out = BytesIO()
    signers.sign_pdf(
        writer,
        metadata,
        signer=_signer(key),
        timestamper=timestamper(),
        output=out,
    )
    return out.getvalue()
