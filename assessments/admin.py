"""Django admin for staff, read-only: people, organizations and the trail change only through
the audited actions, and staff never see a person's second-factor secrets."""

# The admins this module replaces, registered first whatever the order of INSTALLED_APPS
# (this app comes first, for its commands): each is then unregistered below.
import django.contrib.auth.admin  # noqa: F401 - Group
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import (
    Assessment,
    Attestation,
    AuditEvent,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)


class ReadOnly:
    """Records that change only through the domain modules, which audit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Shown, never edited here: an email, a password or an account's second factor set by
    staff would let staff act as that person (sign as a signatory) with no trace. People
    change their own details; roles change through `manage.py set_platform_role` and the
    organizations' members pages, each step audited."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_reviewer", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "is_reviewer", "is_active", "is_staff", "is_superuser"]


class MembershipInline(ReadOnly, admin.TabularInline):
    """Shown, not edited: members are invited, changed and removed by the organization's
    admins on its members page, where each step is audited."""

    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Shown, never edited here: the name is what signatories attested and what the public
    verification page shows; organizations change it through their audited actions."""

    list_display = ["legal_name", "website", "contact_email", "created_at"]
    search_fields = ["legal_name"]
    inlines = [MembershipInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["organization", "framework_version", "status", "status_changed_at"]
    list_filter = ["status", "framework_version"]
    search_fields = ["organization__legal_name"]
    list_select_related = ["organization", "framework_version"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "published_on", "sha256"]


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "number", "signed_at", "expires_at", "revoked_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Append-only: the admin can read the trail, never edit or delete it."""

    list_display = ["created_at", "action", "actor_email", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_email", "object_id"]


# django-otp registers its devices for staff to add and edit: staff enrolling an
# authenticator for someone else would hold that person's second factor. People enrol their
# own (two_factor.py); the admin shows the devices, never changes them.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "created_at"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]


@admin.register(StaticDevice)
class BackupCodesAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed"]
    fields = ["user", "name", "confirmed"]


# Failed logins, lockouts and sign-ins are the trace of an attack on an account: staff read
# them, never delete or edit them (a lockout ends by itself after AXES_COOLOFF_TIME).
@admin.register(AccessAttempt)
class LoginAttemptAdmin(ReadOnly, AccessAttemptAdmin):
    actions = None  # axes' own "clean up expired attempts" deletes them, and fails from here


@admin.register(AccessFailureLog)
class LoginFailureAdmin(ReadOnly, AccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class LoginAdmin(ReadOnly, AccessLogAdmin):
    pass


# The portal grants nothing through Django's groups and permissions (roles are memberships
# and platform flags, each changed by an audited action): no page to make groups.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
