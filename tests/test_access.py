"""Who may reach what: every URL x every role x own / other organization.

The matrix is checked against the URL configuration, so a new URL without an entry here
fails the suite until someone decides who may use it.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.actors import SYSTEM, Actor
from accounts.organizations import invitation_token
from accounts.permissions import Need
from assessments import workflow
from assessments.demo import answer_everything
from assessments.lifecycle import LIFECYCLE, Transition
from assessments.models import (
    Campaign,
    Invitation,
    ProbeEndpoint,
    ProbeRun,
    Product,
    RequestKind,
    Role,
    TokenRole,
    WebhookEndpoint,
)
from integrations.api_tokens import create_token
from platform_audits import platform_requests
from platform_audits.campaigns import Selection
from questionnaires.frameworks.loader import bundled_files, publish
from questionnaires.policy_changes import load_bundled
from tests.conftest import (
    rows_kept_for_the_module,
    signed_with_stand_in_report,
    stepped_up,
    with_authenticator,
)
from tests.factories import OrganizationFactory, UserFactory, member
from tests.test_frameworks import next_version

MEMBERS = {"preparer", "signatory", "admin"}
EDITORS = {"preparer", "admin"}
READERS = MEMBERS | {"reviewer"}
EVERYONE = READERS | {"anonymous", "outsider", "platform_admin"}


PAGES = {"anonymous": 200}  # the platform admin is sent to Django's admin
SIGNED_IN_GO_ON = {"*": 302}
SIGNED_IN_GO_HOME = {"*": 302, "anonymous": 200}
# What an empty post gets: its form again, saying what is missing, as 422 on every page.
REFUSED = {"anonymous": 422}


@dataclass(frozen=True)
class Rule:
    method: str
    args: str  # which object the URL names: "", "org", "assessment", "attestation", "evidence"
    allowed: set[str]
    public: bool = False
    # What an allowed person gets: a page (200); for POST a redirect, or 422 for a form refused.
    ok: int | dict[str, int] | None = None

    def expected(self, role: str) -> int:
        ok = self.ok.get(role, self.ok["*"]) if isinstance(self.ok, dict) else self.ok
        return ok or (200 if self.method == "GET" else 302)


RULES = {
    # Home sends members to their organization and reviewers to the queue.
    ("home", "GET"): Rule("GET", "", EVERYONE, public=True, ok=SIGNED_IN_GO_ON | PAGES),
    ("signup", "GET"): Rule("GET", "", EVERYONE, public=True, ok=SIGNED_IN_GO_HOME),
    ("signup", "POST"): Rule("POST", "", EVERYONE, public=True, ok=SIGNED_IN_GO_HOME | REFUSED),
    ("signup_confirm", "GET"): Rule("GET", "registration", EVERYONE, public=True),
    ("signup_confirm", "POST"): Rule("POST", "registration", EVERYONE, public=True, ok=422),
    # The emailed link is for its address's owner: anyone logged in as someone else is refused.
    ("invitation", "GET"): Rule("GET", "invitation", {"anonymous"}, public=True),
    ("invitation", "POST"): Rule("POST", "invitation", {"anonymous"}, public=True, ok=422),
    ("frameworks", "GET"): Rule("GET", "", EVERYONE - {"anonymous"}),
    ("framework_diff", "GET"): Rule("GET", "versions", EVERYONE - {"anonymous"}),
    ("verify", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("verify", "POST"): Rule("POST", "", EVERYONE, public=True, ok=422),
    ("verify_hash", "GET"): Rule("GET", "digest", EVERYONE, public=True),
    ("jwks", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("key_set", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("healthz", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("trust_directory", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("credential_context", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("signing_certificates", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("audit_checkpoints", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("status_list", "GET"): Rule("GET", "statuslist", EVERYONE, public=True),
    ("policy_sources", "GET"): Rule("GET", "", EVERYONE, public=True),
    ("policy_source", "GET"): Rule("GET", "source", EVERYONE, public=True),
    ("account", "GET"): Rule("GET", "", EVERYONE - {"anonymous"}),
    ("two_factor_setup", "GET"): Rule("GET", "", EVERYONE - {"anonymous"}),
    ("two_factor_setup", "POST"): Rule("POST", "", EVERYONE - {"anonymous"}, ok=422),
    ("two_factor_verify", "GET"): Rule("GET", "", EVERYONE - {"anonymous"}),
    ("two_factor_verify", "POST"): Rule("POST", "", EVERYONE - {"anonymous"}, ok=422),
    ("organization", "GET"): Rule("GET", "org", READERS),
    ("members", "GET"): Rule("GET", "org", {"admin"}),
    ("members", "POST"): Rule("POST", "org", {"admin"}, ok=422),
    ("member_role", "POST"): Rule("POST", "membership", {"admin"}),
    ("member_remove", "POST"): Rule("POST", "membership", {"admin"}),
    ("invitation_cancel", "POST"): Rule("POST", "org_invitation", {"admin"}),
    ("start_assessment", "POST"): Rule("POST", "org", EDITORS),
    ("product_register", "POST"): Rule("POST", "org", {"admin"}, ok=422),
    ("product_public", "POST"): Rule("POST", "product", {"admin"}),
    ("trust_page", "GET"): Rule("GET", "public_product", EVERYONE, public=True),
    ("trust_seal", "GET"): Rule("GET", "public_product", EVERYONE, public=True),
    ("assessment", "GET"): Rule("GET", "assessment", READERS),
    ("section", "GET"): Rule("GET", "section", READERS),
    ("section", "POST"): Rule("POST", "section", EDITORS),
    # an empty post names no revision to build on: the stored answer is kept (409)
    ("autosave", "POST"): Rule("POST", "question", EDITORS, ok=409),
    ("submit", "GET"): Rule("GET", "assessment", READERS),
    ("workbook_download", "GET"): Rule("GET", "assessment", READERS),
    ("workbook_import", "GET"): Rule("GET", "assessment", READERS),
    ("workbook_import", "POST"): Rule("POST", "assessment", EDITORS),
    ("sign", "GET"): Rule("GET", "assessment", {"signatory"}),
    ("evidence_file", "GET"): Rule("GET", "evidence", READERS),
    ("evidence_remove", "POST"): Rule("POST", "evidence", EDITORS),
    ("attestation", "GET"): Rule("GET", "attestation", READERS),
    ("report_download", "GET"): Rule("GET", "attestation", READERS),
    # The world's attestation awaits review: no credential is issued for it (409, said why).
    ("credential_download", "GET"): Rule("GET", "attestation", READERS, ok=409),
    ("revoke_attestation", "POST"): Rule("POST", "attestation", {"reviewer"}),
    ("question_verdict", "POST"): Rule("POST", "question", {"reviewer"}),
    ("evidence_verdict", "POST"): Rule("POST", "evidence", {"reviewer"}),
    ("dashboard", "GET"): Rule("GET", "", {"reviewer"}),
    ("export_queue", "GET"): Rule("GET", "", {"reviewer"}),
    ("metrics", "GET"): Rule("GET", "", {"reviewer"}),
    ("export_assessment", "GET"): Rule("GET", "assessment", {"reviewer"}),
    ("assign", "POST"): Rule("POST", "assessment", {"reviewer"}),
    ("accept_rest", "POST"): Rule("POST", "assessment", {"reviewer"}),
    ("add_comment", "POST"): Rule("POST", "assessment", READERS),
    ("review_assessment", "GET"): Rule("GET", "assessment", {"reviewer"}),
    ("regime_questions", "GET"): Rule("GET", "regime", READERS),
    ("regime_questions", "POST"): Rule("POST", "regime", EDITORS),
    ("regime_choice", "POST"): Rule("POST", "regime", EDITORS),
    ("regime_oscal_catalog", "GET"): Rule("GET", "slug", EVERYONE - {"anonymous"}),
    ("oscal_catalog", "GET"): Rule("GET", "version", EVERYONE - {"anonymous"}),
    ("oscal_assessment_results", "GET"): Rule("GET", "attestation", READERS),
    ("regime_crosswalk", "GET"): Rule("GET", "slug", EVERYONE - {"anonymous"}),
    ("assessment_audit_trail", "GET"): Rule("GET", "assessment", {"reviewer"}),
    ("org_tokens", "GET"): Rule("GET", "org", {"admin"}),
    ("org_tokens", "POST"): Rule("POST", "org", {"admin"}, ok=422),
    ("reviewer_tokens", "GET"): Rule("GET", "", {"reviewer"}),
    ("reviewer_tokens", "POST"): Rule("POST", "", {"reviewer"}, ok=422),
    ("token_revoke", "POST"): Rule("POST", "token", {"admin"}),
    ("org_webhooks", "GET"): Rule("GET", "org", {"admin"}),
    ("org_webhooks", "POST"): Rule("POST", "org", {"admin"}, ok=422),
    ("platform_webhooks", "GET"): Rule("GET", "", {"reviewer"}),
    ("platform_webhooks", "POST"): Rule("POST", "", {"reviewer"}, ok=422),
    ("webhook_test", "POST"): Rule("POST", "webhook", {"admin"}),
    ("webhook_remove", "POST"): Rule("POST", "webhook", {"admin"}),
    # Live product tests: members and reviewers read the transcripts; administrators register
    # an endpoint and start runs.
    ("live_tests", "GET"): Rule("GET", "org", READERS),
    ("live_tests", "POST"): Rule("POST", "org", {"admin"}, ok=422),
    ("probe_run", "POST"): Rule("POST", "probe_endpoint", {"admin"}),
    ("probe_endpoint_remove", "POST"): Rule("POST", "probe_endpoint", {"admin"}),
    ("probe_verdict", "POST"): Rule("POST", "probe_run", {"reviewer"}),
    # Audits the platform starts: reviewers ask; the organization reads what it was asked.
    ("audit_requests", "GET"): Rule("GET", "", {"reviewer"}),
    ("invite_organization", "GET"): Rule("GET", "", {"reviewer"}),
    ("invite_organization", "POST"): Rule("POST", "", {"reviewer"}, ok=422),
    ("ask_organization", "GET"): Rule("GET", "assessment", {"reviewer"}),
    ("ask_organization", "POST"): Rule("POST", "assessment", {"reviewer"}, ok=422),
    ("audit_request", "GET"): Rule("GET", "request", READERS),
    ("escalate_request", "POST"): Rule("POST", "request", {"reviewer"}),
    ("audit_request_invitation", "GET"): Rule(
        "GET", "audit_invitation", {"anonymous"}, public=True
    ),
    ("audit_request_invitation", "POST"): Rule(
        "POST", "audit_invitation", {"anonymous"}, public=True, ok=422
    ),
    ("campaigns", "GET"): Rule("GET", "", {"reviewer"}),
    ("campaign_new", "GET"): Rule("GET", "", {"reviewer"}),
    ("campaign_new", "POST"): Rule("POST", "", {"reviewer"}, ok=422),
    ("campaign", "GET"): Rule("GET", "campaign", {"reviewer"}),
    ("campaign_csv", "GET"): Rule("GET", "campaign", {"reviewer"}),
    ("violation_figures", "GET"): Rule("GET", "", {"reviewer"}),
    ("violation_figures", "POST"): Rule("POST", "", {"reviewer"}, ok=422),
    ("violation_figures_template", "GET"): Rule("GET", "", {"reviewer"}),
}
# The lifecycle's transitions: who may post them comes from the table itself.
WHO = {Need.EDIT: EDITORS, Need.SIGN: {"signatory"}, Need.REVIEW: {"reviewer"}}
TRANSITION_URLS = {
    "submit": Transition.SUBMIT,
    "sign": Transition.SIGN,
    "return_to_draft": Transition.RETURN_TO_DRAFT,
    "start_review": Transition.START_REVIEW,
    "decide": Transition.APPROVE,
    "request_changes": Transition.REQUEST_CHANGES,
}
RULES |= {
    (name, "POST"): Rule(
        "POST",
        "assessment",
        WHO[LIFECYCLE[transition].performer],
        ok=422 if name in ("sign", "submit") else None,
    )
    for name, transition in TRANSITION_URLS.items()
}
ROLES = sorted(EVERYONE)
# Objects that belong to no organization: a person not allowed is refused (403), not told
# that they do not exist.
PLATFORM_ARGS = ("", "digest", "invitation", "audit_invitation", "campaign")
# Django's own account views (login, password reset) and the admin are Django's to guard.
FOREIGN_NAMESPACES = ("admin", "login", "logout", "password_")
# The REST API answers programs, not pages: its own matrix is in test_api.py.
API = "api_"


def test_every_url_of_the_portal_has_rules():
    names = {
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and not name.startswith((*FOREIGN_NAMESPACES, API))
    }
    assert names == {name for name, _ in RULES}


@pytest.fixture
def world(db, world_rows):
    """The module's world, each test in its own savepoint of it (``db``)."""
    return world_rows


