"""Who works for the platform: reviewers and staff. Changed only here, and audited."""

from enum import StrEnum

from django.db import transaction

from accounts.actors import Actor
from assessments.models import AuditAction, User
from attestations import audit


class PlatformRole(StrEnum):
    REVIEWER = "reviewer"
    STAFF = "staff"


_FIELD = {PlatformRole.REVIEWER: "is_reviewer", PlatformRole.STAFF: "is_staff"}


def set_platform_role(user: User, role: PlatformRole, granted: bool, *, actor: Actor) -> User:
    """Grant or withdraw a platform role; a member of an organization cannot be given one."""
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
