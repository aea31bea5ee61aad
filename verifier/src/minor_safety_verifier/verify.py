"""The offline check itself: the PDF signature against the key set the pinned root signed,
then the snapshot, then what the platform decided. The verdict comes first, in the words of
the verification page: a genuine file is not a valid attestation."""

import base64
import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from joserfc import jwt
from joserfc.jwk import KeySet
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from minor_safety_verifier.trust import TrustedKeySet

SNAPSHOT_ATTACHMENT = "attestation-snapshot.json"
CREDENTIAL_ATTACHMENT = "attestation-credential.jwt"


class Verdict(StrEnum):
    """What the verifier says first, and its exit status says."""

    VALID = "VALID"
    NOT_VALID = "NOT VALID"
    STATUS_UNKNOWN = "STATUS UNKNOWN"
    NOT_GENUINE = "NOT GENUINE"


# The exit status of `python -m minor_safety_verifier` (2 is argparse's: a usage error).
EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.NOT_GENUINE: 1,
    Verdict.NOT_VALID: 3,
    Verdict.STATUS_UNKNOWN: 4,
}

NOT_APPROVED = (
    "not approved: the report carries no credential, which the platform issues only for an "
    "attestation it approved"
)
# The review state the credential records, as the verification page says it when not valid.
NOT_VALID_STATES = {
    "awaiting_review": "not approved: it awaited the platform's review when this report was issued",
    "in_review": "not approved: the platform was reviewing it when this report was issued",
    "changes_requested": "not approved: the platform requested changes",
    "rejected": "rejected by the platform",
    "superseded": "superseded by a newer approved attestation",
    "expired": "expired",
    "revoked": "revoked by the platform",
}


@dataclass
class OfflineResult:
    genuine: bool  # the platform signed this whole file, and its credential is about it
    problems: list[str] = field(default_factory=list)  # why the file is not genuine
    key_id: str = ""
    snapshot: dict | None = None
    snapshot_sha256: str = ""
    credential: dict | None = None
    unchecked: list[str] = field(default_factory=list)  # status purposes no list was given for
    not_valid: list[str] = field(default_factory=list)  # why a genuine file is not valid
    status_problems: list[str] = field(default_factory=list)  # lists stale or not believed
    root_fingerprint: str = ""  # of the pinned root that certified the signing key

    @property
    def verdict(self) -> Verdict:
        if not self.genuine:
            return Verdict.NOT_GENUINE
        if self.not_valid:
            return Verdict.NOT_VALID
        if self.unchecked or self.status_problems:
            return Verdict.STATUS_UNKNOWN
        return Verdict.VALID

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def headline(self) -> str:
        if self.verdict == Verdict.NOT_GENUINE:
            return f"{self.verdict}: " + "; ".join(self.problems)
        if self.verdict == Verdict.NOT_VALID:
            return f"{self.verdict}: " + "; ".join(self.not_valid) + "."
        if self.verdict == Verdict.STATUS_UNKNOWN:
            why = self.status_problems or [
                "not checked against the platform's status lists for "
                + ", ".join(self.unchecked)
                + " (give --status-list with the files at the credential's "
                "statusListCredential)"
            ]
            return (
                f"{self.verdict}: approved by the platform and within its dates, but "
                + "; ".join(why)
                + "."
            )
        return (
            f"{self.verdict}: approved by the platform, within its dates, and neither revoked "
            "nor superseded by the platform's signed status lists."
        )

    def summary(self) -> list[str]:
        if not self.genuine:
            return [self.headline()]
        s = self.snapshot
        return [
            self.headline(),
            f"Genuine file: signed by the platform's key {self.key_id}, covering the whole file; "
            f"the key is certified by the pinned platform root {self.root_fingerprint}.",
            f"Organization: {s['organization']['legal_name']} ({s['organization']['website']})",
            *([f"Product: {s['product']['name']}"] if s.get("product") else []),
            f"Questionnaire: {s['framework']['title']} {s['framework']['version']}",
            f"Attestation {s['attestation_number']}, signed by {s['signed']['name']} "
            f"on {s['signed']['at']}",
            f"Figures as signed, before review (provisional): claimed "
            f"{s['overall'].get('claimed_score')}, with the evidence given {s['overall']['score']}",
            _verified_line(self.credential),
            f"Snapshot SHA-256: {self.snapshot_sha256}",
            "Credential: signed by the platform, for this snapshot; review state when issued: "
            f"{self.credential['credentialSubject']['reviewStateAtIssue']}; valid until "
            f"{self.credential.get('validUntil')}."
            if self.credential
            else "Credential: none in the report.",
            "The verification link printed in the report says what the platform decides today.",
        ]


