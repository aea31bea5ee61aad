import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.defaults import server_error


def csrf_failure(request, reason=""):
    """A stale or forged form post: explain how to recover instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)


def error_500(request):
    """Every unhandled error ends here, wherever it was raised (a middleware looking up the
    session included). The database being down is not our bug: say so with a 503. The page
    needs no database, and every change is atomic, so nothing half-written is left behind."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return server_error(request)
