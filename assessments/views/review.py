"""What a reviewer does on the review page: verdicts on answers and evidence, starting a
review, assigning it, deciding, accepting the rest, asking for changes, commenting. Each
calls its service, which enforces who may act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import workflow
from assessments.errors import IllegalTransition, MissingRequirement
from assessments.forms.review import (
    AcceptRestForm,
    AssignForm,
    ChangeRequestForm,
    CommentForm,
    DecisionForm,
    EvidenceVerdictForm,
    QuestionVerdictForm,
)
from assessments.models import ApprovalProposal, Verdict
from assessments.templatetags.portal import dom_id
from assessments.views.helpers import redirect_back, refusals_as_messages, refuse_the_text
from questionnaires import regimes
from review import verdicts
from review.queue import reviewers


def _back_to(assessment, question_id: str):
    """To the question just decided, on the section of the review page that shows it."""
    section = regimes.section_of(assessment.framework_version.framework, question_id)
    page = reverse("review_assessment", args=[assessment.pk])
    return redirect(f"{page}?section={section}#{dom_id(question_id)}")


@login_required
@require_POST
@refusals_as_messages
def question_verdict(request, assessment_id, question_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    if regimes.section_of(assessment.framework_version.framework, question_id) is None:
        raise Http404
    form = QuestionVerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a verdict.")
    else:
        verdicts.record_question_verdict(
            assessment,
            question_id=question_id,
            verdict=Verdict(form.cleaned_data["verdict"]),
            note=form.cleaned_data["note"],
            actor=Actor.from_request(request),
        )
        messages.success(request, f"Verdict on {question_id} recorded.")
    return _back_to(assessment, question_id)


@login_required
@require_POST
def evidence_verdict(request, evidence_id):
    item = permissions.evidence_for(request.user, evidence_id, need=Need.REVIEW)
    form = EvidenceVerdictForm(request.POST)
    try:
        if not form.is_valid():
            raise MissingRequirement("Choose to accept or reject the evidence.")
        verdicts.record_evidence_verdict(
            item,
            accepted=form.cleaned_data["accepted"],
            reason=form.cleaned_data["reason"],
            actor=Actor.from_request(request),
        )
    except (IllegalTransition, MissingRequirement) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Verdict on {item} recorded.")
    return _back_to(item.assessment, item.question_id)


@login_required
@require_POST
@refusals_as_messages
def start_review(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    workflow.start_review(assessment, actor=Actor.from_request(request))
    messages.success(request, "You are reviewing this assessment.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def assign(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = AssignForm(request.POST, reviewers=reviewers())
    if form.is_valid():
        chosen = form.reviewers.get(form.cleaned_data["reviewer"])
        workflow.assign(assessment, actor=Actor.from_request(request), reviewer=chosen)
        messages.success(request, f"Assigned to {chosen or 'nobody'}.")
    else:
        messages.error(request, "Choose a reviewer from the list.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def decide(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("review_assessment", assessment.pk)
    act = workflow.approve if form.cleaned_data["outcome"] == "approve" else workflow.reject
    try:
        outcome = act(
            assessment, actor=Actor.from_request(request), rationale=form.cleaned_data["rationale"]
        )
    except (IllegalTransition, MissingRequirement) as refused:
        # Back to the review page, where what is still unjudged is listed.
        messages.error(request, str(refused))
        return redirect("review_assessment", assessment.pk)
    if isinstance(outcome, ApprovalProposal):
        messages.success(
            request, "Approval proposed: a second reviewer must approve it before it counts."
        )
    else:
        messages.success(request, f"Decision recorded: {assessment.get_status_display()}.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def accept_rest(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = AcceptRestForm(request.POST)
    if not form.is_valid():
        refuse_the_text(request, form, "note", "Write the note to keep with each verdict")
        return redirect("review_assessment", assessment.pk)
    accepted = verdicts.accept_the_rest(
        assessment, note=form.cleaned_data["note"], actor=Actor.from_request(request)
    )
    left = "answer or item of evidence" if accepted == 1 else "answers and items of evidence"
    messages.success(request, f"Accepted the {accepted} {left} nobody had judged.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def request_changes(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = ChangeRequestForm(request.POST)
    if not form.is_valid():
        refuse_the_text(request, form, "message", "Write what should change")
        return redirect("review_assessment", assessment.pk)
    workflow.request_changes(
        assessment,
        actor=Actor.from_request(request),
        message=form.cleaned_data["message"],
        question_notes=verdicts.change_notes(assessment),
    )
    messages.success(request, "Changes requested; the organization has been told.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def add_comment(request, assessment_id):
    """Reviewers and the organization's members talk about the assessment or a question."""
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
    form = CommentForm(request.POST)
    if form.is_valid():
        workflow.comment(
            assessment,
            actor=Actor.from_request(request),
            body=form.cleaned_data["body"],
            question_id=form.cleaned_data["question_id"],
        )
        messages.success(request, "Comment posted.")
    else:
        refuse_the_text(request, form, "body", "Write the comment")
    return redirect_back(request, reverse("assessment", args=[assessment.pk]))
