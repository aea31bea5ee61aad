"""The REST API, used as a program would: a token, JSON, and the same rules as the browser."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments.demo import _choose
from assessments.models import ApiCall, ApiToken, AuditAction, AuditEvent, Status, TokenRole
from integrations.api.authentication import TokenRateThrottle
from integrations.api_tokens import create_token, digest, revoke_token
from questionnaires.frameworks.loader import BUNDLED_DIR, publish
from questionnaires.frameworks.schema import QuestionType
from questionnaires.scoring import Response as Given
from questionnaires.scoring import visible_question_ids
from tests.conftest import authenticator_code, stepped_up
from tests.factories import PASSWORD


def token(org, admin, role=TokenRole.PREPARER, days=30) -> str:
    return create_token(
        organization=org,
        name="CI",
        role=role,
        days=days,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )[1]


def reviewer_token(reviewer, name="triage") -> str:
    """A platform reviewer's token (made with their second factor, as on the tokens page)."""
    return create_token(
        organization=None,
        name=name,
        role=TokenRole.REVIEWER,
        days=5,
        actor=Actor(reviewer),
        proof=stepped_up(reviewer),
    )[1]


def call(client, method, url, key=None, body=None, *, multipart=False):
    """A request as a program makes it: the token in the header, JSON (or a multipart form)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    send = getattr(client, method)
    if body is None:
        return send(url, **headers)
    if multipart:
        return send(url, body, **headers)
    return send(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def v2(db):
    return publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]


def test_an_assessment_is_completed_and_submitted_through_the_api_alone(client, org, admin, v2):
    key = token(org, admin)
    started = call(
        client, "post", reverse("api_assessments"), key, {"questionnaire": "minor-safety"}
    )
    assert started.status_code == 201, started.json()
    assessment = started.json()
    assert assessment["questionnaire"] == "minor-safety/2.0"
    definition = call(
        client, "get", reverse("api_questionnaire", args=["minor-safety", "2.0"]), key
    ).json()["definition"]
    from questionnaires.frameworks.schema import Framework

    framework = Framework.model_validate(definition)
    given: dict[str, Given] = {}
    for position, question in enumerate(framework.questions.values()):
        if question.id not in visible_question_ids(framework, given):
            continue
        if question.type == QuestionType.EVIDENCE:
            upload = call(
                client,
                "post",
                reverse("api_evidence_links", args=[assessment["id"]]),
                key,
                {"question_id": question.id, "url": "https://example.org/evidence"},
            )
            assert upload.status_code == 201, upload.json()
            given[question.id] = Given(evidence_count=1)
            continue
        value = _choose(question, "strong", position)
        saved = call(
            client,
            "put",
            reverse("api_answer", args=[assessment["id"], question.id]),
            key,
            {"value": value, "base_revision": 0},
        )
        assert saved.status_code == 200, (question.id, saved.json())
        given[question.id] = Given(value=value)

    status = call(client, "get", reverse("api_assessment", args=[assessment["id"]]), key).json()
    submitted = call(client, "post", reverse("api_submit", args=[assessment["id"]]), key)

    assert status["complete"] and status["actions"] == ["submit"]
    # The links given count as evidence only once a reviewer accepts them.
    assert (status["claimed_score"], status["score"]) == (100, 98)
    assert submitted.status_code == 200
    assert submitted.json()["status"] == Status.AWAITING_SIGNATURE


def test_a_stale_revision_is_refused_with_the_current_answer(client, org, admin, draft):
    key = token(org, admin)
    url = reverse("api_answer", args=[draft.pk, "age.method"])
    first = call(client, "put", url, key, {"value": "verified", "base_revision": 0})

    stale = call(client, "put", url, key, {"value": "none", "base_revision": 0})

    assert first.status_code == 200 and first.json()["revision"] == 1
    assert stale.status_code == 409
    assert stale.json()["current"]["value"] == "verified"
    assert stale.json()["error"]["code"] == "conflict"
    assert draft.answers.get(question_id="age.method").value == "verified"


@pytest.mark.parametrize(
    ("question_id", "value", "says"),
    [
        ("scope.product", {"a": 1}, "a string"),  # text: stored as "{'a': 1}" before
        ("scope.product", [1, 2], "a string"),  # text: stored as "2" before
        ("scope.product", True, "a string"),
        ("scope.monthly_minors", [1, 2], "a number"),  # number: stored as 2 before
        ("scope.monthly_minors", "12", "a number"),
        ("scope.age_bands", "under_13", "a list"),  # several choices: a list of them
        ("scope.age_bands", [{"a": 1}], "a list"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_not_stored_as_something_else(
    client, org, admin, draft, question_id, value, says
):
    """The API takes JSON: a value that is not of the question's shape gets a field error
    saying which shape, rather than being turned into text or cut to its last item."""
    url = reverse("api_answer", args=[draft.pk, question_id])

    refused = call(client, "put", url, token(org, admin), {"value": value, "base_revision": 0})

    assert refused.status_code == 400
    assert says in refused.json()["error"]["fields"]["value"][0]
    assert not draft.answers.filter(question_id=question_id).exists()


def test_bad_input_gets_field_errors_in_one_shape(client, org, admin, draft):
    key = token(org, admin)
    url = reverse("api_answer", args=[draft.pk, "scope.monthly_minors"])

    negative = call(client, "put", url, key, {"value": -3, "base_revision": 0})
    no_revision = call(client, "put", url, key, {"value": 3})
    unknown = call(
        client,
        "put",
        reverse("api_answer", args=[draft.pk, "no.such"]),
        key,
        {"value": 1, "base_revision": 0},
    )

    assert negative.status_code == 400
    assert "greater than or equal to 0" in negative.json()["error"]["fields"]["value"][0]
    assert no_revision.status_code == 400
    assert "base_revision" in no_revision.json()["error"]["fields"]
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == 404
    assert not draft.answers.exists()


@pytest.mark.parametrize(
    ("holder", "method", "name", "expected"),
    [
        ("none", "get", "api_assessment", 401),
        ("revoked", "get", "api_assessment", 401),
        ("expired", "get", "api_assessment", 401),
        ("outsider", "get", "api_assessment", 404),
        ("outsider", "put", "api_answer", 404),
        ("signatory", "get", "api_assessment", 200),
        ("signatory", "put", "api_answer", 403),
        ("preparer", "put", "api_answer", 200),
        ("preparer", "get", "api_queue", 403),
        ("preparer", "post", "api_decide", 403),
        ("reviewer", "get", "api_assessment", 200),
        ("reviewer", "put", "api_answer", 403),
        ("reviewer", "get", "api_queue", 200),
        ("reviewer", "post", "api_submit", 403),
    ],
)
def test_who_may_do_what_with_a_token(
    client, org, admin, outsider, reviewer, draft, holder, method, name, expected
):
    keys = {
        "none": None,
        "preparer": token(org, admin),
        "signatory": token(org, admin, TokenRole.SIGNATORY),
        "outsider": token(outsider.memberships.get().organization, outsider, TokenRole.ADMIN),
        "reviewer": reviewer_token(reviewer, name="queue"),
    }
    revoked, keys["revoked"] = create_token(
        organization=org,
        name="old",
        role=TokenRole.ADMIN,
        days=5,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )
    revoke_token(revoked, actor=Actor(admin))
    expired, keys["expired"] = create_token(
        organization=org,
        name="ex",
        role=TokenRole.ADMIN,
        days=5,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    args = {
        "api_assessment": [draft.pk],
        "api_answer": [draft.pk, "age.method"],
        "api_queue": [],
        "api_decide": [draft.pk],
        "api_submit": [draft.pk],
    }[name]
    body = {
        "api_answer": {"value": "verified", "base_revision": 0},
        "api_decide": {"outcome": "approve", "rationale": "Fine."},
    }.get(name, {} if method != "get" else None)

    response = call(client, method, reverse(name, args=args), keys[holder], body)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["error"]["status"] == expected


def test_every_call_is_logged_and_changes_are_audited_with_the_token(client, org, admin, draft):
    made, key = create_token(
        organization=org,
        name="sync",
        role=TokenRole.PREPARER,
        days=30,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )
    call(
        client,
        "put",
        reverse("api_answer", args=[draft.pk, "age.method"]),
        key,
        {"value": "verified", "base_revision": 0},
    )
    call(client, "get", reverse("api_assessment", args=[draft.pk]), key)

    calls = list(ApiCall.objects.filter(token=made).order_by("at", "id"))
    saved = AuditEvent.objects.get(action=AuditAction.ANSWER_SAVED, assessment_id=draft.pk)
    made.refresh_from_db()

    assert [(c.method, c.status) for c in calls] == [("PUT", 200), ("GET", 200)]
    assert saved.details["api_token"] == str(made.pk)
    assert made.last_used_at is not None


def test_a_token_is_rate_limited_in_the_shared_cache(client, org, admin, draft, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    key = token(org, admin)
    url = reverse("api_assessment", args=[draft.pk])

    codes = [call(client, "get", url, key).status_code for _ in range(4)]
    refused = call(client, "get", url, key)

    assert codes == [200, 200, 200, 429]
    assert refused.json()["error"]["code"] == "throttled"


def test_an_admin_makes_a_token_with_password_and_code_sees_it_once_and_revokes_it(
    client, org, admin
):
    from tests.conftest import with_authenticator

    with_authenticator(admin)
    client.force_login(admin)
    url = reverse("org_tokens", args=[org.pk])
    form = {"name": "Nightly sync", "role": "preparer", "days": 90}

    without_code = client.post(url, form | {"password": PASSWORD})
    made = client.post(url, form | {"password": PASSWORD, "code": authenticator_code(admin)})
    key = made.context["new_key"]
    listed = client.get(url)

    assert without_code.status_code == 422 and without_code.context["new_key"] is None
    assert key.startswith("msp_") and key in made.content.decode()
    assert made["Cache-Control"].startswith("max-age=0")
    stored = ApiToken.objects.get(name="Nightly sync")
    assert stored.key_sha256 == digest(key) and key not in listed.content.decode()
    assert call(client, "get", reverse("api_questionnaires"), key).status_code == 200

    revoked = client.post(reverse("token_revoke", args=[stored.pk]))

    assert revoked.status_code == 302
    assert call(client, "get", reverse("api_questionnaires"), key).status_code == 401


def test_a_token_stops_working_when_its_maker_is_no_longer_an_admin(client, org, admin, draft):
    key = token(org, admin)
    admin.memberships.update(role="preparer")

    assert call(client, "get", reverse("api_assessment", args=[draft.pk]), key).status_code == 401


def test_the_schema_and_its_documentation_are_served(client, db):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json")
    docs = client.get(reverse("api_docs"))

    assert schema.status_code == 200
    assert "/api/v1/assessments/{assessment_id}/answers/{question_id}/" in schema.content.decode()
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "<script>" not in page  # the CSP allows no inline script ...
    assert "<style" not in page and "style=" not in page  # ... and no inline style
    assert "/static/portal/api-docs.css" in page


def test_a_reviewer_token_works_the_queue_and_decides(client, signed, reviewer):
    key = reviewer_token(reviewer)
    assessment = signed.assessment

    listed = call(client, "get", reverse("api_queue"), key)
    commented = call(
        client, "post", reverse("api_comments", args=[assessment.pk]), key, {"body": "Looking."}
    )
    decided = call(
        client,
        "post",
        reverse("api_decide", args=[assessment.pk]),
        key,
        {"outcome": "request_changes", "rationale": "Attach the incident plan."},
    )
    again = call(
        client,
        "post",
        reverse("api_decide", args=[assessment.pk]),
        key,
        {"outcome": "approve", "rationale": "Now fine."},
    )

    assert [row["id"] for row in listed.json()["results"]] == [str(assessment.pk)]
    assert commented.status_code == 201
    assert decided.status_code == 200 and decided.json()["status"] == Status.CHANGES_REQUESTED
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_the_report_downloads_with_an_organization_token(client, org, admin, signed):
    key = token(org, admin, TokenRole.SIGNATORY)

    detail = call(client, "get", reverse("api_attestation", args=[signed.pk]), key)
    report = call(client, "get", reverse("api_report", args=[signed.pk]), key)

    assert detail.json()["status"] == "awaiting_review"
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"


def test_actions_list_only_what_the_token_can_really_do(client, org, admin, awaiting_signature):
    """A signatory's token reads the assessment awaiting signature but cannot sign (a person
    signs, with their password and code): `sign` is not offered, and a decision is refused."""
    key = token(org, admin, role=TokenRole.SIGNATORY)
    url = reverse("api_assessment", args=[awaiting_signature.pk])

    shown = call(client, "get", url, key).json()
    decided = call(
        client,
        "post",
        reverse("api_decide", args=[awaiting_signature.pk]),
        key,
        {"outcome": "approve", "rationale": "A signatory approving its own work."},
    )

    assert shown["status"] == Status.AWAITING_SIGNATURE and shown["actions"] == []
    assert decided.status_code == 403
    assert decided.json()["error"]["status"] == 403


def test_a_reviewer_token_cannot_approve_what_no_reviewer_judged(client, signed, reviewer):
    key = reviewer_token(reviewer)
    url = reverse("api_decide", args=[signed.assessment.pk])

    refused = call(client, "post", url, key, {"outcome": "approve", "rationale": "Looks fine."})

    assert refused.status_code == 400  # the API's one shape for a missing requirement
    assert "Before approving, give a verdict on" in refused.json()["error"]["message"]
    signed.assessment.refresh_from_db()
    assert signed.assessment.status == Status.SUBMITTED


def test_a_locked_assessment_answers_409_in_the_documented_shape(client, org, admin, signed):
    """A generated client reads `current` only when the schema says it is there."""
    key = token(org, admin)
    assessment = signed.assessment

    locked = call(
        client,
        "put",
        reverse("api_answer", args=[assessment.pk, "age.method"]),
        key,
        {"value": "verified", "base_revision": 0},
    )
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    conflict = schema["components"]["schemas"]["Conflict"]

    assert locked.status_code == 409 and "current" not in locked.json()
    assert "current" not in conflict.get("required", [])
    assert set(locked.json()) <= set(conflict["properties"])


@pytest.mark.parametrize("debug", [False, True])
def test_an_address_that_matches_no_operation_answers_the_json_error(client, db, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_paging_and_rationale_refuse_what_a_generated_client_would_send_wrongly(
    client, signed, reviewer
):
    key = reviewer_token(reviewer)
    words = call(client, "get", reverse("api_queue") + "?limit=ten", key)
    blanks = call(
        client,
        "post",
        reverse("api_decide", args=[signed.assessment.pk]),
        key,
        {"outcome": "reject", "rationale": "   "},
    )
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()

    assert words.status_code == 400 and "limit" in words.json()["error"]["fields"]
    assert blanks.status_code == 400 and "rationale" in blanks.json()["error"]["fields"]
    assert schema["components"]["schemas"]["DecisionRequest"]["properties"]["rationale"]["pattern"]


def test_the_schema_states_the_token_once_and_evidence_as_a_file_or_a_link(client, db):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    operations = [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    evidence = "/api/v1/assessments/{assessment_id}/evidence/"

    def body_of(path: str) -> tuple[str, list[str]]:
        [(media_type, body)] = schema["paths"][path]["post"]["requestBody"]["content"].items()
        return media_type, sorted(
            schema["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]["required"]
        )

    assert operations and all(op["security"] == [{"bearer": []}] for op in operations)
    assert list(schema["components"]["securitySchemes"]) == ["bearer"]
    assert body_of(evidence) == ("multipart/form-data", ["file", "question_id"])
    assert body_of(evidence + "links/") == ("application/json", ["question_id", "url"])


def test_evidence_is_a_file_or_a_link_and_each_goes_to_its_own_operation(client, org, admin, draft):
    key = token(org, admin)
    files = reverse("api_evidence", args=[draft.pk])
    links = reverse("api_evidence_links", args=[draft.pk])
    question = next(
        q.id
        for q in draft.framework_version.framework.questions.values()
        if q.type == QuestionType.EVIDENCE
    )

    link_as_form = call(
        client,
        "post",
        files,
        key,
        {"question_id": question, "url": "https://e.org/p"},
        multipart=True,
    )
    no_file = call(client, "post", files, key, {"question_id": question}, multipart=True)
    no_url = call(client, "post", links, key, {"question_id": question})
    not_a_url = call(client, "post", links, key, {"question_id": question, "url": "policy"})

    assert link_as_form.status_code == 400
    assert "evidence/links/" in link_as_form.json()["error"]["fields"]["file"][0]
    assert no_file.status_code == 400 and "file" in no_file.json()["error"]["fields"]
    assert no_url.status_code == 400 and "url" in no_url.json()["error"]["fields"]
    assert not_a_url.status_code == 400 and "url" in not_a_url.json()["error"]["fields"]
    assert not draft.evidence.exists()


def test_a_report_downloads_under_a_plain_file_name_whatever_the_organization_is_called(
    client, org, admin, signed
):
    """A name with quotes, a line break (stored before the API kept the one-line rule) or
    accents names the file plainly, as the workbook is named."""
    org.legal_name = 'Brightpath "Learning"\r\nLtd, Zürich'
    org.save(update_fields=["legal_name"])
    key = token(org, admin, TokenRole.SIGNATORY)

    report = call(client, "get", reverse("api_report", args=[signed.pk]), key)

    assert report.status_code == 200
    assert report["Content-Disposition"] == (
        f'attachment; filename="attestation-brightpath-learning-ltd-zurich-{signed.number}.pdf"'
    )
