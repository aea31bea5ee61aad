from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.organizations import (
    MembershipRefused,
    change_role,
    invite_member,
    remove_member,
)
from accounts.permissions import Need
from assessments import workflow
from assessments.forms.accounts import MemberForm, RoleForm
from assessments.lifecycle import OPEN_LINK_LABELS
from assessments.models import (
    FINAL_STATUSES,
    Assessment,
    Attestation,
    FrameworkVersion,
    Membership,
    Role,
    Status,
)
from assessments.views.helpers import refusals_as_messages, uuid_or_404
from attestations.attestation_status import status_of
from platform_audits import platform_requests

DEFAULT_FRAMEWORK = "minor-safety"


@login_required
@require_GET
def organization_detail(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.VIEW)
    assessments = organization.assessments.select_related("framework_version").order_by(
        "-created_at"
    )
    attestations = (
        Attestation.objects.filter(assessment__organization=organization)
        .select_related("assessment__framework_version")
        .prefetch_related("decisions")
        .order_by("-signed_at")
    )
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "assessments": assessments,
            "attestations": [(a, status_of(a)) for a in attestations],
            "current_framework": FrameworkVersion.current(DEFAULT_FRAMEWORK),
            "open_assessment": (opened := assessments.exclude(status__in=FINAL_STATUSES).first()),
            "open_label": OPEN_LINK_LABELS[opened.status] if opened else "",
            # Answers carry over only from an approved assessment: what the platform accepted.
            "carry_over_from": assessments.filter(status=Status.APPROVED).first(),
            "can_edit": permissions.can(request.user, organization, Need.EDIT),
            "can_manage": permissions.can(request.user, organization, Need.MANAGE),
            "open_requests": platform_requests.open_for(organization),
        },
    )


def _members_page(request, organization, form, status=200):
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "memberships": [
                (m, RoleForm(initial={"role": m.role}, prefix=str(m.pk)))
                for m in organization.memberships.select_related("user")
            ],
            "invitations": organization.invitations.filter(accepted_at=None),
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invite_member(
                organization,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=Role(form.cleaned_data["role"]),
                actor=Actor.from_request(request),
            )
        except MembershipRefused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request,
                f"Invitation sent to {form.cleaned_data['email']}. They join when they accept it.",
            )
            return redirect("members", organization.pk)
    return _members_page(request, organization, form)


def _membership(request, organization_id, membership_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=organization
    )


@login_required
@require_POST
def member_role(request, organization_id, membership_id):
    membership = _membership(request, organization_id, membership_id)
    form = RoleForm(request.POST, prefix=str(membership.pk))
    if not form.is_valid():
        messages.error(request, "Choose one of the roles listed.")
    else:
        try:
            change_role(
                membership, role=Role(form.cleaned_data["role"]), actor=Actor.from_request(request)
            )
        except MembershipRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{membership.user} is now {Role(form.cleaned_data['role']).label.lower()}.",
            )
    return redirect("members", organization_id)


@login_required
@require_POST
def member_remove(request, organization_id, membership_id):
    membership = _membership(request, organization_id, membership_id)
    try:
        remove_member(membership, actor=Actor.from_request(request))
    except MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} was removed.")
    return redirect("members", organization_id)


@login_required
@require_POST
@refusals_as_messages
def start_assessment(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.EDIT)
    version = FrameworkVersion.current(DEFAULT_FRAMEWORK)
    if version is None:
        messages.error(request, "No questionnaire is published yet.")
        return redirect("organization", organization.pk)
    previous_id = request.POST.get("carry_over_from")
    previous = (
        get_object_or_404(Assessment, pk=uuid_or_404(previous_id), organization=organization)
        if previous_id
        else None
    )
    assessment = workflow.start_assessment(
        organization=organization,
        framework_version=version,
        actor=Actor.from_request(request),
        carry_over_from=previous,
    )
    messages.success(request, f"Assessment started on {version}.")
    return redirect("assessment", assessment.pk)
