"""Clear answers for requests that go wrong, instead of blank pages or tracebacks."""

from urllib.parse import urlencode

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django_otp import user_has_device

from assessments.two_factor import requires_two_factor

# Pages a logged-in person may open before their second factor is checked: someone who has
# an authenticator may only give a code (or leave); someone who must set one up, only that.
ALWAYS_OPEN = ("/accounts/logout/", "/static/", "/verify/")
OPEN_BEFORE_CODE = ("/account/two-factor/verify/", *ALWAYS_OPEN)
OPEN_BEFORE_SETUP = ("/account/two-factor/setup/", *ALWAYS_OPEN)


class FriendlyErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            allowed = response.get("Allow", "")
            response = render(request, "405.html", {"allowed": allowed}, status=405)
            response["Allow"] = allowed
        return response

    def process_exception(self, request, exception):
        """The database is down: say so with a 503. The page itself needs no database, and
        every change is atomic, so nothing half-written is left behind."""
        if isinstance(exception, OperationalError | InterfaceError):
            response = HttpResponse(render_to_string("503.html"), status=503)
            response["Retry-After"] = "30"
            return response
        return None


class TwoFactorMiddleware:
    """After the password, ask for the second factor: of everyone who set one up, and of
    reviewers and signatories, who must set one up before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if user_has_device(user):
            target, open_paths = "two_factor_verify", OPEN_BEFORE_CODE
        elif requires_two_factor(user):
            target, open_paths = "two_factor_setup", OPEN_BEFORE_SETUP
        else:
            return self.get_response(request)
        if request.path.startswith(open_paths):
            return self.get_response(request)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
