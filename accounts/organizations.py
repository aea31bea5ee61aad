"""Registering organizations, and who belongs to them: invitations, roles, removal.

An admin never adds a person directly: they invite an email address, and the owner of that
address accepts (logged in as it, or by choosing a password for a new account). Platform
reviewers and staff never become members. An organization always keeps an administrator.
"""

from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions, throttling
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import emails
from assessments.models import AuditAction, Invitation, Membership, Organization, Role, User
from attestations import audit

INVITATION_DAYS = 14
_INVITATION_SALT = "assessments.organizations.invitation"  # kept: links sent stay valid
REGISTRATION_DAYS = 2
_REGISTRATION_SALT = "assessments.organizations.registration"


class MembershipRefused(Exception):
    """A change to who belongs to an organization that the rules do not allow; the
    message is written for the person who tried."""


class InvitedTooOften(throttling.TooOften, MembershipRefused):
    """One address invited by one organization more often than the limit allows."""


def register_organization(
    *, legal_name: str, website: str, full_name: str, email: str, password: str, ip: str | None
) -> tuple[Organization, User]:
    """Create an organization with its first member, who administers it (from a confirmed
    registration link: a second use of the link finds the account and is refused)."""
    try:
        return _register_organization(
            legal_name=legal_name,
            website=website,
            full_name=full_name,
            email=email,
            password=password,
            ip=ip,
        )
    except IntegrityError:
        raise MembershipRefused(
            "An account with this address exists already: log in instead."
        ) from None


def _register_organization(
    *, legal_name: str, website: str, full_name: str, email: str, password: str, ip: str | None
) -> tuple[Organization, User]:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        organization = Organization.objects.create(
            legal_name=legal_name, website=website, contact_email=email, contact_name=full_name
        )
        Membership.objects.create(organization=organization, user=user, role=Role.ADMIN)
        audit.record(
            actor=Actor(user, ip),
            action=AuditAction.ORGANIZATION_REGISTERED,
            obj=organization,
            organization_id=organization.pk,
            details={"legal_name": legal_name},
        )
    return organization, user


def request_registration(*, legal_name: str, website: str, full_name: str, email: str) -> None:
    """Email a link that finishes registering (or, for an address that has an account, a
    note saying so): the page answers the same either way, so it reveals no account. Nothing
    is sent past `throttling.may_mail`, so the form cannot flood someone's inbox."""
    if not throttling.may_mail(email):
        return
    if User.objects.filter(email__iexact=email).exists():
        transaction.on_commit(lambda: emails.send_already_registered(email))
        return
    details = {"legal_name": legal_name, "website": website, "full_name": full_name}
    token = signing.dumps(details | {"email": email}, salt=_REGISTRATION_SALT)
    transaction.on_commit(lambda: emails.send_registration_link(email, full_name, token))


def registration_from_token(token: str) -> dict | None:
    try:
        return signing.loads(
            token, salt=_REGISTRATION_SALT, max_age=timedelta(days=REGISTRATION_DAYS)
        )
    except signing.BadSignature:
        return None


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.pk), salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, if the link is genuine and not older than its validity."""
    try:
        pk = signing.loads(token, salt=_INVITATION_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organization", "invited_by").filter(pk=pk).first()


def invite_member(
    organization: Organization, *, email: str, full_name: str, role: Role, actor: Actor
) -> Invitation:
    """Invite an address (again, if already invited: the role and name are updated and a
    fresh link is sent), at most `throttling.INVITATIONS` times an hour. The admin learns
    nothing about whether the address has an account."""
    permissions.require(actor.user, organization, Need.MANAGE)
    email = email.strip().lower()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)  # one at a time
        if Membership.objects.filter(organization=organization, user__email=email).exists():
            raise MembershipRefused(f"{email} is already a member.")
        wait = throttling.seconds_to_mail(
            email, throttling.INVITATIONS, sender=str(organization.pk)
        )
        if wait:
            times = throttling.INVITATIONS.requests
            raise InvitedTooOften(
                f"{email} has been invited {times} times in the last hour: try again later.",
                wait=wait,
            )
        invitation, _ = Invitation.objects.update_or_create(
            organization=organization,
            email=email,
            accepted_at=None,
            defaults={"full_name": full_name, "role": role, "invited_by": actor.user},
        )
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_INVITED,
            obj=invitation,
            organization_id=organization.pk,
            details={"email": email, "role": role},
        )
        token = invitation_token(invitation)
        transaction.on_commit(lambda: emails.send_invitation(invitation, token))
    return invitation


def cancel_invitation(invitation: Invitation, *, actor: Actor) -> None:
    """Withdraw an invitation not yet accepted: its emailed link stops working."""
    permissions.require(actor.user, invitation.organization, Need.MANAGE)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None or locked.accepted_at is not None:
            raise MembershipRefused("This invitation was accepted or cancelled already.")
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_INVITATION_CANCELLED,
            obj=locked,
            organization_id=locked.organization_id,
            details={"email": locked.email, "role": locked.role},
        )
        locked.delete()


def accept_invitation(invitation: Invitation, *, actor: Actor) -> Membership:
    """The invited person joins, with the role they were invited to: the one acting is the
    one who joins, so nobody accepts for someone else."""
    user = actor.user
    if user is None:
        raise MembershipRefused("Log in, or choose a password, to accept the invitation.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise MembershipRefused("This invitation has already been accepted.")
        if user.email.lower() != locked.email:
            raise MembershipRefused(
                f"This invitation is for {locked.email}. Log in with that address to accept it."
            )
        if user.is_reviewer or user.is_staff:
            raise MembershipRefused("Platform accounts cannot join an organization.")
        membership, _ = Membership.objects.get_or_create(
            organization_id=locked.organization_id, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_JOINED,
            obj=membership,
            organization_id=locked.organization_id,
            details={"email": user.email, "role": membership.role},
        )
    return membership


def join_with_new_account(
    invitation: Invitation, *, full_name: str, password: str, ip: str | None
) -> User:
    """Create the invited person's account and accept, in one step."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
            accept_invitation(invitation, actor=Actor(user, ip))
    except IntegrityError:
        raise MembershipRefused(
            "An account with this address exists already: log in to accept the invitation."
        ) from None
    return user


def _admins_left(organization_id, without: Membership) -> int:
    return (
        Membership.objects.filter(organization_id=organization_id, role=Role.ADMIN)
        .exclude(pk=without.pk)
        .count()
    )


def change_role(membership: Membership, *, role: Role, actor: Actor) -> Membership:
    permissions.require(actor.user, membership.organization, Need.MANAGE)
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=membership.organization_id)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            locked.role == Role.ADMIN
            and role != Role.ADMIN
            and not _admins_left(locked.organization_id, locked)
        ):
            raise MembershipRefused(
                "An organization needs an administrator: appoint another first."
            )
        before = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_ROLE_CHANGED,
            obj=locked,
            organization_id=locked.organization_id,
            details={"email": locked.user.email, "from": before, "to": role},
        )
    return locked


def remove_member(membership: Membership, *, actor: Actor) -> None:
    permissions.require(actor.user, membership.organization, Need.MANAGE)
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=membership.organization_id)
        locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if locked.role == Role.ADMIN and not _admins_left(locked.organization_id, locked):
            raise MembershipRefused("The last administrator cannot be removed.")
        audit.record(
            actor=actor,
            action=AuditAction.MEMBER_REMOVED,
            obj=locked,
            organization_id=locked.organization_id,
            details={"email": locked.user.email, "role": locked.role},
        )
        locked.delete()
