"""What an approval needs, read before the platform says "approved" (workflow.approve asks
it whoever calls; the review page shows what it lists).

A reviewer's work is the gate: every critical claim, every item of evidence behind one,
every "not applicable" given to a critical question and every scope answer (it decides what
else is asked, and can hide whole sections) carries a verdict. Approving an
attestation whose verified figure is high risk, or over evidence a reviewer rejected, needs a
second reviewer (the lifecycle table's SECOND_REVIEWER requirement).
"""

from dataclasses import dataclass, field

from django.template.defaultfilters import pluralize

from assessments import answers, evidence
from assessments.models import Assessment, Evidence
from questionnaires.frameworks.schema import AnswerStatus, QuestionType
from questionnaires.scoring import CLAIMS, Judgement, QuestionResult, Result, RiskTier

# What a critical answer must be for a verdict on it to be required: a claim, or a "not
# applicable" (a "no" is a gap already; it needs no one's word).
JUDGED_ANSWERS = (*CLAIMS, AnswerStatus.NOT_APPLICABLE)


@dataclass(frozen=True)
class ApprovalCheck:
    """Where the reviewers' work stands on the latest attestation."""

    result: Result  # scored with the reviewers' verdicts: its verified figure
    unjudged_answers: list[QuestionResult] = field(default_factory=list)  # critical
    unjudged_evidence: list[Evidence] = field(default_factory=list)  # behind critical claims
    rejected_evidence: int = 0
    # Everything else no one has judged: what "accept the rest" accepts.
    rest_answers: list[QuestionResult] = field(default_factory=list)
    rest_evidence: list[Evidence] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return len(self.unjudged_answers) + len(self.unjudged_evidence)

    @property
    def needs_second_reviewer(self) -> bool:
        return self.result.verified_tier == RiskTier.HIGH or self.rejected_evidence > 0

    def refusal(self) -> str:
        """Why the approval cannot be given yet, as the reviewer reads it."""
        answers, items = len(self.unjudged_answers), len(self.unjudged_evidence)
        return (
            f"Before approving, give a verdict on {self.outstanding} more: "
            f"{answers} critical or scope answer{pluralize(answers)} and "
            f"{items} item{pluralize(items)} of evidence behind critical claims "
            "(or accept the rest with a note)."
        )


def check(assessment: Assessment) -> ApprovalCheck:
    """Score the latest attestation with its verdicts and list what no one has judged."""
    items = evidence.with_verdicts(assessment)
    responses, _ = answers.responses_and_revisions(
        assessment, items, verdicts=answers.latest_verdicts(assessment)
    )
    result = answers.result_for(assessment, responses)
    return weigh(result, items, assessment.framework_version.framework.deciding)


def weigh(result: Result, items: list[Evidence], deciding: frozenset[str]) -> ApprovalCheck:
    """The check, from a result scored with the verdicts and the items with theirs (a page
    that has read them already); ``deciding``: the framework's scope questions."""
    grouped = evidence.by_question(items)
    unjudged_answers, unjudged_evidence = [], []
    for r in result.by_question.values():
        if (r.question.critical and _needs_verdict(r)) or _unjudged_scope(r, deciding):
            unjudged_answers.append(r)
        if r.question.critical and r.claimed in CLAIMS:  # judged or not, its evidence must be
            for backing in r.question.evidenced_by:
                unjudged_evidence += [i for i in grouped.get(backing, []) if i.accepted is None]
                link = result.by_question.get(backing)
                if link is not None and _needs_verdict(link):
                    unjudged_answers.append(link)
    shown = result.by_question
    return ApprovalCheck(
        result,
        _unique(unjudged_answers, key=lambda r: r.question.id),
        _unique(unjudged_evidence, key=lambda i: i.pk),
        rejected_evidence=sum(1 for i in items if i.accepted is False),
        rest_answers=[
            r for r in shown.values() if _needs_verdict(r) or _unjudged_scope(r, deciding)
        ],
        rest_evidence=[i for i in items if i.accepted is None and i.question_id in shown],
    )


def _unjudged_scope(r: QuestionResult, deciding: frozenset[str]) -> bool:
    return (
        r.question.id in deciding
        and r.judgement == Judgement.NOT_JUDGED
        and r.claimed != AnswerStatus.UNANSWERED
    )


def _needs_verdict(r: QuestionResult) -> bool:
    """An answer no one has judged that a verdict would change: a scored claim, a "not
    applicable", or a page given as evidence (a link counts only once a reviewer accepts it)."""
    if r.judgement != Judgement.NOT_JUDGED:
        return False
    if r.question.type == QuestionType.URL:
        return r.claimed != AnswerStatus.UNANSWERED
    return r.question.scored and r.claimed in JUDGED_ANSWERS


def _unique(found: list, *, key) -> list:
    return list({key(x): x for x in found}.values())
