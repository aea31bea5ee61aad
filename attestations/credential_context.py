"""The JSON-LD context of the portal's credentials: the attestation's type and every term of
its subject, defined under the portal's own vocabulary (not the VC 2.0 context's fallback).
Served at /.well-known/minor-safety-portal/credentials/v1 and named in every credential."""

from django.conf import settings
from django.urls import reverse

TERMS = (
    "attestationNumber",
    "product",
    "addresses",
    "questionnaire",
    "slug",
    "version",
    "sha256",
    "figures",
    "claimed",
    "evidenceGiven",
    "verified",
    "riskTier",
    "regimes",
    "name",
    "score",
    "reviewStateAtIssue",
    "issuedAt",
    "snapshotSha256",
)


def context_url() -> str:
    return settings.SITE_URL + reverse("credential_context")


def context() -> dict:
    vocabulary = context_url() + "#"
    return {
        "@context": {
            "@protected": True,
            "MinorSafetyAttestation": {"@id": vocabulary + "MinorSafetyAttestation"},
            **{term: {"@id": vocabulary + term} for term in TERMS if term != "name"},
        }
    }
