"""Carrying answers from an earlier assessment into a new one (re-assessment).

An answer is carried over only when its question is unchanged between the two framework
versions, so a person never inherits an answer to a question they were not asked: its words,
type and options, what it cites and how strongly, and when it is asked (its scope) all stay.
A question whose words stayed but whose cited policy text changed (another pinned hash) is
asked again: "changed because the policy changed".
"""

from assessments.evidence import sharing_stored
from assessments.models import Answer, Assessment, Evidence
from attestations.canonical import canonical_json
from questionnaires.frameworks.schema import Framework, Question


def _comparable(framework: Framework, question: Question) -> dict:
    """What makes an answer still mean the same: its text, type and options, its citations
    and their strength, and when it is asked; not its help."""
    return question.model_dump(include={"text", "type", "options"}) | {
        "citations": sorted((c.source, c.section, c.strength or "") for c in question.citations),
        "asked_when": _asked_when(framework, question),
    }


def _asked_when(framework: Framework, question: Question) -> set[str]:
    """The tests that must all hold for the question to be shown, its section's included, so
    a test moved from a section to its questions is no change."""
    conditions = [framework.section_of(question.id).show_if, question.show_if]
    tests: set[str] = set()
    while conditions:
        condition = conditions.pop()
        if condition is None:
            continue
        if condition.all_of:
            conditions += condition.all_of
        else:
            tests.add(canonical_json(condition.model_dump(mode="json", exclude_defaults=True)))
    return tests


def policy_moved(old: Question, new: Question) -> bool:
    """A section both versions cite, pinned at different texts."""
    pinned = {(c.source, c.section): c.sha256 for c in old.citations if c.sha256}
    return any(
        c.sha256 and pinned.get((c.source, c.section), c.sha256) != c.sha256 for c in new.citations
    )


def question_changes(old: Framework, new: Framework) -> dict[str, list[str]]:
    """Question ids that are new, changed, changed because the policy changed, removed or
    unchanged between two versions."""
    before, after = old.questions, new.questions
    changes: dict[str, list[str]] = {
        "new": [],
        "changed": [],
        "policy_changed": [],
        "removed": [],
        "unchanged": [],
    }
    for question_id, question in after.items():
        if question_id not in before:
            changes["new"].append(question_id)
        elif _comparable(old, before[question_id]) != _comparable(new, question):
            changes["changed"].append(question_id)
        elif policy_moved(before[question_id], question):
            changes["policy_changed"].append(question_id)
        else:
            changes["unchanged"].append(question_id)
    changes["removed"] = [qid for qid in before if qid not in after]
    return changes


def unchanged_questions(source: Assessment, target: Assessment) -> set[str]:
    """The questions asked the same way in both versions: their answers and evidence carry."""
    return set(
        question_changes(source.framework_version.framework, target.framework_version.framework)[
            "unchanged"
        ]
    )


def copy_answers(source: Assessment, target: Assessment, question_ids: set[str]) -> list[str]:
    copies = [
        Answer(
            assessment=target,
            question_id=a.question_id,
            value=a.value,
            not_applicable=a.not_applicable,
            justification=a.justification,
            updated_by=a.updated_by,
        )
        for a in source.answers.filter(question_id__in=question_ids)
    ]
    Answer.objects.bulk_create(copies)
    return [a.question_id for a in copies]


def copy_evidence(source: Assessment, target: Assessment, question_ids: set[str]) -> int:
    """Evidence carried with its answers: the same stored files and links, with their
    original upload dates (pages show their age); verdicts stay behind, as the platform
    judges the new submission afresh."""
    copies = [
        sharing_stored(e, assessment=target, uploaded_by=e.uploaded_by, uploaded_at=e.uploaded_at)
        for e in source.evidence.filter(question_id__in=question_ids)
    ]
    Evidence.objects.bulk_create(copies)
    return len(copies)
