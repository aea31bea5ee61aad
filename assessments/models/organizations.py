"""People and the organizations they act for."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.text import slugify


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address.

    Platform reviewers (is_reviewer) belong to no organization; everyone else acts for
    organizations through a Membership.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_reviewer = models.BooleanField(
        default=False, help_text="Trust & safety reviewer at the platform."
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        indexes = [
            # The queue's reviewer filter lists the few reviewers among every user there is.
            models.Index(
                fields=["full_name"], condition=models.Q(is_reviewer=True), name="reviewers"
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organization(models.Model):
    """An organization that deploys an AI model to minors and attests its safeguards."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    legal_name = models.CharField(max_length=200)
    website = models.URLField()
    contact_email = models.EmailField()
    contact_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    # The latest month's confirmed violations per 10,000 requests, kept by the figures import
    # in its transaction, so the queue filters and sorts on a column.
    violation_rate = models.FloatField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self):
        return self.legal_name

    @property
    def file_stem(self) -> str:
        """The name as downloads are named after it: ASCII letters, digits and hyphens, so
        any name (quotes, accents, another script) gives a plain file name."""
        return slugify(self.legal_name)[:40].strip("-") or "organization"


class Role(models.TextChoices):
    PREPARER = "preparer", "Preparer"
    SIGNATORY = "signatory", "Signatory"
    ADMIN = "admin", "Administrator"


class Membership(models.Model):
    """What a person may do for one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]
        ordering = ["organization", "user__full_name"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.organization}"


class Invitation(models.Model):
    """An organization's admin asks a person, by email, to join with a role.

    The person accepts from the emailed link: an existing account while logged in as that
    address, a new one by choosing a password. Nobody becomes a member without accepting.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()}) to {self.organization}"
