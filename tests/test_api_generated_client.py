"""A client generated from the served schema by a standard generator (openapi-python-client),
driving both journeys against a running portal: what a program written from the docs does."""

import datetime
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.models import Status
from attestations.attestation import STATEMENT_VERSION
from questionnaires.frameworks.schema import QuestionType
from tests.conftest import stepped_up
from tests.test_api import reviewer_token, token

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def portal_client(client, tmp_path, monkeypatch):
    """The package the generator writes from /api/v1/schema/, imported."""
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "config.yaml").write_text(
        "post_hooks: []\nproject_name_override: portal_client\n"
        "package_name_override: portal_client\n"
    )
    run = subprocess.run(  # noqa: S603 - the generator installed beside our interpreter
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "portal_client"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Unsupported" not in run.stdout + run.stderr  # no operation or answer dropped
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield importlib.import_module("portal_client")
    for name in [m for m in sys.modules if m.split(".")[0] == "portal_client"]:
        del sys.modules[name]


def test_a_generated_client_drives_both_sides_of_the_journey(
    portal_client, live_server, org, admin, complete_draft, signatory, reviewer
):
    from portal_client import AuthenticatedClient
    from portal_client.api.assessments import (
        assessments_accept_rest_create,
        assessments_answers_list,
        assessments_answers_update,
        assessments_ask_create,
        assessments_audit_trail_list,
        assessments_decision_create,
        assessments_evidence_create,
        assessments_evidence_links_create,
        assessments_list,
        assessments_regimes_choice_create,
        assessments_regimes_list,
        assessments_review_start_create,
        assessments_submit_create,
        assessments_verdicts_update,
    )
    from portal_client.api.attestations import attestations_report_pdf_retrieve
    from portal_client.api.requests import requests_list
    from portal_client.api.review import review_queue_list
    from portal_client.models import (
        AcceptRestRequest,
        AnswerWriteRequest,
        AskRequest,
        Conflict,
        DecisionRequest,
        DecisionRequestQuestionNotes,
        EvidenceFileUploadRequest,
        EvidenceLinkUploadRequest,
        KindEnum,
        OutcomeEnum,
        QuestionVerdictWriteRequest,
        RegimeChoiceWriteRequest,
        VerdictEnum,
    )
    from portal_client.types import File

    draft = complete_draft
    ours = AuthenticatedClient(base_url=live_server.url, token=token(org, admin))
    theirs = AuthenticatedClient(base_url=live_server.url, token=reviewer_token(reviewer))

    # The organization's program: read, answer (and meet a stale revision), submit.
    listed = assessments_list.sync(client=ours)
    read = {a.question_id: a for a in assessments_answers_list.sync(draft.pk, client=ours)}
    saved = assessments_answers_update.sync(
        draft.pk,
        "age.method",
        client=ours,
        body=AnswerWriteRequest(value="verified", base_revision=read["age.method"].revision),
    )
    stale = assessments_answers_update.sync(
        draft.pk,
        "age.method",
        client=ours,
        body=AnswerWriteRequest(value="self_declared", base_revision=0),
    )
    evidence_question = next(
        q.id
        for q in draft.framework_version.framework.questions.values()
        if q.type == QuestionType.EVIDENCE
    )
    pdf = File(payload=io.BytesIO(b"%PDF-1.7\n%%EOF\n"), file_name="moderation.pdf")
    filed = assessments_evidence_create.sync(
        draft.pk,
        client=ours,
        body=EvidenceFileUploadRequest(question_id=evidence_question, file=pdf),
    )
    linked = assessments_evidence_links_create.sync(
        draft.pk,
        client=ours,
        body=EvidenceLinkUploadRequest(
            question_id=evidence_question, url="https://example.org/safety-report"
        ),
    )
    laws = assessments_regimes_list.sync(draft.pk, client=ours)
    added = assessments_regimes_choice_create.sync(
        draft.pk,
        "eu-dsa-minors",
        client=ours,
        body=RegimeChoiceWriteRequest(included=True, reason="We open in Ireland next term."),
    )
    submitted = assessments_submit_create.sync(draft.pk, client=ours)
    attestation = workflow.sign(  # a person signs, with a second factor: never the API
        draft,
        actor=Actor(signatory),
        statement_version=STATEMENT_VERSION,
        proof=stepped_up(signatory),
    )
    report = attestations_report_pdf_retrieve.sync(attestation.pk, client=ours)

    # The platform's program: the queue, the review, verdicts, and changes requested.
    queue = review_queue_list.sync(client=theirs)
    started = assessments_review_start_create.sync(draft.pk, client=theirs)
    judged = assessments_verdicts_update.sync(
        draft.pk,
        "age.method",
        client=theirs,
        body=QuestionVerdictWriteRequest(
            verdict=VerdictEnum.NEEDS_CHANGE, note="Show the verification vendor's contract."
        ),
    )
    rest = assessments_accept_rest_create.sync(
        draft.pk, client=theirs, body=AcceptRestRequest(note="Checked against the evidence.")
    )
    decided = assessments_decision_create.sync(
        draft.pk,
        client=theirs,
        body=DecisionRequest(
            outcome=OutcomeEnum.REQUEST_CHANGES,
            rationale="One answer needs its evidence.",
            question_notes=DecisionRequestQuestionNotes.from_dict({}),
        ),
    )
    trail = assessments_audit_trail_list.sync(draft.pk, client=theirs)
    asked = assessments_ask_create.sync(
        draft.pk,
        client=theirs,
        body=AskRequest(
            questionnaire=draft.framework_version.slug,
            kind=KindEnum.REMEDIATION,
            reason="Show the verification vendor's contract.",
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            question_ids=["age.method"],
        ),
    )
    ours_to_answer = requests_list.sync(client=ours)

    assert [str(a.id) for a in listed.results] == [str(draft.pk)]
    assert saved.value == "verified"
    assert isinstance(stale, Conflict) and stale.current.value == "verified"
    assert (filed.name, filed.size) == ("moderation.pdf", 15)
    assert linked.url == "https://example.org/safety-report"
    assert "eu-dsa-minors" in [law.slug for law in laws if not law.applies]
    assert added.applies and added.choice.reason == "We open in Ireland next term."
    assert submitted.status.value == Status.AWAITING_SIGNATURE
    assert "sign" not in submitted.actions
    assert report.payload.read().startswith(b"%PDF")
    assert str(draft.pk) in [str(row.id) for row in queue.results]
    assert started.status.value == Status.IN_REVIEW
    assert judged.verdict.value == "needs_change"
    assert rest.accepted > 0
    assert decided.status.value == Status.CHANGES_REQUESTED
    assert "changes_requested" in [event.action for event in trail.results]
    assert [str(r.id) for r in ours_to_answer.results] == [str(asked.id)]
    assert ours_to_answer.results[0].question_ids == ["age.method"]
