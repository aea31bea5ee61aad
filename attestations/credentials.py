"""The attestation as a W3C Verifiable Credential 2.0, secured as a JWT (VC-JOSE-COSE) with the
platform's signing key: the same facts as the report, for programs. Issuer: the platform;
subject: the organization; claims: the questionnaire and its hash, its figures, the
review state when issued, validity dates, and the SHA-256 of the canonical snapshot. The
figures are named for what they are (claimed, with the evidence given, verified); a risk tier
is stated only once the platform's approval verified the claims."""

import json
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from assessments.models import Attestation
from attestations import status_list
from attestations.attestation_status import status_of
from attestations.canonical import utc_iso
from attestations.credential_context import context_url
from attestations.figures import figures_of
from attestations.signing_keys import current_key

CREDENTIAL_ATTACHMENT = "attestation-credential.jwt"
ALGORITHM = "ES256"
MEDIA_TYPE = "vc+jwt"


def claims(attestation: Attestation, *, at: datetime) -> dict:
    assessment = attestation.assessment
    version = assessment.framework_version
    signed = json.loads(attestation.snapshot_json)  # what was signed, not today's
    status = status_of(attestation, at=at)
    figures = figures_of(attestation, status.decision)
    has_status = attestation.status_index is not None
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", context_url()],
        "type": ["VerifiableCredential", "MinorSafetyAttestation"],
        "id": settings.SITE_URL + reverse("verify_hash", args=[attestation.snapshot_sha256]),
        "issuer": settings.SITE_URL,
        "validFrom": utc_iso(attestation.signed_at),
        "validUntil": utc_iso(attestation.expires_at),
        "credentialSubject": {
            "id": signed["organization"]["website"],
            "name": signed["organization"]["legal_name"],
            "attestationNumber": attestation.number,
            # The product attested (credentials of attestations made before products: none).
            **(
                {"product": {"name": p["name"], "addresses": p["addresses"]}}
                if (p := signed.get("product"))
                else {}
            ),
            "questionnaire": {
                "slug": version.slug,
                "version": version.version,
                "sha256": version.sha256,
            },
            # Named for what each is; the tier only once the platform verified the claims.
            "figures": {
                "claimed": figures.claimed,
                "evidenceGiven": figures.evidence_given,
                "verified": figures.verified,
            },
            "riskTier": figures.verified_tier or None,
            "regimes": [
                {"slug": r["slug"], "name": r["name"], "version": r["version"], "score": r["score"]}
                for r in signed.get("regimes", [])
            ],
            "reviewStateAtIssue": status.status.value,
            "issuedAt": utc_iso(at),
            "snapshotSha256": attestation.snapshot_sha256,
        },
    } | ({"credentialStatus": status_list.entries(attestation)} if has_status else {})


class NotApproved(Exception):
    """No credential: the platform issues one only for an attestation it approved (a generic
    VC verifier would read any other as valid from its dates alone)."""


def issuable(attestation: Attestation, at: datetime) -> bool:
    return status_of(attestation, at=at).is_valid


def issue(attestation: Attestation, *, at: datetime | None = None) -> str:
    """The credential as a compact JWS, signed now with the current key; only for an
    attestation valid now (approved, in force)."""
    at = at or timezone.now()
    if not issuable(attestation, at):
        raise NotApproved("The platform issues a credential only for an approved attestation.")
    key = current_key()
    private = ECKey.import_key(key.key_path.read_bytes(), {"kid": key.kid})
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": MEDIA_TYPE}
    return jwt.encode(header, claims(attestation, at=at), private, [ALGORITHM])
