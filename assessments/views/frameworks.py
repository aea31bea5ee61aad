"""The questionnaire's versions and what changed between two of them, question by question."""

from itertools import pairwise

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assessments.carryover import question_changes
from assessments.models import FrameworkVersion


@login_required
@require_GET
def framework_list(request):
    versions = list(FrameworkVersion.objects.order_by("slug", "published_on", "loaded_at"))
    pairs = [(older, newer) for older, newer in pairwise(versions) if older.slug == newer.slug]
    return render(request, "frameworks/list.html", {"versions": versions, "pairs": pairs})


@login_required
@require_GET
def framework_diff(request, slug, old, new):
    """What changed between two versions of a questionnaire, question by question."""
    older = get_object_or_404(FrameworkVersion, slug=slug, version=old)
    newer = get_object_or_404(FrameworkVersion, slug=slug, version=new)
    if older.pk == newer.pk:
        raise Http404
    changes = question_changes(older.framework, newer.framework)
    before, after = older.framework.questions, newer.framework.questions
    return render(
        request,
        "frameworks/diff.html",
        {
            "older": older,
            "newer": newer,
            "new": [after[q] for q in changes["new"]],
            "changed": [(before[q], after[q]) for q in changes["changed"]],
            "policy_changed": [after[q] for q in changes["policy_changed"]],
            "removed": [before[q] for q in changes["removed"]],
            "unchanged_count": len(changes["unchanged"]),
        },
    )
