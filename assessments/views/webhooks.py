"""Where an organization's administrators (and platform reviewers, for the platform's own
endpoints) register webhook endpoints, read each one's delivery log and send a test event."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from accounts.throttling import TooOften
from assessments.errors import MissingRequirement
from assessments.forms.integrations import WebhookForm
from assessments.models import WebhookEndpoint
from assessments.views.helpers import posted, status_for
from integrations import webhooks

LOG_LENGTH = 20


def _scope(request, organization_id):
    """The organization whose endpoints these are (None: the platform's), if allowed."""
    if organization_id is not None:
        return permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
    if not request.user.is_reviewer:
        raise PermissionDenied("Only platform reviewers manage the platform's webhooks.")
    return None


@login_required
@never_cache  # shows a new endpoint's secret once
@require_http_methods(["GET", "POST"])
def endpoints(request, organization_id=None):
    organization = _scope(request, organization_id)
    form = WebhookForm(**posted(request))
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = webhooks.add_endpoint(
                organization=organization,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                actor=Actor.from_request(request),
            )
        except MissingRequirement as exc:
            form.add_error("url", str(exc))
        else:
            form = WebhookForm()
    listed = WebhookEndpoint.objects.filter(organization=organization, disabled_at=None)
    return render(
        request,
        "webhooks/list.html",
        {
            "organization": organization,
            "form": form,
            "new_secret": new_secret,
            "max_attempts": webhooks.MAX_ATTEMPTS,
            "endpoints": [(e, e.deliveries.all()[:LOG_LENGTH]) for e in listed],
        },
        status=status_for(form),
    )


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.select_related("organization"), pk=endpoint_id, disabled_at=None
    )
    if endpoint.organization is not None:
        permissions.check(request.user, endpoint.organization, Need.MANAGE)
    elif not request.user.is_reviewer:
        raise Http404
    return endpoint


def _back(endpoint):
    if endpoint.organization_id:
        return redirect("org_webhooks", endpoint.organization_id)
    return redirect("platform_webhooks")


@login_required
@require_POST
def send_test(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    try:
        delivery = webhooks.send_test(endpoint, actor=Actor.from_request(request))
    except TooOften as exc:
        messages.error(request, str(exc))
        return _back(endpoint)
    delivery.refresh_from_db()
    messages.info(request, f"Test event queued for {endpoint.url}: {delivery.get_state_display()}.")
    return _back(endpoint)


@login_required
@require_POST
def remove(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    webhooks.remove_endpoint(endpoint, actor=Actor.from_request(request))
    messages.success(request, f"{endpoint.url} no longer receives events.")
    return _back(endpoint)
