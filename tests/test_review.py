"""The reviewers' dashboard, exports, metrics, assignment, comments and the submission diff."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.actors import Actor
from assessments import answers, status_counts, workflow
from assessments.answers import AnswerInput, save_answers
from assessments.models import Assessment, AuditAction, AuditEvent, Comment, Status
from assessments.products import default_product
from attestations import audit
from review import queue
from tests.conftest import approve_after_review, sign_now
from tests.factories import OrganizationFactory, UserFactory


def queued(framework_version, creator, n, **fields):
    """Assessments already in the queue (their route there is tested elsewhere)."""
    defaults = {"status": Status.SUBMITTED, "attested_risk_tier": "low", "attested_score": 90}
    organizations = [OrganizationFactory(legal_name=f"Queue Org {i:03d}") for i in range(n)]
    return [
        Assessment.objects.create(
            organization=organizations[i],
            product=default_product(organizations[i]),
            framework_version=framework_version,
            framework_slug=framework_version.slug,
            created_by=creator,
            **(defaults | fields),
        )
        for i in range(n)
    ]


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def names_on(response):
    return [row[0].organization.legal_name for row in response.context["rows"]]


def test_filters_combine_and_live_in_the_url(reviewer_client, framework_version, reviewer):
    queued(framework_version, reviewer, 2)
    (risky,) = queued(framework_version, reviewer, 1, attested_risk_tier="high")
    risky.organization.legal_name = "Risky Robots Inc."
    risky.organization.save()
    page = reviewer_client.get(reverse("dashboard"), {"risk": "high", "status": "submitted"})
    assert names_on(page) == ["Risky Robots Inc."]
    assert names_on(reviewer_client.get(reverse("dashboard"), {"q": "robots"})) == [
        "Risky Robots Inc."
    ]


def test_overdue_and_expiring_filters(reviewer_client, framework_version, reviewer):
    old = queued(framework_version, reviewer, 1)[0]
    Assessment.objects.filter(pk=old.pk).update(
        status_changed_at=timezone.now() - timedelta(days=30),
        attested_until=timezone.now() + timedelta(days=10),
    )
    queued(framework_version, reviewer, 3)
    assert len(names_on(reviewer_client.get(reverse("dashboard"), {"overdue": "on"}))) == 1
    expiring = reviewer_client.get(reverse("dashboard"), {"expiring_within": "30"})
    assert names_on(expiring) == [old.organization.legal_name]


def test_assigned_to_me_and_unassigned(reviewer_client, framework_version, reviewer):
    mine, other = queued(framework_version, reviewer, 2)
    workflow.assign(mine, actor=Actor(reviewer), reviewer=reviewer)
    assert len(names_on(reviewer_client.get(reverse("dashboard"), {"reviewer": "me"}))) == 1
    assert names_on(reviewer_client.get(reverse("dashboard"), {"reviewer": "unassigned"})) == [
        other.organization.legal_name
    ]


def test_htmx_gets_only_the_table(reviewer_client, framework_version, reviewer):
    queued(framework_version, reviewer, 1)
    response = reviewer_client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith('<div id="queue">')
    assert "<html" not in response.text


def test_pagination(reviewer_client, framework_version, reviewer):
    made = queued(framework_version, reviewer, 30)
    for minutes, assessment in enumerate(made):  # the first made has waited longest
        assessment.status_changed_at = timezone.now() - timedelta(minutes=100 - minutes)
        assessment.save(update_fields=["status_changed_at"])
    first = reviewer_client.get(reverse("dashboard"))
    second = reviewer_client.get(reverse("dashboard"), {"page": "2"})
    assert len(second.context["rows"]) == 5
    assert names_on(first) + names_on(second) == [f"Queue Org {i:03d}" for i in range(30)]
    with_risk = reviewer_client.get(reverse("dashboard"), {"page": "2", "sort": "risk"})
    assert len(with_risk.context["rows"]) == 5


def test_the_dashboard_costs_the_same_queries_for_10_or_200_rows(
    reviewer_client, framework_version, reviewer
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert reviewer_client.get(reverse("dashboard")).status_code == 200
        return len(queries)

    queued(framework_version, reviewer, 10, assigned_reviewer=reviewer)
    small = count()
    queued(framework_version, reviewer, 190, assigned_reviewer=UserFactory(is_reviewer=True))
    assert count() == small


def test_csv_export_follows_the_filters_and_neutralises_formulas(
    reviewer_client, framework_version, reviewer
):
    """Organizations name themselves and their products: whatever they typed reaches the
    reviewer's spreadsheet as text, and each row says which product it is, as the queue does."""
    (evil,) = queued(framework_version, reviewer, 1, attested_risk_tier="high")
    evil.organization.legal_name = '=HYPERLINK("http://evil.example","Click")'
    evil.organization.save()
    evil.product.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    evil.product.save()
    queued(framework_version, reviewer, 2)
    response = reviewer_client.get(reverse("export_queue"), {"risk": "high"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["organization", "product"]
    assert len(rows) == 2
    assert rows[1][:2] == ["'" + evil.organization.legal_name, "'" + evil.product.name]


@pytest.mark.parametrize(
    "name",
    [
        '\uff1dHYPERLINK("http://evil.example")',  # full-width sign, read as "=" by some
        "  =1+1",  # spaces before the sign
        "\u3000\uff0b1+1",  # an ideographic space, then a full-width plus
        "\n=1+1",  # a line break first
    ],
)
def test_a_name_disguised_as_text_still_reaches_the_spreadsheet_as_text(
    reviewer_client, framework_version, reviewer, name
):
    (evil,) = queued(framework_version, reviewer, 1)
    evil.organization.legal_name = name
    evil.organization.save()

    response = reviewer_client.get(reverse("export_queue"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == ["'" + name]


def test_json_export_of_one_assessment(reviewer_client, attestation):
    response = reviewer_client.get(reverse("export_assessment", args=[attestation.assessment_id]))
    data = json.loads(response.content)
    assert data["organization"] == "Brightpath Learning Ltd"
    assert data["product"] == attestation.assessment.product.name
    assert {"score", "claimed_score", "risk_tier"} <= data.keys()  # the API's names
    assert data["attestations"][0]["snapshot_sha256"] == attestation.snapshot_sha256
    assert any(a["question_id"] == "age.method" for a in data["answers"])


def test_metrics_show_numbers_beside_their_bars(reviewer_client, attestation, reviewer):
    approve_after_review(attestation.assessment, reviewer, "Fine.")
    page = reviewer_client.get(reverse("metrics"))
    assert '<progress class="share"' in page.text
    assert page.context["median_wait"] == "less than a day"
    assert "0.0 days" not in page.text
    assert page.context["gaps"]  # the mixed demo answers leave gaps
    assert dict(page.context["expiring"])[30] == 0


def test_signing_records_what_the_queue_filters_on(attestation):
    assessment = attestation.assessment
    assessment.refresh_from_db()
    assert assessment.attested_risk_tier in {"low", "medium", "high"}
    assert assessment.attested_until == attestation.expires_at


def test_a_comment_thread_on_a_question(client, attestation, reviewer, preparer):
    client.force_login(reviewer)
    review_url = reverse("review_assessment", args=[attestation.assessment_id])
    client.post(
        reverse("add_comment", args=[attestation.assessment_id]),
        {"body": "Which vendor runs the age checks?", "question_id": "age.method"},
    )
    client.force_login(preparer)
    overview = client.get(reverse("assessment", args=[attestation.assessment_id]))
    assert "Which vendor runs the age checks?" in overview.text
    client.post(
        reverse("add_comment", args=[attestation.assessment_id]),
        {"body": "<script>alert(1)</script> We use VerifyCo.", "next": review_url},
    )
    client.force_login(reviewer)
    page = client.get(review_url)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; We use VerifyCo." in page.text


@pytest.mark.parametrize("body", ["  ", "x" * 5001])
def test_an_empty_or_overlong_comment_is_refused_with_its_limit(
    client, attestation, reviewer, body
):
    client.force_login(reviewer)
    review_url = reverse("review_assessment", args=[attestation.assessment_id])

    page = client.post(
        reverse("add_comment", args=[attestation.assessment_id]),
        {"body": body, "question_id": "age.method", "next": review_url},
        follow=True,
    )

    assert page.redirect_chain == [(review_url, 302)]
    assert "Write the comment, in at most 5,000 characters." in [
        str(m) for m in page.context["messages"]
    ]
    assert not Comment.objects.exists()


def test_the_reviewer_sees_what_changed_since_the_previous_submission(
    client, attestation, reviewer, preparer, signatory
):
    assessment = attestation.assessment
    workflow.request_changes(
        assessment, actor=Actor(reviewer), message="Stronger age checks?", question_notes={}
    )
    revision = assessment.answers.get(question_id="age.method").revision
    save_answers(
        assessment,
        [AnswerInput("age.method", "estimation", base_revision=revision)],
        actor=Actor(preparer),
    )
    workflow.submit(assessment, actor=Actor(preparer))
    sign_now(assessment, signatory)
    client.force_login(reviewer)
    page = client.get(reverse("review_assessment", args=[assessment.pk]))
    assert [c["id"] for c in page.context["changes"]] == ["age.method"]
    assert "Age estimation with a fallback check" in page.text


def test_the_queue_opens_on_the_work_waiting_for_review(
    reviewer_client, framework_version, reviewer
):
    waiting = queued(framework_version, reviewer, 2)
    done = queued(framework_version, reviewer, 1, status=Status.APPROVED)
    page = reviewer_client.get(reverse("dashboard"))
    shown = {a.pk for a, *_ in page.context["rows"]}
    assert shown == {a.pk for a in waiting}
    everything = reviewer_client.get(reverse("dashboard"), {"status": "all"})
    assert {a.pk for a, *_ in everything.context["rows"]} == shown | {done[0].pk}


def test_an_assessment_decided_while_the_queue_loads_leaves_it_without_an_error(
    reviewer_client, framework_version, reviewer
):
    """Found by the scale-out run: the queue reads a page's keys, then those rows; another
    reviewer starting a review in between took a row out of the "submitted" filter, and the
    page answered 500. Here a decision lands exactly between the two reads."""
    staying, leaving = queued(framework_version, reviewer, 2)
    moved = {"done": False}
    keys_read = 'SELECT "assessments_assessment"."id" AS "pk" FROM'

    def move_after_the_keys(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not moved["done"] and sql.startswith(keys_read):
            moved["done"] = True
            Assessment.objects.filter(pk=leaving.pk).update(status=Status.APPROVED)
        return result

    with connection.execute_wrapper(move_after_the_keys):
        page = reviewer_client.get(reverse("dashboard"), {"status": "submitted"})
    assert moved["done"], "the keys were not read as this test expects"
    assert page.status_code == 200
    assert [a.pk for a, *_ in page.context["rows"]] == [staying.pk]


def test_a_revoked_attestation_shows_as_revoked_in_the_queue(reviewer_client, signed, reviewer):
    approve_after_review(signed.assessment, reviewer, "Evidenced.")
    workflow.revoke(signed, actor=Actor(reviewer), reason="Withdrawn.")
    page = reviewer_client.get(reverse("dashboard"), {"status": "approved"})
    ((_, _, validity, _),) = page.context["rows"]
    assert validity == ("Revoked", "danger")
    assert '<span class="badge text-bg-danger">Revoked</span>' in page.text


def test_the_status_counts_follow_every_move_of_the_lifecycle(
    reviewer_client, approved, org, preparer, framework_version
):
    """The counters are kept by the transitions, not by counting rows, and they agree with
    the rows after a whole journey (start, submit, sign, review, approve, start again)."""
    workflow.start_assessment(
        organization=org, framework_version=framework_version, actor=Actor(preparer)
    )
    counts = dict(reviewer_client.get(reverse("dashboard")).context["counts"])
    assert counts[Status.APPROVED] == 1
    assert counts[Status.SUBMITTED] == 0
    kept = status_counts.counts()
    actual = {s: Assessment.objects.filter(status=s).count() for s in Status}
    assert kept == actual
    assert kept[Status.DRAFT] == 1


def test_past_the_cap_the_queue_says_more_than(
    reviewer_client, framework_version, reviewer, monkeypatch
):
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    monkeypatch.setattr(queue, "OVERDUE_CAP", 1)
    Assessment.objects.filter(pk__in=[a.pk for a in queued(framework_version, reviewer, 3)]).update(
        status_changed_at=timezone.now() - timedelta(days=30)
    )
    page = reviewer_client.get(reverse("dashboard")).content.decode()
    assert "More than 2 assessments" in page
    assert '<span class="badge text-bg-danger">more than 1</span>' in page
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    assert "3 assessments" in reviewer_client.get(reverse("dashboard")).content.decode()


def test_metrics_draw_each_share_beside_its_number_and_name_questions_by_text(
    reviewer_client, attestation, reviewer
):
    approve_after_review(attestation.assessment, reviewer, "Fine.")
    page = reviewer_client.get(reverse("metrics"))
    # Each share drawn beside its number, in the table that names it at full size; a gap's
    # bar in the gaps' red, never in a good score's colour.
    assert '<progress class="share" max="100" value="100" aria-hidden="true"></progress> 100%' in (
        page.text
    )
    assert "Shares are of all 1 assessment." in page.text
    assert "Shares are of the 1 latest attestation, one per assessment." in page.text
    gap, share = page.context["gaps"][0]
    assert share == 100
    assert (
        f'<td>{escape(gap.text)}</td><td class="text-nowrap"><progress class="share share-gap" '
        'max="100" value="100" aria-hidden="true"></progress> 1 of 1 (100%)</td>'
    ) in page.text  # the question as people read it, never its id
    assert gap.question_id not in page.text
    assert "<svg" not in page.text  # no chart whose labels shrink to 7 px


def test_the_review_page_opens_on_one_section_and_can_show_them_all(reviewer_client, attestation):
    url = reverse("review_assessment", args=[attestation.assessment.pk])
    first = reviewer_client.get(url)
    sections = {s.section.id for s, _ in first.context["shown"]}
    assert sections == {"scope"}
    assert 'href="?show=all&amp;section=age_assurance#answers"' in first.text
    second = reviewer_client.get(url, {"section": "age_assurance"})
    assert {s.section.id for s, _ in second.context["shown"]} == {"age_assurance"}
    everything = reviewer_client.get(url, {"section": "all"})
    framework = attestation.assessment.framework_version.framework
    laws = [s for o in everything.context["regime_results"] for s in o.result.sections]
    assert len(everything.context["shown"]) == len(framework.sections) + len(laws)
    unknown = reviewer_client.get(url, {"section": "nonsense"})
    assert {s.section.id for s, _ in unknown.context["shown"]} == {"scope"}
    gaps = reviewer_client.get(url, {"show": "gaps"})  # a narrow filter shows every section
    assert gaps.context["all_sections"]


def test_the_review_page_shows_the_latest_events_and_links_the_whole_audit_trail(
    client, attestation, reviewer, preparer
):
    assessment = attestation.assessment
    events = list(AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("id"))
    assert len(events) > 5  # started, answered, submitted, signed...
    client.force_login(reviewer)
    page = client.get(reverse("review_assessment", args=[assessment.pk]))
    assert [e.pk for e in page.context["events"]] == [e.pk for e in reversed(events)][:5]
    trail_url = reverse("assessment_audit_trail", args=[assessment.pk])
    assert f'href="{trail_url}"' in page.text

    newest_first = [e.pk for e in reversed(events)]
    trail = client.get(trail_url)
    assert trail.status_code == 200
    assert [event.pk for event, _ in trail.context["rows"]] == newest_first[:50]
    last = client.get(trail_url, {"page": trail.context["page"].paginator.num_pages})
    assert [event.pk for event, _ in last.context["rows"]][-1] == events[0].pk
    assert events[0].get_action_display() in last.text


def test_the_audit_trail_pages_by_fifty_and_cuts_long_details(client, draft, reviewer, preparer):
    for i in range(52):
        audit.record_on(
            draft,
            actor=Actor(preparer),
            action=AuditAction.ANSWER_SAVED,
            obj=draft,
            details={"question_id": f"q{i}", "note": "x" * 400 if i == 51 else "short"},
        )
    client.force_login(reviewer)
    url = reverse("assessment_audit_trail", args=[draft.pk])
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert "x" * 159 + "…" in first.text and "x" * 160 not in first.text
    older = client.get(url, {"page": 2})
    assert older.context["rows"][0][0].details["question_id"] == "q1"
    assert client.get(url, {"page": "nonsense"}).status_code == 200  # the first page


def test_the_review_page_names_the_assigned_reviewer_even_one_who_has_left(
    reviewer_client, framework_version, reviewer
):
    (assessment,) = queued(framework_version, reviewer, 1)
    colleague = UserFactory(full_name="Rhea Reviewer", is_reviewer=True)
    workflow.assign(assessment, actor=Actor(reviewer), reviewer=colleague)
    page = reviewer_client.get(reverse("review_assessment", args=[assessment.pk]))
    assert "· reviewer Rhea Reviewer" in page.text
    colleague.is_active = False
    colleague.save()
    page = reviewer_client.get(reverse("review_assessment", args=[assessment.pk]))
    assert "· reviewer Rhea Reviewer" in page.text


def test_every_form_on_the_review_page_carries_a_token_the_csrf_check_accepts(
    reviewer_client, attestation, reviewer
):
    """The page's forms share one masked token (masking one per form cost a millisecond):
    a verdict posted with it is recorded, and one posted without it is refused."""
    assessment = attestation.assessment
    workflow.start_review(assessment, actor=Actor(reviewer))
    reviewer_client.handler.enforce_csrf_checks = True
    page = reviewer_client.get(reverse("review_assessment", args=[assessment.pk]))
    verdict_url = reverse("question_verdict", args=[assessment.pk, "scope.product"])
    form = page.text[page.text.index(f'action="{verdict_url}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    refused = reviewer_client.post(verdict_url, {"verdict": "accepted"})
    assert refused.status_code == 403
    recorded = reviewer_client.post(
        verdict_url, {"verdict": "accepted", "csrfmiddlewaretoken": token}
    )
    assert recorded.status_code == 302
    assert assessment.attestations.get().question_verdicts.get().question_id == "scope.product"


def test_the_audit_trail_says_what_happened_in_words(client, draft, preparer, reviewer):
    question = draft.framework_version.framework.questions["age.method"]
    answers.save_answers(
        draft, [answers.AnswerInput("age.method", "verified")], actor=Actor(preparer)
    )
    client.force_login(reviewer)

    page = client.get(reverse("assessment_audit_trail", args=[draft.pk]))
    [(_, details)] = [row for row in page.context["rows"] if row[0].action == "answer_saved"]

    assert details == [
        ("question", f"“{question.text}”"),
        ("answer", question.option_label("verified")),
        ("revision", "1"),
    ]
    assert "not applicable: False" not in page.text and "justification:" not in page.text


def test_the_audit_trail_names_a_status_as_people_read_it(
    client, complete_draft, preparer, reviewer
):
    workflow.submit(complete_draft, actor=Actor(preparer))
    client.force_login(reviewer)

    page = client.get(reverse("assessment_audit_trail", args=[complete_draft.pk]))
    [(_, moved)] = [
        row for row in page.context["rows"] if row[0].action == AuditAction.SUBMITTED_FOR_SIGNATURE
    ]
    assert ("from", "Draft") in moved and ("to", "Awaiting signature") in moved
