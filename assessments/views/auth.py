"""Django's log-in and password views, with the login throttle's known-device cookie and the
audited password change."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.decorators import method_decorator

from accounts.login_throttle import remember_device
from accounts.throttling import PASSWORD_RESET, throttled_posts
from assessments.forms.accounts import ChangePasswordForm, ResetPasswordForm, ResetRequestForm
from assessments.views.helpers import status_for


class _Refused422:
    """A refused form answers 422, as every other page's does (Django's own views answer 200)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = status_for(form)
        return response


class LoginView(_Refused422, auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.get_user())
        return response

    def form_invalid(self, form):
        if getattr(self.request, "account_held", False):
            return render(self.request, "registration/account_held.html", status=429)
        return super().form_invalid(form)


class _OwnRequest:
    """The password form is given the request: the change is audited as its person's, from
    its address, and a current password is checked through the log-in lockout."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"request": self.request}


class PasswordChangeView(_Refused422, _OwnRequest, auth_views.PasswordChangeView):
    form_class = ChangePasswordForm


@method_decorator(throttled_posts(PASSWORD_RESET), name="dispatch")
class PasswordResetView(_Refused422, auth_views.PasswordResetView):
    """Asking for a reset link: held per client address, and per mailbox by the form."""

    form_class = ResetRequestForm
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"


class PasswordResetConfirmView(_Refused422, _OwnRequest, auth_views.PasswordResetConfirmView):
    """Following the emailed link proves the person owns the address: their browser is
    known from then on, so password guessing by others cannot keep them out."""

    form_class = ResetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.user)
        return response
