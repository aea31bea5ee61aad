from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import answers, evidence, permissions, workflow
from assessments.actors import Actor
from assessments.forms.questionnaire import SectionForm, section_questions
from assessments.permissions import Need
from assessments.scoring import visible_question_ids
from assessments.views.helpers import refusals_as_messages


def _open_change_requests(assessment):
    return assessment.comments.filter(requests_change=True, resolved_at=None).select_related(
        "author"
    )


@login_required
@require_GET
def assessment_overview(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
    result = answers.result_for(assessment)
    organization = assessment.organization
    return render(
        request,
        "assessments/overview.html",
        {
            "assessment": assessment,
            "organization": organization,
            "result": result,
            "attestations": assessment.attestations.order_by("-number"),
            "change_requests": _open_change_requests(assessment),
            "can_edit": assessment.is_editable
            and permissions.can(request.user, organization, Need.EDIT),
            "can_sign": permissions.can(request.user, organization, Need.SIGN),
            "is_reviewer": request.user.is_reviewer,
        },
    )


def _section_form(assessment, section, data=None, files=None):
    framework = assessment.framework_version.framework
    responses = answers.responses_for(assessment)
    visible = visible_question_ids(framework, responses)
    revisions = dict(assessment.answers.values_list("question_id", "revision"))
    return SectionForm(
        data,
        files,
        questions=section_questions(section, visible),
        responses=responses,
        revisions=revisions,
    )


def _save_section(request, assessment, form) -> bool:
    """Save answers and evidence; report conflicts and rejected files. True when all saved."""
    actor = Actor.from_request(request)
    result = answers.save_answers(assessment, form.answer_inputs(), actor=actor)
    all_saved = True
    for question_id, theirs in result.conflicts.items():
        all_saved = False
        who = theirs.updated_by or "someone else"
        messages.warning(
            request,
            f"{who} changed “{question_id}” while you were editing. Their answer is saved; "
            "yours is shown below: check it and save again to replace theirs.",
        )
    for question_id, (uploads, url) in form.evidence_uploads().items():
        for upload in uploads:
            try:
                evidence.add_file(assessment, question_id, upload, actor=actor)
            except evidence.EvidenceRejected as exc:
                all_saved = False
                messages.error(request, str(exc))
        if url:
            evidence.add_url(assessment, question_id, url, actor=actor)
    return all_saved


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def section(request, assessment_id, section_id):
    need = Need.EDIT if request.method == "POST" else Need.VIEW
    assessment = permissions.assessment_for(request.user, assessment_id, need=need)
    framework = assessment.framework_version.framework
    current = framework.section(section_id)
    if current is None:
        raise Http404
    form = _section_form(assessment, current, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if _save_section(request, assessment, form):
            messages.success(request, f"“{current.title}” saved.")
            return redirect(_after_save(request, assessment, framework, current))
        form = _section_form(assessment, current, request.POST)
        form.is_valid()
    elif request.method == "POST":
        messages.error(request, "Some answers need attention; nothing you typed was lost.")
    index = framework.sections.index(current)
    result = answers.result_for(assessment)
    return render(
        request,
        "assessments/section.html",
        {
            "assessment": assessment,
            "framework": framework,
            "section": current,
            "form": form,
            "result": result,
            "section_result": result.sections[index],
            "previous": framework.sections[index - 1] if index else None,
            "next": framework.sections[index + 1] if index + 1 < len(framework.sections) else None,
            "evidence": evidence.by_question(assessment),
            "change_requests": _requests_by_question(assessment),
            "editable": assessment.is_editable
            and permissions.can(request.user, assessment.organization, Need.EDIT),
        },
    )


def _after_save(request, assessment, framework, current) -> str:
    if "next" in request.POST:
        index = framework.sections.index(current)
        if index + 1 < len(framework.sections):
            return reverse("section", args=[assessment.pk, framework.sections[index + 1].id])
        return reverse("submit", args=[assessment.pk])
    return reverse("section", args=[assessment.pk, current.id])


def _requests_by_question(assessment) -> dict:
    grouped: dict[str, list] = {}
    for comment in _open_change_requests(assessment):
        grouped.setdefault(comment.question_id, []).append(comment)
    return grouped


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def submit(request, assessment_id):
    need = Need.EDIT if request.method == "POST" else Need.VIEW
    assessment = permissions.assessment_for(request.user, assessment_id, need=need)
    if request.method == "POST":
        workflow.submit(assessment, actor=Actor.from_request(request))
        messages.success(request, "Submitted. Your signatory can now review and sign it.")
        return redirect("assessment", assessment.pk)
    return render(
        request,
        "assessments/submit.html",
        {
            "assessment": assessment,
            "result": answers.result_for(assessment),
            "can_edit": assessment.is_editable
            and permissions.can(request.user, assessment.organization, Need.EDIT),
        },
    )


@login_required
@require_GET
def evidence_file(request, evidence_id):
    item = permissions.evidence_for(request.user, evidence_id, need=Need.VIEW)
    if not item.file:
        raise Http404
    return FileResponse(
        item.file.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=item.original_name,
        content_type=item.content_type,
    )


@login_required
@require_POST
@refusals_as_messages
def evidence_remove(request, evidence_id):
    item = permissions.evidence_for(request.user, evidence_id, need=Need.EDIT)
    section_id = item.assessment.framework_version.framework.section_of(item.question_id).id
    evidence.remove(item, actor=Actor.from_request(request))
    messages.success(request, f"Removed {item}.")
    return redirect("section", item.assessment_id, section_id)
