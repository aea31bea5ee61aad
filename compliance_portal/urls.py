from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from assessments.views import auth
from compliance_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/password_change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The admin's own page would set a password off the audit trail: one page for everyone.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("integrations.api.urls")),
    path("", include("assessments.urls")),
]

handler404 = "assessments.views.errors.error_404"
handler500 = "assessments.views.errors.error_500"
