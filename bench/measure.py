"""Time each page on one database and print the figures as JSON (run by bench/run.py)."""

import json
import os
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessments import workflow  # noqa: E402
from assessments.actors import Actor  # noqa: E402
from assessments.attestation import STATEMENT_VERSION  # noqa: E402
from assessments.demo import answer_everything  # noqa: E402
from assessments.models import Assessment, Status, User  # noqa: E402
from assessments.pdf_signing import sign_pdf  # noqa: E402
from assessments.reports import STATIC_ROOTS, render_report_pdf, report_context  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def timed(call, repeat=REPEAT):
    call()  # warm up caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2)}


def page(client, method, url, data=None):
    def call():
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 200, (url, response.status_code)

    figures = timed(call)
    with CaptureQueriesContext(connection) as queries:
        call()
    return figures | {"queries": len(queries)}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@override_settings(
    ROOT_URLCONF="bench.urls",
    DEBUG=False,
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
)
def main():
    reviewer = User.objects.get(email="reviewer@bench.example")
    admin = User.objects.get(email="admin@bench.example")
    draft = Assessment.objects.filter(status=Status.DRAFT).first()
    preparer = draft.created_by
    submitted = Assessment.objects.filter(status=Status.SUBMITTED).first()
    # One real attestation, made the way people make them, for the PDF figures.
    signed = Assessment.objects.filter(status=Status.DRAFT).last()
    answer_everything(signed, actor=Actor(signed.created_by), quality="mixed")
    workflow.submit(signed, actor=Actor(signed.created_by))
    attestation = workflow.sign(
        signed, actor=Actor(signed.created_by), statement_version=STATEMENT_VERSION
    )
    prep, rev, adm = client_for(preparer), client_for(reviewer), client_for(admin)
    results = {
        "floor": page(prep, "get", "/bench/floor/"),
        "section page": page(prep, "get", f"/a/{draft.pk}/section/moderation/"),
        "autosave": page(
            prep, "post", f"/a/{draft.pk}/autosave/scope.product/", {"q_scope__product": "x"}
        ),
        "dashboard, filtered": page(
            rev, "get", "/review/", {"status": "submitted", "risk": "high", "sort": "risk"}
        ),
        "dashboard, page 20": page(rev, "get", "/review/", {"page": "20"}),
        "admin changelist": page(
            adm, "get", "/admin/assessments/assessment/", {"status__exact": "submitted"}
        ),
        "review page": page(rev, "get", f"/review/{submitted.pk}/"),
    }
    import weasyprint

    html = render_to_string("reports/attestation.html", report_context(attestation))
    base = STATIC_ROOTS[0].as_uri() + "/"
    pdf_repeat = max(3, REPEAT // 5)
    results["report PDF (portal)"] = timed(lambda: render_report_pdf(attestation), pdf_repeat)
    rendered = render_report_pdf(attestation)
    results["report PDF signing"] = timed(lambda: sign_pdf(rendered), pdf_repeat)
    results["report PDF (raw WeasyPrint)"] = timed(
        lambda: weasyprint.HTML(string=html, base_url=base).write_pdf(), pdf_repeat
    )
    with open(sys.argv[1], "w") as out:
        json.dump(results, out)


main()
