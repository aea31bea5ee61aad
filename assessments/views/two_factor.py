from base64 import b32encode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from accounts import two_factor
from accounts.actors import Actor
from accounts.step_up import StepUpForm
from assessments.views.helpers import local_path, redirect_back
from attestations.reports import qr_svg


def _code_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    token = _code_field("Code")


class SetupForm(StepUpForm):
    """The password proves the person; the code proves the new authenticator."""

    ask_for_code = False
    token = _code_field("Code from the app you just set up")


def _next(request) -> str:
    return local_path(request, request.POST.get("next") or request.GET.get("next") or "", "/")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up (or, from a verified session, replace) the authenticator. The middleware keeps
    anyone who has one but has not given a code this session away from here."""
    device = two_factor.pending_device(request.user)
    form = SetupForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(
            device,
            form.cleaned_data["token"].strip(),
            actor=Actor.from_request(request),
            proof=form.proof,
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request, "two_factor/codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("token", "That code is not right. Check the time on your phone and retry.")
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url, "QR code for your authenticator app"),
            "secret": b32encode(device.bin_key).decode(),
            "required": two_factor.requires_two_factor(request.user),
            "next": _next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect_back(request, "/")
        form.add_error(
            "token", "That code is not right. Use a code from your app or a recovery code."
        )
    return render(request, "two_factor/verify.html", {"form": form, "next": _next(request)})
