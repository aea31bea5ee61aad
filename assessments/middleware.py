"""Clear answers for requests that go wrong, instead of blank pages or tracebacks."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

from accounts.two_factor import requires_two_factor
from assessments.views.errors import API_PREFIX, api_error

# Pages a logged-in person may open before their second factor is checked: someone who has
# an authenticator may only give a code (or leave); someone who must set one up, only that.
ALWAYS_OPEN = ("/accounts/logout/", "/static/", "/verify/", "/sources/", "/.well-known/")
OPEN_BEFORE_CODE = ("/account/two-factor/verify/", *ALWAYS_OPEN)
OPEN_BEFORE_SETUP = ("/account/two-factor/setup/", *ALWAYS_OPEN)


def max_body_bytes(limit: int):
    """Declare the largest request body a view accepts; BodySizeLimitMiddleware enforces it
    before anything (the CSRF check included) reads the body."""

    def decorate(view):
        view.max_body_bytes = limit
        return view

    return decorate


class ControlCharacterMiddleware:
    """Refuse an address holding a control character (a NUL above all, which PostgreSQL can
    neither store nor compare) with a 400, before any view, log or lookup reads it: no page
    of the portal has such an address."""

    REASON = "The address holds a control character, which no address of the portal has."
    CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode's Cc, matched once per request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.CONTROL.search(request.path_info):
            if request.path.startswith(API_PREFIX):
                return api_error(400, "bad_request", self.REASON)
            return render(request, "400.html", {"reason": self.REASON}, status=400)
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse a body larger than the view accepts with a 413, from its declared length alone.
    (Django reads no body that declares no length, so the declaration is what counts.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > settings.MAX_REQUEST_BYTES:  # quick path: no view accepts more
            return self._refuse(request, size, settings.MAX_REQUEST_BYTES)
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return self.get_response(request)
        limit = getattr(view, "max_body_bytes", settings.MAX_REQUEST_BYTES)
        if size > limit:
            return self._refuse(request, size, limit)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, size: int, limit: int) -> HttpResponse:
        body = render_to_string("413.html", {"size": size, "limit": limit})
        response = HttpResponse(body, status=413)
        response["Connection"] = "close"  # the unread body must not be taken as a request
        return response


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
