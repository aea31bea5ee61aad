"""Registering organizations and adding their members."""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import audit, emails
from assessments.actors import Actor
from assessments.models import Membership, Organization, Role, User


def register_organization(
    *, legal_name: str, website: str, full_name: str, email: str, password: str, ip: str | None
) -> tuple[Organization, User]:
    """Create an organization with its first member, who administers it."""
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        organization = Organization.objects.create(
            legal_name=legal_name, website=website, contact_email=email, contact_name=full_name
        )
        Membership.objects.create(organization=organization, user=user, role=Role.ADMIN)
        audit.record(
            actor=Actor(user, ip),
            action="organization_registered",
            obj=organization,
            organization_id=organization.pk,
            details={"legal_name": legal_name},
        )
    return organization, user


def add_member(
    organization: Organization, *, email: str, full_name: str, role: Role, actor: Actor
) -> Membership:
    """Add a person with a role; a new person gets an email to choose their password."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        invited = user is None
        if invited:
            user = User.objects.create_user(email=email, password=None, full_name=full_name)
        membership = Membership.objects.create(organization=organization, user=user, role=role)
        audit.record(
            actor=actor,
            action="member_added",
            obj=membership,
            organization_id=organization.pk,
            details={"email": email, "role": role},
        )
        if invited:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            transaction.on_commit(
                lambda: emails.send_invitation(user, organization, actor.user, uid, token)
            )
    return membership
