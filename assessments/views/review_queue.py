"""The platform's review queue, its exports and its metrics: what reviewers see across
assessments."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Need
from assessments.forms.review import QueueFilterForm
from assessments.models import FrameworkVersion
from platform_audits import platform_requests, violation_figures
from review import exports, metrics, queue

PAGE_SIZE = 25


def _filtered_queue(request):
    form = QueueFilterForm(
        request.GET or None,
        statuses=queue.QUEUE_STATUSES,
        frameworks=FrameworkVersion.objects.all(),
        reviewers=queue.reviewers(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    return form, queue.review_queue(filters, user=request.user)


@login_required
@require_GET
def dashboard(request):
    permissions.require_reviewer(request.user)
    form, rows = _filtered_queue(request)
    page = queue.CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [
            (
                a,
                queue.is_overdue(a),
                queue.validity(a),
                violation_figures.is_high(a.organization.violation_rate),
            )
            for a in page.object_list
        ],
        "requests_overdue": platform_requests.overdue().count(),
        "counts": queue.status_counts(),
        "matching": queue.up_to(page.paginator.count, queue.COUNT_CAP),
        "overdue": queue.up_to(queue.overdue_count(), queue.OVERDUE_CAP),
        "query": query.urlencode(),
    }
    template = "review/dashboard.html#queue" if request.htmx else "review/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def export_queue(request):
    permissions.require_reviewer(request.user)
    _, rows = _filtered_queue(request)
    response = StreamingHttpResponse(
        exports.queue_csv_rows(rows.iterator(chunk_size=1000)), content_type="text/csv"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="review-queue-{stamp}.csv"'
    return response


@login_required
@require_GET
def export_assessment(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    response = HttpResponse(exports.assessment_json(assessment), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}.json"'
    return response


@login_required
@require_GET
def metrics_page(request):
    permissions.require_reviewer(request.user)
    counts = queue.status_counts()
    total = sum(n for _, n in counts)
    gaps, base = metrics.most_common_gaps()
    return render(
        request,
        "review/metrics.html",
        {
            "counts": [(s, n, metrics.share(n, total)) for s, n in counts],
            "total": total,
            "median_wait": metrics.in_words(metrics.median_days_to_decision()),
            "gaps": [(g, metrics.share(g.attestations, base)) for g in gaps],
            "base": base,
            "expiring": metrics.expiring_counts(),
        },
    )
