"""Simultaneous requests, as an impatient person (or an attacker) sends them: the database
keeps the rules, and every request gets a clear answer, never a 500. On PostgreSQL, where
requests really run side by side."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.urls import reverse

from assessments.models import Assessment, Invitation
from tests.conftest import PortalClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def all_at_once(person, url, data, times=5) -> list[int]:
    clients = [PortalClient(raise_request_exception=False) for _ in range(times)]
    for client in clients:
        client.force_login(person)
    barrier = threading.Barrier(times)

    def post(client):
        try:
            barrier.wait()
            return client.post(url, data).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(post, clients))


def test_five_simultaneous_starts_make_one_draft(org, preparer, framework_version):
    statuses = all_at_once(preparer, reverse("start_assessment", args=[org.pk]), {})
    assert statuses == [302] * 5
    assert Assessment.objects.filter(organization=org).count() == 1


def test_five_simultaneous_invitations_of_one_address_make_one(org, admin):
    data = {"email": "new.person@example.org", "full_name": "New Person", "role": "preparer"}
    statuses = all_at_once(admin, reverse("members", args=[org.pk]), data)
    assert statuses == [302] * 5
    assert Invitation.objects.filter(email="new.person@example.org").count() == 1


def test_organizations_signing_at_the_same_moment_each_get_their_own_status_entry(
    framework_version, monkeypatch
):
    """Found by the scale-out run: two signatures in the same instant took the same place in
    the revocation list, and one of them failed with a server error."""
    from assessments import workflow
    from assessments.actors import Actor
    from assessments.attestation import STATEMENT_VERSION
    from assessments.demo import answer_everything
    from assessments.models import Role
    from tests.factories import OrganizationFactory, member

    monkeypatch.setattr("assessments.workflow.schedule_report", lambda *args, **kw: None)
    ready = []
    for i in range(4):
        org = OrganizationFactory(legal_name=f"Simultaneous {i} Ltd")
        preparer, signatory = member(org, Role.PREPARER), member(org, Role.SIGNATORY)
        draft = workflow.start_assessment(
            organization=org, framework_version=framework_version, actor=Actor(preparer)
        )
        answer_everything(draft, actor=Actor(preparer), quality="mixed")
        workflow.submit(draft, actor=Actor(preparer))
        ready.append((draft, signatory))
    barrier = threading.Barrier(len(ready))

    def sign(pair):
        draft, signatory = pair
        try:
            barrier.wait()
            attestation = workflow.sign(
                draft, actor=Actor(signatory), statement_version=STATEMENT_VERSION
            )
            return attestation.status_index
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(ready)) as pool:
        indexes = list(pool.map(sign, ready))
    assert sorted(indexes) == [0, 1, 2, 3]
