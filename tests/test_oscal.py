"""OSCAL exports, checked by NIST OSCAL's models as compliance-trestle ships them: what an
assessor's tool would load."""

import json

import pytest
from django.urls import reverse
from trestle.common.err import TrestleError
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from accounts.actors import Actor
from assessments import workflow
from assessments.demo import answer_everything
from questionnaires import regimes
from questionnaires.frameworks.loader import BUNDLED_DIR, publish
from tests.conftest import sign_now


@pytest.fixture
def v2(db):
    return publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]


def downloaded(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_a_questionnaire_version_is_a_valid_oscal_catalog_with_every_question(client, preparer, v2):
    client.force_login(preparer)
    document = downloaded(client, reverse("oscal_catalog", args=["minor-safety", "2.0"]))

    catalog = Catalog.model_validate(document["catalog"])
    controls = {c.id: c for g in catalog.groups for c in g.controls}
    assert set(controls) == set(v2.framework.questions)
    resources = {str(r.uuid) for r in catalog.back_matter.resources}
    for control in controls.values():
        assert all(link.href.lstrip("#") in resources for link in control.links or [])
    again = downloaded(client, reverse("oscal_catalog", args=["minor-safety", "2.0"]))
    assert again == document  # stable identifiers: the same version, the same document


@pytest.mark.parametrize("slug", sorted(regimes.catalogue()))
def test_each_regime_is_a_valid_oscal_catalog_linking_the_law(client, preparer, slug):
    client.force_login(preparer)
    document = downloaded(client, reverse("regime_oscal_catalog", args=[slug]))
    catalog = Catalog.model_validate(document["catalog"])
    assert all(
        r.rlinks and r.rlinks[0].href.startswith("https://") for r in catalog.back_matter.resources
    )


def test_the_validator_rejects_what_an_assessors_tool_would(client, preparer, v2):
    client.force_login(preparer)
    document = downloaded(client, reverse("oscal_catalog", args=["minor-safety", "2.0"]))
    broken = document["catalog"] | {"metadata": {"title": "no version or dates"}}
    with pytest.raises(TrestleError, match="Field required"):
        Catalog.model_validate(broken)


def test_an_attestation_exports_as_valid_oscal_assessment_results(
    client, org, preparer, signatory, v2
):
    draft = workflow.start_assessment(organization=org, framework_version=v2, actor=Actor(preparer))
    answer_everything(draft, actor=Actor(preparer), quality="mixed")
    workflow.submit(draft, actor=Actor(preparer))
    attestation = sign_now(draft, signatory)
    client.force_login(preparer)

    url = reverse("oscal_assessment_results", args=[attestation.pk])
    document = downloaded(client, url)
    results = AssessmentResults.model_validate(document["assessment-results"])

    (result,) = results.results
    snapshot = json.loads(attestation.snapshot_json)
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}
    for section in snapshot["sections"]:
        for question in section["questions"]:
            if question["status"] == "informational":
                assert question["id"] not in states
            elif question["status"] in ("met", "not_applicable"):
                assert states[question["id"]] == "satisfied", question["id"]
            else:
                assert states[question["id"]] == "not-satisfied", question["id"]
    assert "coppa.security_program" in states  # each regime's questions are findings too
    props = {p.name: p.value for p in results.metadata.props}
    assert props["snapshot-sha256"] == attestation.snapshot_sha256
    assert downloaded(client, url) == document
