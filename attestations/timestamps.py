"""RFC 3161 timestamps from the timestamp authority the platform names (SIGNING_TIMESTAMP_URL)
on its own documents (audit checkpoints): an outside party's signed word that the document
existed then, which no one holding only our keys and storage can forge or back-date.

SIGNING_TIMESTAMP_ROOTS (a PEM file) names the authority's certificates to trust; without it a
token is checked for integrity and its imprint only, and said so."""

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from attestations.pdf_signing import outside_event_loop, timestamper

ALGORITHM = "sha256"


@dataclass(frozen=True)
class Stamp:
    at: str  # the authority's time, ISO 8601
    authority: str  # its certificate's subject
    trusted: bool  # checked against SIGNING_TIMESTAMP_ROOTS


def token_for(data: bytes) -> bytes | None:
    """The authority's timestamp token (DER) over the SHA-256 of data, or None without one."""
    stamper = timestamper()
    if stamper is None:
        return None
    digest = hashlib.sha256(data).digest()
    token = outside_event_loop(asyncio.run, stamper.async_timestamp(digest, ALGORITHM))
    return token.dump()


def _roots() -> list:
    path = settings.SIGNING_TIMESTAMP_ROOTS
    return list(load_certs_from_pemder([str(Path(path))])) if path else []


def check(token: bytes, data: bytes) -> Stamp | None:
    """The stamp, if the token is intact, is over exactly this data, and (when roots are
    configured) comes from a trusted authority; else None."""
    try:
        signed = cms.ContentInfo.load(token)["content"]
        digest = hashlib.sha256(data).digest()
        roots = _roots()
        status = outside_event_loop(
            asyncio.run,
            validate_tst_signed_data(
                signed, ValidationContext(trust_roots=roots), lambda _algorithm: digest
            ),
        )
    except Exception:  # a malformed or foreign token: not a stamp on this document
        return None
    trusted = status.get("validation_path") is not None and not status.get("trust_problem_indic")
    if not (status["intact"] and status["valid"]) or (roots and not trusted):
        return None
    info = signed["encap_content_info"]["content"].parsed
    return Stamp(
        at=info["gen_time"].native.isoformat(),
        authority=status["signing_cert"].subject.human_friendly,
        trusted=bool(roots),
    )
