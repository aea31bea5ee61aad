"""Schemathesis, an outside client that reads only the published schema, against a live
portal with each side's token: no server errors, and every response matches the schema."""

import json
import os
import re
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accounts.actors import Actor
from assessments import evidence, workflow
from assessments.demo import answer_everything
from assessments.models import ApiCall, Role, Status, TokenRole
from assessments.products import register_product
from integrations.api.authentication import TokenRateThrottle
from integrations.api_tokens import create_token
from questionnaires.frameworks.loader import BUNDLED_DIR, publish
from tests.conftest import sign_now, stepped_up, with_authenticator
from tests.factories import OrganizationFactory, member
from tests.test_api import reviewer_token

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fuzzed(monkeypatch):
    """An organization whose draft has a link as evidence, its administrator's token, and a
    second assessment signed and waiting for review (what a reviewer's token works on)."""
    # Thousands of calls in a minute: the per-token limit has its own test.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    organization = OrganizationFactory()
    admin = member(organization, Role.ADMIN)
    version = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    start = lambda product=None: workflow.start_assessment(  # noqa: E731
        organization=organization, framework_version=version, actor=Actor(admin), product=product
    )
    draft = start()
    link = evidence.add_url(draft, "age.evidence", "https://example.org/age", actor=Actor(admin))
    waiting = start(register_product(organization, name="Homework Helper", actor=Actor(admin)))
    answer_everything(waiting, actor=Actor(admin))
    workflow.submit(waiting, actor=Actor(admin))
    signatory = with_authenticator(member(organization, Role.SIGNATORY))
    sign_now(waiting, signatory)
    key = create_token(
        organization=organization,
        name="fuzz",
        role=TokenRole.ADMIN,
        days=1,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )[1]
    return {
        "organization": organization,
        "draft": draft,
        "link": link,
        "waiting": waiting,
        "key": key,
    }


def run_schemathesis(
    url: str, key: str, ids: dict, tmp_path: Path, examples: str, phases: str
) -> str:
    """Run it as a person would from a shell, with real ids so that generated calls get past
    the 404 of an id that does not exist; answer what it printed (its junit report beside)."""
    (tmp_path / "schemathesis.toml").write_text(
        "[parameters]\n" + "".join(f'"path.{name}" = "{value}"\n' for name, value in ids.items())
    )
    run = subprocess.run(  # noqa: S603 - our own virtualenv's schemathesis
        [
            str(SCHEMATHESIS),
            "run",
            f"{url}/api/v1/schema/",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance",
            "--header",
            f"Authorization: Bearer {key}",
            # Revoking tokens is tested on its own: here it would revoke the one fuzzing.
            "--exclude-path-regex",
            "/tokens/.*/revoke/",
            "--phases",
            phases,
            "--max-examples",
            examples,  # per operation, in the fuzzing phase
            "--seed",
            "42",
            "--workers",
            "1",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "schemathesis.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # it writes .hypothesis/ and .schemathesis/ where it runs
        env={**os.environ, "NO_COLOR": "1"},
    )
    (tmp_path / "schemathesis.out").write_text(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    cases = ET.parse(tmp_path / "schemathesis.xml").getroot().iter("testcase")  # noqa: S314
    exercised = {case.get("name") for case in cases}
    with urllib.request.urlopen(f"{url}/api/v1/schema/?format=json") as answer:  # noqa: S310
        paths = json.load(answer)["paths"]
    every = {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method in operations
        if "/revoke/" not in path
    }
    assert every <= exercised  # every operation was really called
    assert "401 Unauthorized" not in run.stdout  # ... with a token the portal accepted
    generated, passed = re.search(r"(\d+) generated, (\d+) passed", run.stdout).groups()
    assert int(generated) > 100 and generated == passed
    return run.stdout


def reached(assessment) -> set[str]:
    """The addresses of this assessment that answered with success."""
    calls = ApiCall.objects.filter(path__contains=str(assessment.pk), status__lt=300)
    return {call.path for call in calls}


def test_an_organization_token_finds_no_server_error_and_no_response_off_the_schema(
    live_server, tmp_path, fuzzed, request
):
    draft = fuzzed["draft"]
    ids = {
        "assessment_id": draft.pk,
        "evidence_id": fuzzed["link"].pk,
        "organization_id": fuzzed["organization"].pk,
        "question_id": "age.method",
        "slug": "us-coppa",
    }
    examples = "100" if request.config.getoption("--long") else "8"
    everything = "examples,coverage,fuzzing,stateful"
    run_schemathesis(live_server.url, fuzzed["key"], ids, tmp_path, examples, everything)

    assert {
        f"/api/v1/assessments/{draft.pk}/",
        f"/api/v1/assessments/{draft.pk}/answers/",
        f"/api/v1/assessments/{draft.pk}/regimes/",
    } <= reached(draft)


def test_a_reviewer_token_finds_no_server_error_and_no_response_off_the_schema(
    live_server, tmp_path, fuzzed, reviewer, request
):
    waiting = fuzzed["waiting"]
    ids = {
        "assessment_id": waiting.pk,
        "evidence_id": waiting.evidence.first().pk,
        "organization_id": fuzzed["organization"].pk,
        "question_id": "age.method",
        "slug": "us-coppa",
    }
    # The coverage phase (every boundary and wrong type the schema defines, ~95 s) ran above
    # against the same operations; a reviewer's token adds its fuzzing and stateful runs,
    # the coverage phase again only in the long run.
    long = request.config.getoption("--long")
    phases = "examples,coverage,fuzzing,stateful" if long else "fuzzing,stateful"
    examples = "100" if long else "10"
    run_schemathesis(live_server.url, reviewer_token(reviewer), ids, tmp_path, examples, phases)

    waiting.refresh_from_db()
    assert waiting.status != Status.SUBMITTED  # its calls took the review forward
    assert {
        f"/api/v1/assessments/{waiting.pk}/",
        f"/api/v1/assessments/{waiting.pk}/audit-trail/",
    } <= reached(waiting)
