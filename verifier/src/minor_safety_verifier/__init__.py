"""Check a minor-safety attestation report with nothing but the file and the platform's
signed key set: no portal, no database, no Django.

    python -m minor_safety_verifier report.pdf --keyset keyset.jws --root-fingerprint HEX

The key set is believed only when signed by the platform root whose certificate fingerprint
is pinned (--root-fingerprint, or pinned_roots.txt shipped with this package).

Needs only pyHanko and joserfc (`pip install pyhanko joserfc`). Its first line, and its exit
status, is the verdict: VALID (0), NOT GENUINE (1), NOT VALID (3: genuine, but not approved,
rejected, expired, revoked or superseded) or STATUS UNKNOWN (4: genuine and approved, but no
fresh status list was given). A genuine file is a separate line: the platform signed this
exact file with a key the signed key set lists (not withdrawn when it signed), and the
credential inside is about its snapshot.
"""

from minor_safety_verifier.trust import TrustedKeySet, UntrustedKeySet, trusted_key_set
from minor_safety_verifier.verify import (
    EXIT_CODES,
    OfflineResult,
    Verdict,
    check_credential,
    verify_report,
)

__all__ = [
    "EXIT_CODES",
    "OfflineResult",
    "TrustedKeySet",
    "UntrustedKeySet",
    "Verdict",
    "check_credential",
    "trusted_key_set",
    "verify_report",
]
