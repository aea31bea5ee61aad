"""Time each page on one database and write the figures as JSON (run by bench/run.py).

measure.py OUT.json pages     a web process: the pages, the verification page, its memory
measure.py OUT.json reports   a worker: rendering and signing reports, its memory
"""

import hashlib
import io
import json
import os
import resource
import statistics
import sys
import time
import uuid

import django

django.setup()

from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from accounts import step_up
from accounts.actors import Actor
from assessments import workflow
from assessments.demo import answer_everything
from assessments.models import (
    Answer,
    Assessment,
    FrameworkVersion,
    Membership,
    Organization,
    Role,
    User,
)
from attestations.attestation import STATEMENT_VERSION
from attestations.pdf_signing import sign_pdf
from attestations.reports import (
    STATIC_ROOTS,
    issue_report_pdf,
    render_report_pdf,
    report_context,
)

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def timed(call, repeat=REPEAT, beside=None):
    """Median and p95 of a call's wall time in ms. With ``beside`` (the floor view), the two
    are timed in turn and the floor's median comes too: a ratio of figures taken at the same
    moments does not drift with the machine's speed (on a shared machine, the floor measured
    on its own before the pages swung the section page's ratio from 4.3x to 5.1x)."""
    call()  # warm up caches and connections
    samples, floor = [], []
    for _ in range(repeat):
        if beside is not None:
            floor.append(_ms(beside))
        samples.append(_ms(call))
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    figures = {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2)}
    if floor:
        figures["floor_ms"] = round(statistics.median(floor), 2)
    return figures


