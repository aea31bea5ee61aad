"""Every refusal in one JSON shape: {"error": {"status", "code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.throttling import TooOften
from assessments.errors import IllegalTransition, MissingRequirement


class FieldErrors(Exception):
    """Input that does not validate: each field with what is wrong with it."""

    def __init__(self, fields: dict):
        super().__init__("Some fields are not valid.")
        self.fields = {
            k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in fields.items()
        }


def error_body(code_status: int, code: str, message: str, fields=None) -> dict:
    return {"status": code_status, "code": code, "message": message, "fields": fields or {}}


def _answer(code_status: int, code: str, message: str, fields=None) -> Response:
    return Response({"error": error_body(code_status, code, message, fields)}, status=code_status)


def handle(exc, context):
    """The portal's own refusals first, then DRF's, all reshaped."""
    if isinstance(exc, FieldErrors):
        return _answer(400, "invalid", "Some fields are not valid.", exc.fields)
    if isinstance(exc, MissingRequirement):
        return _answer(400, "invalid", str(exc))
    if isinstance(exc, IllegalTransition):
        return _answer(409, "conflict", str(exc))
    if isinstance(exc, TooOften):  # one of the portal's own limits, said in its own words
        response = _answer(429, "throttled", str(exc))
        response["Retry-After"] = str(exc.wait)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")  # never say whether another's object exists
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handler answers
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    fields = {} if detail is not None else response.data
    code = getattr(exc, "default_code", "error")
    message = str(detail) if detail is not None else "Some fields are not valid."
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        message = f"Too many requests with this token; try again in {exc.wait or 1:.0f} s."
    response.data = {"error": error_body(response.status_code, code, message, fields)}
    return response