@pytest.fixture(scope="module")
def world_rows(django_db_setup, django_db_blocker):
    """One of each kind of object the portal's URLs name, made once for the whole matrix."""
    with rows_kept_for_the_module(django_db_blocker):
        yield _world()


def _world():
    org = OrganizationFactory(legal_name="Brightpath Learning Ltd")
    admin = member(org, Role.ADMIN)
    preparer = member(org, Role.PREPARER)
    signatory = with_authenticator(member(org, Role.SIGNATORY))
    outsider = member(OrganizationFactory(legal_name="Elsewhere Tutors Inc."), Role.ADMIN)
    reviewer = with_authenticator(UserFactory(is_reviewer=True))
    assessment = workflow.start_assessment(
        organization=org,
        framework_version=publish(bundled_files()[0])[0],
        actor=Actor(preparer),
    )
    answer_everything(assessment, actor=Actor(preparer), quality="mixed")
    workflow.submit(assessment, actor=Actor(preparer))
    attestation = signed_with_stand_in_report(assessment, signatory)
    invitation = Invitation.objects.create(
        organization=org,
        email="new@example.org",
        full_name="New",
        role="preparer",
        invited_by=admin,
    )
    registration = signing.dumps(
        {
            "legal_name": "N",
            "website": "https://n.example",
            "full_name": "N",
            "email": "n@n.example",
        },
        salt="assessments.organizations.registration",
    )
    load_bundled(actor=SYSTEM)
    terms = {
        "framework_version": assessment.framework_version,
        "reason": "Routine audit.",
        "due_on": timezone.localdate() + timedelta(days=30),
    }
    asked = platform_requests.ask(org, actor=Actor(reviewer), kind=RequestKind.ATTESTATION, **terms)
    invited = platform_requests.invite(
        actor=Actor(reviewer), email="new-org@example.org", legal_name="New Org", **terms
    )
    campaign = Campaign.objects.create(
        name="C", criteria=Selection().as_criteria(), created_by=reviewer
    )
    Product.objects.filter(pk=assessment.product_id).update(public=True)  # a trust page
    # A documentation address (TEST-NET-1): never called.
    probe_endpoint = ProbeEndpoint.objects.create(
        organization=org, url="http://192.0.2.1/chat", kind="simple_json"
    )
    return {
        "people": {
            "anonymous": None,
            "preparer": preparer,
            "signatory": signatory,
            "admin": admin,
            "outsider": outsider,
            "reviewer": reviewer,
            "platform_admin": with_authenticator(UserFactory(is_staff=True, is_superuser=True)),
        },
        "args": {
            "": [],
            "digest": [attestation.snapshot_sha256],
            "org": [org.pk],
            "product": [org.pk, assessment.product_id],
            "public_product": [assessment.product_id],
            "assessment": [assessment.pk],
            "section": [assessment.pk, "moderation"],
            "regime": [assessment.pk, "us-coppa"],
            "slug": ["uk-aadc"],
            "version": ["minor-safety", "1.0"],
            "question": [assessment.pk, "age.method"],
            "versions": ["minor-safety", "1.0", "1.1"],
            "attestation": [attestation.pk],
            "evidence": [assessment.evidence.first().pk],
            "membership": [org.pk, preparer.memberships.get().pk],
            "invitation": [invitation_token(invitation)],
            "org_invitation": [org.pk, invitation.pk],
            "registration": [registration],
            "statuslist": ["revocation"],
            "request": [asked.pk],
            "audit_invitation": [platform_requests.invitation_token(invited)],
            "campaign": [campaign.pk],
            "source": ["guidelines"],
            # A documentation address (TEST-NET-1): never called, refused as not public.
            "webhook": [
                WebhookEndpoint.objects.create(
                    organization=org,
                    url="http://192.0.2.1/hook",
                    events=["webhook.test"],
                    secret="whsec_" + "A" * 44,
                    created_by=admin,
                ).pk
            ],
            "probe_endpoint": [probe_endpoint.pk],
            "probe_run": [
                ProbeRun.objects.create(
                    endpoint=probe_endpoint,
                    probe_set_version="2026.1",
                    state="done",
                    results=[{"probe": "young_user", "passed": True, "questions": []}],
                ).pk,
                "young_user",
            ],
            "token": [
                create_token(
                    organization=org,
                    name="CI",
                    role=TokenRole.PREPARER,
                    days=30,
                    actor=Actor(admin),
                    proof=stepped_up(admin),
                )[0].pk
            ],
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), sorted(RULES))
def test_access(client, world, name, method, role, tmp_path):
    rule = RULES[(name, method)]
    if rule.args == "versions":
        publish(next_version(tmp_path))
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    url = reverse(name, args=world["args"][rule.args])
    response = client.get(url) if method == "GET" else client.post(url, {})

    if role in rule.allowed:
        assert response.status_code == rule.expected(role), response.status_code
        location = response.get("Location", "")
        assert not location.startswith(("/accounts/login/", "/account/two-factor/")), location
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif role in MEMBERS or role == "reviewer" or rule.args in PLATFORM_ARGS:
        assert response.status_code == 403  # known to the portal, but not allowed this
    else:
        assert response.status_code == 404  # another organization's object does not exist


@pytest.mark.parametrize(("name", "method"), sorted(RULES))
def test_the_wrong_method_is_refused_with_405(client, world, name, method, tmp_path):
    rule = RULES[(name, method)]
    if rule.args == "versions":
        publish(next_version(tmp_path))
    if (name, "GET") in RULES and (name, "POST") in RULES:
        pytest.skip("both methods are in use")
    client.force_login(world["people"]["preparer"])
    url = reverse(name, args=world["args"][rule.args])
    response = client.post(url, {}) if method == "GET" else client.get(url)
    assert response.status_code == 405
