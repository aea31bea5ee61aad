"""What the public artefacts say is as strong as the review behind it. Read as the holder of a
report would read it: the verification page, the credential, the report's own pages."""

import json
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.actors import Actor
from assessments import workflow
from assessments.demo import answer_everything
from attestations import credentials
from attestations.reports import report_context
from attestations.signing_keys import current_key
from questionnaires.regimes import catalogue
from tests.conftest import approve_after_review, sign_now


@pytest.fixture
def unreviewed(v2_draft, preparer, signatory):
    """The best answer everywhere and a file on every evidence question, signed: files nobody
    at the platform has opened yet."""
    answer_everything(v2_draft, actor=Actor(preparer), quality="strong")
    workflow.submit(v2_draft, actor=Actor(preparer))
    return sign_now(v2_draft, signatory)


def subject(attestation):
    return credentials.claims(attestation, at=timezone.now())["credentialSubject"]


def test_nothing_public_says_low_risk_before_a_reviewer_judged_the_evidence(client, unreviewed):
    overall = json.loads(unreviewed.snapshot_json)["overall"]
    page = client.get(reverse("verify_hash", args=[unreviewed.snapshot_sha256]))
    report = render_to_string("reports/attestation.html", report_context(unreviewed))

    assert overall["score"] >= 85 and overall["risk_tier"] != "low"
    assert "low risk" not in page.text and "low risk" not in report
    assert "Not verified by the platform" in page.text
    assert "Not verified by the platform" in report
    # On its first page: the platform's decision, and no "valid until" date.
    assert '<p class="verdict-head">Signed, awaiting platform review</p>' in report
    assert "Not valid: signed, awaiting platform review" in report
    # How a reader tells the platform's certificate from a same-name forgery.
    assert current_key().fingerprint in report
    assert subject(unreviewed)["riskTier"] is None
    assert subject(unreviewed)["figures"]["verified"] is None


def test_after_approval_the_verified_figure_and_its_tier_are_what_is_stated(
    client, unreviewed, reviewer
):
    decision = approve_after_review(unreviewed.assessment, reviewer)
    page = client.get(reverse("verify_hash", args=[unreviewed.snapshot_sha256]))

    stated = f"Verified by the platform: {decision.verified_score} %, "
    assert stated + f"{decision.verified_risk_tier} risk" in page.text
    assert subject(unreviewed)["riskTier"] == decision.verified_risk_tier
    assert subject(unreviewed)["figures"]["verified"] == decision.verified_score


def test_the_report_lists_every_gap_of_every_law_and_never_says_no_gaps_beside_them(unreviewed):
    laws = json.loads(unreviewed.snapshot_json)["regimes"]
    law_gaps = sum(len(law["gaps"]) for law in laws)

    report = render_to_string("reports/attestation.html", report_context(unreviewed))
    gaps_page = report[report.index("<h2>Gaps and remediation</h2>") :]
    gaps_page = gaps_page[: gaps_page.index("</section>")]

    assert law_gaps > 0
    assert "No gaps" not in report
    assert gaps_page.count("<tr>") - 1 >= law_gaps  # a header row, then every gap
    texts = {q["id"]: q["text"] for law in laws for q in law["questions"]}
    for law in laws:
        for gap in law["gaps"]:
            assert escape(texts[gap["question_id"]]) in gaps_page  # its text, never its id
            assert gap["question_id"] not in gaps_page


def test_the_signatory_is_shown_every_gap_the_signed_report_lists(
    client, v2_draft, preparer, signatory
):
    answer_everything(v2_draft, actor=Actor(preparer), quality="mixed")
    workflow.submit(v2_draft, actor=Actor(preparer))
    client.force_login(signatory)

    page = unescape(client.get(reverse("sign", args=[v2_draft.pk])).text)
    attestation = sign_now(v2_draft, signatory)

    framework = v2_draft.framework_version.framework
    laws = {law["name"]: law for law in json.loads(attestation.snapshot_json)["regimes"]}
    listed = report_context(attestation)["all_gaps"]
    assert any(law for law, _, _ in listed)  # the laws' gaps are in the report
    for name in laws:
        assert f"In {name}" in page
    for law, _, gap in listed:
        questions = framework.questions if not law else regime_questions(law)
        assert questions[gap["question_id"]].text in page, gap["question_id"]
    version = v2_draft.framework_version
    assert f"{version.title}, version {version.version}" in page
    assert "valid until" in page


def regime_questions(name):
    return next(r.framework.questions for r in catalogue().values() if r.name == name)
