"""Small pieces every view shares: refusals as messages, "next" paths that stay on this
site, a UUID from user input."""

import uuid
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from assessments.errors import IllegalTransition, MissingRequirement


def refusals_as_messages(view):
    """Turn a refused or incomplete state change into an error message and a redirect back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (IllegalTransition, MissingRequirement) as exc:
            messages.error(request, str(exc))
            if "assessment_id" in kwargs:
                return redirect("assessment", kwargs["assessment_id"])
            if "attestation_id" in kwargs:
                return redirect("attestation", kwargs["attestation_id"])
            if "request_id" in kwargs:
                return redirect("audit_request", kwargs["request_id"])
            if "organization_id" in kwargs:
                return redirect("organization", kwargs["organization_id"])
            return redirect("home")

    return wrapper


def status_for(*forms) -> int:
    """422 when the page shows a form it refused (the request could not be done as sent), 200
    otherwise: every page that takes a form answers a refusal the same way."""
    return 422 if any(form is not None and form.is_bound and form.errors for form in forms) else 200


def refuse_the_text(request, form, field: str, ask: str) -> None:
    """Say what a refused text box needs: ``ask`` (what to write) and the field's own limit,
    so the message and the form never disagree on it."""
    messages.error(request, f"{ask}, in at most {form.fields[field].max_length:,} characters.")


def uuid_or_404(value: str) -> uuid.UUID:
    """A UUID from user input; anything else is an unknown object."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def local_path(request, value: str, default: str) -> str:
    """A path on this site to go back to, from user input; anything else gives the default."""
    if (
        value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    ):
        return value
    return default


def redirect_back(request, default: str) -> HttpResponseRedirect:
    """Redirect to the form's "next" path (never looked up as a view name), or the default."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(local_path(request, target, default))


def posted(request) -> dict:
    """A form's data when the request is a post, even an empty one (so an empty post is
    answered with what is missing, not with a blank form); nothing otherwise."""
    if request.method != "POST":
        return {}
    return {"data": request.POST, "files": request.FILES}
