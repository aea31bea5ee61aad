"""Canonical snapshots and their hashes (what an attestation means today is in
attestation_status; checking a file or a hash is in verification).

The snapshot is the attested record: canonical JSON (sorted keys, UTF-8, no spaces,
UTC ISO times) hashed with SHA-256. It lists only questions that were shown, so hidden
answers never reach a report.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from assessments.answers import responses_for
from assessments.models import Assessment, Evidence, User
from attestations.canonical import utc_iso
from questionnaires import regimes
from questionnaires.answer_display import display_value
from questionnaires.frameworks.schema import AnswerStatus
from questionnaires.scoring import score

SNAPSHOT_SCHEMA = "minor-safety-attestation/1"
SNAPSHOT_ATTACHMENT = "attestation-snapshot.json"
STATEMENT_VERSION = "2026-12"
STATEMENTS = {
    "2026-11": (
        "I am an officer of {organization} authorised to make this attestation. To the best of "
        "my knowledge, after reasonable enquiry, the answers and evidence in this assessment "
        "truthfully describe the safeguards {organization} operates today for minors using its "
        "product built on the model. I will inform the platform of any material change."
    ),
    # Names what is attested: the questionnaire's version, the provider's policies it covers,
    # and until when.
    "2026-12": (
        "I am an officer of {organization} authorised to make this attestation. To the best of "
        "my knowledge, after reasonable enquiry, the answers and evidence in this assessment on "
        "{questionnaire} truthfully describe the safeguards {organization} operates today for "
        "minors using its product built on the model, measured against the model provider's "
        "{policies}. The attestation is valid until {valid_until} unless the platform revokes "
        "it; I will inform the platform of any material change before then."
    ),
}


def valid_until(signed_at: datetime) -> datetime:
    """When an attestation signed at this moment ends."""
    return signed_at + timedelta(days=settings.ATTESTATION_VALID_DAYS)


def statement_text(version: str, assessment: Assessment, *, ends: datetime) -> str:
    """The statement a signatory signs, with the facts it names filled in."""
    framework_version = assessment.framework_version
    policies = [s.title for s in framework_version.framework.sources if s.file]
    return STATEMENTS[version].format(
        organization=assessment.organization.legal_name,
        questionnaire=f"{framework_version.title}, version {framework_version.version}",
        policies=_in_words(policies) or "policies",
        valid_until=date_format(timezone.localtime(ends), "j F Y"),
    )


def _in_words(names: list[str]) -> str:
    return names[0] if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def _evidence_entry(item: Evidence) -> dict:
    if item.url:
        return {"url": item.url}
    return {"file": item.original_name, "sha256": item.sha256, "size": item.size}


def build_snapshot(
    assessment: Assessment, *, number: int, signer: User, signed_at, statement_version: str
) -> dict:
    version = assessment.framework_version
    framework = version.framework
    responses = responses_for(assessment)
    result = score(framework, responses, signed_at.date())
    choices = regimes.choices_of(assessment)
    evidence: dict[str, list[dict]] = {}
    for item in assessment.evidence.order_by("uploaded_at", "id"):
        evidence.setdefault(item.question_id, []).append(_evidence_entry(item))
    organization = assessment.organization
    return {
        "schema": SNAPSHOT_SCHEMA,
        "assessment_id": str(assessment.pk),
        "attestation_number": number,
        "organization": {
            "id": str(organization.pk),
            "legal_name": organization.legal_name,
            "website": organization.website,
        },
        # What was attested: one product of the organization (snapshots before products
        # existed have no such key, and were of the organization's only one).
        "product": {
            "id": str(assessment.product_id),
            "name": assessment.product.name,
            "description": assessment.product.description,
            "addresses": list(assessment.product.addresses),
            "platforms": list(assessment.product.platforms),
        },
        "framework": {
            "slug": version.slug,
            "version": version.version,
            "title": version.title,
            "sha256": version.sha256,
        },
        "statement": {
            "version": statement_version,
            "text": statement_text(statement_version, assessment, ends=valid_until(signed_at)),
        },
        "signed": {"name": signer.full_name, "email": signer.email, "at": utc_iso(signed_at)},
        "overall": {
            "score": result.score,
            "claimed_score": result.claimed_score,
            "risk_tier": result.risk_tier,
        },
        "scope_notices": result.notices,
        "sections": [
            {
                "id": s.section.id,
                "title": s.section.title,
                "score": s.score,
                "questions": [
                    {
                        "id": r.question.id,
                        "text": r.question.text,
                        "answer": display_value(r.question, responses.get(r.question.id)),
                        "status": r.status.value,
                        "claimed": r.claimed.value,
                        "evidence_standing": r.support.value if r.support else None,
                        "justification": (
                            responses[r.question.id].justification
                            if r.status == AnswerStatus.NOT_APPLICABLE
                            else ""
                        ),
                        "evidence": evidence.get(r.question.id, []),
                        "citations": [
                            {
                                "source": c.source,
                                "document": framework.source(c.source).title,
                                "file": framework.source(c.source).file,
                                "section": c.section,
                                # The policy text the answer was given against.
                                "strength": c.strength,
                                "section_sha256": c.sha256,
                            }
                            for c in r.question.citations
                        ],
                    }
                    for r in s.questions
                ],
            }
            for s in result.sections
        ],
        "gaps": regimes.signed_gaps(result),
        # The laws answered, each scored on its own questions, with why it is here; and the
        # laws the scope called for that the organization removed, with its reason.
        "regimes": [
            regimes.snapshot_of(outcome, responses)
            for outcome in regimes.results_for(framework, result, responses, choices)
        ],
        "regimes_removed": [
            {"slug": r.slug, "name": r.name, "reason": choices[r.slug].reason}
            for r in regimes.called_for(framework, responses)
            if r.slug in choices and not choices[r.slug].included
        ],
    }


def regimes_covered(snapshot_json: str) -> list[str]:
    """The laws an attestation also answered, each with its result as signed: a law is never
    named as covered without how far its questions were met (older snapshots name none)."""
    return [_law_result(r) for r in json.loads(snapshot_json).get("regimes", [])]


def _law_result(regime: dict) -> str:
    score = regime["score"]
    gaps = len(regime.get("gaps", []))
    met = "no scored question" if score is None else f"{score} % with the evidence given"
    return f"{regime['name']} (questions v{regime['version']}): {met}, {gaps} gap{pluralize(gaps)}"


def snapshot_changes(previous_json: str, current_json: str) -> list[dict]:
    """Questions whose answer, status or evidence differ between two signed snapshots."""

    def by_id(text):
        return {
            q["id"]: q for section in json.loads(text)["sections"] for q in section["questions"]
        }

    before, after = by_id(previous_json), by_id(current_json)
    changes = []
    for question_id in [*after, *(q for q in before if q not in after)]:
        old, new = before.get(question_id), after.get(question_id)
        fields = ("answer", "status", "justification", "evidence")
        if old and new and all(old[f] == new[f] for f in fields):
            continue
        changes.append(
            {"id": question_id, "text": (new or old)["text"], "before": old, "after": new}
        )
    return changes
