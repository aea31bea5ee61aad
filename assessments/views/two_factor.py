"""Two-factor authentication for people: setting up an authenticator (with a fresh password
proof, which the service asks for itself) and giving a code once a session."""

from base64 import b32encode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from accounts import two_factor
from accounts.actors import Actor
from assessments.forms.accounts import AuthenticatorSetupForm, CodeForm
from assessments.views.helpers import local_path, posted, redirect_back, status_for
from attestations.reports import qr_svg


def _next(request) -> str:
    return local_path(request, request.POST.get("next") or request.GET.get("next") or "", "/")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up (or, from a verified session, replace) the authenticator. The middleware keeps
    anyone who has one but has not given a code this session away from here."""
    device = two_factor.pending_device(request.user)
    form = AuthenticatorSetupForm(**posted(request), request=request)
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
        status=status_for(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    form = CodeForm(**posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect_back(request, "/")
        form.add_error(
            "token", "That code is not right. Use a code from your app or a recovery code."
        )
    context = {"form": form, "next": _next(request)}
    return render(request, "two_factor/verify.html", context, status=status_for(form))
