"""The platform's revocation list as a W3C Bitstring Status List credential: bit i is set when
the attestation with status index i is revoked. Every credential points to it, so anyone can
check revocation with the published keys and this one small document."""

import base64
import gzip

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from assessments.models import Attestation
from assessments.signing_keys import current_key

LIST_BITS = 131_072  # the specification's minimum size (16 KiB), so an index reveals little
PURPOSE = "revocation"


def list_url() -> str:
    return settings.SITE_URL + reverse("status_list")


def next_index() -> int:
    latest = Attestation.objects.aggregate(latest=Max("status_index"))["latest"]
    return 0 if latest is None else latest + 1


def entry(attestation: Attestation) -> dict:
    """The credentialStatus an attestation's credential carries."""
    return {
        "id": f"{list_url()}#{attestation.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(attestation.status_index),
        "statusListCredential": list_url(),
    }


def encoded_list() -> str:
    size = max(LIST_BITS, next_index())
    bits = bytearray((size + 7) // 8)
    revoked = Attestation.objects.filter(revoked_at__isnull=False, status_index__isnull=False)
    for index in revoked.values_list("status_index", flat=True):
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the first byte's leftmost bit
    return base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def status_list_credential() -> str:
    """The list, signed now with the platform's current key, as a JWT."""
    key = current_key()
    claims = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "id": list_url(),
        "issuer": settings.SITE_URL,
        "validFrom": timezone.now().isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encoded_list(),
        },
    }
    private = ECKey.import_key(key.key_path.read_bytes(), {"kid": key.kid})
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "vc+jwt"}, claims, private, ["ES256"])
