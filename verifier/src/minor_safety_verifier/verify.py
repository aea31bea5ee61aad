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
    unchecked: list[str] = field(default_factory=list)  # status purposes no list was given for

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
            f"Figures as signed, before review (provisional): claimed "
            f"{s['overall'].get('claimed_score')}, with the evidence given {s['overall']['score']}",
            _verified_line(self.credential),
            f"Snapshot SHA-256: {self.snapshot_sha256}",
            "Credential: signed by the platform, for this snapshot; review state when issued: "
            f"{self.credential['credentialSubject']['reviewStateAtIssue']}.",
            "Status lists: not checked for "
            + ", ".join(self.unchecked)
            + " (give --status-list with the files at the credential's statusListCredential)."
            if self.unchecked
            else "Status lists: neither revoked nor superseded, by the platform's signed lists.",
            "Not checked offline: whether the platform has reviewed it since. The verification "
            "link printed in the report says.",
        ]


def _verified_line(credential: dict) -> str:
    """What the platform had verified when it issued the report (older credentials say
    nothing of it)."""
    subject = credential.get("credentialSubject", {})
    figures = subject.get("figures") or {}
    if subject.get("riskTier") and figures.get("verified") is not None:
        return (
            f"Verified by the platform when issued: {figures['verified']}, "
            f"risk tier {subject['riskTier']}"
        )
    return "Verified by the platform when issued: nothing yet (no approval)"


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


def status_findings(
    credential: dict, status_lists: list[str], jwks: dict
) -> tuple[list[str], list[str], list[str]]:
    """Against the platform's signed status lists: (what they say against the credential,
    problems with the lists themselves, purposes no list was given for)."""
    entries = credential.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    lists, problems = {}, []
    for token in status_lists:
        try:
            listed = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["ES256"])
        except Exception as exc:
            problems.append(f"a status list's signature does not hold ({type(exc).__name__})")
            continue
        lists[listed.claims.get("id")] = listed.claims
    findings, unchecked = [], []
    for entry in entries:
        claims = lists.get(entry.get("statusListCredential"))
        if claims is None:
            unchecked.append(entry.get("statusPurpose", "?"))
            continue
        encoded = claims["credentialSubject"]["encodedList"]
        bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        index = int(entry["statusListIndex"])
        if index // 8 >= len(bits):
            problems.append("a status list is shorter than the credential's index")
        elif bits[index // 8] & (0x80 >> (index % 8)):
            messages = {m["status"]: m["message"] for m in entry.get("statusMessage", [])}
            findings.append(messages.get("0x1", "the platform has revoked this attestation"))
    return findings, problems, unchecked


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


def verify_report(pdf: bytes, jwks: dict, status_lists: list[str] | None = None) -> OfflineResult:
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
    findings, problems, unchecked = status_findings(credential, status_lists or [], jwks)
    if findings or problems:
        return OfflineResult(False, findings + problems, kid)
    return OfflineResult(
        True,
        key_id=kid,
        snapshot=json.loads(raw),
        snapshot_sha256=hashlib.sha256(raw).hexdigest(),
        credential=credential,
        unchecked=unchecked,
    )
