"""The platform asks: a reviewer asks one organization (or invites one without an account),
reads and escalates requests; the organization reads what it was asked; the invited one
registers from its link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.client_address import client_ip
from accounts.organizations import MembershipRefused
from accounts.permissions import Need
from accounts.throttling import SIGNUP, throttled_posts
from assessments.answers import result_for
from assessments.errors import IllegalTransition
from assessments.forms.platform_audits import AskForm, EscalateForm, InvitedAccountForm, InviteForm
from assessments.models import RequestKind
from assessments.templatetags.portal import status_label
from assessments.views.helpers import posted, refusals_as_messages, status_for
from platform_audits import platform_requests
from platform_audits.platform_requests import OPEN_STATES


def _questions_to_remediate(assessment) -> list[tuple[str, list]]:
    """The assessment's scored questions in two groups, its gaps first, as "id: text
    (status)"; questions asked for information only have nothing to remediate."""
    result = result_for(assessment)
    gaps = {r.question.id for r in result.gaps}
    rows = [r for s in result.sections for r in s.questions if r.counts]

    def choice(row):
        return (
            row.question.id,
            f"{row.question.id}: {row.question.text} ({status_label(row.status).lower()})",
        )

    groups = [
        ("Gaps", [choice(r) for r in rows if r.question.id in gaps]),
        ("Other questions", [choice(r) for r in rows if r.question.id not in gaps]),
    ]
    return [(label, choices) for label, choices in groups if choices]


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def ask(request, assessment_id):
    """A reviewer asks the organization behind an assessment for an attestation, or for the
    remediation of questions of this assessment."""
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    form = AskForm(
        **posted(request),
        questions=_questions_to_remediate(assessment),
        initial={"framework_version": assessment.framework_version_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        remediation = data["kind"] == RequestKind.REMEDIATION
        platform_requests.ask(
            assessment.organization,
            actor=Actor.from_request(request),
            kind=RequestKind(data["kind"]),
            framework_version=data["framework_version"],
            reason=data["reason"],
            due_on=data["due_on"],
            assessment=assessment if remediation else None,
            question_ids=data["question_ids"] if remediation else (),
            product=assessment.product,
        )
        messages.success(
            request, f"Request sent: {assessment.organization.legal_name} has been told."
        )
        return redirect("review_assessment", assessment.pk)
    context = {"form": form, "assessment": assessment}
    return render(request, "platform_audits/ask.html", context, status=status_for(form))


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    """Ask an organization that has no account: it is invited by email to register."""
    permissions.require_reviewer(request.user)
    form = InviteForm(**posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        audit_request = platform_requests.invite(
            actor=Actor.from_request(request),
            email=data["email"],
            legal_name=data["legal_name"],
            framework_version=data["framework_version"],
            reason=data["reason"],
            due_on=data["due_on"],
        )
        messages.success(request, f"Invitation sent to {audit_request.invited_email}.")
        return redirect("audit_request", audit_request.pk)
    context = {"form": form, "invitation_days": settings.REQUEST_INVITATION_DAYS}
    return render(request, "platform_audits/invite.html", context, status=status_for(form))


SHOWN = {
    "open": ("Open", lambda rows: rows.filter(state__in=OPEN_STATES)),
    "overdue": ("Overdue", platform_requests.overdue),
    "all": ("All", lambda rows: rows),
}
LIST_SIZE = 200


@login_required
@require_GET
def request_list(request):
    """Every request the platform made, overdue first: what waits for an escalation."""
    permissions.require_reviewer(request.user)
    shown = request.GET.get("show") if request.GET.get("show") in SHOWN else "open"
    rows = SHOWN[shown][1](platform_requests.all_requests()).order_by("due_on", "created_at")
    context = {
        "rows": list(rows[:LIST_SIZE]),
        "limit": LIST_SIZE,
        "shown": shown,
        "choices": [(key, label) for key, (label, _) in SHOWN.items()],
        "overdue_count": platform_requests.overdue().count(),
    }
    return render(request, "platform_audits/list.html", context)


@login_required
@require_GET
def request_detail(request, request_id):
    """The request, its history and, for an overdue one, the reviewer's escalation form. The
    organization's first reading is recorded (campaigns count who opened their request)."""
    audit_request = permissions.audit_request_for(request.user, request_id, need=Need.VIEW)
    platform_requests.mark_opened(audit_request, actor=Actor.from_request(request))
    reviewer = request.user.is_reviewer
    context = {
        "audit_request": audit_request,
        "history": platform_requests.history([audit_request])[audit_request.pk],
        "recommendations": audit_request.recommendations.select_related("recommended_by"),
        "stage": platform_requests.stages([audit_request])[audit_request.pk],
        "escalate_form": (
            EscalateForm() if reviewer and platform_requests.may_escalate(audit_request) else None
        ),
        "questions": _question_texts(audit_request),
        "assessment_url_name": "review_assessment" if reviewer else "assessment",
        "can_start": permissions.can(request.user, audit_request.organization, Need.EDIT)
        if audit_request.organization
        else False,
    }
    return render(request, "platform_audits/detail.html", context)


def _question_texts(audit_request) -> list[tuple[str, str]]:
    questions = audit_request.framework_version.framework.questions
    if audit_request.assessment is not None:
        questions = audit_request.assessment.framework_version.framework.questions
    return [
        (qid, questions[qid].text if qid in questions else "") for qid in audit_request.question_ids
    ]


@login_required
@require_POST
@refusals_as_messages
def escalate(request, request_id):
    audit_request = permissions.audit_request_for(request.user, request_id, need=Need.REVIEW)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a recommendation and give its rationale.")
        return redirect("audit_request", audit_request.pk)
    recommendation = platform_requests.escalate(
        audit_request,
        actor=Actor.from_request(request),
        level=form.cleaned_data["level"],
        rationale=form.cleaned_data["rationale"],
    )
    messages.success(request, f"Recommendation recorded: {recommendation.get_level_display()}.")
    return redirect("audit_request", audit_request.pk)


@require_http_methods(["GET", "POST"])
@throttled_posts(SIGNUP)
def invitation(request, token):
    """The emailed link of an invited organization: register it and answer the request."""
    audit_request = platform_requests.from_invitation(token)
    if audit_request is None:
        problem = "This link is not valid, has expired or has been used already."
        context = {"problem": problem}
        return render(request, "platform_audits/invitation.html", context, status=404)
    if request.user.is_authenticated:
        context = {"problem": "Log out first: this link registers a new organization."}
        return render(request, "platform_audits/invitation.html", context, status=403)
    form = InvitedAccountForm(**posted(request), email=audit_request.invited_email)
    if request.method == "POST" and form.is_valid():
        try:
            organization, user = platform_requests.claim(
                audit_request,
                website=form.cleaned_data["website"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except (MembershipRefused, IllegalTransition) as exc:
            context = {"problem": str(exc)}
            return render(request, "platform_audits/invitation.html", context, status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! {organization.legal_name} is registered.")
        return redirect("audit_request", audit_request.pk)
    context = {"form": form, "audit_request": audit_request}
    return render(request, "platform_audits/invitation.html", context, status=status_for(form))
