"""Exports for reviewers: the queue as CSV, one assessment as JSON."""

import csv
import json
from collections.abc import Iterable, Iterator

from assessments.answers import responses_for, result_for
from assessments.models import Assessment
from attestations.attestation_status import status_of
from integrations.csv_cells import csv_safe
from review.queue import validity

QUEUE_COLUMNS = [
    "organization",
    "product",
    "questionnaire",
    "status",
    "since",
    "risk_tier",
    "score",
    "valid_until",
    "reviewer",
    "assessment_id",
]


class _Echo:
    def write(self, value):
        return value


def queue_csv_rows(assessments: Iterable[Assessment]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(QUEUE_COLUMNS)
    for a in assessments:
        yield writer.writerow(
            csv_safe(v)
            for v in (
                a.organization.legal_name,
                a.product.name,
                str(a.framework_version),
                a.get_status_display(),
                a.status_changed_at.isoformat(),
                a.attested_risk_tier,
                a.attested_score,
                validity(a)[0],
                a.assigned_reviewer.email if a.assigned_reviewer else "",
                a.pk,
            )
        )


def assessment_json(assessment: Assessment) -> str:
    """Everything a reviewer sees about one assessment, as one JSON document."""
    responses = responses_for(assessment)
    result = result_for(assessment, responses)
    data = {
        "id": str(assessment.pk),
        "organization": assessment.organization.legal_name,
        "product": assessment.product.name,
        "framework": {
            "slug": assessment.framework_version.slug,
            "version": assessment.framework_version.version,
        },
        "status": assessment.status,
        # named as the API names them: with the evidence given (provisional), and as claimed
        "score": result.score,
        "claimed_score": result.claimed_score,
        "risk_tier": result.risk_tier,
        "answers": [
            {
                "question_id": r.question.id,
                "status": r.status.value,
                "value": responses[r.question.id].value if r.question.id in responses else None,
                "not_applicable": responses[r.question.id].not_applicable
                if r.question.id in responses
                else False,
            }
            for section in result.sections
            for r in section.questions
        ],
        "gaps": [g.question.id for g in result.gaps],
        "attestations": [
            {
                "number": a.number,
                "snapshot_sha256": a.snapshot_sha256,
                "signed_at": a.signed_at.isoformat(),
                "expires_at": a.expires_at.isoformat(),
                "revoked": bool(a.revoked_at),
                "public_status": (status := status_of(a)).status.value,
                "public_status_words": f"{status.headline}. {status.detail}",
                "decisions": [
                    {"outcome": d.outcome, "rationale": d.rationale, "at": d.decided_at.isoformat()}
                    for d in a.decisions.all()
                ],
            }
            for a in assessment.attestations.order_by("number").prefetch_related("decisions")
        ],
        "evidence": [
            {
                "question_id": e.question_id,
                "file": e.original_name,
                "sha256": e.sha256,
                "url": e.url,
            }
            for e in assessment.evidence.all()
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
