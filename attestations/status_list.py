"""What the platform says about its attestations since issuing them, as W3C Bitstring Status
List credentials that every attestation's credential points to: one list of revoked
attestations (statusPurpose "revocation") and one of attestations superseded by a newer
approved one (statusPurpose "message": 0 current, 1 superseded). Bit i belongs to the
attestation with status index i. With the published keys and these two small documents,
anyone can check both without asking the portal anything else."""

import base64
import gzip
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from assessments.models import Attestation, Outcome
from attestations.canonical import utc_iso
from attestations.signing_keys import current_key

LIST_BITS = 131_072  # the specification's minimum size (16 KiB), so an index reveals little


class StatusList(StrEnum):
    REVOKED = "revocation"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class ListKind:
    purpose: str
    messages: list | None = None  # for statusPurpose "message"


KINDS = {
    StatusList.REVOKED: ListKind("revocation"),
    StatusList.SUPERSEDED: ListKind(
        "message",
        [
            {"status": "0x0", "message": "current"},
            {"status": "0x1", "message": "superseded by a newer approved attestation"},
        ],
    ),
}


def list_url(which: StatusList) -> str:
    return settings.SITE_URL + reverse("status_list", args=[which.value])


def next_index() -> int:
    latest = Attestation.objects.aggregate(latest=Max("status_index"))["latest"]
    return 0 if latest is None else latest + 1


def create_listed(**fields) -> Attestation:
    """Create an attestation at the next free place of the status lists. Two signatures in
    the same instant can read the same last place; the one that loses (the database's unique
    index says so once the other commits) takes the next place instead of failing."""
    for _ in range(LISTING_ATTEMPTS - 1):
        index = next_index()
        try:
            with transaction.atomic():  # a savepoint: the signature's transaction goes on
                return Attestation.objects.create(status_index=index, **fields)
        except IntegrityError:
            if not Attestation.objects.filter(status_index=index).exists():
                raise  # another rule was broken, not the place taken
    return Attestation.objects.create(status_index=next_index(), **fields)


LISTING_ATTEMPTS = 10


def entries(attestation: Attestation) -> list[dict]:
    """The credentialStatus an attestation's credential carries: one entry per list."""
    found = []
    for which, kind in KINDS.items():
        entry = {
            "id": f"{list_url(which)}#{attestation.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": kind.purpose,
            "statusListIndex": str(attestation.status_index),
            "statusListCredential": list_url(which),
        }
        if kind.messages:
            entry |= {"statusSize": 1, "statusMessage": kind.messages}
        found.append(entry)
    return found


def _indexes(which: StatusList) -> list[int]:
    listed = Attestation.objects.filter(status_index__isnull=False)
    if which == StatusList.REVOKED:
        return list(listed.filter(revoked_at__isnull=False).values_list("status_index", flat=True))
    # attestation_status.superseding in two queries for the whole list instead of a few per
    # attestation: an approved, unrevoked attestation is superseded when a later one in its
    # line (organization and questionnaire) is approved and unrevoked too.
    approved = list(
        listed.filter(revoked_at__isnull=True, decisions__outcome=Outcome.APPROVED)
        .exclude(decisions__outcome__in=[Outcome.REJECTED, Outcome.CHANGES_REQUESTED])
        .values_list("status_index", "organization_id", "framework_slug", "signed_at")
        .distinct()
    )
    newest: dict[tuple, object] = {}
    for _, organization, slug, signed_at in approved:
        line = (organization, slug)
        newest[line] = max(newest.get(line, signed_at), signed_at)
    return [index for index, org, slug, signed_at in approved if signed_at < newest[(org, slug)]]


def encoded_list(which: StatusList) -> str:
    size = max(LIST_BITS, next_index())
    bits = bytearray((size + 7) // 8)
    for index in _indexes(which):
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the first byte's leftmost bit
    # Multibase base64url without padding: the "u" prefix the specification asks for.
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


LIST_VALIDITY = timedelta(days=1)


def status_list_credential(which: StatusList) -> str:
    """The list, signed now with the platform's current key, as a JWT."""
    key = current_key()
    now = timezone.now()
    claims = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "id": list_url(which),
        "issuer": settings.SITE_URL,
        "validFrom": utc_iso(now),
        # A list replayed after this is stale: a verifier must fetch a newer one.
        "validUntil": utc_iso(now + LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{list_url(which)}#list",
            "type": "BitstringStatusList",
            "statusPurpose": KINDS[which].purpose,
            "encodedList": encoded_list(which),
        },
    }
    private = ECKey.import_key(key.key_path.read_bytes(), {"kid": key.kid})
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "vc+jwt"}, claims, private, ["ES256"])
