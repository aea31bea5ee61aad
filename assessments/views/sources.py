"""The policy documents the questionnaire cites: public, so a report's reader can follow a
citation to the text, its hash and the questions that rest on it."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.models import PolicyDocumentVersion
from questionnaires.policy_changes import source_page


@require_GET
def source_list(request):
    documents = {}
    for document in PolicyDocumentVersion.objects.order_by("source_id", "-effective"):
        documents.setdefault(document.source_id, document)
    return render(request, "sources/list.html", {"documents": list(documents.values())})


@require_GET
def source_detail(request, source_id):
    page = source_page(source_id)
    if page is None:
        raise Http404
    return render(request, "sources/detail.html", {"page": page})
