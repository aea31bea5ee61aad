"""Check a minor-safety attestation report with nothing but the file and the platform's
published keys (its JWKS): no portal, no database, no Django.

    python -m minor_safety_verifier report.pdf --jwks jwks.json

Needs only pyHanko and joserfc (`pip install pyhanko joserfc`). What it proves: the platform
signed this exact file (the signature covers every byte, by a key the JWKS publishes), the
verifiable credential inside is the platform's and about that snapshot, and what they say.
What it cannot know offline: whether the platform has since revoked or superseded the
attestation; the report's verification link answers that.
"""

from minor_safety_verifier.verify import OfflineResult, check_credential, verify_report

__all__ = ["OfflineResult", "check_credential", "verify_report"]
