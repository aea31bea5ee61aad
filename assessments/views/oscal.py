"""The OSCAL exports (integrations/oscal.py) as JSON downloads."""

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Need
from assessments.models import FrameworkVersion
from assessments.views.regimes import regime_or_404
from integrations import oscal


def _download(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def framework_catalog(request, slug, version):
    published = get_object_or_404(FrameworkVersion, slug=slug, version=version)
    document = oscal.catalog(published.framework, published=published.loaded_at)
    return _download(document, f"{slug}-{version}-oscal-catalog.json")


@login_required
@require_GET
def regime_catalog(request, slug):
    framework = regime_or_404(slug).framework
    published = datetime.datetime.combine(framework.published, datetime.time(), datetime.UTC)
    document = oscal.catalog(framework, published=published)
    return _download(document, f"{slug}-{framework.version}-oscal-catalog.json")


@login_required
@require_GET
def assessment_results(request, attestation_id):
    attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
    return _download(
        oscal.assessment_results(attestation),
        f"attestation-{attestation.number}-oscal-assessment-results.json",
    )
