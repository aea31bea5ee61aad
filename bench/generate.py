"""Fill a PostgreSQL database with realistic data: organizations, people, assessments in every
state with their answers, and signed attestations with real snapshots.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python bench/generate.py 10000
"""

import json
import random
import sys
import uuid
from datetime import date, timedelta

import django

django.setup()

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.actors import Actor
from assessments import status_counts
from assessments.models import (
    FINAL_STATUSES,
    Answer,
    Assessment,
    Attestation,
    AuditRequest,
    Membership,
    Organization,
    Product,
    RequestKind,
    Role,
    Status,
    User,
    ViolationFigure,
)
from attestations.canonical import canonical_json, sha256_hex
from questionnaires.frameworks.loader import bundled_files, publish
from questionnaires.scoring import Response, score

PASSWORD = "bench-password-2026"  # noqa: S105
STATES = [
    (Status.DRAFT, 30),
    (Status.AWAITING_SIGNATURE, 5),
    (Status.SUBMITTED, 15),
    (Status.IN_REVIEW, 10),
    (Status.CHANGES_REQUESTED, 10),
    (Status.APPROVED, 25),
    (Status.REJECTED, 5),
]
SIGNED = {Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED}
SIGNED |= {Status.REJECTED}
ANSWER_SETS = 64
# Answers for the first 20,000 assessments: the pages measured read one assessment's answers,
# and the queue and the admin list read none, so a million assessments need not carry ~90
# million answer rows to be measured honestly.
ANSWERED = 20_000
FIGURE_MONTHS = 12  # December 2025 to November 2026
REQUESTS = 200_000  # requests per organization and month


def answers_for(framework, rng) -> dict:
    values = {}
    for question in framework.questions.values():
        if question.options:
            if question.type == "multi_choice":
                values[question.id] = [o.value for o in rng.sample(question.options, 2)]
            else:
                weights = [6, 3, 2, 1, 1][: len(question.options)]
                values[question.id] = rng.choices(question.options, weights)[0].value
        elif question.type == "text":
            values[question.id] = "We run this safeguard on every conversation. " * 3
        elif question.type == "url":
            values[question.id] = "https://example.org/safety"
        elif question.type == "number":
            values[question.id] = rng.randint(100, 100_000)
        elif question.type == "date":
            values[question.id] = "2026-09-01"
    return values


