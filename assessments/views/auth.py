"""Django's log-in and password-reset views, with the login throttle's known-device cookie."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from accounts.login_throttle import remember_device


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.get_user())
        return response

    def form_invalid(self, form):
        if getattr(self.request, "account_held", False):
            return render(self.request, "registration/account_held.html", status=429)
        return super().form_invalid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Following the emailed link proves the person owns the address: their browser is
    known from then on, so password guessing by others cannot keep them out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.user)
        return response
