"""Scoring on small frameworks whose results are worked out by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questionnaires.frameworks.loader import BUNDLED_DIR, parse
from questionnaires.frameworks.schema import AnswerStatus, Framework, QuestionType
from questionnaires.scoring import Response, Support, question_result, score

CITE = [{"source": "g", "section": "1"}]


def framework(*questions, sections=None):
    return Framework.model_validate(
        {
            "slug": "t",
            "version": "1.0",
            "title": "T",
            "published": "2026-01-01",
            "sources": [{"id": "g", "title": "Guidelines", "file": "g.txt"}],
            "sections": sections or [{"id": "s", "title": "S", "questions": list(questions)}],
        }
    )


def yes_no(qid, weight=1, critical=False, **extra):
    return {
        "id": qid,
        "text": f"Question {qid}?",
        "type": "yes_no",
        "weight": weight,
        "critical": critical,
        "remediation": f"Fix {qid}.",
        "citations": CITE,
        **extra,
    }


CHOICE = {
    "id": "c",
    "text": "How strong is it?",
    "type": "single_choice",
    "weight": 2,
    "remediation": "Make it stronger.",
    "citations": CITE,
    "options": [
        {"value": "strong", "label": "Strong", "status": "met"},
        {"value": "some", "label": "Some", "status": "partial"},
        {"value": "none", "label": "None", "status": "not_met"},
    ],
}


def test_weighted_score_worked_out_by_hand():
    # a (w1) met = 1, b (w3) not met = 0, c (w2) partial = 0.5 -> (1 + 0 + 1) / 6 = 33%
    fw = framework(yes_no("a"), yes_no("b", weight=3), CHOICE)
    result = score(fw, {"a": Response("yes"), "b": Response("no"), "c": Response("some")})
    assert result.score == 33
    assert [g.question.id for g in result.gaps] == ["b", "c"]
    assert result.risk_tier == "high"


def test_not_applicable_with_a_justification_leaves_the_score():
    fw = framework(yes_no("a", allow_not_applicable=True), yes_no("b"))
    na = Response(not_applicable=True, justification="We have no chat feature.")
    result = score(fw, {"a": na, "b": Response("yes")})
    assert result.by_question["a"].status == AnswerStatus.NOT_APPLICABLE
    assert result.score == 100
    assert result.is_complete


def test_not_applicable_without_a_justification_counts_as_unanswered():
    fw = framework(yes_no("a", allow_not_applicable=True))
    result = score(fw, {"a": Response(not_applicable=True, justification="  ")})
    assert result.by_question["a"].status == AnswerStatus.UNANSWERED
    assert not result.is_complete


def test_a_missing_critical_safeguard_makes_the_risk_high_whatever_the_score():
    fw = framework(*[yes_no(f"q{i}") for i in range(9)], yes_no("crit", critical=True))
    answers = {f"q{i}": Response("yes") for i in range(9)} | {"crit": Response("no")}
    result = score(fw, answers)
    assert result.score == 90
    assert result.risk_tier == "high"
    assert result.gaps[0].question.id == "crit"


@pytest.mark.parametrize(
    ("answers", "tier"),
    [({"a": "yes", "b": "yes"}, "low"), ({"a": "yes", "b": "no"}, "high")],
)
def test_risk_tier(answers, tier):
    fw = framework(yes_no("a"), yes_no("b"))
    assert score(fw, {k: Response(v) for k, v in answers.items()}).risk_tier == tier


CONDITIONAL = [
    {
        "id": "ages",
        "text": "Which ages?",
        "type": "multi_choice",
        "scored": False,
        "options": [{"value": "under_13", "label": "Under 13"}, {"value": "teens", "label": "13+"}],
    },
    yes_no(
        "consent",
        weight=3,
        critical=True,
        show_if={"question": "ages", "includes": "under_13"},
    ),
    yes_no("follow_up", show_if={"question": "consent", "equals": "yes"}),
]


def test_a_hidden_answer_never_counts():
    fw = framework(*CONDITIONAL)
    # "consent" was answered "no" while under-13s were served; then the scope changed.
    result = score(fw, {"ages": Response(["teens"]), "consent": Response("no")})
    assert "consent" not in result.by_question
    assert result.gaps == []
    assert result.score is None  # nothing left to score


def test_a_question_hidden_behind_a_hidden_question_is_hidden_too():
    fw = framework(*CONDITIONAL)
    answers = {"ages": Response(["teens"]), "consent": Response("yes")}
    assert "follow_up" not in score(fw, answers).by_question


def test_conditions_show_questions_and_can_make_them_required():
    fw = framework(
        *CONDITIONAL[:2],
        {
            "id": "plan",
            "text": "Attach the consent flow",
            "type": "evidence",
            "required": False,
            "remediation": "Attach it.",
            "citations": CITE,
            "required_if": {"question": "consent", "equals": "yes"},
        },
    )
    result = score(fw, {"ages": Response(["under_13"]), "consent": Response("yes")})
    assert [m.question.id for m in result.missing_required] == ["plan"]
    attached = {"ages": Response(["under_13"]), "consent": Response("yes")} | {
        "plan": Response(evidence_count=1)
    }
    assert score(fw, attached).is_complete


def test_section_scores_are_separate():
    fw = framework(
        sections=[
            {"id": "one", "title": "One", "questions": [yes_no("a")]},
            {"id": "two", "title": "Two", "questions": [yes_no("b")]},
        ]
    )
    result = score(fw, {"a": Response("yes"), "b": Response("no")})
    assert [s.score for s in result.sections] == [100, 0]
    assert result.score == 50


def _answers_for(framework_):
    """Any mix of answers a questionnaire can hold: each question left empty or given one of
    its options (yes or no for a yes/no), with any evidence standing."""

    def value_of(question):
        if question.type == QuestionType.YES_NO:
            return st.sampled_from(["yes", "no"])
        if question.type == QuestionType.MULTI_CHOICE:
            return st.lists(st.sampled_from([o.value for o in question.options]), max_size=2)
        if question.options:
            return st.sampled_from([o.value for o in question.options])
        return st.just("https://example.com/x")

    return st.fixed_dictionaries(
        {},
        optional={
            q.id: st.builds(Response, value=value_of(q), support=st.sampled_from(list(Support)))
            for q in framework_.questions.values()
        },
    )


def test_one_questions_result_is_what_scoring_the_whole_questionnaire_says():
    """What an autosave shows (one question's status, the questions visible) is exactly
    what scoring every question would."""
    version_two = parse(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]

    @given(responses=_answers_for(version_two))
    def check(responses):
        whole = score(version_two, responses).by_question
        for question_id in version_two.questions:
            assert question_result(version_two, question_id, responses) == (
                whole.get(question_id),
                set(whole),
            )

    check()
