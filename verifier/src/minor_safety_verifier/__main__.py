import argparse
import json
import sys
from pathlib import Path

from minor_safety_verifier.verify import verify_report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minor_safety_verifier",
        description="Check an attestation report offline against the platform's public keys.",
        epilog="Exit status: 0 VALID; 1 NOT GENUINE; 3 NOT VALID (genuine, but not approved, "
        "rejected, expired, revoked or superseded); 4 STATUS UNKNOWN (genuine and approved, "
        "but no fresh status list was given); 2 a usage error.",
    )
    parser.add_argument("report", type=Path)
    parser.add_argument("--jwks", type=Path, required=True, help="the platform's jwks.json")
    parser.add_argument(
        "--status-list",
        type=Path,
        action="append",
        default=[],
        help="a status list the credential names (the JWT at its statusListCredential); "
        "give each one",
    )
    args = parser.parse_args(argv)
    result = verify_report(
        args.report.read_bytes(),
        json.loads(args.jwks.read_text()),
        status_lists=[path.read_text().strip() for path in args.status_list],
    )
    print("\n".join(result.summary()))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
