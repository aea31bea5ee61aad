"""Three figures, each as strong as its proof: what the organization claims, what the evidence
it gave would support (provisional), and what a reviewer verified claim by claim. Scored as
an organization gaming the score would try it: junk files on every evidence question."""

from dataclasses import replace

from questionnaires.frameworks.schema import AnswerStatus
from questionnaires.scoring import Judgement, RiskTier, Support, score
from tests.test_questionnaire_v2 import FRAMEWORK, claims_everywhere, with_evidence


def judged(given, judgement=Judgement.ACCEPTED):
    return {qid: replace(response, judgement=judgement) for qid, response in given.items()}


def test_junk_files_nobody_reviewed_never_make_low_risk_or_a_verified_figure():
    junk = with_evidence(claims_everywhere(), Support.SUBMITTED)

    result = score(FRAMEWORK, junk)

    assert (result.claimed_score, result.score) == (100, 100)
    assert result.risk_tier == RiskTier.MEDIUM  # provisional: the files are unjudged
    assert result.unjudged_evidence > 0
    assert result.verified_score < 60
    assert result.verified_tier == RiskTier.HIGH


def test_evidence_a_reviewer_accepted_still_needs_each_claim_judged():
    accepted_files = with_evidence(claims_everywhere(), Support.ACCEPTED)

    unjudged = score(FRAMEWORK, accepted_files)
    all_judged = score(FRAMEWORK, judged(accepted_files))

    assert unjudged.by_question["moderation.inputs"].verified == AnswerStatus.CLAIMED
    assert (all_judged.verified_score, all_judged.verified_tier) == (100, RiskTier.LOW)
    assert all_judged.risk_tier == RiskTier.LOW


def test_every_claim_accepted_over_unreviewed_files_is_not_verified():
    result = score(FRAMEWORK, judged(with_evidence(claims_everywhere(), Support.SUBMITTED)))

    assert result.by_question["moderation.inputs"].verified == AnswerStatus.CLAIMED
    assert result.verified_tier != RiskTier.LOW


def test_a_claim_the_reviewer_turned_down_is_not_met_in_the_verified_figure():
    given = judged(with_evidence(claims_everywhere(), Support.ACCEPTED))
    given["moderation.inputs"] = replace(given["moderation.inputs"], judgement=Judgement.REJECTED)

    result = score(FRAMEWORK, given)

    assert result.by_question["moderation.inputs"].verified == AnswerStatus.NOT_MET
    assert result.by_question["moderation.inputs"].status == AnswerStatus.MET  # as evidenced
    assert result.verified_tier == RiskTier.HIGH  # a critical safeguard the platform refused
