"""Public: checking a report (an upload or its hash), and everything the platform publishes
so anyone can check offline: keys, the signed key set, certificates, status lists,
checkpoints of the audit trail."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.throttling import VERIFY_UPLOAD, throttled_posts
from assessments.forms.trust import VerifyForm
from assessments.middleware import max_body_bytes
from assessments.views.helpers import posted, status_for
from attestations import checkpoints, key_set, platform_root, signing_keys, status_list
from attestations.attestation import regimes_covered
from attestations.credential_context import context as credential_context_document
from attestations.figures import figures_of
from attestations.verification import (
    REPORT_MAX_BYTES,
    CannotCheck,
    Finding,
    Verification,
    verify_pdf,
    verify_reference,
)
from integrations.public_claims import under_recheck

FORM_OVERHEAD = 64 * 1024  # the form's other fields and multipart boundaries


@max_body_bytes(REPORT_MAX_BYTES + FORM_OVERHEAD)
@require_http_methods(["GET", "POST"])
@throttled_posts(VERIFY_UPLOAD)
def verify(request):
    """Public: anyone holding a report can check it. Shows status, never answers."""
    form = VerifyForm(**posted(request))
    verification = None
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("report")
        if upload:
            try:
                verification = verify_pdf(upload.read())
            except CannotCheck as exc:
                error = str(exc)
        else:
            verification = verify_reference(form.cleaned_data["reference"])
    return _page(request, form, verification, error)


@require_GET
def verify_hash(request, digest):
    return _page(request, VerifyForm(), verify_reference(digest))


@require_GET
def credential_context(request):
    """The JSON-LD context the credentials name: the attestation's type and terms."""
    response = JsonResponse(credential_context_document(), content_type="application/ld+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def published_keys(request):
    """The platform's public keys as a JSON Web Key Set: anyone can check a report's
    signature (and, later, its credential) against them without asking us anything else."""
    response = JsonResponse(signing_keys.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def published_key_set(request):
    """The key set signed by the platform root: the one the offline verifier believes."""
    token = key_set.published()
    if token is None:
        raise Http404("No signed key set is published yet.")
    response = HttpResponse(token, content_type=key_set.MEDIA_TYPE)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def published_certificates(request):
    """Every certificate the platform has signed reports with, PEM, newest last."""
    response = HttpResponse(signing_keys.certificates_pem(), content_type="application/x-pem-file")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def published_status_list(request, which):
    """A status list every credential points to (a signed JWT), made fresh on request."""
    try:
        chosen = status_list.StatusList(which)
    except ValueError:
        raise Http404 from None
    response = HttpResponse(
        status_list.status_list_credential(chosen), content_type="application/vc+jwt"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def published_checkpoints(request):
    """Every signed checkpoint of the audit trail, newest first (JSON lines)."""
    return HttpResponse(checkpoints.published(), content_type="application/jsonl")


HEADLINES = {
    Finding.ALTERED: "Not genuine: this report was altered",
    Finding.UNKNOWN: "Not found",
}


def _page(request, form, verification: Verification | None, error: str = ""):
    context = {
        "keys": signing_keys.all_keys(),
        "root_fingerprint": platform_root.fingerprint() if platform_root.exists() else "",
        "timestamped": bool(settings.SIGNING_TIMESTAMP_URL),
        "form": form,
        "verification": verification,
        "verification_headline": HEADLINES.get(verification.finding) if verification else "",
        "under_recheck": bool(
            verification and verification.genuine and under_recheck(verification.attestation)
        ),
        "regimes": (
            regimes_covered(verification.attestation.snapshot_json)
            if verification and verification.genuine
            else []
        ),
        "figures": (
            figures_of(verification.attestation, verification.status.decision)
            if verification and verification.genuine
            else None
        ),
        "error": error,
    }
    return render(request, "verify/verify.html", context, status=422 if error else status_for(form))
