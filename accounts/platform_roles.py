"""Who works for the platform: reviewers and staff. Changed only here, and audited."""

from enum import StrEnum

from django.db import transaction

from accounts import permissions
from accounts.actors import Actor
from assessments.models import AuditAction, User
from attestations import audit


class PlatformRole(StrEnum):
    REVIEWER = "reviewer"
    STAFF = "staff"


_FIELD = {PlatformRole.REVIEWER: "is_reviewer", PlatformRole.STAFF: "is_staff"}


def set_platform_role(user: User, role: PlatformRole, granted: bool, *, actor: Actor) -> User:
    """Grant or withdraw a platform role; a member of an organization cannot be given one.
    Staff grant them (the command acts as the system), whoever calls."""
    permissions.require_platform(actor.user, staff=True)
    field = _FIELD[role]
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if granted and locked.memberships.exists():
            raise ValueError(
                f"{locked.email} is a member of an organization; platform roles are for "
                "platform accounts only."
            )
        before = getattr(locked, field)
        setattr(locked, field, granted)
        locked.save(update_fields=[field])
        audit.record(
            actor=actor,
            action=AuditAction.PLATFORM_ROLE_CHANGED,
            obj=locked,
            details={"role": role.value, "from": before, "to": granted},
        )
    return locked


def create_platform_admin(email: str, full_name: str, *, actor: Actor):
    """The first platform administrator, made from nothing: a staff superuser (Django admin)
    and reviewer, with a random password and an authenticator already enrolled, so the
    account is never usable with a password alone. Returns (user, password, device, codes)."""
    import secrets

    from accounts import two_factor

    if User.objects.filter(email__iexact=email).exists():
        raise ValueError(f"An account with the email {email} already exists.")
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        user = User.objects.create_superuser(
            email=email, password=password, full_name=full_name, is_reviewer=True
        )
        audit.record(
            actor=actor,
            action=AuditAction.PLATFORM_ROLE_CHANGED,
            obj=user,
            details={"role": "administrator", "from": False, "to": True},
        )
        device, codes = two_factor.enrol_now(user, password, actor=actor)
    return user, password, device, codes