def _ms(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def page(client, method, url, data=None):
    return measured(client, _request(client, method, url, data))


def _request(client, method, url, data=None):
    def call():
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 200, (url, response.status_code)

    return call


def measured(client, call) -> dict:
    """A page's figures, timed beside the floor view as the same person, and its queries."""
    figures = timed(call, beside=_request(client, "get", FLOOR))
    with CaptureQueriesContext(connection) as queries:
        call()
    return figures | {"queries": len(queries)}


FLOOR = "/bench/floor/"


def autosave(client, draft) -> dict:
    """Real saves, as a person typing makes them: each a changed answer on the revision the
    last save returned (without it every post would be refused as a conflict)."""
    url = f"/a/{draft.pk}/autosave/scope.product/"
    stored = Answer.objects.filter(assessment=draft, question_id="scope.product").first()
    state = {"saves": 0, "revision": stored.revision if stored else 0}

    def call():
        state["saves"] += 1
        response = client.post(
            url,
            {
                "q_scope__product": f"A tutoring app for pupils, draft {state['saves']}",
                "rev_scope__product": state["revision"],
            },
        )
        assert response.status_code == 200 and b"Saved" in response.content, response.content
        state["revision"] += 1

    return measured(client, call)


def cpu_seconds(call, repeat=5) -> float:
    """Median CPU time of a call: what a hostile upload costs the server, whatever else runs."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        call()
        samples.append(time.process_time() - start)
    return round(statistics.median(samples), 4)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def fresh_draft() -> Assessment:
    """A new organization's draft, answered in full: the benchmark never depends on which
    drafts the generator happened to make (a tiny database may have none)."""
    tag = uuid.uuid4().hex[:8]
    preparer = User.objects.create_user(f"{tag}@bench.example", None, full_name="Bench Preparer")
    organization = Organization.objects.create(
        legal_name=f"Bench Fresh {tag} Ltd",
        website="https://bench.example",
        contact_email=preparer.email,
        contact_name=preparer.full_name,
    )
    Membership.objects.create(organization=organization, user=preparer, role=Role.PREPARER)
    draft = workflow.start_assessment(
        organization=organization,
        framework_version=FrameworkVersion.current("minor-safety"),
        actor=Actor(preparer),
    )
    answer_everything(draft, actor=Actor(preparer), quality="mixed")
    return draft


def add_signatory(organization) -> tuple[User, str]:
    """An officer of the organization who may sign, with the password they sign with."""
    password = uuid.uuid4().hex
    signatory = User.objects.create_user(
        f"signatory-{uuid.uuid4().hex[:8]}@bench.example", password, full_name="Bench Signatory"
    )
    Membership.objects.create(organization=organization, user=signatory, role=Role.SIGNATORY)
    return signatory, password


def signed_attestation():
    """One real attestation, made the way people make them: a signatory signs it with their
    password."""
    signed = fresh_draft()
    workflow.submit(signed, actor=Actor(signed.created_by))
    signatory, password = add_signatory(signed.organization)
    return workflow.sign(
        signed,
        actor=Actor(signatory),
        statement_version=STATEMENT_VERSION,
        proof=step_up.prove(None, signatory, password=password),
    )


@override_settings(
    ROOT_URLCONF="bench.urls",
    DEBUG=False,
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
)
def pages():
    reviewer = User.objects.get(email="reviewer@bench.example")
    admin = User.objects.get(email="admin@bench.example")
    # Assessments this run makes, answered in full with evidence: every size and every rerun
    # measures the same shape (the newest generated ones may carry no answers, and after one
    # run the newest submitted one was the previous run's).
    signed = signed_attestation()
    draft = fresh_draft()
    preparer = draft.created_by
    submitted = signed.assessment
    prep, rev, adm = client_for(preparer), client_for(reviewer), client_for(admin)
    results = {
        "floor": page(prep, "get", FLOOR),
        "section page": page(prep, "get", f"/a/{draft.pk}/section/moderation/"),
        "autosave": autosave(prep, draft),
        "dashboard, filtered": page(
            rev, "get", "/review/", {"status": "submitted", "risk": "high", "sort": "risk"}
        ),
        "dashboard, page 20": page(rev, "get", "/review/", {"page": "20"}),
        "admin changelist": page(
            adm, "get", "/admin/assessments/assessment/", {"status__exact": "submitted"}
        ),
        "review page": page(rev, "get", f"/review/{submitted.pk}/"),  # opens on one section
        "review page, all sections": page(
            rev, "get", f"/review/{submitted.pk}/", {"section": "all"}
        ),
    }
    results |= verification(signed)
    results["memory (web)"] = {"web peak RSS MB": peak_rss_mb()}
    return results


def verification(attestation) -> dict:
    """CPU seconds of the verification page given a genuine report and the worst hostile
    files, beside what the genuine check needs at least: hashing the file and checking its
    signature with pyHanko's validator."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from attestations import platform_root
    from bench.hostile_pdfs import attachment_bomb, page_bomb

    report = attestation.reports.first()
    genuine = report.file.open("rb").read()
    roots = [load_cert_from_pemder(str(platform_root.root_dir() / platform_root.CERT_FILE))]

    def hash_and_signature():
        hashlib.sha256(genuine).hexdigest()
        (signature, *_) = PdfFileReader(io.BytesIO(genuine)).embedded_signatures
        validate_pdf_signature(signature, ValidationContext(trust_roots=roots))

    visitor = Client()

    def upload(data):
        def call():
            file = io.BytesIO(data)
            file.name = "report.pdf"
            response = visitor.post("/verify/", {"report": file})
            # 200: what the file is; 422: a PDF that cannot be checked (the attachment bomb).
            assert response.status_code in (200, 422), response.status_code

        return call

    from minor_safety_verifier import verify_report
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from attestations import key_set

    keys = key_set.trusted()
    writer = IncrementalPdfFileWriter(io.BytesIO(genuine))
    writer.root["/Lang"] = writer.root.get("/Lang")  # any change, as a new revision
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)

    upload(genuine)()  # warm up
    return {
        "offline verifier: genuine report, CPU s": cpu_seconds(
            lambda: verify_report(genuine, keys), repeat=3
        ),
        "offline verifier: appended update, CPU s": cpu_seconds(
            lambda: verify_report(appended.getvalue(), keys), repeat=3
        ),
        "verify: genuine report, CPU s": cpu_seconds(upload(genuine)),
        "verify: hash + signature check, CPU s": cpu_seconds(hash_and_signature),
        "verify: 10,000-page bomb, CPU s": cpu_seconds(upload(page_bomb()), repeat=3),
        "verify: attachment bomb, CPU s": cpu_seconds(upload(attachment_bomb()), repeat=3),
    }


def reports():
    import weasyprint

    attestation = signed_attestation()
    html = render_to_string("reports/attestation.html", report_context(attestation))
    base = STATIC_ROOTS[0].as_uri() + "/"
    repeat = max(1, REPEAT // 5)  # a report takes seconds: the CI's smoke run renders one
    results = {"report PDF (portal)": timed(lambda: issue_report_pdf(attestation), repeat)}
    rendered = render_report_pdf(attestation)
    results["report PDF signing"] = timed(lambda: sign_pdf(rendered), repeat)
    results["report PDF (raw WeasyPrint)"] = timed(
        lambda: weasyprint.HTML(string=html, base_url=base).write_pdf(), repeat
    )
    results["memory (worker)"] = {"worker peak RSS MB": peak_rss_mb()}
    return results


if __name__ == "__main__":
    results = {"pages": pages, "reports": reports}[sys.argv[2]]()
    with open(sys.argv[1], "w") as out:
        json.dump(results, out)
