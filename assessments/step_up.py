"""Step-up: a person proves again who they are before an act others rely on (signing an
attestation, replacing their second factor).

The password goes through authenticate(), so a wrong guess here counts toward the same
lockout as the log-in form; a person who has an authenticator must give a code from it too,
because a password alone is not step-up.
"""

from django import forms
from django.contrib.auth import authenticate
from django_otp import match_token, user_has_device

LOCKED_OUT = "Too many failed attempts: wait a few minutes and try again."


class StepUpForm(forms.Form):
    """The password and, when the person has one, a second-factor code."""

    ask_for_code = True  # a subclass that itself proves a new device may turn this off

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        if self.ask_for_code and user_has_device(self.user):
            self.fields["code"] = forms.CharField(
                label="Code from your authenticator app (or a recovery code)",
                max_length=16,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
            )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        person = authenticate(self.request, username=self.user.email, password=password)
        if person is None or person.pk != self.user.pk:
            locked = getattr(self.request, "axes_locked_out", False)
            self.add_error("password", LOCKED_OUT if locked else "That password is not correct.")
            return cleaned
        code = (cleaned.get("code") or "").strip()
        if "code" in self.fields and code and match_token(self.user, code) is None:
            self.add_error("code", "That code is not right. Use a fresh code from your app.")
        return cleaned
