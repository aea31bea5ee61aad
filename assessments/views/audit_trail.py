from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Need
from assessments.models import AuditEvent

PAGE_SIZE = 50


@login_required
@require_GET
def assessment_audit_trail(request, assessment_id):
    """Every recorded action on one assessment, newest first: the review page shows only the
    latest few (fifty rows there were a third of its rendering time)."""
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    events = AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/audit_trail.html",
        {
            "assessment": assessment,
            "page": page,
            "rows": [(event, _shown_details(event.details)) for event in page],
        },
    )


def _shown_details(details: dict) -> list[tuple[str, str]]:
    """An event's details as short label/value pairs (long values cut: the export has them
    whole)."""
    return [
        (key.replace("_", " "), text if len(text := str(value)) <= 160 else text[:159] + "…")
        for key, value in details.items()
    ]
