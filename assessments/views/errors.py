"""The portal's own error pages: the API's JSON shape for programs, a page that says how to
recover for people, never a traceback."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.defaults import page_not_found, server_error

from integrations.api.errors import error_body

API_PREFIX = "/api/"


def api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": error_body(status, code, message)}, status=status)


def error_404(request, exception):
    """A program asking for an address the API does not have gets the API's JSON shape."""
    if request.path.startswith(API_PREFIX):
        return api_error(404, "not_found", "Not found.")
    return page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """A stale or forged form post: explain how to recover instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)


def error_500(request):
    """Every unhandled error ends here, wherever it was raised (a middleware looking up the
    session included). The database being down is not our bug: say so with a 503. The page
    needs no database, and every change is atomic, so nothing half-written is left behind."""
    api = request.path.startswith(API_PREFIX)
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = (
            api_error(503, "unavailable", "The database is unavailable; try again shortly.")
            if api
            else HttpResponse(render_to_string("503.html"), status=503)
        )
        response["Retry-After"] = "30"
        return response
    if api:
        return api_error(500, "server_error", "Something went wrong on our side; it is logged.")
    return server_error(request)
