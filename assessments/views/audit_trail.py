"""An assessment's whole audit trail, paged, each event's details in words."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Need
from assessments.models import AuditEvent, Status
from questionnaires import regimes
from questionnaires.answer_display import display_value
from questionnaires.scoring import Response

PAGE_SIZE = 50


@login_required
@require_GET
def assessment_audit_trail(request, assessment_id):
    """Every recorded action on one assessment, newest first: the review page shows only the
    latest few (fifty rows there were a third of its rendering time)."""
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    framework = assessment.framework_version.framework
    events = AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/audit_trail.html",
        {
            "assessment": assessment,
            "page": page,
            "rows": [(event, shown_details(event.details, framework)) for event in page],
        },
    )


def shown_details(details: dict, framework) -> list[tuple[str, str]]:
    """An event's details in words: a question by its text, an answer as its label, a flag
    that is on by its name alone, nothing for what is empty or off (long values cut: the
    export has them whole)."""
    question = regimes.question_of(framework, str(details.get("question_id", "")))
    shown = []
    for key, value in details.items():
        if value in (None, "", False, [], {}):
            continue
        label = key.replace("_", " ")
        if key == "question_id" and question is not None:
            label, value = "question", f"“{question.text}”"
        elif key == "value" and question is not None:
            label, value = "answer", display_value(question, Response(value=value))
        elif key in ("from", "to") and value in Status.values:
            value = Status(value).label  # "Awaiting signature", not awaiting_signature
        elif value is True:
            label, value = label, "yes"
        text = str(value)
        shown.append((label, text if len(text) <= 160 else text[:159] + "…"))
    # The question and its answer first, the rest by name (PostgreSQL keeps no key order).
    first = {"question": 0, "answer": 1}
    return sorted(shown, key=lambda pair: (first.get(pair[0], 2), pair[0]))
