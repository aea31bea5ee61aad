"""Campaigns: a reviewer chooses a selection, previews whom it finds, sends the requests, and
follows their progress (chart, table, CSV)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.actors import Actor
from assessments.errors import MissingRequirement
from assessments.forms.platform_audits import CampaignForm
from assessments.models import Campaign
from assessments.views.helpers import posted, status_for
from platform_audits import campaigns


@login_required
@require_GET
def campaign_list(request):
    permissions.require_reviewer(request.user)
    rows = Campaign.objects.select_related("created_by").order_by("-created_at")
    return render(request, "campaigns/list.html", {"campaigns": rows})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    """The first post previews the selection; sending happens only from the preview, with
    the same terms, so the reviewer always saw whom they ask."""
    permissions.require_reviewer(request.user)
    form = CampaignForm(**posted(request))
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        selection = form.selection()
        version = form.cleaned_data["framework_version"]
        if "send" in request.POST:
            try:
                campaign = campaigns.launch(
                    actor=Actor.from_request(request),
                    name=form.cleaned_data["name"],
                    selection=selection,
                    framework_version=version,
                    reason=form.cleaned_data["reason"],
                    due_on=form.cleaned_data["due_on"],
                )
            except MissingRequirement as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Campaign sent: {campaign.requests.count()} requests.")
                return redirect("campaign", campaign.pk)
        context |= {
            "candidates": campaigns.preview(selection, version),
            "criteria": selection.describe(),
        }
    return render(request, "campaigns/new.html", context, status=status_for(form))


def _campaign(request, campaign_id) -> Campaign:
    permissions.require_reviewer(request.user)
    return get_object_or_404(Campaign.objects.select_related("created_by"), pk=campaign_id)


@login_required
@require_GET
def campaign_detail(request, campaign_id):
    campaign = _campaign(request, campaign_id)
    progress = campaigns.progress(campaign)
    context = {
        "campaign": campaign,
        "progress": progress,
        "chart": progress.chart(),
        "criteria": campaigns.Selection(**campaign.criteria).describe(),
    }
    return render(request, "campaigns/detail.html", context)


@login_required
@require_GET
def campaign_csv(request, campaign_id):
    campaign = _campaign(request, campaign_id)
    response = HttpResponse(campaigns.progress_csv(campaign), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    return response
