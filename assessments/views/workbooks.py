"""The questionnaire as a workbook: download it, fill it in offline, import it back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers, workbooks
from assessments.answers import response_of
from assessments.forms.questionnaire import WorkbookImportForm
from assessments.views.helpers import posted, refusals_as_messages
from questionnaires.answer_display import display_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def workbook_download(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
    response = HttpResponse(workbooks.export(assessment), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbooks.filename(assessment)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def workbook_import(request, assessment_id):
    need = Need.EDIT if request.method == "POST" else Need.VIEW
    assessment = permissions.assessment_for(request.user, assessment_id, need=need)
    editable = assessment.is_editable and permissions.can(
        request.user, assessment.organization, Need.EDIT
    )
    if request.method == "POST":
        answers.ensure_editable(assessment)  # before reading any file
    form = WorkbookImportForm(**posted(request))
    context = {"assessment": assessment, "form": form, "editable": editable}
    if request.method == "POST" and form.is_valid():
        try:
            checked = workbooks.check(assessment, form.cleaned_data["workbook"])
        except workbooks.WorkbookRejected as exc:
            form.add_error("workbook", str(exc))
            return render(request, "assessments/workbook_import.html", context, status=422)
        context["checked"] = checked
        if checked.problems and not form.cleaned_data["apply_valid_rows"]:
            messages.error(request, "Nothing was saved: some rows need attention (listed below).")
            return render(request, "assessments/workbook_import.html", context, status=422)
        saved = workbooks.apply(assessment, checked, actor=Actor.from_request(request))
        questions = checked.questions
        context["saved"] = saved
        context["conflicts"] = [
            (questions[qid], theirs, display_value(questions[qid], response_of(theirs)))
            for qid, theirs in saved.conflicts.items()
        ]
        count = len(saved.saved)
        messages.success(request, f"Imported: {count} answer{pluralize(count)} saved.")
    elif request.method == "POST":
        return render(request, "assessments/workbook_import.html", context, status=422)
    return render(request, "assessments/workbook_import.html", context)
