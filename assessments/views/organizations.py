"""An organization's pages for its people: products (registered, made public), members and
invitations (roles, removal with what it leaves undone), starting an assessment."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.organizations import (
    InvitedTooOften,
    MembershipRefused,
    cancel_invitation,
    change_role,
    invite_member,
    remove_member,
)
from accounts.permissions import Need
from assessments import products, workflow
from assessments.forms.accounts import MemberForm, ProductForm, RoleForm
from assessments.lifecycle import OPEN_LINK_LABELS
from assessments.models import (
    Assessment,
    FrameworkVersion,
    Membership,
    Role,
)
from assessments.views.helpers import posted, refusals_as_messages, status_for, uuid_or_404
from platform_audits import platform_requests

DEFAULT_FRAMEWORK = "minor-safety"


@login_required
@require_http_methods(["GET", "HEAD"])
def organization_detail(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.VIEW)
    return _organization_page(request, organization)


def _organization_page(request, organization, product_form=None, status=200):
    rows = products.overview(organization)
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "products": [
                (row, OPEN_LINK_LABELS[row.open_assessment.status] if row.open_assessment else "")
                for row in rows
            ],
            "current_framework": FrameworkVersion.current(DEFAULT_FRAMEWORK),
            "can_edit": permissions.can(request.user, organization, Need.EDIT),
            "can_manage": permissions.can(request.user, organization, Need.MANAGE),
            "open_requests": platform_requests.open_for(organization),
            "product_form": product_form or ProductForm(),
        },
        status=status,
    )


@login_required
@require_POST
@refusals_as_messages
def product_register(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    form = ProductForm(request.POST)
    if not form.is_valid():
        return _organization_page(request, organization, product_form=form, status=422)
    try:
        product = products.register_product(
            organization, **form.cleaned_data, actor=Actor.from_request(request)
        )
    except products.ProductRefused as exc:
        form.add_error("name", str(exc))
        return _organization_page(request, organization, product_form=form, status=422)
    messages.success(request, f"{product} is registered: start its assessment below.")
    return redirect(f"{reverse('organization', args=[organization.pk])}#product-{product.pk}")


@login_required
@require_POST
@refusals_as_messages
def product_public(request, organization_id, product_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    product = get_object_or_404(organization.products, pk=product_id)
    public = request.POST.get("public") == "on"
    try:
        products.set_public(product, public, actor=Actor.from_request(request))
    except products.ProductRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{product}'s trust page is public while its attestation is valid."
            if public
            else f"{product} no longer has a public trust page.",
        )
    return redirect(f"{reverse('organization', args=[organization.pk])}#product-{product.pk}")


def _members_page(request, organization, form, status=200):
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "memberships": [
                (m, RoleForm(initial={"role": m.role}, prefix=str(m.pk)), warning)
                for m, warning in _with_warnings(organization.memberships.select_related("user"))
            ],
            "invitations": organization.invitations.filter(accepted_at=None),
            "form": form,
        },
        status=status,
    )


def _with_warnings(memberships) -> list[tuple]:
    """Each member, with what removing them leaves undone (said before anyone confirms)."""
    memberships = list(memberships)
    held = Counter(m.role for m in memberships)
    words = {
        Role.ADMIN: "the last administrator, who cannot be removed",
        Role.SIGNATORY: "the only signatory: nobody can sign until you appoint another",
        Role.PREPARER: "the only preparer: only administrators can answer after this",
    }
    return [(m, f"{m.user} is {words[m.role]}." if held[m.role] == 1 else "") for m in memberships]


@login_required
@require_http_methods(["GET", "POST"])
def members(request, organization_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    form = MemberForm(**posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invite_member(
                organization,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=Role(form.cleaned_data["role"]),
                actor=Actor.from_request(request),
            )
        except InvitedTooOften as exc:  # as the API answers it: 429, and when to try again
            form.add_error("email", str(exc))
            response = _members_page(request, organization, form, status=429)
            response["Retry-After"] = str(exc.wait)
            return response
        except MembershipRefused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request,
                f"Invitation sent to {form.cleaned_data['email']}. They join when they accept it.",
            )
            return redirect("members", organization.pk)
    return _members_page(request, organization, form, status=status_for(form))


@login_required
@require_POST
def invitation_cancel(request, organization_id, invitation_id):
    organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    invitation = get_object_or_404(organization.invitations, pk=invitation_id)
    try:
        cancel_invitation(invitation, actor=Actor.from_request(request))
    except MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation to {invitation.email} was cancelled.")
    return redirect("members", organization_id)


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
    product_id = request.POST.get("product")
    product = (
        get_object_or_404(organization.products, pk=uuid_or_404(product_id)) if product_id else None
    )
    assessment = workflow.start_assessment(
        organization=organization,
        framework_version=version,
        actor=Actor.from_request(request),
        carry_over_from=previous,
        product=product,
    )
    messages.success(request, f"Assessment of {assessment.product} started on {version}.")
    return redirect("assessment", assessment.pk)
