"""Simultaneous requests, as an impatient person (or an attacker) sends them: the database
keeps the rules, and every request gets a clear answer, never a 500. On PostgreSQL, where
requests really run side by side."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.urls import reverse

from assessments.models import Answer, Assessment, AuditAction, AuditEvent, Invitation
from tests.conftest import PortalClient, sign_now

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def all_at_once(person, url, data, times=5) -> list[int]:
    return [r.status_code for r in each_at_once(person, url, [data] * times)]


def each_at_once(person, url, posts: list[dict]) -> list:
    """Every post sent in the same instant, each by its own client; their responses."""
    clients = [PortalClient(raise_request_exception=False) for _ in posts]
    for client in clients:
        client.force_login(person)
    barrier = threading.Barrier(len(posts))

    def post(client, data):
        try:
            barrier.wait()
            return client.post(url, data)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(post, clients, posts))


def test_five_simultaneous_starts_make_one_draft(org, preparer, framework_version):
    statuses = all_at_once(preparer, reverse("start_assessment", args=[org.pk]), {})
    assert statuses == [302] * 5
    assert Assessment.objects.filter(organization=org).count() == 1


def test_five_simultaneous_invitations_of_one_address_make_one(org, admin):
    """One pending invitation whatever the race; and the limit of three an hour per address
    holds at once too: two of the five are told to wait."""
    data = {"email": "new.person@example.org", "full_name": "New Person", "role": "preparer"}
    statuses = all_at_once(admin, reverse("members", args=[org.pk]), data)
    assert sorted(statuses) == [302, 302, 302, 429, 429]
    assert Invitation.objects.filter(email="new.person@example.org").count() == 1


def test_five_people_typing_the_same_first_answer_at_once_store_one_and_hear_of_it(draft, preparer):
    """Every writer of answers waits on the assessment's lock: one answer is stored, and the
    four typed over it are told so, none lost to a server error."""
    url = reverse("autosave", args=[draft.pk, "age.method"])
    methods = ["verified", "estimation", "provisioned", "self_declared", "none"]
    responses = each_at_once(preparer, url, [{"q_age__method": m} for m in methods])
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert sum("Saved" in r.text for r in responses) == 1
    assert sum("changed this answer meanwhile" in r.text for r in responses) == 4
    stored = Answer.objects.get(assessment=draft, question_id="age.method")
    assert stored.revision == 1
    assert AuditEvent.objects.filter(action=AuditAction.ANSWER_SAVED).count() == 1


def test_organizations_signing_at_the_same_moment_each_get_their_own_status_entry(
    framework_version, monkeypatch
):
    """Found by the scale-out run: two signatures in the same instant took the same place in
    the revocation list, and one of them failed with a server error."""
    from accounts.actors import Actor
    from assessments import workflow
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
            attestation = sign_now(draft, signatory)
            return attestation.status_index
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(ready)) as pool:
        indexes = list(pool.map(sign, ready))
    assert sorted(indexes) == [0, 1, 2, 3]


def test_a_submission_and_a_return_to_draft_at_the_same_moment_both_go_through(
    awaiting_signature, signatory, other_org, framework_version, monkeypatch
):
    """Found by the hot-row load test (bench/hot_rows.py): one move from draft to "awaiting
    signature" and another the other way round each held the state counter the other needed
    next, and PostgreSQL ended one of them as a deadlock (a server error). Both moves here
    write to the same counter rows, and each pauses after its first counter until the other
    has written its own first (or a second has passed)."""
    from accounts.actors import Actor
    from assessments import status_counts, workflow
    from assessments.demo import answer_everything
    from assessments.models import Role, Status
    from tests.factories import member

    their_preparer = member(other_org, Role.PREPARER)
    theirs = workflow.start_assessment(
        organization=other_org, framework_version=framework_version, actor=Actor(their_preparer)
    )
    answer_everything(theirs, actor=Actor(their_preparer), quality="mixed")
    monkeypatch.setattr(status_counts, "SLOTS", 1)
    first_written = threading.Barrier(2)
    written = threading.local()
    add = status_counts._add

    def add_then_wait(*counter_change):
        add(*counter_change)
        if not getattr(written, "once", False):
            written.once = True
            # Broken after a second when the other is waiting on this one's row: carry on.
            with contextlib.suppress(threading.BrokenBarrierError):
                first_written.wait(timeout=1)

    monkeypatch.setattr(status_counts, "_add", add_then_wait)
    moves = [
        (their_preparer, reverse("submit", args=[theirs.pk]), {"confirm": "on"}),
        (signatory, reverse("return_to_draft", args=[awaiting_signature.pk]), {"reason": "Fix"}),
    ]

    def move(person, url, data):
        client = PortalClient(raise_request_exception=False)
        client.force_login(person)
        try:
            return client.post(url, data).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda m: move(*m), moves))
    assert statuses == [302, 302]
    theirs.refresh_from_db()
    awaiting_signature.refresh_from_db()
    assert (theirs.status, awaiting_signature.status) == (Status.AWAITING_SIGNATURE, Status.DRAFT)
    assert status_counts.counts() == status_counts.recount()
