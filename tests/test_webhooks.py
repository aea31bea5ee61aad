"""Webhooks as a receiver sees them: signed so a Standard Webhooks library accepts them,
sent after the event is committed, retried, logged, and never aimed into our own network."""

import ipaddress
import json

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from accounts import throttling
from accounts.actors import Actor
from assessments import workflow
from assessments.errors import MissingRequirement, NotPermitted
from assessments.models import DeliveryState, EventType, WebhookDelivery
from integrations import outbound, webhooks
from tests.conftest import approve_after_review
from tests.servers import LocalServer, Reply


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the test receiver listens on loopback
    made = []

    def make(status=200, body=b"ok", headers=None):
        made.append(LocalServer(Reply(status, body, headers or {})))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_an_approval_reaches_the_endpoint_signed_for_a_standard_webhooks_verifier(
    receiver, org, admin, attestation, reviewer, committed
):
    listener = receiver()
    _, secret = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )

    with committed():
        approve_after_review(attestation.assessment, reviewer, "Evidenced.")

    (_, headers, body) = listener.received[0]
    verified = Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    assert verified["type"] == "attestation.approved"
    assert verified["data"]["attestation_id"] == str(attestation.pk)
    assert verified["data"]["status"] == "approved"
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
    assert len(listener.received) == 1  # only the event it asked for


def test_a_forged_signature_is_what_a_receiver_rejects(receiver, org, admin, committed):
    listener = receiver()
    endpoint, secret = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )
    with committed():
        webhooks.send_test(endpoint, actor=Actor(admin))
    _, headers, body = listener.received[0]
    tampered = body.replace(b"webhook.test", b"attestation.approved")

    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(tampered, {k.lower(): v for k, v in headers.items()})


def test_an_organization_endpoint_hears_only_its_own_organization_the_platform_all(
    receiver, org, other_org, admin, outsider, reviewer, committed
):
    mine, platform = receiver(), receiver()
    webhooks.add_endpoint(
        organization=other_org, url=mine.url, events=[EventType.SUBMITTED], actor=Actor(outsider)
    )
    webhooks.add_endpoint(
        organization=None, url=platform.url, events=[EventType.SUBMITTED], actor=Actor(reviewer)
    )
    from assessments.demo import answer_everything
    from questionnaires.frameworks.loader import bundled_files, publish

    version = publish(bundled_files()[0])[0]
    draft = workflow.start_assessment(
        organization=org, framework_version=version, actor=Actor(admin)
    )
    answer_everything(draft, actor=Actor(admin))

    with committed():
        workflow.submit(draft, actor=Actor(admin))

    assert mine.received == []
    assert json.loads(platform.received[0][2])["type"] == "assessment.submitted"


def test_a_failing_endpoint_is_retried_then_marked_failed_in_its_log(
    receiver, client, org, admin, committed
):
    listener = receiver(status=500, body=b"x" * (5 * 1024 * 1024))  # and a huge answer
    endpoint, _ = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )
    client.force_login(admin)

    with committed():
        client.post(reverse("webhook_test", args=[endpoint.pk]))
    page = client.get(reverse("org_webhooks", args=[org.pk])).content.decode()

    delivery = WebhookDelivery.objects.get()
    assert len(listener.received) == webhooks.MAX_ATTEMPTS
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        DeliveryState.FAILED,
        webhooks.MAX_ATTEMPTS,
        500,
    )
    assert "The endpoint answered 500." in page


def test_a_receiver_that_is_down_gets_longer_and_longer_to_come_back(
    receiver, org, admin, settings
):
    """On a queue that defers work (production's), each retry is queued to run later than the
    one before: 30 seconds, then 2, 8 and 32 minutes; never at once, hammering the receiver."""
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    listener = receiver(status=503)
    endpoint, _ = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=EventType.APPROVED, payload={"type": "webhook.test"}
    )

    waits = []
    for attempt in range(1, webhooks.MAX_ATTEMPTS):
        webhooks.deliver_webhook.call(str(delivery.pk), attempt=attempt)
        retry = default_task_backend.results[-1]
        assert retry.kwargs == {"attempt": attempt + 1}
        waits.append(round((retry.task.run_after - retry.enqueued_at).total_seconds()))

    assert waits == [30, 120, 480, 1920]
    webhooks.deliver_webhook.call(str(delivery.pk), attempt=webhooks.MAX_ATTEMPTS)
    assert len(default_task_backend.results) == webhooks.MAX_ATTEMPTS - 1  # no sixth try
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert len(listener.received) == webhooks.MAX_ATTEMPTS


