from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.attestation import verify_pdf, verify_reference
from assessments.forms.review import VerifyForm


@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: anyone holding a report can check it. Shows status, never answers."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    verification = None
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("report")
        if upload:
            try:
                verification = verify_pdf(upload.read())
            except ValueError as exc:
                error = str(exc)
        else:
            verification = verify_reference(form.cleaned_data["reference"])
    return render(
        request,
        "verify/verify.html",
        {"form": form, "verification": verification, "error": error},
    )


@require_GET
def verify_hash(request, digest):
    return render(
        request,
        "verify/verify.html",
        {"form": VerifyForm(), "verification": verify_reference(digest), "error": ""},
    )
