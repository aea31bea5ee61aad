"""Check a minor-safety attestation report with nothing but the file and the platform's
published keys (its JWKS): no portal, no database, no Django.

    python -m minor_safety_verifier report.pdf --jwks jwks.json

Needs only pyHanko (`pip install pyhanko`). What it proves: the platform signed this exact
file (the signature covers every byte, by a key the JWKS publishes), and what the signed
snapshot inside says. What it cannot know offline: whether the platform has since revoked or
superseded the attestation; the report's verification link answers that.
"""

from minor_safety_verifier.verify import OfflineResult, verify_report

__all__ = ["OfflineResult", "verify_report"]
