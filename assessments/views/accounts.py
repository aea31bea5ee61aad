from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.client_address import client_ip
from assessments.forms.accounts import SignupForm
from assessments.organizations import register_organization
from assessments.permissions import organizations_of
from assessments.throttling import SIGNUP, throttled_posts


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if request.user.is_reviewer:
        return redirect("dashboard")
    organizations = list(organizations_of(request.user))
    if len(organizations) == 1:
        return redirect("organization", organizations[0].pk)
    return render(request, "organizations/list.html", {"organizations": organizations})


@require_http_methods(["GET", "POST"])
@throttled_posts(SIGNUP)
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization, user = register_organization(
            legal_name=form.cleaned_data["legal_name"],
            website=form.cleaned_data["website"],
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            ip=client_ip(request),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! {organization.legal_name} is registered.")
        return redirect("organization", organization.pk)
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_GET
def account(request):
    return render(request, "registration/account.html")
