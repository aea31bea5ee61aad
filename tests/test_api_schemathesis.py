"""Schemathesis, an outside client that reads only the published schema, against a live
portal: no server errors, and every response matches the schema it published."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accounts.actors import Actor
from assessments import evidence, workflow
from assessments.models import ApiCall, Role, TokenRole
from integrations.api.authentication import TokenRateThrottle
from integrations.api_tokens import create_token
from questionnaires.frameworks.loader import BUNDLED_DIR, publish
from tests.conftest import stepped_up
from tests.factories import OrganizationFactory, member

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(
    live_server, tmp_path, monkeypatch, request
):
    # Thousands of calls in a minute: the per-token limit has its own test.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    organization = OrganizationFactory()
    admin = member(organization, Role.ADMIN)
    version = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=organization, framework_version=version, actor=Actor(admin)
    )
    item = evidence.add_url(
        draft, "age.evidence", "https://example.org/age-policy", actor=Actor(admin)
    )
    # Real ids, so that generated calls get past the 404 of an id that does not exist.
    (tmp_path / "schemathesis.toml").write_text(
        "[parameters]\n"
        f'"path.assessment_id" = "{draft.pk}"\n'
        f'"path.evidence_id" = "{item.pk}"\n'
        f'"path.organization_id" = "{organization.pk}"\n'
        '"path.question_id" = "age.method"\n'
    )
    key = create_token(
        organization=organization,
        name="fuzz",
        role=TokenRole.ADMIN,
        days=1,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )[1]
    junit = tmp_path / "schemathesis.xml"

    run = subprocess.run(  # noqa: S603 - our own virtualenv's schemathesis
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance",
            "--header",
            f"Authorization: Bearer {key}",
            # Revoking tokens is tested on its own: here it would revoke the one fuzzing.
            "--exclude-path-regex",
            "/tokens/.*/revoke/",
            "--max-examples",
            "100" if request.config.getoption("--long") else "15",  # per operation
            "--seed",
            "42",
            "--workers",
            "1",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # it writes .hypothesis/ and .schemathesis/ where it runs
        env={**os.environ, "NO_COLOR": "1"},
    )

    (tmp_path / "schemathesis.out").write_text(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    cases = ET.parse(junit).getroot().iter("testcase")  # noqa: S314 - the file it just wrote
    exercised = {case.get("name") for case in cases}
    assert len(exercised) >= 16, exercised  # every operation was really called
    assert "401 Unauthorized" not in run.stdout  # ... with a token the portal accepted
    generated, passed = re.search(r"(\d+) generated, (\d+) passed", run.stdout).groups()
    assert int(generated) > 100 and generated == passed
    # The real ids took the calls past the 404 of an unknown id, to the operations themselves.
    reached = {
        call.path for call in ApiCall.objects.filter(path__contains=str(draft.pk), status__lt=300)
    }
    assert {f"/api/v1/assessments/{draft.pk}/", f"/api/v1/assessments/{draft.pk}/answers/"} <= (
        reached
    ), reached