def test_a_redirect_is_not_followed(receiver, org, admin, committed):
    listener = receiver(status=302, headers={"Location": "http://169.254.169.254/latest/"})
    endpoint, _ = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )

    with committed():
        webhooks.send_test(endpoint, actor=Actor(admin))

    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and delivery.state == DeliveryState.FAILED
    assert len(listener.received) == webhooks.MAX_ATTEMPTS  # nothing went to the metadata address


def test_a_slow_endpoint_times_out(receiver, org, admin, monkeypatch, committed):
    monkeypatch.setattr(outbound, "READ_SECONDS", 0.2)
    listener = receiver()
    listener.reply.delay = 1
    endpoint, _ = webhooks.add_endpoint(
        organization=org, url=listener.url, events=[EventType.APPROVED], actor=Actor(admin)
    )

    with committed():
        webhooks.send_test(endpoint, actor=Actor(admin))

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and "timed out" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/",
        "ftp://x.org/",
        "http://hooks.example.org:99999/",  # not a port: refused, not a server error
        # IPv6 forms that carry an IPv4 address reach that address: each is judged by it.
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[::127.0.0.1]/hook",  # IPv4-compatible
        "http://[::ffff:10.0.0.5]/hook",  # IPv4-mapped
        "http://[::ffff:0:a9fe:a9fe]/",  # IPv4-translated 169.254.169.254
        "http://[2002:a9fe:a9fe::1]/",  # 6to4 of 169.254.169.254
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[64:ff9b:1::a00:5]/hook",  # local-use NAT64 (RFC 8215) of 10.0.0.5
        "http://[fec0::1]/hook",  # site-local: deprecated, still a network's own address
        "http://[4000::1]/hook",  # outside the allocated space: only a private route reaches it
        "http://[3fff::1]/hook",  # documentation (RFC 9637): never a real peer
        # IPv4 written as one number, in hex, octal or shortened: resolved, then judged
        "http://2130706433/hook",
        "http://0x7f.1/hook",
        "http://0177.0.0.1/hook",
        "http://127.1/hook",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(db, org, admin, url):
    with pytest.raises(MissingRequirement, match="cannot receive webhooks"):
        webhooks.add_endpoint(
            organization=org, url=url, events=[EventType.APPROVED], actor=Actor(admin)
        )


def test_an_ipv6_address_embedding_a_public_ipv4_one_is_accepted(db, org, admin):
    endpoint, _ = webhooks.add_endpoint(
        organization=org,
        url="http://[64:ff9b::808:808]/hook",  # NAT64 of a public address
        events=[EventType.APPROVED],
        actor=Actor(admin),
    )
    assert endpoint.url == "http://[64:ff9b::808:808]/hook"


def test_the_page_shows_the_secret_once_and_refuses_a_private_address(client, org, admin):
    client.force_login(admin)
    url = reverse("org_webhooks", args=[org.pk])

    private = client.post(url, {"url": "http://10.1.2.3/", "events": ["attestation.approved"]})

    assert private.status_code == 422
    assert "private or reserved address" in private.content.decode()
    assert not org.webhook_endpoints.exists()


def test_loopback_is_reachable_only_when_private_addresses_are_allowed(settings):
    """A developer's listener on localhost answers on ::1 as often as on 127.0.0.1."""
    loopbacks = [ipaddress.ip_address("::1"), ipaddress.ip_address("127.0.0.1")]
    settings.OUTBOUND_ALLOW_PRIVATE = False
    assert [outbound.allowed(ip) for ip in loopbacks] == [False, False]
    settings.OUTBOUND_ALLOW_PRIVATE = True
    assert [outbound.allowed(ip) for ip in loopbacks] == [True, True]


def test_the_test_button_cannot_turn_the_portal_into_a_relay_against_someone_elses_server(
    receiver, client, org, admin, preparer, committed
):
    """Anyone can register an organization and point a webhook at any public server; each
    test event is up to five POSTs (with retries). An organization sends at most five test
    events an hour, and only its administrators may send one, whoever calls the service."""
    allowed = throttling.WEBHOOK_TESTS.requests
    victim = receiver(status=500)
    endpoint, _ = webhooks.add_endpoint(
        organization=org, url=victim.url, events=[EventType.APPROVED], actor=Actor(admin)
    )
    client.force_login(admin)

    with committed():
        pages = [
            client.post(reverse("webhook_test", args=[endpoint.pk]), follow=True)
            for _ in range(allowed + 1)
        ]

    assert [p.status_code for p in pages] == [200] * (allowed + 1)
    assert WebhookDelivery.objects.count() == allowed
    assert len(victim.received) == allowed * webhooks.MAX_ATTEMPTS
    assert f"{allowed} test events were sent in the last hour: try again later." in pages[-1].text
    with pytest.raises(NotPermitted):
        webhooks.send_test(endpoint, actor=Actor(preparer))
