"""Saving a questionnaire form posted from a page: the section pages and the regime pages."""

from django.contrib import messages
from django.db import transaction

from accounts.actors import Actor
from assessments import answers, evidence
from assessments.answers import response_of
from assessments.forms.questionnaire import revision_name
from questionnaires.answer_display import display_value


def save_form(request, assessment, form) -> dict:
    """Save the valid post whole (answers and evidence in one transaction, or nothing), and
    return the conflicts: answers someone else saved meanwhile, which are not overwritten."""
    actor = Actor.from_request(request)
    with transaction.atomic():
        result = answers.save_answers(assessment, form.answer_inputs(), actor=actor)
        for question_id, (checked, url, validity) in form.evidence_uploads().items():
            for item in checked:
                evidence.add_file(assessment, question_id, item, actor=actor, validity=validity)
            if url:
                evidence.add_url(assessment, question_id, url, actor=actor, validity=validity)
        for question_id, chosen in form.evidence_reused().items():
            for item in chosen:
                evidence.reuse(item, question_id, actor=actor, assessment=assessment)
    questions = {q.id: q for q in form.questions}
    for question_id, theirs in result.conflicts.items():
        who = theirs.updated_by or "someone else"
        their_answer = display_value(questions[question_id], response_of(theirs)) or "(empty)"
        messages.warning(
            request,
            f"{who} changed “{question_id}” while you were editing, to: {their_answer}. "
            "Their answer is saved; yours is shown below: check it and save again to replace "
            "theirs.",
        )
    return result.conflicts


def over_their_revisions(data, conflicts: dict) -> dict:
    """The person's post again, now based on the revisions that beat it, so that saving it
    once more replaces those answers, as the conflict message says."""
    data = data.copy()
    for question_id, theirs in conflicts.items():
        data[revision_name(question_id)] = str(theirs.revision)
    return data


def status_after(*, refused: bool, conflicts: dict | None) -> int:
    """What a page of answers answers a post: 422 when it refused the post (nothing saved),
    409 when it kept some answers as someone else saved them meanwhile (the rest saved)."""
    return 422 if refused else 409 if conflicts else 200
