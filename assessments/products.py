"""An organization's products: registered, described and published by its administrators,
on the audit trail. Every assessment is of one product."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.actors import Actor
from assessments.models import AuditAction, Membership, Organization, Platform, Product, Role
from attestations import audit


class ProductRefused(ValueError):
    """A change to a product that is not allowed; the message says why, for the person."""


def default_product(organization: Organization) -> Product:
    """The product an organization with a single one assesses: named after the organization
    (what the migration made of every assessment before products existed)."""
    product = organization.products.order_by("created_at").first()
    if product is not None:
        return product
    return Product.objects.get_or_create(
        organization=organization,
        name=organization.legal_name[:120],
        defaults={"addresses": [organization.website] if organization.website else []},
    )[0]


def _require_admin(organization: Organization, actor: Actor) -> None:
    if not Membership.objects.filter(
        organization=organization, user=actor.user, role=Role.ADMIN
    ).exists():
        raise ProductRefused("Only the organization's administrators manage its products.")


def _clean(name: str, addresses: list[str], platforms: list[str]) -> tuple[str, list, list]:
    name = name.strip()
    if not name:
        raise ProductRefused("Give the product's name.")
    unknown = set(platforms) - set(Platform.values)
    if unknown:
        raise ProductRefused(f"Unknown platform: {', '.join(sorted(unknown))}.")
    return name, [a.strip() for a in addresses if a.strip()], list(platforms)


def register_product(
    organization: Organization,
    *,
    name: str,
    description: str = "",
    addresses: list[str] = (),
    platforms: list[str] = (),
    actor: Actor,
) -> Product:
    _require_admin(organization, actor)
    name, addresses, platforms = _clean(name, list(addresses), list(platforms))
    try:
        with transaction.atomic():
            product = Product.objects.create(
                organization=organization,
                name=name,
                description=description.strip(),
                addresses=addresses,
                platforms=platforms,
            )
            audit.record(
                actor=actor,
                action=AuditAction.PRODUCT_REGISTERED,
                obj=product,
                details={"name": name, "addresses": addresses, "platforms": platforms},
                organization_id=organization.pk,
            )
    except IntegrityError:
        raise ProductRefused(f"{organization} already has a product named {name}.") from None
    return product


def set_public(product: Product, public: bool, *, actor: Actor) -> Product:
    """Opt in to (or out of) the public trust page, seal and directory entry."""
    _require_admin(product.organization, actor)
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        before = locked.public
        locked.public = public
        locked.save(update_fields=["public"])
        audit.record(
            actor=actor,
            action=AuditAction.PRODUCT_CHANGED,
            obj=locked,
            details={"public": {"from": before, "to": public}},
            organization_id=locked.organization_id,
        )
    return locked


@dataclass(frozen=True)
class ProductRow:
    """What the organization page shows of one product."""

    product: Product
    assessments: list
    open_assessment: object | None
    carry_over_from: object | None  # its latest approved assessment: answers carry over
    attestations: list  # (attestation, what it means today)


def overview(organization: Organization) -> list[ProductRow]:
    """Each product with its assessments and attestations, newest first (selectors read)."""
    from assessments.models import FINAL_STATUSES, Attestation, Status
    from attestations.attestation_status import status_of

    default_product(organization)  # an organization always shows at least one
    assessments = list(
        organization.assessments.select_related("framework_version").order_by("-created_at")
    )
    attestations = list(
        Attestation.objects.filter(assessment__organization=organization)
        .select_related("assessment__framework_version")
        .prefetch_related("decisions")
        .order_by("-signed_at")
    )
    rows = []
    for product in organization.products.order_by("created_at"):
        mine = [a for a in assessments if a.product_id == product.pk]
        rows.append(
            ProductRow(
                product=product,
                assessments=mine,
                open_assessment=next((a for a in mine if a.status not in FINAL_STATUSES), None),
                carry_over_from=next((a for a in mine if a.status == Status.APPROVED), None),
                attestations=[
                    (a, status_of(a)) for a in attestations if a.assessment.product_id == product.pk
                ],
            )
        )
    return rows
