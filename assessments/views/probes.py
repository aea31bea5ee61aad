"""An organization's test endpoints and their probe runs: its administrators register an
endpoint (with consent) and start runs; its members and the platform's reviewers read every
transcript with the automatic checks' result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.errors import MissingRequirement
from assessments.forms.integrations import ProbeEndpointForm
from assessments.forms.review import EvidenceVerdictForm
from assessments.models import ProbeEndpoint, ProbeRun
from assessments.views.helpers import posted, redirect_back, status_for
from integrations import probes

RUNS_SHOWN = 5


@login_required
@require_http_methods(["GET", "POST"])
def live_tests(request, organization_id):
    need = Need.MANAGE if request.method == "POST" else Need.VIEW
    organization = permissions.organization_for(request.user, organization_id, need=need)
    form = ProbeEndpointForm(**posted(request))
    if form.is_bound and form.is_valid():
        try:
            probes.register_endpoint(
                organization=organization, actor=Actor.from_request(request), **form.cleaned_data
            )
        except MissingRequirement as exc:
            form.add_error("consent" if "consent" in str(exc) else "url", str(exc))
        else:
            messages.success(request, "Test endpoint registered: start a run when you are ready.")
            return redirect("live_tests", organization.pk)
    endpoints = ProbeEndpoint.objects.filter(organization=organization, removed_at=None)
    return render(
        request,
        "probes/live_tests.html",
        {
            "organization": organization,
            "form": form,
            "can_manage": permissions.can(request.user, organization, Need.MANAGE),
            "probe_set": probes.probe_set(),
            "endpoints": [
                (endpoint, ProbeRun.objects.filter(endpoint=endpoint)[:RUNS_SHOWN])
                for endpoint in endpoints
            ],
        },
        status=status_for(form),
    )


def _endpoint(request, endpoint_id) -> ProbeEndpoint:
    endpoint = get_object_or_404(
        ProbeEndpoint.objects.select_related("organization"), pk=endpoint_id, removed_at=None
    )
    permissions.check(request.user, endpoint.organization, Need.MANAGE)
    return endpoint


@login_required
@require_POST
def remove_endpoint(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    probes.remove_endpoint(endpoint, actor=Actor.from_request(request))
    messages.success(request, f"{endpoint.url} removed: no probe will be sent to it again.")
    return redirect("live_tests", endpoint.organization_id)


@login_required
@require_POST
def start_run(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    try:
        probes.start_run(endpoint, actor=Actor.from_request(request))
    except MissingRequirement as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Probe run started: the transcripts appear below as it ends.")
    return redirect("live_tests", endpoint.organization_id)


@login_required
@require_POST
def judge(request, run_id, probe):
    """A reviewer's verdict on one probe's transcript, from the review page or this page."""
    run = get_object_or_404(ProbeRun.objects.select_related("endpoint__organization"), pk=run_id)
    permissions.check(request.user, run.endpoint.organization, Need.REVIEW)
    form = EvidenceVerdictForm(request.POST)
    try:
        if not form.is_valid():
            raise MissingRequirement("Choose to accept or reject the transcript.")
        probes.judge(
            run,
            probe,
            accepted=form.cleaned_data["accepted"],
            reason=form.cleaned_data["reason"],
            actor=Actor.from_request(request),
        )
    except MissingRequirement as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Verdict on the transcript recorded.")
    return redirect_back(request, reverse("live_tests", args=[run.endpoint.organization_id]))
