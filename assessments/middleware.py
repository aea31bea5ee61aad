"""Clear answers for requests that go wrong, instead of blank pages or tracebacks."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


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
