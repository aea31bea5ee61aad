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
        help="the platform's revocation list (the JWT at the credential's statusListCredential)",
    )
    args = parser.parse_args(argv)
    status_list = args.status_list.read_text().strip() if args.status_list else None
    result = verify_report(
        args.report.read_bytes(), json.loads(args.jwks.read_text()), status_list=status_list
    )
    print("\n".join(result.summary()))
    return 0 if result.genuine else 1


if __name__ == "__main__":
    sys.exit(main())
