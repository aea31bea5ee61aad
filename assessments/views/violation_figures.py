"""Reviewers import the platform's safety figures; a file is applied whole or not at all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.actors import Actor
from assessments.forms.platform_audits import FiguresForm
from assessments.models import Organization, ViolationFigure
from assessments.views.helpers import posted
from platform_audits import violation_figures

MAX_FILE_BYTES = 5 * 1024 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request):
    permissions.require_reviewer(request.user)
    form = FiguresForm(**posted(request))
    context = {
        "form": form,
        "columns": violation_figures.COLUMNS,
        "threshold": violation_figures.threshold(),
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            form.add_error("file", f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
        else:
            try:
                result = violation_figures.import_figures(
                    upload.read(), actor=Actor.from_request(request), filename=upload.name
                )
            except violation_figures.FileRefused as exc:
                form.add_error("file", str(exc))
            else:
                if result.applied:
                    messages.success(request, _summary(result))
                    return redirect("violation_figures")
                context["result"] = result
    context |= {
        "organizations_with_figures": ViolationFigure.objects.values("organization")
        .distinct()
        .count(),
        "above_threshold": Organization.objects.filter(
            violation_rate__gt=violation_figures.threshold()
        ).count(),
    }
    failed = form.errors or context.get("result")
    return render(request, "violation_figures/import.html", context, status=422 if failed else 200)


def _summary(result) -> str:
    if not (result.created or result.changed):
        return f"Nothing changed: all {result.rows} rows match the figures already stored."
    return (
        f"Imported {result.rows} rows: {result.created} new, {result.changed} changed, "
        f"{result.unchanged} unchanged."
    )


@login_required
@require_GET
def figures_template(request):
    permissions.require_reviewer(request.user)
    response = HttpResponse(violation_figures.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="safety-figures-template.csv"'
    return response
