"""What the platform asks of organizations, through the API as on the reviewers' pages:
asking, inviting, following, escalating and campaigns; the organization reads what it was
asked; nobody but a reviewer asks, whoever calls the service."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments.models import AuditAction, AuditEvent, AuditRequest, RequestKind, TokenRole
from platform_audits import platform_requests
from tests.factories import OrganizationFactory
from tests.test_api import call, reviewer_token, token


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_reviewer_asks_for_remediation_and_the_organization_reads_it(
    client, org, admin, signed, reviewer, django_capture_on_commit_callbacks
):
    theirs, ours = reviewer_token(reviewer), token(org, admin)
    ask = reverse("api_ask", args=[signed.assessment.pk])
    body = {
        "questionnaire": signed.assessment.framework_version.slug,
        "kind": RequestKind.REMEDIATION,
        "reason": "Your age checks rely on self-declaration.",
        "due_on": in_days(30),
        "question_ids": ["age.method"],
    }

    unknown = call(client, "post", ask, theirs, body | {"question_ids": ["no.such"]})
    past = call(client, "post", ask, theirs, body | {"due_on": in_days(-1)})
    by_organization = call(client, "post", ask, ours, body)
    with django_capture_on_commit_callbacks(execute=True):
        asked = call(client, "post", ask, theirs, body)
    listed = call(client, "get", reverse("api_requests"), ours)
    read = call(client, "get", reverse("api_request", args=[asked.json()["id"]]), ours)

    assert unknown.status_code == 400 and "question_ids" in unknown.json()["error"]["fields"]
    assert past.status_code == 400 and "future" in past.json()["error"]["message"]
    assert by_organization.status_code == 403
    assert asked.status_code == 201
    assert asked.json()["stage"] == "asked" and asked.json()["question_ids"] == ["age.method"]
    assert [r["id"] for r in listed.json()["results"]] == [asked.json()["id"]]
    assert read.status_code == 200 and read.json()["stage"] == "opened"
    assert AuditRequest.objects.get().opened_at is not None
    assert [m for m in mail.outbox if admin.email in m.to]  # the organization was told


def test_an_organization_without_an_account_is_invited_by_a_reviewer_only(
    client, org, admin, framework_version, reviewer, django_capture_on_commit_callbacks
):
    body = {
        "questionnaire": framework_version.slug,
        "email": "Head@Newschool.example",
        "legal_name": "New School Tutors",
        "reason": "You deploy the model to pupils.",
        "due_on": in_days(45),
    }

    refused = call(client, "post", reverse("api_request_invite"), token(org, admin), body)
    with django_capture_on_commit_callbacks(execute=True):
        invited = call(
            client, "post", reverse("api_request_invite"), reviewer_token(reviewer), body
        )

    assert refused.status_code == 403
    assert invited.status_code == 201
    assert invited.json()["organization"] is None
    assert invited.json()["invited_email"] == "head@newschool.example"
    assert any("head@newschool.example" in m.to for m in mail.outbox)


def test_only_an_overdue_request_is_escalated_with_a_rationale(
    client, org, admin, signed, reviewer
):
    key = reviewer_token(reviewer)
    audit_request = platform_requests.ask(
        org,
        actor=Actor(reviewer),
        kind=RequestKind.ATTESTATION,
        framework_version=signed.assessment.framework_version,
        reason="Renew before term starts.",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    escalate = reverse("api_request_escalate", args=[audit_request.pk])
    body = {"level": "warn", "rationale": "No answer after two reminders."}

    early = call(client, "post", escalate, key, body)
    AuditRequest.objects.filter(pk=audit_request.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    by_organization = call(client, "post", escalate, token(org, admin, TokenRole.ADMIN), body)
    blank = call(client, "post", escalate, key, body | {"rationale": " "})
    escalated = call(client, "post", escalate, key, body)

    assert early.status_code == 409
    assert by_organization.status_code == 403
    assert blank.status_code == 400
    assert escalated.status_code == 200 and escalated.json()["stage"] == "escalated"
    [recommendation] = escalated.json()["recommendations"]
    assert recommendation["level"] == "warn" and recommendation["recommended_by"]


def test_a_campaign_is_previewed_then_launched_once_per_organization(
    client, org, framework_version, reviewer
):
    key = reviewer_token(reviewer)
    high = OrganizationFactory(legal_name="Loud Chat Ltd", violation_rate=12.0)
    OrganizationFactory(legal_name="Quiet Tutors Ltd", violation_rate=1.0)
    terms = {
        "questionnaire": framework_version.slug,
        "selection": {"violation_rate_above": 5},
    }
    launch = terms | {
        "name": "High violation rates, December",
        "reason": "Your confirmed violations are above the threshold.",
        "due_on": in_days(30),
    }

    nothing = call(client, "post", reverse("api_campaigns"), key, launch | {"selection": {}})
    preview = call(client, "post", reverse("api_campaign_preview"), key, terms)
    launched = call(client, "post", reverse("api_campaigns"), key, launch)
    again = call(client, "post", reverse("api_campaigns"), key, launch)
    shown = call(client, "get", reverse("api_campaign", args=[launched.json()["id"]]), key)

    assert nothing.status_code == 400
    assert preview.json() == [
        {"organization_id": str(high.pk), "organization": "Loud Chat Ltd", "already_asked": False}
    ]
    assert launched.status_code == 201
    assert [r["organization"] for r in launched.json()["requests"]] == ["Loud Chat Ltd"]
    assert again.status_code == 400 and "already asked" in again.json()["error"]["message"]
    assert shown.json()["stages"]["asked"] == 1
    assert shown.json()["criteria"] == [
        "more than 5 confirmed violations per 10,000 requests in their latest month"
    ]
    assert AuditEvent.objects.filter(action=AuditAction.CAMPAIGN_LAUNCHED).count() == 1


def test_the_services_refuse_anyone_but_a_reviewer_whoever_calls_them(
    org, admin, framework_version
):
    with pytest.raises(PermissionDenied):
        platform_requests.ask(
            org,
            actor=Actor(admin),
            kind=RequestKind.ATTESTATION,
            framework_version=framework_version,
            reason="Asking ourselves.",
            due_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    assert not AuditRequest.objects.exists()


@pytest.mark.parametrize("broken", ["New School\nTutors", "New\tSchool", "Bell\x07 Ltd"])
def test_names_given_through_the_api_keep_the_forms_one_line_rule(
    client, org, admin, framework_version, reviewer, broken
):
    """An organization's name, a campaign's and a member's end up in email headers, PDF
    titles, file names and CSV cells: the API refuses a line break or control character in
    them as the pages do, rather than letting one reach a report download as a server error."""
    key = reviewer_token(reviewer)
    OrganizationFactory(legal_name="Loud Chat Ltd", violation_rate=12.0)  # a campaign's target
    terms = {"questionnaire": framework_version.slug, "reason": "Asked.", "due_on": in_days(30)}
    named = {
        "api_request_invite": (key, terms | {"email": "a@new.example", "legal_name": broken}),
        "api_campaigns": (
            key,
            terms | {"name": broken, "selection": {"violation_rate_above": 5}},
        ),
    }
    answers = {
        name: call(client, "post", reverse(name), k, body) for name, (k, body) in named.items()
    }
    member = call(
        client,
        "post",
        reverse("api_members", args=[org.pk]),
        token(org, admin, TokenRole.ADMIN),
        {"email": "b@brightpath.example", "full_name": broken, "role": "preparer"},
    )

    assert {name: a.status_code for name, a in answers.items()} == {
        "api_request_invite": 400,
        "api_campaigns": 400,
    }
    assert member.status_code == 400
    assert all("single line" in str(a.json()) for a in [*answers.values(), member])
    assert AuditRequest.objects.count() == 0
