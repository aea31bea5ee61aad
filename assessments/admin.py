from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from assessments.models import (
    Assessment,
    Attestation,
    AuditEvent,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_reviewer", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Roles", {"fields": ["is_reviewer", "is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
    # Who reviews or administers the platform changes only through the audited command
    # `manage.py set_platform_role`, never by ticking a box here.
    readonly_fields = ["is_reviewer", "is_staff", "is_superuser"]


class MembershipInline(admin.TabularInline):
    """Shown, not edited: members are invited, changed and removed by the organization's
    admins on its members page, where each step is audited."""

    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "website", "contact_email", "created_at"]
    search_fields = ["legal_name"]
    inlines = [MembershipInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through the domain modules, which audit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
