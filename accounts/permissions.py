"""The only way views reach organization-owned objects.

A person outside the owning organization gets 404 (we do not confirm the object exists);
a member whose role does not allow the action gets 403. Platform reviewers may view and
review every organization's assessments but never edit or sign them.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.errors import NotPermitted
from assessments.models import (
    Assessment,
    Attestation,
    AuditRequest,
    Evidence,
    Membership,
    Organization,
    Role,
    User,
)


class Need(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    SIGN = "sign"
    MANAGE = "manage"
    REVIEW = "review"


ROLE_CAN = {
    Role.PREPARER: {Need.VIEW, Need.EDIT},
    Role.SIGNATORY: {Need.VIEW, Need.SIGN},
    Role.ADMIN: {Need.VIEW, Need.EDIT, Need.MANAGE},
}
REVIEWER_CAN = {Need.VIEW, Need.REVIEW}


def _known_roles(user: User) -> dict:
    """The roles read for this person during this request, by organization."""
    return user.__dict__.setdefault("_portal_roles", {})


def role_in(user: User, organization: Organization) -> Role | None:
    """The person's role, remembered on the request's user object (never across requests).
    A request made with an API token has the token's role in the token's organization, and
    none anywhere else (see api.authentication)."""
    scope = getattr(user, "api_scope", None)
    if scope is not None:
        return scope.role if organization.pk == scope.organization_id else None
    roles = _known_roles(user)
    if organization.pk not in roles:
        # Unordered: the model's default ordering would join two tables to sort one row.
        found = (
            Membership.objects.filter(organization_id=organization.pk, user_id=user.pk)
            .order_by()
            .values_list("role", flat=True)[:1]
        )
        roles[organization.pk] = Role(found[0]) if found else None
    return roles[organization.pk]


def check(user: User, organization: Organization, need: Need) -> None:
    """Raise Http404 for outsiders and PermissionDenied for a role that may not do this."""
    if not user.is_authenticated:
        raise Http404
    if user.is_reviewer:
        check_reviewer_need(need)
        return
    role = role_in(user, organization)
    if role is None:
        raise Http404
    if need not in ROLE_CAN[role]:
        raise PermissionDenied(f"Your role ({role.label}) does not allow this.")


def can(user: User, organization: Organization, need: Need) -> bool:
    try:
        check(user, organization, need)
    except (Http404, PermissionDenied):
        return False
    return True


def require(user: User | None, organization: Organization | None, need: Need) -> None:
    """For services, whoever calls them (a view, the API, a command): refuse an actor whose
    role does not allow this with NotPermitted (a 403). With no organization, the platform's
    own things: only a platform reviewer may act on them."""
    allowed = (
        user is not None
        and user.is_authenticated
        and (user.is_reviewer if organization is None else can(user, organization, need))
    )
    if not allowed:
        raise NotPermitted("Your role does not allow this.")


def require_platform(user: User | None, *, staff: bool = False) -> None:
    """For the platform's own records (the policy texts, who works for the platform): written
    by an operator's command, where the system acts (no user), or by a platform reviewer as
    ``require`` judges one (staff, where ``staff``); never by an organization's account."""
    if user is None:
        return
    if not staff:
        require(user, None, Need.REVIEW)
    elif not (user.is_authenticated and user.is_staff):
        raise NotPermitted("Only the platform's staff can do this.")


def organization_for(user: User, organization_id, *, need: Need) -> Organization:
    organization = get_object_or_404(Organization, pk=organization_id)
    check(user, organization, need)
    return organization


def assessment_for(user: User, assessment_id, *, need: Need) -> Assessment:
    """The assessment with its organization and questionnaire version (its definition is
    read only when this process has not parsed that version yet) and, for a member, their
    role in the same read: every questionnaire page starts here."""
    asks_role = (
        user.is_authenticated and not user.is_reviewer and getattr(user, "api_scope", None) is None
    )
    found = (
        Assessment.objects.filter(pk=assessment_id)
        .select_related("organization", "product", "framework_version")
        .defer("framework_version__definition")
        .order_by()
    )
    if asks_role:
        role = Membership.objects.filter(organization_id=OuterRef("organization_id"), user=user)
        found = found.annotate(viewer_role=Subquery(role.order_by().values("role")[:1]))
    assessment = found.first()
    if assessment is None:
        raise Http404
    if asks_role:
        role = assessment.viewer_role
        _known_roles(user)[assessment.organization_id] = Role(role) if role else None
    check(user, assessment.organization, need)
    return assessment


def attestation_for(user: User, attestation_id, *, need: Need) -> Attestation:
    attestation = get_object_or_404(
        Attestation.objects.select_related("assessment__organization", "signed_by"),
        pk=attestation_id,
    )
    check(user, attestation.assessment.organization, need)
    return attestation


def evidence_for(user: User, evidence_id, *, need: Need) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("assessment__organization"), pk=evidence_id
    )
    check(user, evidence.assessment.organization, need)
    return evidence


def require_reviewer(user: User) -> None:
    """Pages of the platform's own work (queue, campaigns, figures): reviewers only."""
    if not user.is_reviewer:
        raise PermissionDenied("Only platform reviewers can do this.")


def audit_request_for(user: User, request_id, *, need: Need) -> AuditRequest:
    """A request the platform made: its organization's members and reviewers see it; one
    made to an organization not registered yet is the reviewers' alone."""
    audit_request = get_object_or_404(
        AuditRequest.objects.select_related("organization", "framework_version", "assessment"),
        pk=request_id,
    )
    if audit_request.organization is None:
        if not user.is_authenticated or not user.is_reviewer:
            raise Http404
        check_reviewer_need(need)
    else:
        check(user, audit_request.organization, need)
    return audit_request


def check_reviewer_need(need: Need) -> None:
    if need not in REVIEWER_CAN:
        raise PermissionDenied("Reviewers cannot do this.")


def organizations_of(user: User):
    """Organizations the user is a member of (none for reviewers); a token's one only."""
    scope = getattr(user, "api_scope", None)
    if scope is not None:
        return Organization.objects.filter(pk=scope.organization_id)
    return Organization.objects.filter(memberships__user=user).distinct()
