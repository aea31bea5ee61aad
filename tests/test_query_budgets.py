"""Each busy page reads the database a fixed number of times, whatever the amount of data:
an assessment with a few items or with dozens, a queue of a few rows or of hundreds. The
budgets are what the pages need today; a change that adds a query per row fails here."""

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import evidence, workflow
from assessments.models import Status
from assessments.products import default_product
from tests.factories import OrganizationFactory, UserFactory

# The section's twelfth: the organization's files from its other products, offered for reuse.
# The review's nineteenth: the live product's latest probe runs, shown beside the claims.
BUDGETS = {"section": 12, "autosave": 13, "review": 19, "queue": 12, "verification": 6}


def grow(assessment, author, *, items: int) -> None:
    """More of everything a page lists: evidence items and comments."""
    for n in range(items):
        evidence.add_url(
            assessment, "age.evidence", f"https://example.org/audit-{n}", actor=Actor(author)
        )
        workflow.comment(
            assessment, actor=Actor(author), body=f"Note {n}", question_id="age.method"
        )


def other_queue_rows(framework_version, creator, n: int) -> None:
    for i in range(n):
        organization = OrganizationFactory(legal_name=f"Other {i:03d}")
        organization.assessments.create(
            product=default_product(organization),
            framework_version=framework_version,
            framework_slug=framework_version.slug,
            created_by=creator,
            status=Status.SUBMITTED,
        )


def queries(django_assert_max_num_queries, budget: int, visit) -> int:
    """The queries of one visit, after a first one (which also reads the questionnaire's
    definition, once per process)."""
    assert visit().status_code == 200
    with django_assert_max_num_queries(budget) as captured:
        response = visit()
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("which", ["section", "autosave"])
def test_the_questionnaire_pages_read_as_often_for_many_items_as_for_few(
    client, complete_draft, preparer, django_assert_max_num_queries, which
):
    client.force_login(preparer)
    # The same answer again builds on the revision stored: saved, not refused as a conflict.
    revision = complete_draft.answers.get(question_id="age.method").revision

    def visit():
        if which == "section":
            return client.get(reverse("section", args=[complete_draft.pk, "age_assurance"]))
        return client.post(
            reverse("autosave", args=[complete_draft.pk, "age.method"]),
            {"q_age__method": "verified", "rev_age__method": revision},
            HTTP_HX_REQUEST="true",
        )

    few = queries(django_assert_max_num_queries, BUDGETS[which], visit)
    grow(complete_draft, preparer, items=30)
    many = queries(django_assert_max_num_queries, BUDGETS[which], visit)

    assert many == few


def test_the_review_page_reads_as_often_for_many_items_as_for_few(
    client, complete_draft, preparer, signed, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    url = reverse("review_assessment", args=[signed.assessment_id])

    few = queries(django_assert_max_num_queries, BUDGETS["review"], lambda: client.get(url))
    for n in range(30):
        workflow.comment(signed.assessment, actor=Actor(reviewer), body=f"Question {n}")
    many = queries(django_assert_max_num_queries, BUDGETS["review"], lambda: client.get(url))

    assert many == few


def test_the_queue_reads_as_often_for_hundreds_of_rows_as_for_a_few(
    client, reviewer, framework_version, django_assert_max_num_queries
):
    client.force_login(reviewer)
    creator = UserFactory()
    other_queue_rows(framework_version, creator, 5)
    visit = lambda: client.get(reverse("dashboard"))  # noqa: E731

    few = queries(django_assert_max_num_queries, BUDGETS["queue"], visit)
    other_queue_rows(framework_version, creator, 200)
    many = queries(django_assert_max_num_queries, BUDGETS["queue"], visit)

    assert many == few


def test_the_verification_page_reads_a_fixed_number_of_times(
    client, signed, django_assert_max_num_queries
):
    url = reverse("verify_hash", args=[signed.snapshot_sha256])

    queries(django_assert_max_num_queries, BUDGETS["verification"], lambda: client.get(url))
