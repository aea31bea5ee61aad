"""Demo data, made through the same domain functions people use, so every state is real."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts import step_up
from accounts.actors import Actor
from assessments import answers, evidence, products, workflow
from assessments.models import (
    ApprovalProposal,
    Assessment,
    Campaign,
    FrameworkVersion,
    Membership,
    Organization,
    Role,
    User,
)
from attestations.attestation import STATEMENT_VERSION
from platform_audits import campaigns
from platform_audits.violation_figures import import_figures
from questionnaires.frameworks.schema import Framework, QuestionType
from questionnaires.scoring import Response, visible_question_ids
from review import verdicts

# The expired demo attestation's whole validity: it lapses a minute after the demo is made.
EXPIRED_VALIDITY = timedelta(minutes=1)

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed for the demo, never used in production
DEMO_REVIEWER = "reviewer@portal.example"  # the first account the demo makes

ORGANIZATIONS = [
    # slug, legal name, website, what its assessments should end as, answer quality
    # A second "approved" is a re-assessment with answers carried over: it supersedes the first.
    (
        "brightpath",
        "Brightpath Learning Ltd",
        "https://brightpath.example",
        ["approved"] * 2,
        "strong",
    ),
    ("kidscribe", "Kidscribe Inc.", "https://kidscribe.example", ["awaiting_signature"], "strong"),
    ("teentalk", "TeenTalk Health CIC", "https://teentalk.example", ["submitted"], "mixed"),
    (
        "northwind",
        "Northwind Schools Co.",
        "https://northwind.example",
        ["changes_requested"],
        "mixed",
    ),
    ("quizzly", "Quizzly Games Oy", "https://quizzly.example", ["rejected", "draft"], "weak"),
    ("oldtown", "Oldtown Academy", "https://oldtown.example", ["expired"], "strong"),
    ("riverbend", "Riverbend Tutors LLC", "https://riverbend.example", ["revoked"], "strong"),
]


def _choose(question, quality: str, position: int):
    """Pick an answer of the wanted quality: strong takes the best option, weak the worst."""
    options = question.options
    if question.type == QuestionType.MULTI_CHOICE:
        return [o.value for o in options[: max(2, len(options) - 2)]]
    if not options:
        return {
            QuestionType.TEXT: "An AI homework helper for pupils aged 10 to 17, used at home and "
            "in class.",
            QuestionType.URL: "https://example.org/child-safety",
            QuestionType.DATE: "2026-09-01",
            QuestionType.NUMBER: 12000,
        }.get(question.type)
    # Scope answers are facts, not quality: every demo product serves minors directly.
    if not question.scored or quality == "strong" or (quality == "mixed" and position % 3):
        return options[0].value
    return options[-1].value


def answer_everything(assessment: Assessment, *, actor: Actor, quality: str = "strong") -> None:
    """Answer every question that will be shown, in order, like a diligent preparer."""
    framework: Framework = assessment.framework_version.framework
    given: dict[str, Response] = {}
    revisions = answers.responses_and_revisions(assessment)[1]
    items = []
    for position, question in enumerate(framework.questions.values()):
        if question.id not in visible_question_ids(framework, given):
            continue
        if question.type == QuestionType.EVIDENCE:
            if quality != "weak":
                document = ContentFile(
                    f"Evidence for {question.id}: internal document, reviewed "
                    f"{timezone.now():%B %Y}.\n".encode(),
                    name=f"{question.id.replace('.', '-')}.txt",
                )
                evidence.add_file(
                    assessment, question.id, evidence.check_upload(document), actor=actor
                )
                given[question.id] = Response(evidence_count=1)
            continue
        value = _choose(question, quality, position)
        given[question.id] = Response(value=value)
        items.append(
            answers.AnswerInput(
                question_id=question.id, value=value, base_revision=revisions.get(question.id, 0)
            )
        )
    answers.save_answers(assessment, items, actor=actor)


def _user(email: str, name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=name, **extra
        )
    return user


# The demo products are tutors and study helpers: no companion chatbot, and users talk only
# with the AI (the laws that ask who they cover leave, saying why).
WHO_LAWS_COVER = [
    answers.AnswerInput("companion.is_companion", "no"),
    answers.AnswerInput("osa.service", ["neither"]),
]


def _drive(assessment, target: str, people: dict, reviewer: User, quality: str) -> None:
    """Move one assessment to the target state through the real workflow."""
    preparer, signatory = Actor(people["preparer"]), Actor(people["signatory"])
    review = Actor(reviewer)
    answer_everything(assessment, actor=preparer, quality=quality)
    answers.save_answers(assessment, WHO_LAWS_COVER, actor=preparer)
    if target == "draft":
        return
    workflow.submit(assessment, actor=preparer)
    if target == "awaiting_signature":
        return
    workflow.sign(
        assessment,
        actor=signatory,
        statement_version=STATEMENT_VERSION,
        proof=step_up.prove(None, signatory.user, password=DEMO_PASSWORD),
    )
    if target == "submitted":
        return
    workflow.start_review(assessment, actor=review)
    if target in ("approved", "expired", "revoked"):
        verdicts.accept_the_rest(
            assessment, note="Checked against the evidence given.", actor=review
        )
        rationale = "Safeguards are in place and evidenced; age assurance is verified."
        if isinstance(
            workflow.approve(assessment, actor=review, rationale=rationale), ApprovalProposal
        ):
            second = _user("second.reviewer@portal.example", "Sam Second", is_reviewer=True)
            workflow.approve(assessment, actor=Actor(second), rationale=rationale)
        attestation = assessment.attestations.get()
        if target == "revoked":
            workflow.revoke(
                attestation,
                actor=review,
                reason="The product was found serving unfiltered image uploads to under-13s.",
            )
    elif target == "rejected":
        workflow.reject(
            assessment,
            actor=review,
            rationale="No age assurance, no output filtering and no AI disclosure: the product "
            "cannot be offered to minors as it stands.",
        )
    elif target == "changes_requested":
        workflow.request_changes(
            assessment,
            actor=review,
            message="Please attach your incident-response plan and say how reports are handled.",
            question_notes={
                "monitoring.incident_plan": "Attach the incident-response plan itself.",
                "reporting.response_time": "Say how fast reports of harm to a child are handled.",
            },
        )


def seed() -> list[tuple[str, str]]:
    """Create the demo world once; return (role, email) for every demo login."""
    version = FrameworkVersion.current("minor-safety")
    if version is None:
        raise RuntimeError("Load the framework first: python manage.py load_framework")
    reviewer = _user(DEMO_REVIEWER, "Riley Reviewer", is_reviewer=True)
    logins = [("Platform reviewer", reviewer.email)]
    admin = User.objects.filter(
        email="admin@portal.example"
    ).first() or User.objects.create_superuser(
        email="admin@portal.example", password=DEMO_PASSWORD, full_name="Ada Admin"
    )
    logins.append(("Platform admin (Django admin at /admin/)", admin.email))
    for slug, name, website, targets, quality in ORGANIZATIONS:
        people = {
            role: _user(f"{role}@{slug}.example", f"{role.title()} of {name.split()[0]}")
            for role in ("admin", "preparer", "signatory")
        }
        for role, user in people.items():
            logins.append((f"{Role(role).label} at {name}", user.email))
        if Organization.objects.filter(legal_name=name).exists():
            continue
        with transaction.atomic():
            organization = Organization.objects.create(
                legal_name=name,
                website=website,
                contact_email=people["admin"].email,
                contact_name=people["admin"].full_name,
                created_at=timezone.now() - timedelta(days=90),
            )
            for role, user in people.items():
                Membership.objects.create(organization=organization, user=user, role=role)
        previous = None
        for target in targets:
            assessment = workflow.start_assessment(
                organization=organization,
                framework_version=version,
                actor=Actor(people["preparer"]),
                carry_over_from=previous if previous and previous.status == "approved" else None,
            )
            previous = assessment
            if target == "expired":
                # Signed, approved and expired for real, on today's clock: the signed statement,
                # the audit trail and the report all say the same dates.
                with override_settings(ATTESTATION_VALID_DAYS=EXPIRED_VALIDITY / timedelta(days=1)):
                    _drive(assessment, target, people, reviewer, quality)
            else:
                _drive(assessment, target, people, reviewer, quality)
        if slug == "brightpath":
            _products(organization, people, version)
    if not Campaign.objects.exists():
        _platform_audits(reviewer, version)
    return logins


def _products(organization, people: dict, version) -> None:
    """Brightpath lists its attested tutor publicly (trust page, seal, directory) and has a
    second product, a teen chat app, whose own assessment has just begun."""
    admin = Actor(people["admin"])
    tutor = products.default_product(organization)
    products.set_public(tutor, True, actor=admin)
    chat = products.register_product(
        organization,
        name="Brightpath Teen Chat",
        description="A study-buddy chat for students aged 13 to 17.",
        addresses=["https://chat.brightpath.example"],
        platforms=["ios", "android"],
        actor=admin,
    )
    workflow.start_assessment(
        organization=organization,
        framework_version=version,
        actor=Actor(people["preparer"]),
        product=chat,
    )


# Confirmed violations per 10,000 requests, for the last six months: Quizzly and TeenTalk climb
# above the threshold, so the demo campaign asks them.
DEMO_RATES = {"quizzly": [3, 4, 6, 8, 9, 11], "teentalk": [2, 2, 3, 4, 6, 7]}


def _platform_audits(reviewer: User, version) -> None:
    """Six months of safety figures for every demo organization (one CSV import, as reviewers
    do it) and a campaign from them, so the queue, review pages and campaign page have data."""
    this_month = timezone.localdate().replace(day=1)
    months = []
    for _ in range(6):  # the six months before this one, oldest first
        this_month = (this_month - timedelta(days=1)).replace(day=1)
        months.insert(0, this_month)
    lines = ["organization_id,month,requests,flagged_requests,confirmed_violations"]
    for slug, name, *_ in ORGANIZATIONS:
        organization = Organization.objects.get(legal_name=name)
        rates = DEMO_RATES.get(slug, [1, 1, 2, 1, 1, 2])
        for month, rate in zip(months, rates, strict=True):
            lines.append(f"{organization.pk},{month:%Y-%m},200000,{rate * 60},{rate * 20}")
    import_figures("\n".join(lines).encode(), actor=Actor(reviewer), filename="demo-figures.csv")
    campaigns.launch(
        actor=Actor(reviewer),
        name="Violation rate above threshold",
        selection=campaigns.Selection(violation_rate_above=5),
        framework_version=version,
        reason=(
            "Your confirmed violations per 10,000 requests rose above the platform's threshold "
            "in recent months. Attest the safeguards for minors you run today."
        ),
        due_on=timezone.localdate() + timedelta(days=30),
    )