def _verified_line(credential: dict | None) -> str:
    """What the platform had verified when it issued the report (older credentials say
    nothing of it)."""
    subject = (credential or {}).get("credentialSubject", {})
    figures = subject.get("figures") or {}
    if subject.get("riskTier") and figures.get("verified") is not None:
        return (
            f"Verified by the platform when issued: {figures['verified']}, "
            f"risk tier {subject['riskTier']}"
        )
    return "Verified by the platform when issued: nothing yet (no approval)"


def after_withdrawal(key_set: TrustedKeySet, kid: str, moment: datetime | None) -> str:
    """Why a signature by this key at this moment is not believed, or "": a withdrawn key's
    signatures hold only from before its withdrawal."""
    withdrawn = key_set.withdrawn.get(kid)
    if withdrawn is None:
        return ""
    if moment is None or moment >= withdrawn:
        return (
            f"signed {'at an unknown time' if moment is None else 'on ' + moment.isoformat()}, "
            f"after the platform withdrew the key {kid} on {withdrawn.isoformat()}"
        )
    return ""


def _decoded(token: str, key_set: TrustedKeySet, issued_at: str):
    """A JWT signed by a key the set lists and was not withdrawn when it was signed."""
    decoded = jwt.decode(token, KeySet.import_key_set(key_set.jwks), algorithms=["ES256"])
    claims = decoded.claims
    moment = _moment(claims.get(issued_at) or claims.get("credentialSubject", {}).get(issued_at))
    withdrawn = after_withdrawal(key_set, decoded.header.get("kid", ""), moment)
    if withdrawn:
        raise ValueError(withdrawn)
    return decoded


def check_credential(
    token: str, snapshot: bytes, key_set: TrustedKeySet
) -> tuple[dict | None, str]:
    """The credential's claims if the platform signed it and it is about this snapshot; else
    None and why."""
    try:
        decoded = _decoded(token, key_set, "issuedAt")
    except ValueError as exc:
        return None, f"the credential's key: {exc}"
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
    credential: dict, status_lists: list[str], key_set: TrustedKeySet, now: datetime
) -> tuple[list[str], list[str], list[str]]:
    """Against the platform's signed status lists: (what they say against the credential,
    problems with the lists themselves, purposes no list was given for). A list past its
    validUntil is stale: an old list replayed today says nothing about today."""
    entries = credential.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    lists, problems = {}, []
    for token in status_lists:
        try:
            listed = _decoded(token, key_set, "validFrom")
        except ValueError as exc:
            problems.append(f"a status list's key: {exc}")
            continue
        except Exception as exc:
            problems.append(f"a status list's signature does not hold ({type(exc).__name__})")
            continue
        until = _moment(listed.claims.get("validUntil"))
        if until is None or until < now:
            problems.append(
                f"a status list is stale (valid until {listed.claims.get('validUntil')})"
            )
            continue
        lists[listed.claims.get("id")] = listed.claims
    findings, unchecked = [], []
    for entry in entries:
        claims = lists.get(entry.get("statusListCredential"))
        if claims is None:
            unchecked.append(entry.get("statusPurpose", "?"))
            continue
        encoded = claims["credentialSubject"]["encodedList"]
        if not encoded.startswith("u"):  # Multibase base64url, as the specification says
            problems.append("a status list is not Multibase base64url encoded")
            continue
        encoded = encoded[1:]
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


