"""What a school holding a report is told, for every state an attestation can be in: green
"Valid" only after the platform approved it, and never by a signature alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.demo import answer_everything
from assessments.models import Attestation
from attestations.attestation_status import PublicStatus, status_of
from tests.conftest import approve_after_review, sign_now


def verdict(client, attestation) -> str:
    page = client.get(reverse("verify_hash", args=[attestation.snapshot_sha256]))
    return page.text.split('id="verdict">')[1].split("</h2>")[0]


def resign(assessment, preparer, signatory) -> Attestation:
    """The organization answers again (changes requested, or a re-assessment) and signs."""
    workflow.submit(assessment, actor=Actor(preparer))
    return sign_now(assessment, signatory)


def reassess(approved, preparer, signatory) -> Attestation:
    draft = workflow.start_assessment(
        organization=approved.assessment.organization,
        framework_version=approved.assessment.framework_version,
        actor=Actor(preparer),
        carry_over_from=approved.assessment,
    )
    answer_everything(draft, actor=Actor(preparer), quality="mixed")
    return resign(draft, preparer, signatory)


def test_signed_but_not_reviewed_is_not_valid(client, signed):
    assert status_of(signed).status == PublicStatus.AWAITING_REVIEW
    assert verdict(client, signed) == "Signed, awaiting platform review"


def test_in_review_is_not_valid(client, signed, reviewer):
    workflow.start_review(signed.assessment, actor=Actor(reviewer))
    assert verdict(client, signed) == "Signed, in platform review"


def test_changes_requested_is_not_valid(client, signed, reviewer):
    workflow.request_changes(
        signed.assessment, actor=Actor(reviewer), message="Attach the plan.", question_notes={}
    )
    assert verdict(client, signed) == "Changes requested by the platform"


def test_rejected_says_so_in_red(client, signed, reviewer):
    workflow.reject(signed.assessment, actor=Actor(reviewer), rationale="No age assurance.")
    page = client.get(reverse("verify_hash", args=[signed.snapshot_sha256]))
    assert 'text-danger-emphasis" id="verdict">Rejected by the platform</h2>' in page.text
    assert "Valid" not in page.text.split('id="verdict">')[1].split("</h2>")[0]


def test_approved_is_valid_in_green(client, signed, reviewer):
    approve_after_review(signed.assessment, reviewer, "Evidenced.")
    page = client.get(reverse("verify_hash", args=[signed.snapshot_sha256]))
    assert 'text-success-emphasis" id="verdict">Valid</h2>' in page.text


def test_revoked_after_approval_says_revoked(client, signed, reviewer):
    approve_after_review(signed.assessment, reviewer, "Evidenced.")
    workflow.revoke(signed, actor=Actor(reviewer), reason="Safeguards withdrawn.")
    assert verdict(client, signed) == "Revoked by the platform"


def test_an_approved_attestation_past_its_date_is_expired(client, signed, reviewer):
    approve_after_review(signed.assessment, reviewer, "Evidenced.")
    Attestation.objects.filter(pk=signed.pk).update(expires_at=timezone.now() - timedelta(days=1))
    signed.refresh_from_db()
    assert verdict(client, signed) == "Expired"


@pytest.fixture
def approved_first(signed, reviewer):
    approve_after_review(signed.assessment, reviewer, "Evidenced.")
    return signed


def test_a_newer_unreviewed_attestation_does_not_supersede_an_approved_one(
    client, approved_first, preparer, signatory
):
    newer = reassess(approved_first, preparer, signatory)
    status = status_of(approved_first)
    assert status.status == PublicStatus.VALID
    assert status.newer_pending == newer
    assert f"A newer attestation ({newer.number}) awaits" in status.detail
    assert verdict(client, newer) == "Signed, awaiting platform review"


def test_a_newer_rejected_attestation_does_not_supersede_an_approved_one(
    client, approved_first, preparer, signatory, reviewer
):
    newer = reassess(approved_first, preparer, signatory)
    workflow.reject(newer.assessment, actor=Actor(reviewer), rationale="Worse than before.")
    assert verdict(client, approved_first) == "Valid"
    assert verdict(client, newer) == "Rejected by the platform"


def test_only_a_newer_approved_attestation_supersedes(
    client, approved_first, preparer, signatory, reviewer
):
    newer = reassess(approved_first, preparer, signatory)
    approve_after_review(newer.assessment, reviewer, "Still evidenced.")
    assert verdict(client, approved_first) == "Superseded"
    assert f"Replaced by attestation {newer.number}" in status_of(approved_first).detail
    assert verdict(client, newer) == "Valid"


def test_the_report_states_the_status_when_it_was_issued(attestation):
    from attestations.reports import report_context

    context = report_context(attestation)
    assert context["status"].headline == "Signed, awaiting platform review"


def test_attestations_are_numbered_per_organization_across_reassessments(
    approved_first, preparer, signatory
):
    newer = reassess(approved_first, preparer, signatory)
    assert (approved_first.number, newer.number) == (1, 2)
