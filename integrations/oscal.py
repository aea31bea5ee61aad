"""NIST OSCAL exports, so assessors load our questionnaires and results into their own tools.

A questionnaire version (the core one or a regime's) is an OSCAL *catalog*: its sections are
groups, its questions controls, with their guidance and remediation as parts and their sources
as back-matter resources. An attestation is an OSCAL *assessment-results* document: one result
(the signed snapshot) whose findings are each answered question with its status, the snapshot's
SHA-256 and the catalog it was assessed against. Identifiers are UUID version 5 of stable names,
so exporting the same thing twice gives the same document.
"""

import json
import uuid
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from assessments.models import Attestation
from attestations.attestation_status import latest_decision
from attestations.canonical import utc_iso
from attestations.figures import figures_of
from questionnaires.frameworks.schema import AnswerStatus, Framework

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("6f1c5a2e-4a4f-5d0e-9a53-6d696e6f7273")  # this portal's names
# OSCAL's finding states: only a met (or not applicable) safeguard is "satisfied".
SATISFIED = {AnswerStatus.MET, AnswerStatus.NOT_APPLICABLE}
SCORED_OUT = {AnswerStatus.INFORMATIONAL}


def _uuid(*names: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(names)))


def catalog(framework: Framework, *, published: datetime) -> dict:
    """A questionnaire version as an OSCAL catalog."""
    resources = {
        source.id: {
            "uuid": _uuid(framework.slug, framework.version, "source", source.id),
            "title": source.title,
            **({"rlinks": [{"href": source.url}]} if source.url else {}),
        }
        for source in framework.sources
    }
    return {
        "catalog": {
            "uuid": _uuid(framework.slug, framework.version, "catalog"),
            "metadata": {
                "title": framework.title,
                "last-modified": utc_iso(published),
                "version": framework.version,
                "oscal-version": OSCAL_VERSION,
                **({"remarks": framework.summary} if framework.summary else {}),
            },
            "groups": [
                {
                    "id": section.id,
                    "title": section.title,
                    "controls": [_control(question, resources) for question in section.questions],
                }
                for section in framework.sections
            ],
            "back-matter": {"resources": list(resources.values())},
        }
    }


def _control(question, resources: dict) -> dict:
    parts = [{"id": f"{question.id}_smt", "name": "statement", "prose": question.text}]
    if question.help:
        parts.append({"id": f"{question.id}_gdn", "name": "guidance", "prose": question.help})
    if question.remediation:
        parts.append(
            {"id": f"{question.id}_rem", "name": "remediation", "prose": question.remediation}
        )
    control = {"id": question.id, "title": question.text, "parts": parts}
    props = [{"name": "label", "value": question.id}]
    if question.critical:
        props.append({"name": "critical", "value": "true", "ns": settings.SITE_URL})
    control["props"] = props
    links = [
        {
            "href": "#" + resources[c.source]["uuid"],
            "rel": "reference",
            "text": c.section + (" (needs legal review)" if c.needs_legal_review else ""),
        }
        for c in question.citations
    ]
    if links:
        control["links"] = links
    return control


def assessment_results(attestation: Attestation) -> dict:
    """What an attestation signed, as OSCAL assessment-results: one result per attestation,
    a finding per answered question (the core questionnaire's, then each regime's)."""
    snapshot = json.loads(attestation.snapshot_json)
    version = attestation.assessment.framework_version
    name = f"attestation-{attestation.snapshot_sha256}"
    catalog_url = settings.SITE_URL + reverse("oscal_catalog", args=[version.slug, version.version])
    findings = [
        _finding(name, question, snapshot["framework"]["slug"])
        for section in snapshot["sections"]
        for question in section["questions"]
        if question["status"] not in SCORED_OUT
    ]
    for regime in snapshot.get("regimes", []):
        findings += [
            _finding(name, question, regime["slug"])
            for question in regime["questions"]
            if question["status"] not in SCORED_OUT
        ]
    signed_at = utc_iso(attestation.signed_at)
    return {
        "assessment-results": {
            "uuid": _uuid(name),
            "metadata": {
                "title": f"{snapshot['organization']['legal_name']}: attestation "
                f"{attestation.number} on {version.title} v{version.version}",
                "last-modified": signed_at,
                "version": str(attestation.number),
                "oscal-version": OSCAL_VERSION,
                "props": [
                    {
                        "name": "snapshot-sha256",
                        "value": attestation.snapshot_sha256,
                        "ns": settings.SITE_URL,
                    },
                ],
            },
            "import-ap": {"href": catalog_url},
            "results": [
                {
                    "uuid": _uuid(name, "result"),
                    "title": f"Attestation {attestation.number}",
                    "description": f"Signed by {snapshot['signed']['name']} at {signed_at}. "
                    + figures_of(attestation, latest_decision(attestation)).sentence(),
                    "start": signed_at,
                    "end": utc_iso(attestation.expires_at),
                    **_assessed_component(name, snapshot),
                    "reviewed-controls": {"control-selections": [{"include-all": {}}]},
                    "findings": findings,
                }
            ],
        }
    }


def _assessed_component(name: str, snapshot: dict) -> dict:
    """The product attested, as the result's assessed component (snapshots made before
    products were of the organization's only one, and name none)."""
    product = snapshot.get("product")
    if not product:
        return {}
    where = ", ".join(product["addresses"]) or snapshot["organization"]["website"]
    return {
        "local-definitions": {
            "components": [
                {
                    "uuid": _uuid(name, "product"),
                    "type": "service",
                    "title": product["name"],
                    "description": (product["description"] or product["name"]) + f" ({where})",
                    "status": {"state": "operational"},
                }
            ]
        }
    }


def _finding(name: str, question: dict, catalog_slug: str) -> dict:
    status = question["status"]
    return {
        "uuid": _uuid(name, catalog_slug, question["id"]),
        "title": question["id"],
        "description": f"{question['text']} Answer: {question['answer'] or '(none)'}.",
        "props": [{"name": "answer-status", "value": status, "ns": settings.SITE_URL}],
        "target": {
            "type": "objective-id",
            "target-id": question["id"],
            "status": {"state": "satisfied" if status in SATISFIED else "not-satisfied"},
        },
    }
