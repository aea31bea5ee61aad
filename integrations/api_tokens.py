"""API tokens: made by an organization's administrator (or by a platform reviewer for
themselves), shown once, stored as a hash, expiring, revocable, every use logged.

A token acts as the person who made it, but never beyond the token's own organization and
role: an administrator's "preparer" token can edit answers and cannot manage members.
Nothing a token can do needs a second factor: signing is not in the API at all.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts import permissions, step_up
from accounts.actors import Actor
from accounts.client_address import client_ip
from accounts.permissions import Need
from assessments.errors import MissingRequirement, NotPermitted
from assessments.models import ApiCall, ApiToken, AuditAction, Organization, TokenRole
from attestations import audit

PREFIX = "msp_"
MAX_DAYS = 365
ORGANIZATION_ROLES = (TokenRole.PREPARER, TokenRole.SIGNATORY, TokenRole.ADMIN)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_token(
    *,
    organization: Organization | None,
    name: str,
    role: TokenRole,
    days: int,
    actor: Actor,
    proof: step_up.Proof | None,
) -> tuple[ApiToken, str]:
    """Make a token; return it and the only copy of its secret. A token acts as its maker, so
    making one takes what signing takes: the maker's role, and their password (and code)
    entered just now."""
    permissions.require(actor.user, organization, Need.MANAGE)
    step_up.require(proof, actor.user, step_up.FACTORS)
    name = name.strip()
    if not name:
        raise MissingRequirement("Give the token a name that says which program uses it.")
    if not 1 <= days <= MAX_DAYS:
        raise MissingRequirement(f"A token lasts between 1 and {MAX_DAYS} days.")
    if (organization is None) != (role == TokenRole.REVIEWER):
        raise MissingRequirement(
            "Reviewer tokens belong to the platform, others to an organization."
        )
    key = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            created_by=actor.user,
            name=name,
            role=role,
            prefix=key[:12],
            key_sha256=digest(key),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        audit.record(
            actor=actor,
            action=AuditAction.API_TOKEN_CREATED,
            obj=token,
            details={"name": name, "role": role, "expires_at": token.expires_at.isoformat()},
            organization_id=organization.pk if organization else None,
        )
    return token, key


def revoke_token(token: ApiToken, *, actor: Actor) -> None:
    if token.organization_id is None and token.created_by_id != getattr(actor.user, "pk", None):
        raise NotPermitted("Only its maker revokes a reviewer token.")
    permissions.require(actor.user, token.organization, Need.MANAGE)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditAction.API_TOKEN_REVOKED,
            obj=locked,
            details={"name": locked.name},
            organization_id=locked.organization_id,
        )


def token_for(key: str) -> ApiToken | None:
    """The usable token a key names, or None (unknown, revoked, expired, or its maker gone)."""
    if not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("created_by", "organization")
        .filter(key_sha256=digest(key))
        .first()
    )
    if token is None or not token.is_usable() or not token.created_by.is_active:
        return None
    return token


LAST_USED_EVERY = datetime.timedelta(minutes=1)  # a busy token does not write its row each call


def log_call(token: ApiToken, request, status: int) -> None:
    now = timezone.now()
    ApiCall.objects.create(
        token=token,
        method=request.method,
        path=request.path[:500],
        status=status,
        ip_address=client_ip(request),
        at=now,
    )
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
