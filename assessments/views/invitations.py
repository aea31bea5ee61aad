"""Public: the emailed invitation link, accepted by the address's owner (logged in, or by
choosing a password)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.actors import Actor
from accounts.client_address import client_ip
from accounts.organizations import (
    MembershipRefused,
    accept_invitation,
    invitation_from_token,
    join_with_new_account,
)
from assessments.forms.accounts import NewAccountForm
from assessments.models import User
from assessments.views.helpers import posted, status_for


def _page(request, invitation, *, form=None, problem="", status=200):
    context = {"invitation": invitation, "form": form, "problem": problem}
    return render(request, "organizations/invitation.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Public: the emailed link. The address's owner accepts, logged in as it or by choosing
    a password for a new account; anyone else is told the link is not theirs."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return _page(
            request, None, problem="This link is not valid, or it has expired.", status=404
        )
    if invitation.accepted_at is not None:
        return _page(request, invitation, problem="This invitation has already been accepted.")
    if request.user.is_authenticated:
        return _as_logged_in(request, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _page(request, invitation)  # asks them to log in first
    form = NewAccountForm(
        **posted(request), email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = join_with_new_account(
                invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except MembershipRefused as exc:
            return _page(request, invitation, problem=str(exc), status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.organization.legal_name}.")
        return redirect("organization", invitation.organization_id)
    return _page(request, invitation, form=form, status=status_for(form))


def _as_logged_in(request, invitation):
    user = request.user
    if user.email.lower() != invitation.email or user.is_reviewer or user.is_staff:
        problem = (
            "Platform accounts cannot join an organization."
            if user.is_reviewer or user.is_staff
            else "This invitation is for another address. Log out, then open the link again."
        )
        return _page(request, invitation, problem=problem, status=403)
    if request.method == "POST":
        try:
            accept_invitation(invitation, actor=Actor.from_request(request))
        except MembershipRefused as exc:
            return _page(request, invitation, problem=str(exc), status=409)
        messages.success(request, f"You joined {invitation.organization.legal_name}.")
        return redirect("organization", invitation.organization_id)
    return _page(request, invitation)
