import argparse
import json
import sys
from pathlib import Path

from minor_safety_verifier.verify import verify_report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minor_safety_verifier",
        description="Check an attestation report offline against the platform's public keys.",
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
    return 0 if result.genuine else 1


if __name__ == "__main__":
    sys.exit(main())