def _moment(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _not_valid(credential: dict, now: datetime) -> list[str]:
    """Why the credential, as issued, does not show a valid attestation."""
    state = credential.get("credentialSubject", {}).get("reviewStateAtIssue")
    reasons = []
    if state != "valid":
        reasons.append(NOT_VALID_STATES.get(state, f"its review state was {state!r}"))
    until = _moment(credential.get("validUntil"))
    if until is None or until < now:
        reasons.append(f"expired on {credential.get('validUntil')}")
    return reasons


def _signing_time(status) -> datetime | None:
    """The timestamp authority's time when there is one, else the time the signer claims."""
    stamp = getattr(status, "timestamp_validity", None)
    return stamp.timestamp if stamp is not None else status.signer_reported_dt


def verify_report(
    pdf: bytes,
    key_set: TrustedKeySet,
    status_lists: list[str] | None = None,
    *,
    now: datetime | None = None,
) -> OfflineResult:
    """Check a report against a key set already believed (trust.trusted_key_set)."""
    trusted = key_set.certificates
    if not trusted:
        return OfflineResult(False, ["the key set holds no certificate"])
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as exc:  # hostile or broken input: one answer
        return OfflineResult(False, [f"not a PDF that can be read ({type(exc).__name__})"])
    if len(signatures) != 1:
        return OfflineResult(False, [f"{len(signatures)} signatures where a report has one"])
    context = ValidationContext(trust_roots=[key_set.root])
    # A report is signed whole, so what was added after the signature is not analysed (the
    # diff analysis took a minute on one appended update): any addition is a rejection.
    try:
        status = validate_pdf_signature(signatures[0], context, skip_diff=True)
    except Exception as exc:  # a malformed signature dictionary or CMS blob: one answer
        return OfflineResult(False, [f"the signature cannot be read ({type(exc).__name__})"])
    problems = []
    if not status.intact or not status.valid:
        problems.append("the signature does not match the file (it was changed)")
    if status.coverage.name != "ENTIRE_FILE":
        problems.append("the signature does not cover the whole file (something was added)")
    signer = signatures[0].signer_cert
    kid = next((k for k, c in trusted.items() if c.dump() == signer.dump()), "")
    if problems:  # whose key it claims is beside the point once the bytes do not hold
        return OfflineResult(False, problems, kid)
    if not status.trusted or not kid:
        problems.append("the signing key is not one the platform's signed key set lists")
    elif withdrawn := after_withdrawal(key_set, kid, _signing_time(status)):
        problems.append(withdrawn)
    if problems:
        return OfflineResult(False, problems, kid)
    raw = _embedded(reader, SNAPSHOT_ATTACHMENT)
    token = _embedded(reader, CREDENTIAL_ATTACHMENT)
    if raw is None:
        return OfflineResult(False, ["the signed file lacks its snapshot"], kid)
    # What a genuine file shows, whatever its credential says.
    signed = {
        "key_id": kid,
        "root_fingerprint": key_set.root_fingerprint,
        "snapshot": json.loads(raw),
        "snapshot_sha256": hashlib.sha256(raw).hexdigest(),
    }
    if token is None:  # the platform issues a credential only for an approved attestation
        return OfflineResult(True, **signed, not_valid=[NOT_APPROVED])
    credential, problem = check_credential(token.decode(), raw, key_set)
    if credential is None:
        return OfflineResult(False, [problem], kid)
    now = now or datetime.now(UTC)
    findings, list_problems, unchecked = status_findings(
        credential, status_lists or [], key_set, now
    )
    return OfflineResult(
        True,
        **signed,
        credential=credential,
        unchecked=unchecked,
        not_valid=_not_valid(credential, now) + findings,
        status_problems=list_problems,
    )
