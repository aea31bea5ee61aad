"""The home page for each kind of person, registering an organization (an emailed link
confirms the address first) and one's own account page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.client_address import client_ip
from accounts.organizations import (
    MembershipRefused,
    register_organization,
    registration_from_token,
    request_registration,
)
from accounts.permissions import organizations_of
from accounts.throttling import SIGNUP, throttled_posts
from assessments.forms.accounts import NewAccountForm, SignupForm
from assessments.views.helpers import posted, status_for


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if request.user.is_reviewer:
        return redirect("dashboard")
    organizations = list(organizations_of(request.user))
    if len(organizations) == 1:
        return redirect("organization", organizations[0].pk)
    if not organizations and request.user.is_staff:
        return redirect("admin:index")  # the platform's admin runs no organization
    return render(request, "organizations/list.html", {"organizations": organizations})


@require_http_methods(["GET", "POST"])
@throttled_posts(SIGNUP)
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(**posted(request))
    if request.method == "POST" and form.is_valid():
        request_registration(**form.cleaned_data)
        return render(request, "registration/signup_sent.html", form.cleaned_data)
    return render(request, "registration/signup.html", {"form": form}, status=status_for(form))


@require_http_methods(["GET", "POST"])
@throttled_posts(SIGNUP)
def signup_confirm(request, token):
    """The emailed link: the address is confirmed; choose a password and register."""
    registration = registration_from_token(token)
    if registration is None:
        problem = "This link is not valid, or it has expired."
        return render(request, "registration/signup_confirm.html", {"problem": problem}, status=404)
    initial = {"full_name": registration["full_name"]}
    form = NewAccountForm(**posted(request), email=registration["email"], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organization, user = register_organization(
                legal_name=registration["legal_name"],
                website=registration["website"],
                full_name=form.cleaned_data["full_name"],
                email=registration["email"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except MembershipRefused as exc:
            context = {"problem": str(exc)}
            return render(request, "registration/signup_confirm.html", context, status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! {organization.legal_name} is registered.")
        return redirect("organization", organization.pk)
    context = {"form": form, "registration": registration}
    return render(request, "registration/signup_confirm.html", context, status=status_for(form))


@login_required
@require_GET
def account(request):
    return render(request, "registration/account.html")
