"""A person's password changes only by their own hand: knowing the current one, or through the
link emailed to their address. Each change is on the audit trail (never the password itself);
staff have no way to set one (the admin shows no password form)."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.actors import Actor
from assessments.models import AuditAction, User
from attestations import audit


class PasswordChange(StrEnum):
    CHANGED = "changed"  # on the account's page, with the current password
    RESET = "reset"  # through the link emailed to the account's address


def change_own_password(user: User, raw_password: str, *, actor: Actor, how: PasswordChange):
    """Set the owner's new password (already validated by the form that took it). Sessions
    elsewhere and known-device cookies end with the old password."""
    if actor.user is None or actor.user.pk != user.pk:
        raise PermissionDenied("Only the account's owner sets its password.")
    with transaction.atomic():
        user.set_password(raw_password)
        user.save(update_fields=["password"])
        audit.record(
            actor=actor, action=AuditAction.PASSWORD_CHANGED, obj=user, details={"how": how}
        )
