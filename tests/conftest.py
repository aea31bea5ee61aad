"""Every test gets an organization with one person per role, an outsider and a reviewer.

Tiers (markers declared in pyproject.toml): `slow` and `browser` tests run once in CI; the
fast tier is `-m "not slow and not browser"`. `--long` runs the property tests and
Schemathesis with many more examples than the bounded default."""

import contextlib
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings
from pypdf import PdfWriter

from accounts import step_up
from accounts.actors import Actor
from assessments import answers, approval, workflow
from assessments.demo import answer_everything
from assessments.models import (
    ApprovalProposal,
    EvidenceVerdict,
    QuestionVerdict,
    Report,
    ReportState,
    Role,
    Verdict,
)
from attestations import reports
from attestations.attestation import STATEMENT_VERSION
from questionnaires.frameworks.loader import BUNDLED_DIR, bundled_files, publish
from review import verdicts
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, member

# Examples per property test: bounded in every run unless --long is given.
EXAMPLES = {"bounded": 40, "long": 1000}
for profile, examples in EXAMPLES.items():
    hypothesis_settings.register_profile(profile, max_examples=examples, deadline=None)


def pytest_addoption(parser):
    parser.addoption(
        "--long",
        action="store_true",
        help=f"property tests with {EXAMPLES['long']} examples each (else {EXAMPLES['bounded']}) "
        "and Schemathesis with more examples per operation",
    )


def pytest_configure(config):
    hypothesis_settings.load_profile("long" if config.getoption("--long") else "bounded")


def pytest_collection_modifyitems(config, items):
    """A test that renders real reports or serves the portal on a live server is slow."""
    for item in items:
        if item.get_closest_marker("real_report") or "live_server" in item.fixturenames:
            item.add_marker(pytest.mark.slow)


def stand_in_report_pdf(attestation) -> bytes:
    """A one-page PDF carrying the report's real attachments (the snapshot and the platform's
    credential): it is signed, checked by the offline verifier, stored and verified like any
    issued report. Only WeasyPrint's layout (5-7 s a report) is left out; tests that read the
    layout are marked `real_report` and get the real one."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for attached in reports.attachments(attestation, issued_at=timezone.now()):
        writer.add_attachment(attached.name, attached.text.encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def quick_reports(request, monkeypatch):
    if request.node.get_closest_marker("real_report") is None:
        monkeypatch.setattr(reports, "render_report_pdf", stand_in_report_pdf)


@pytest.fixture(scope="session", autouse=True)
def platform_signing_key():
    """The platform's report-signing key for this test run, certified by its root, with the
    signed key set published (as `create_signing_key` makes them)."""
    from attestations import key_set
    from attestations.signing_keys import all_keys, create_key

    key = all_keys()[-1] if all_keys() else create_key()
    if key_set.stale():
        key_set.publish()
    return key


def forger_key(tmp_path):
    """A key with the platform's names, certified by a root of the forger's own."""
    from django.test import override_settings

    from attestations.signing_keys import create_key

    with override_settings(SIGNING_ROOT_DIR=tmp_path / "forger-root"):
        return create_key(tmp_path / "forger")


def signer_of(key):
    """A pyHanko signer for a key made by create_key (its file: the certificate, then the root)."""
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificates = list(load_certs_from_pemder_data(key.certificate_path.read_bytes()))
    return signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=load_private_key_from_pemder_data(key.key_path.read_bytes(), passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(certificates[1:]),
    )


@pytest.fixture(autouse=True)
def no_checkpoints_left_behind():
    """Audit checkpoints are files, which a test's rollback does not undo: each test leaves
    none for the next (whose database never held the events they sign)."""
    yield
    from django.core.files.storage import default_storage

    from attestations.checkpoints import FOLDER

    if default_storage.exists(FOLDER):
        for name in default_storage.listdir(FOLDER)[1]:
            default_storage.delete(f"{FOLDER}/{name}")


@pytest.fixture(autouse=True)
def flush_past_the_audit_guard(request):
    """A transactional test ends with Django's flush: one TRUNCATE of every table, which the
    audit table refuses on PostgreSQL. Switch triggers off for that flush, as only a database
    superuser can; every test that uses the database starts with them on again."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction"))
    )
    if not (transactional or marker or "db" in names):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so flushed after this
    from django.db import connection

    audit_guard_on()
    yield
    if transactional and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")


