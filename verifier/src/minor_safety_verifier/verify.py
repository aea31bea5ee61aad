"""The offline check itself: the PDF signature against the published keys, then the snapshot."""

import base64
import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from joserfc import jwt
from joserfc.jwk import KeySet
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

SNAPSHOT_ATTACHMENT = "attestation-snapshot.json"
CREDENTIAL_ATTACHMENT = "attestation-credential.jwt"


@dataclass
class OfflineResult:
    genuine: bool
    problems: list[str] = field(default_factory=list)
    key_id: str = ""
    snapshot: dict | None = None
    snapshot_sha256: str = ""
    credential: dict | None = None
    status_checked: bool = False

    def summary(self) -> list[str]:
        if not self.genuine:
            return ["NOT GENUINE: " + "; ".join(self.problems)]
        s = self.snapshot
        return [
            f"GENUINE: signed by the platform's key {self.key_id}, covering the whole file.",
            f"Organization: {s['organization']['legal_name']} ({s['organization']['website']})",
            f"Questionnaire: {s['framework']['title']} {s['framework']['version']}",
            f"Attestation {s['attestation_number']}, signed by {s['signed']['name']} "
            f"on {s['signed']['at']}",
            f"Score: {s['overall']['score']}, risk tier {s['overall']['risk_tier']}",
            f"Snapshot SHA-256: {self.snapshot_sha256}",
            "Credential: signed by the platform, for this snapshot; review state when issued: "
            f"{self.credential['credentialSubject']['reviewStateAtIssue']}.",
            "Revocation: checked against the platform's signed status list: not revoked."
            if self.status_checked
            else "Revocation: not checked (give --status-list, the file published at the "
            "credential's statusListCredential).",
            "Not checked offline: whether the platform has reviewed or superseded it since. "
            "Open the verification link printed in the report for that.",
        ]


def _trusted_certificates(jwks: dict) -> dict[str, asn1_x509.Certificate]:
    """kid -> certificate, from the x5c of each published key."""
    found = {}
    for key in jwks.get("keys", []):
        for der in key.get("x5c", [])[:1]:
            found[key.get("kid", "")] = asn1_x509.Certificate.load(base64.b64decode(der))
    return found


def check_credential(token: str, snapshot: bytes, jwks: dict) -> tuple[dict | None, str]:
    """The credential's claims if the platform signed it and it is about this snapshot; else
    None and why."""
    try:
        decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["ES256"])
    except Exception as exc:  # a bad signature, an unknown key or a malformed token alike
        return None, f"the credential's signature does not hold ({type(exc).__name__})"
    subject = decoded.claims.get("credentialSubject", {})
    if subject.get("snapshotSha256") != hashlib.sha256(snapshot).hexdigest():
        return None, "the credential is about another snapshot"
    name = json.loads(snapshot).get("organization", {}).get("legal_name")
    if subject.get("name") != name:
        return None, "the credential names another organization"
    return decoded.claims, ""


def is_revoked(credential: dict, status_list_token: str, jwks: dict) -> tuple[bool | None, str]:
    """Whether the platform's signed status list marks the credential revoked (None and why
    when the list cannot be believed or does not cover it)."""
    status = credential.get("credentialStatus")
    if not status:
        return None, "the credential names no status list"
    try:
        listed = jwt.decode(status_list_token, KeySet.import_key_set(jwks), algorithms=["ES256"])
    except Exception as exc:
        return None, f"the status list's signature does not hold ({type(exc).__name__})"
    if listed.claims.get("id") != status.get("statusListCredential"):
        return None, "the status list is not the one the credential names"
    encoded = listed.claims["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    index = int(status["statusListIndex"])
    if index // 8 >= len(bits):
        return None, "the status list is shorter than the credential's index"
    return bool(bits[index // 8] & (0x80 >> (index % 8))), ""


def _embedded(reader: PdfFileReader, wanted: str) -> bytes | None:
    """A file from the document's embedded-files name tree (as WeasyPrint writes it: one flat
    list of names), or None."""
    root = reader.root
    if "/Names" not in root or "/EmbeddedFiles" not in root["/Names"]:
        return None
    tree = root["/Names"]["/EmbeddedFiles"]
    entries = list(tree["/Names"]) if "/Names" in tree else []
    for name, spec in zip(entries[::2], entries[1::2], strict=False):
        if str(name) == wanted:
            return spec.get_object()["/EF"]["/F"].data
    return None


def verify_report(pdf: bytes, jwks: dict, status_list: str | None = None) -> OfflineResult:
    trusted = _trusted_certificates(jwks)
    if not trusted:
        return OfflineResult(False, ["the key set holds no certificate"])
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as exc:  # hostile or broken input: one answer
        return OfflineResult(False, [f"not a PDF that can be read ({type(exc).__name__})"])
    if len(signatures) != 1:
        return OfflineResult(False, [f"{len(signatures)} signatures where a report has one"])
    context = ValidationContext(trust_roots=list(trusted.values()))
    status = validate_pdf_signature(signatures[0], context)
    problems = []
    if not status.intact or not status.valid:
        problems.append("the signature does not match the file (it was changed)")
    if status.coverage.name != "ENTIRE_FILE":
        problems.append("the signature does not cover the whole file (something was added)")
    if not status.trusted:
        problems.append("the signing key is not one the platform published")
    signer = signatures[0].signer_cert
    kid = next((k for k, c in trusted.items() if c.dump() == signer.dump()), "")
    if problems:
        return OfflineResult(False, problems, kid)
    raw = _embedded(reader, SNAPSHOT_ATTACHMENT)
    token = _embedded(reader, CREDENTIAL_ATTACHMENT)
    if raw is None or token is None:
        return OfflineResult(False, ["the signed file lacks its snapshot or credential"], kid)
    credential, problem = check_credential(token.decode(), raw, jwks)
    if credential is None:
        return OfflineResult(False, [problem], kid)
    if status_list is not None:
        revoked, problem = is_revoked(credential, status_list, jwks)
        if revoked is None:
            return OfflineResult(False, [problem], kid)
        if revoked:
            return OfflineResult(False, ["the platform has revoked this attestation"], kid)
    return OfflineResult(
        True,
        key_id=kid,
        snapshot=json.loads(raw),
        snapshot_sha256=hashlib.sha256(raw).hexdigest(),
        credential=credential,
        status_checked=status_list is not None,
    )
