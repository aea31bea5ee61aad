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
