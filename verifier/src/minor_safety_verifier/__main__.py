import argparse
import sys
from pathlib import Path

from minor_safety_verifier.trust import UntrustedKeySet, packaged_pins, trusted_key_set
from minor_safety_verifier.verify import EXIT_CODES, Verdict, verify_report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minor_safety_verifier",
        description="Check an attestation report offline against the platform's signed key set.",
        epilog="Exit status: 0 VALID; 1 NOT GENUINE (including a key set the pinned root did "
        "not sign); 3 NOT VALID (genuine, but not approved, rejected, expired, revoked or "
        "superseded); 4 STATUS UNKNOWN (genuine and approved, but no fresh status list was "
        "given); 2 a usage error.",
    )
    parser.add_argument("report", type=Path)
    parser.add_argument(
        "--keyset",
        type=Path,
        required=True,
        help="the platform's signed key set (keyset.jws under /.well-known/minor-safety-portal/)",
    )
    parser.add_argument(
        "--root-fingerprint",
        action="append",
        default=[],
        help="the SHA-256 fingerprint of the platform root to trust, as the portal's /verify/ "
        "page prints it (added to those in pinned_roots.txt)",
    )
    parser.add_argument(
        "--status-list",
        type=Path,
        action="append",
        default=[],
        help="a status list the credential names (the JWT at its statusListCredential); "
        "give each one",
    )
    args = parser.parse_args(argv)
    pins = args.root_fingerprint + packaged_pins()
    if not pins:
        parser.error("no platform root is pinned: give --root-fingerprint")
    try:
        key_set = trusted_key_set(args.keyset.read_text(), pins)
    except UntrustedKeySet as exc:
        print(f"{Verdict.NOT_GENUINE}: {exc}")
        return EXIT_CODES[Verdict.NOT_GENUINE]
    result = verify_report(
        args.report.read_bytes(),
        key_set,
        status_lists=[path.read_text().strip() for path in args.status_list],
    )
    print("\n".join(result.summary()))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
