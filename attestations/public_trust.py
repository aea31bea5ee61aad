"""What the public is told about a product: its trust page, its seal and the directory.

Only what the platform decided, said as strongly as it holds: a product is "attested" only
while an attestation of it is valid (approved, in force, not revoked or superseded), and the
page, the seal and the directory ask here at every request, so a revocation or an expiry
shows the moment it happens. Products appear only when their organization opted in."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assessments.models import Attestation, Outcome, Product
from attestations.attestation import regimes_covered
from attestations.attestation_status import AttestationStatus, status_of
from attestations.figures import figures_of

DIRECTORY_PAGE = 50
# The age groups the questionnaire's scope asks about (scope.age_bands), as signed answers
# word them: the directory filters on these words.
AGE_BANDS = (
    "Children under 13",
    "Teenagers aged 13 to 15",
    "Teenagers aged 16 or 17",
)


@dataclass(frozen=True)
class Safeguard:
    """A section of the questionnaire as a parent reads it: what was checked, how far met."""

    title: str
    met: int
    asked: int


@dataclass(frozen=True)
class Standing:
    product: Product
    attestation: Attestation | None  # the valid one; else the newest, to say why not
    status: AttestationStatus | None
    safeguards: list[Safeguard] = field(default_factory=list)

    @property
    def attested(self) -> bool:
        return self.status is not None and self.status.is_valid

    @property
    def laws(self) -> list[str]:
        return regimes_covered(self.attestation.snapshot_json) if self.attested else []

    @property
    def figures(self):
        return figures_of(self.attestation, self.status.decision) if self.attested else None

    @property
    def age_bands(self) -> str:
        if not self.attested:
            return ""
        return _answer(json.loads(self.attestation.snapshot_json), "scope.age_bands") or ""

    def seal_text(self) -> str:
        """The seal's words: whose product, and the state, never stronger than it holds."""
        who = f"{self.product.name} ({self.product.organization.legal_name})"
        if self.attested:
            until = date_format(self.attestation.expires_at, "j M Y")
            return f"Minor-safety attested: {who}, valid until {until}"
        return f"Not attested now: {who}"


def _answer(snapshot: dict, question_id: str) -> str | None:
    for section in snapshot.get("sections", []):
        for question in section["questions"]:
            if question["id"] == question_id:
                return question["answer"]
    return None


def _safeguards(attestation: Attestation) -> list[Safeguard]:
    snapshot = json.loads(attestation.snapshot_json)
    found = []
    for section in snapshot["sections"]:
        scored = [q for q in section["questions"] if q["status"] in {"met", "partial", "not_met"}]
        if scored:
            met = sum(1 for q in scored if q["status"] == "met")
            found.append(Safeguard(section["title"], met, len(scored)))
    return found


def standing(product: Product) -> Standing:
    """The product's valid attestation if it has one, else its newest and why it is not."""
    attestations = list(
        Attestation.objects.filter(assessment__product=product)
        .select_related("assessment__framework_version", "assessment__organization")
        .prefetch_related("decisions")
        .order_by("-signed_at")
    )
    for attestation in attestations:
        status = status_of(attestation)
        if status.is_valid:
            return Standing(product, attestation, status, _safeguards(attestation))
    newest = attestations[0] if attestations else None
    return Standing(product, newest, status_of(newest) if newest else None)


def public_product(product_id) -> Product | None:
    return Product.objects.select_related("organization").filter(pk=product_id, public=True).first()


def directory(*, query: str = "", law: str = "", age_band: str = "") -> list[Standing]:
    """Products whose organization opted in and that hold a valid attestation, by name."""
    # Only products with an approved attestation neither revoked nor expired can be attested:
    # the rest are left out in a cheap read, not judged one by one. What is left is judged by
    # standing() with the one meaning of "in force" (Attestation.objects.in_force here would
    # cost five times as much on this public page: 10.8 against 2.1 ms at 963 attestations).
    candidates = Attestation.objects.filter(
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        decisions__outcome=Outcome.APPROVED,
    ).values("assessment__product_id")
    products = Product.objects.filter(public=True, pk__in=candidates).select_related("organization")
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(organization__legal_name__icontains=query)
        )
    found = []
    for product in products.order_by("name")[: DIRECTORY_PAGE * 4]:
        current = standing(product)
        if not current.attested:
            continue
        if law and not any(law.lower() in line.lower() for line in current.laws):
            continue
        if age_band and age_band.lower() not in current.age_bands.lower():
            continue
        found.append(current)
        if len(found) == DIRECTORY_PAGE:
            break
    return found


SEAL_WIDTH, SEAL_HEIGHT = 260, 56


def seal_svg(current: Standing) -> str:
    """The seal: a small SVG badge with a text alternative, green only for a valid one."""
    attested = current.attested
    colour = "#146c43" if attested else "#6c757d"
    headline = "Minor-safety attested" if attested else "Not attested now"
    until = (
        f"valid until {date_format(current.attestation.expires_at, 'j M Y')}"
        if attested
        else "see the platform's page"
    )
    product = (
        current.product.name if len(current.product.name) <= 34 else current.product.name[:33] + "…"
    )
    svg: SafeString = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{alt}"><title>{alt}</title>'
        '<rect x="0.5" y="0.5" width="{w1}" height="{h1}" rx="6" fill="#fff" stroke="{c}"/>'
        '<rect x="0.5" y="0.5" width="8" height="{h1}" rx="3" fill="{c}"/>'
        '<text x="18" y="20" font-family="DejaVu Sans, Arial, sans-serif" font-size="13" '
        'font-weight="bold" fill="{c}">{headline}</text>'
        '<text x="18" y="36" font-family="DejaVu Sans, Arial, sans-serif" font-size="11" '
        'fill="#212529">{product}</text>'
        '<text x="18" y="50" font-family="DejaVu Sans, Arial, sans-serif" font-size="10" '
        'fill="#495057">{until}</text></svg>',
        w=SEAL_WIDTH,
        h=SEAL_HEIGHT,
        w1=SEAL_WIDTH - 1,
        h1=SEAL_HEIGHT - 1,
        alt=current.seal_text(),
        c=colour,
        headline=headline,
        product=product,
        until=until,
    )
    return str(svg)


def seal_etag(svg: str) -> str:
    return hashlib.sha256(svg.encode()).hexdigest()[:32]