def main(size: int, seed: int = 7):
    rng = random.Random(seed)
    version = [publish(path)[0] for path in bundled_files()][-1]  # the newest, as people use
    framework = version.framework
    # A pool of scored answer sets, drawn from per assessment: scoring each of a million
    # assessments would make generating the largest database take hours.
    pool = []
    for _ in range(ANSWER_SETS):
        values = answers_for(framework, rng)
        pool.append((values, score(framework, {k: Response(v) for k, v in values.items()})))
    if Assessment.objects.exists():
        print("The database already holds data; use an empty one.")
        return
    reviewer = User.objects.create_user(
        "reviewer@bench.example", PASSWORD, full_name="Bench Reviewer", is_reviewer=True
    )
    User.objects.create_superuser("admin@bench.example", PASSWORD, full_name="Bench Admin")
    # A year of safety figures per organization; its latest month's rate kept on it, as the
    # import keeps it. Drawn from their own generator, so the assessments stay the ones every
    # earlier run measured.
    figures_rng = random.Random(seed + 1)
    months = [date(2025 + (11 + m) // 12, (11 + m) % 12 + 1, 1) for m in range(FIGURE_MONTHS)]
    series = [
        [(REQUESTS, figures_rng.randint(0, 3000), figures_rng.randint(0, 150)) for _ in months]
        for _ in range(max(1, size // 10))
    ]
    organizations = Organization.objects.bulk_create(
        Organization(
            legal_name=f"Bench Org {i:06d} Ltd",
            website="https://bench.example",
            contact_email=f"contact{i}@bench.example",
            contact_name="Contact",
            violation_rate=round(10_000 * figures[-1][2] / REQUESTS, 2),
        )
        for i, figures in enumerate(series)
    )
    for start in range(0, len(organizations), 5000):
        ViolationFigure.objects.bulk_create(
            ViolationFigure(
                organization=organization,
                month=month,
                requests=requests,
                flagged_requests=flagged,
                confirmed_violations=confirmed,
            )
            for organization, figures in zip(
                organizations[start : start + 5000], series[start : start + 5000], strict=True
            )
            for month, (requests, flagged, confirmed) in zip(months, figures, strict=True)
        )
    # The platform asked one organization in ten; a fifth of those requests are overdue.
    AuditRequest.objects.bulk_create(
        (
            AuditRequest(
                organization=organization,
                kind=RequestKind.ATTESTATION,
                framework_version=version,
                reason="Above the violation threshold.",
                due_on=timezone.localdate()
                + timedelta(days=figures_rng.choice([-3, 10, 20, 30, 40])),
                created_by=reviewer,
            )
            for organization in organizations[::10]
        ),
        batch_size=5000,
    )
    products = Product.objects.bulk_create(
        Product(organization=o, name=o.legal_name) for o in organizations
    )
    unusable = make_password(None)
    preparers = User.objects.bulk_create(
        User(email=f"preparer{i}@bench.example", full_name=f"Preparer {i}", password=unusable)
        for i in range(len(organizations))
    )
    Membership.objects.bulk_create(
        Membership(organization=o, user=u, role=Role.PREPARER)
        for o, u in zip(organizations, preparers, strict=True)
    )
    statuses = [s for s, weight in STATES for _ in range(weight)]
    open_organizations = set()  # an organization has at most one open assessment
    numbers: dict[int, int] = {}  # attestations are numbered per organization

    def next_number(org_index: int) -> int:
        numbers[org_index] = numbers.get(org_index, 0) + 1
        return numbers[org_index]

    now = timezone.now()
    batch = 2000
    for start in range(0, size, batch):
        assessments, answers, attestations = [], [], []
        for i in range(start, min(size, start + batch)):
            org_index = i % len(organizations)
            status = rng.choice(statuses)
            if status not in FINAL_STATUSES:
                if org_index in open_organizations:
                    status = rng.choice(FINAL_STATUSES)
                else:
                    open_organizations.add(org_index)
            values, result = rng.choice(pool)
            assessment = Assessment(
                id=uuid.uuid4(),
                organization=organizations[org_index],
                product=products[org_index],
                framework_version=version,
                framework_slug=version.slug,
                status=status,
                created_by=preparers[org_index],
                status_changed_at=now - timedelta(days=rng.randint(0, 60)),
                assigned_reviewer=reviewer if rng.random() < 0.3 else None,
            )
            answers += (
                []
                if i >= ANSWERED
                else [
                    Answer(
                        assessment=assessment,
                        question_id=k,
                        value=v,
                        updated_by=assessment.created_by,
                    )
                    for k, v in values.items()
                ]
            )
            if status in SIGNED:
                signed_at = now - timedelta(days=rng.randint(1, 400))
                snapshot = {
                    "assessment_id": str(assessment.id),
                    "overall": {"score": result.score},
                    "gaps": [
                        {"question_id": g.question.id, "status": g.status.value, "remediation": ""}
                        for g in result.gaps
                    ],
                    "sections": [],
                }
                text = canonical_json(snapshot)
                assessment.attested_score = result.score
                assessment.attested_risk_tier = result.risk_tier
                assessment.attested_until = signed_at + timedelta(days=365)
                attestations.append(
                    Attestation(
                        assessment=assessment,
                        organization=assessment.organization,
                        framework_slug=version.slug,
                        number=next_number(org_index),
                        snapshot_json=text,
                        snapshot_sha256=sha256_hex(text),
                        statement_version="2026-11",
                        signed_by=preparers[org_index],
                        signed_at=signed_at,
                        expires_at=signed_at + timedelta(days=365),
                        report_state="ready",
                    )
                )
            assessments.append(assessment)
        Assessment.objects.bulk_create(assessments)
        Answer.objects.bulk_create(answers, batch_size=5000)
        Attestation.objects.bulk_create(attestations)
        print(f"  {min(size, start + batch)} / {size} assessments", flush=True)
    status_counts.recount()  # bulk-loaded rows bypass the lifecycle that keeps the counters
    # A settled production database has planner statistics and a visibility map (autovacuum);
    # a freshly bulk-loaded one has neither, which would make every plan a guess.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"assessments": size, "organizations": len(organizations)}))
    return Actor(reviewer)


if __name__ == "__main__":
    main(int(sys.argv[1]))
