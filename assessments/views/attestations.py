"""Signing an attestation (with a fresh second factor), sending it back to draft, and what
follows: its page, the signed report and the credential as downloads, revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers, evidence, lifecycle, workflow
from assessments.forms.accounts import ReturnForm, SignForm
from assessments.forms.review import RevokeForm
from assessments.lifecycle import Transition
from assessments.models import ReportState
from assessments.views.helpers import posted, refusals_as_messages, refuse_the_text, status_for
from attestations import credentials, reports
from attestations.attestation import STATEMENT_VERSION, statement_text, valid_until
from attestations.attestation_status import status_of
from attestations.reports import verification_url
from questionnaires import regimes
from questionnaires.scoring import score


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def sign(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.SIGN)
    form = SignForm(**posted(request), request=request)
    if request.method == "POST" and form.is_valid():
        attestation = workflow.sign(
            assessment,
            actor=Actor.from_request(request),
            statement_version=STATEMENT_VERSION,
            proof=form.proof,
        )
        messages.success(request, "Signed and submitted to the platform for review.")
        return redirect("attestation", attestation.pk)
    end = evidence.attestation_end(assessment)
    items = evidence.with_verdicts(assessment, end=end)
    responses, _ = answers.responses_and_revisions(assessment, items)
    framework = assessment.framework_version.framework
    result = score(framework, responses)
    laws = regimes.results_for(framework, result, responses, regimes.choices_of(assessment))
    return render(
        request,
        "attestations/sign.html",
        {
            "assessment": assessment,
            "can_sign": lifecycle.may(request.user, assessment, Transition.SIGN),
            "can_return": lifecycle.may(request.user, assessment, Transition.RETURN_TO_DRAFT),
            "form": form,
            "return_form": ReturnForm(),
            "statement": statement_text(
                STATEMENT_VERSION, assessment, ends=valid_until(timezone.now())
            ),
            "statement_version": STATEMENT_VERSION,
            # Every part of the report about to be signed: the questionnaire and each law.
            "result": result,
            "laws": laws,
            "laws_missing": regimes.unanswered_required(laws),
            "lapsing": [item for item in items if item.lapses],
            "attestation_end": end,
        },
        status=status_for(form),
    )


@login_required
@require_POST
@refusals_as_messages
def return_to_draft(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.SIGN)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        refuse_the_text(request, form, "reason", "Say what to change")
        return redirect("sign", assessment.pk)
    workflow.return_to_draft(
        assessment, actor=Actor.from_request(request), reason=form.cleaned_data["reason"]
    )
    messages.info(request, "Returned to the preparers for changes; they have been told why.")
    return redirect("assessment", assessment.pk)


@login_required
@require_GET
def attestation_detail(request, attestation_id):
    attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
    report = attestation.reports.first()
    context = {
        "attestation": attestation,
        "assessment": attestation.assessment,
        "status": status_of(attestation),
        "report": report,
        "report_ready": attestation.report_state == ReportState.READY and report is not None,
        "report_pending": attestation.report_state == ReportState.PENDING,
        "report_failed": attestation.report_state == ReportState.FAILED,
        "can_revoke": permissions.can(
            request.user, attestation.assessment.organization, Need.REVIEW
        )
        and attestation.revoked_at is None,
        "revoke_form": RevokeForm(),
        "verify_url": verification_url(attestation),
        "decisions": attestation.decisions.select_related("reviewer"),
    }
    if request.htmx:
        return render(request, "attestations/detail.html#report-state", context)
    return render(request, "attestations/detail.html", context)


@login_required
@require_GET
def report_download(request, attestation_id):
    attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
    return reports.download(attestation, actor=Actor.from_request(request))


@login_required
@require_GET
def credential_download(request, attestation_id):
    """The attestation as a Verifiable Credential, issued now: only while it is valid."""
    attestation = permissions.attestation_for(request.user, attestation_id, need=Need.VIEW)
    try:
        token = credentials.issue(attestation)
    except credentials.NotApproved as refused:
        return HttpResponse(str(refused), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{attestation.number}-credential.jwt"'
    )
    return response


@login_required
@require_POST
@refusals_as_messages
def revoke(request, attestation_id):
    attestation = permissions.attestation_for(request.user, attestation_id, need=Need.REVIEW)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        refuse_the_text(request, form, "reason", "Give the reason for revoking")
        return redirect("attestation", attestation.pk)
    workflow.revoke(
        attestation, actor=Actor.from_request(request), reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"Attestation {attestation.number} is revoked.")
    return redirect("attestation", attestation.pk)
