"""PAdES signatures on issued reports (pyHanko), as an incremental update: the PDF/A-3 file
and its embedded snapshot stay byte for byte at the start of the signed file."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
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


def _timestamper() -> timestamps.TimeStamper | None:
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
    key = current_key()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Attestation report issued by the minor-safety compliance portal",
        location=settings.SITE_URL,
    )
    out = BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        metadata,
        signer=_signer(key),
        timestamper=_timestamper(),
        output=out,
    )
    return out.getvalue()
