from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments import answers, evidence, permissions, workflow
from assessments.actors import Actor
from assessments.attestation import display_value
from assessments.forms.review import ChangeRequestForm, DecisionForm
from assessments.models import Assessment, AuditEvent, Status
from assessments.permissions import Need
from assessments.views.helpers import refusals_as_messages

QUEUE_STATUSES = [s for s in Status if s not in (Status.DRAFT, Status.AWAITING_SIGNATURE)]


def _require_reviewer(user):
    if not user.is_reviewer:
        raise PermissionDenied("Only platform reviewers can see the review dashboard.")


@login_required
@require_GET
def dashboard(request):
    _require_reviewer(request.user)
    status = request.GET.get("status", "")
    queue = Assessment.objects.filter(status__in=QUEUE_STATUSES).select_related(
        "organization", "framework_version", "assigned_reviewer"
    )
    if status in Status.values:
        queue = queue.filter(status=status)
    counts = dict(
        Assessment.objects.filter(status__in=QUEUE_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return render(
        request,
        "review/dashboard.html",
        {
            "queue": queue.order_by("status_changed_at")[:100],
            "counts": [(s, counts.get(s.value, 0)) for s in QUEUE_STATUSES],
            "status": status,
        },
    )


def _question_choices(assessment):
    framework = assessment.framework_version.framework
    return [(q.id, f"{q.id} — {q.text[:80]}") for q in framework.questions.values()]


@login_required
@require_GET
def review_assessment(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    questions = assessment.framework_version.framework.questions
    responses = answers.responses_for(assessment)
    return render(
        request,
        "review/assessment.html",
        {
            "assessment": assessment,
            "result": answers.result_for(assessment),
            "responses": responses,
            "display": {
                qid: display_value(questions[qid], r)
                for qid, r in responses.items()
                if qid in questions
            },
            "evidence": evidence.by_question(assessment),
            "attestation": assessment.attestations.order_by("-number").first(),
            "decision_form": DecisionForm(),
            "change_form": ChangeRequestForm(question_choices=_question_choices(assessment)),
            "events": AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("-id")[:50],
            "decidable": assessment.status in (Status.SUBMITTED, Status.IN_REVIEW),
        },
    )


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
def decide(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject and give a rationale.")
        return redirect("review_assessment", assessment.pk)
    act = workflow.approve if form.cleaned_data["outcome"] == "approve" else workflow.reject
    act(assessment, actor=Actor.from_request(request), rationale=form.cleaned_data["rationale"])
    messages.success(request, f"Decision recorded: {assessment.get_status_display()}.")
    return redirect("review_assessment", assessment.pk)


@login_required
@require_POST
@refusals_as_messages
def request_changes(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = ChangeRequestForm(request.POST, question_choices=_question_choices(assessment))
    if not form.is_valid():
        messages.error(request, "Write what should change.")
        return redirect("review_assessment", assessment.pk)
    workflow.request_changes(
        assessment,
        actor=Actor.from_request(request),
        message=form.cleaned_data["message"],
        question_ids=form.cleaned_data["questions"],
    )
    messages.success(request, "Changes requested; the organization has been told.")
    return redirect("review_assessment", assessment.pk)