def audit_guard_on():
    """The audit table's append-only triggers on, whatever the last transactional test left."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


@contextlib.contextmanager
def rows_kept_for_the_module(django_db_blocker):
    """Rows made once for all of a module's tests, as Django's ``setUpTestData`` makes them
    for a class: they are written in a transaction held open until the module's last test,
    each test runs in a savepoint of it (pytest-django's own), so what a test changes is undone
    before the next, and the whole is rolled back at the end. Unlike ``setUpTestData`` the
    Python objects are not copied for each test: tests may change rows, not the objects. For
    modules whose tests share one costly world (the access matrix's, for 880 requests)."""
    with django_db_blocker.unblock():
        audit_guard_on()
        with transaction.atomic():
            yield
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters start from zero in every test."""
    cache.clear()


@pytest.fixture
def framework_version(db):
    version, _ = publish(bundled_files()[0])
    return version


@pytest.fixture
def v2_draft(org, preparer):
    """A draft of questionnaire 2 whose scope (under-13 users in the US and the UK) calls for
    COPPA and the UK code, with one core answer shown beside a COPPA question (a subset:
    it never answers it)."""
    version = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(preparer)
    )
    answers.save_answers(
        draft,
        [
            answers.AnswerInput("scope.access", "direct"),
            answers.AnswerInput("scope.age_bands", ["under_13"]),
            answers.AnswerInput("scope.jurisdictions", ["us", "uk"]),
            answers.AnswerInput("age.parent_deletion", "yes"),
        ],
        actor=Actor(preparer),
    )
    return draft


@pytest.fixture
def org(db):
    return OrganizationFactory(legal_name="Brightpath Learning Ltd")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(legal_name="Elsewhere Tutors Inc.")


@pytest.fixture
def admin(org):
    return member(org, Role.ADMIN, full_name="Avery Admin")


@pytest.fixture
def preparer(org):
    return member(org, Role.PREPARER, full_name="Pat Preparer")


@pytest.fixture
def signatory(org):
    return with_authenticator(member(org, Role.SIGNATORY, full_name="Sam Signatory"))


def with_authenticator(user):
    TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    return user


def authenticator_code(user) -> str:
    """The code the person's app shows now. A code is accepted once per 30-second step; a
    test that needs two in a row lets the device forget the last one, as time would."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t = -1
    device.throttling_failure_count = 0
    device.save()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def stepped_up(user):
    """The proof the sign form makes once the person has typed their password and a code."""
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    code = authenticator_code(user) if has_device else ""
    return step_up.prove(None, user, password=PASSWORD, code=code)


class PortalClient(Client):
    """The test client; force_login also passes the second factor when the person has one,
    as they would after typing their code."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return PortalClient()


@pytest.fixture
def admin_client(db):
    """A platform admin (Django admin), past both factors."""
    client = PortalClient()
    client.force_login(with_authenticator(UserFactory(is_staff=True, is_superuser=True)))
    return client


@pytest.fixture
def outsider(other_org):
    """An administrator, but of another organization."""
    return member(other_org, Role.ADMIN, full_name="Oscar Outsider")


@pytest.fixture
def reviewer(db):
    return with_authenticator(UserFactory(is_reviewer=True, full_name="Riley Reviewer"))


@pytest.fixture
def draft(org, preparer, framework_version):
    return workflow.start_assessment(
        organization=org, framework_version=framework_version, actor=Actor(preparer)
    )


@pytest.fixture
def complete_draft(draft, preparer):
    answer_everything(draft, actor=Actor(preparer), quality="mixed")
    return draft


@pytest.fixture
def awaiting_signature(complete_draft, preparer):
    workflow.submit(complete_draft, actor=Actor(preparer))
    return complete_draft


@pytest.fixture
def signed(awaiting_signature, signatory):
    return signed_with_stand_in_report(awaiting_signature, signatory)


def sign_now(assessment, signatory):
    """Signed by the signatory, who has just given their password and code, on the statement
    in force."""
    return workflow.sign(
        assessment,
        actor=Actor(signatory),
        statement_version=STATEMENT_VERSION,
        proof=stepped_up(signatory),
    )


def signed_with_stand_in_report(assessment, signatory):
    """Signed, with a stand-in report file: for tests that need a report to exist, not its
    content (a real render takes about a second)."""
    attestation = sign_now(assessment, signatory)
    report = Report(attestation=attestation, sha256="0" * 64, size=9)
    report.file.save("stand-in.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    report.save()
    attestation.report_state = ReportState.READY
    attestation.save(update_fields=["report_state"])
    return attestation


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the code scheduled for after commit (emails, renders)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def attestation(awaiting_signature, signatory, committed):
    """A signed attestation whose report was rendered (tasks run inline in tests)."""
    with committed():
        return sign_now(awaiting_signature, signatory)


def ready_for_approval(attestation, reviewer=None):
    """Set up, as stored rows, what an approval needs: a verdict ("accepted") on everything
    no reviewer judged, and, when the lifecycle asks for a second reviewer, a first reviewer's
    proposal. Its way there (the pages, the trail) is tested in test_approval_gate."""
    assessment = attestation.assessment
    reviewer = reviewer or with_authenticator(UserFactory(is_reviewer=True, full_name="Fay First"))
    checked = approval.check(assessment)
    for r in checked.rest_answers:
        QuestionVerdict.objects.create(
            attestation=attestation,
            question_id=r.question.id,
            verdict=verdicts.ACCEPTING.get(r.claimed, Verdict.ACCEPTED),
            note="Checked.",
            reviewer=reviewer,
        )
    for item in checked.rest_evidence:
        EvidenceVerdict.objects.create(evidence=item, accepted=True, reviewer=reviewer)
    if approval.check(assessment).needs_second_reviewer:
        ApprovalProposal.objects.create(
            attestation=attestation, reviewer=reviewer, rationale="Checked; a second look, please."
        )


def approve_after_review(assessment, reviewer, rationale="Safeguards are evidenced."):
    """What a reviewer does before approving: accept every answer and item of evidence left
    unjudged, then approve; where the lifecycle asks for a second reviewer (high risk, or
    rejected evidence), a second one approves too."""
    verdicts.accept_the_rest(
        assessment, note="Checked against the evidence.", actor=Actor(reviewer)
    )
    outcome = workflow.approve(assessment, actor=Actor(reviewer), rationale=rationale)
    if isinstance(outcome, ApprovalProposal):
        second = with_authenticator(UserFactory(is_reviewer=True, full_name="Sam Second"))
        outcome = workflow.approve(assessment, actor=Actor(second), rationale=rationale)
    return outcome


@pytest.fixture
def approved(attestation, reviewer, committed):
    """An attestation the platform approved (its report issued again with the decision)."""
    with committed():
        approve_after_review(attestation.assessment, reviewer)
    attestation.refresh_from_db()
    return attestation
