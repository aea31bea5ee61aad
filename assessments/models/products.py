"""What an organization puts in front of minors: the unit that is assessed and attested."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from assessments.models.organizations import Organization


class Platform(models.TextChoices):
    WEB = "web", "Web"
    IOS = "ios", "iOS app"
    ANDROID = "android", "Android app"
    DESKTOP = "desktop", "Desktop app"
    VOICE = "voice", "Voice assistant or device"
    API = "api", "Built into another product"


class Product(models.Model):
    """A site, app or service of an organization that lets minors use the model. Each
    assessment, and so each attestation, report and seal, is of one product."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=300, blank=True, help_text="What it is, in one sentence a parent understands."
    )
    addresses = models.JSONField(
        default=list, blank=True, help_text="Where people use it (web addresses, store pages)."
    )
    platforms = models.JSONField(default=list, blank=True)
    # Opt-in by an organization administrator: a public trust page, seal and directory entry,
    # shown only while the product's attestation is valid.
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization__legal_name", "name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="one_product_name_per_organization",
                violation_error_message="This organization already has a product of that name.",
            )
        ]
        indexes = [models.Index(fields=["public", "name"])]

    def __str__(self):
        return self.name
