"""Webhooks: signed notices of lifecycle events, in the Standard Webhooks style.

An event writes one delivery row per subscribed endpoint in the transaction that made it
happen (nothing is lost if the process dies), and the task worker sends it after commit,
retrying with backoff. Each request carries `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the endpoint's
secret, so receivers can use any Standard Webhooks library to check it.
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from accounts import permissions, throttling
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.errors import MissingRequirement
from assessments.lifecycle import Transition
from assessments.models import (
    AuditAction,
    DeliveryState,
    EventType,
    Organization,
    WebhookDelivery,
    WebhookEndpoint,
)
from attestations import audit
from compliance_portal import task_queue
from integrations import outbound

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks marker, not a secret
# The lifecycle's transitions that are events for the outside world.
TRANSITION_EVENTS = {
    Transition.SUBMIT: EventType.SUBMITTED,
    Transition.SIGN: EventType.SIGNED,
    Transition.REQUEST_CHANGES: EventType.CHANGES_REQUESTED,
    Transition.APPROVE: EventType.APPROVED,
    Transition.REJECT: EventType.REJECTED,
}
SUBSCRIBABLE = [e for e in EventType if e != EventType.TEST]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def add_endpoint(
    *, organization: Organization | None, url: str, events: list[str], actor: Actor
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its secret (shown to the person once)."""
    permissions.require(actor.user, organization, Need.MANAGE)
    if not events:
        raise MissingRequirement("Choose at least one event to send.")
    try:
        outbound.vetted_address_or_refusal(url)
    except outbound.Refused as exc:
        raise MissingRequirement(f"That address cannot receive webhooks: {exc}") from None
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=url,
            events=sorted(set(events)),
            secret=secret,
            created_by=actor.user,
        )
        audit.record(
            actor=actor,
            action=AuditAction.WEBHOOK_ADDED,
            obj=endpoint,
            details={"url": url, "events": endpoint.events},
            organization_id=organization.pk if organization else None,
        )
    return endpoint, secret


def remove_endpoint(endpoint: WebhookEndpoint, *, actor: Actor) -> None:
    permissions.require(actor.user, endpoint.organization, Need.MANAGE)
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at=None).update(
            disabled_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action=AuditAction.WEBHOOK_REMOVED,
            obj=endpoint,
            details={"url": endpoint.url},
            organization_id=endpoint.organization_id,
        )


def emit(event: EventType, assessment, **data) -> None:
    """Queue the event for every endpoint that wants it; call inside the transaction."""
    endpoints = WebhookEndpoint.objects.filter(
        Q(organization=assessment.organization_id) | Q(organization=None), disabled_at=None
    )
    payload = {
        "type": event.value,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "organization_id": str(assessment.organization_id),
            "product_id": str(assessment.product_id),
            "assessment_id": str(assessment.pk),
            "status": assessment.status,
            **{key: str(value) for key, value in data.items()},
        },
    }
    for endpoint in endpoints:
        if event.value in endpoint.events:
            _queue(endpoint, event, payload)


def send_test(endpoint: WebhookEndpoint, *, actor: Actor) -> WebhookDelivery:
    """A test event, for the endpoint's administrators (the platform's: a reviewer), within
    `throttling.WEBHOOK_TESTS` per organization: each is up to MAX_ATTEMPTS POSTs to an address
    anyone may have typed in, so the button cannot make the portal a relay."""
    permissions.require(actor.user, endpoint.organization, Need.MANAGE)
    limit = throttling.WEBHOOK_TESTS
    wait = throttling.seconds_to_wait(limit, str(endpoint.organization_id or "platform"))
    if wait:
        raise throttling.TooOften(
            f"{limit.requests} test events were sent in the last hour: try again later.",
            wait=wait,
        )
    payload = {
        "type": EventType.TEST.value,
        "timestamp": timezone.now().isoformat(),
        "data": {"endpoint_id": str(endpoint.pk)},
    }
    with transaction.atomic():
        return _queue(endpoint, EventType.TEST, payload)


def _queue(endpoint, event: EventType, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type=event, payload=payload)
    transaction.on_commit(lambda: schedule_delivery(str(delivery.pk)))
    return delivery


def schedule_delivery(delivery_id: str, *, attempt: int = 1) -> None:
    """Queue a delivery; retries wait 30 seconds, then 2, 8 and 32 minutes (a receiver that is
    down gets time to come back)."""
    task_queue.enqueue(
        deliver_webhook, delivery_id, attempt=attempt, first_wait=timedelta(seconds=30), growth=4
    )


@task
def deliver_webhook(delivery_id: str, attempt: int = 1) -> str:
    """Send one delivery; a 2xx answer delivers it, anything else is retried, then failed."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.state != DeliveryState.PENDING or delivery.endpoint.disabled_at:
        return delivery.state
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "webhook-id": str(delivery.pk),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(delivery.endpoint.secret, str(delivery.pk), timestamp, body),
    }
    status, error = None, ""
    try:
        answer = outbound.post(delivery.endpoint.url, body, headers)
        status = answer.status
        if not 200 <= status < 300:
            error = f"The endpoint answered {status}."
    except outbound.Refused as exc:
        error = str(exc)
    done = not error
    state = (
        DeliveryState.DELIVERED
        if done
        else (DeliveryState.FAILED if attempt >= MAX_ATTEMPTS else DeliveryState.PENDING)
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempt,
        last_status_code=status,
        last_error=error[:500],
        last_attempt_at=timezone.now(),
        state=state,
    )
    if state == DeliveryState.PENDING:
        log.warning("Webhook %s attempt %d failed: %s", delivery.pk, attempt, error)
        schedule_delivery(delivery_id, attempt=attempt + 1)
    return state
