"""People's and organizations' forms: registering, members and roles, signing and sending
back, products, passwords and the second factor."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.urls import reverse

from accounts import passwords, step_up, throttling
from accounts.actors import Actor
from accounts.client_address import client_ip
from accounts.step_up import StepUpForm
from assessments.forms.fields import SingleLineField
from assessments.models import Platform, Role, User


class SignupForm(forms.Form):
    """Registers an organization and its first administrator. The address is confirmed by
    email before anything is created, and the answer is the same for a known address."""

    legal_name = SingleLineField(
        label="Organization's legal name",
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    website = forms.URLField(label="Organization's website", max_length=200, assume_scheme="https")
    full_name = SingleLineField(label="Your full name", max_length=150)
    email = forms.EmailField(label="Your work email")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberForm(forms.Form):
    """Invite a person by email; whether the address has an account is never shown."""

    email = forms.EmailField(label="Email")
    full_name = SingleLineField(label="Full name", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class NewAccountForm(forms.Form):
    """An invited person without an account chooses their name and password."""

    full_name = SingleLineField(label="Your full name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            person = User(email=self.email, full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignForm(StepUpForm):
    """A signatory confirms the statement, re-enters their password and gives a code."""

    confirm = forms.BooleanField(
        label="I have read the statement and the answers, and I attest that they are true."
    )
    field_order = ["confirm", "password", "code"]


class ReturnForm(forms.Form):
    # An empty reason is refused by workflow.return_to_draft itself, in its own words.
    reason = forms.CharField(
        label="Not ready? Send it back to the preparers, saying what to change:",
        required=False,
        max_length=500,
    )


class ProductForm(forms.Form):
    """A product an organization puts in front of minors: what each assessment is of."""

    name = SingleLineField(label="Product name", max_length=120)
    description = SingleLineField(
        label="What it is",
        max_length=300,
        required=False,
        help_text="One sentence a parent or teacher understands.",
    )
    addresses = forms.CharField(
        label="Where people use it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Web addresses or app-store pages, one a line.",
    )
    platforms = forms.MultipleChoiceField(
        label="Platforms",
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_addresses(self):
        lines = [line.strip() for line in self.cleaned_data["addresses"].splitlines()]
        validate = forms.URLField(assume_scheme="https").clean
        return [validate(line) for line in lines if line]


class _OwnPassword:
    """Django's password forms, saved through the audited action (``how`` names the way)."""

    how: passwords.PasswordChange

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def save(self, commit=True):
        passwords.change_own_password(
            self.user,
            self.cleaned_data["new_password1"],
            # The account's own person: on the reset page they are not logged in yet.
            actor=Actor(self.user, ip=client_ip(self.request)),
            how=self.how,
        )
        return self.user


class ChangePasswordForm(_OwnPassword, PasswordChangeForm):
    how = passwords.PasswordChange.CHANGED

    def clean_old_password(self):
        """Checked as step-up checks it, through authenticate(): a wrong guess counts toward
        the log-in lockout, so a stolen session cannot try passwords here without end."""
        try:
            step_up.prove(self.request, self.user, password=self.cleaned_data["old_password"])
        except step_up.Refused as refusal:
            raise forms.ValidationError(refusal.message, code="password_incorrect") from None
        return self.cleaned_data["old_password"]


class ResetPasswordForm(_OwnPassword, SetPasswordForm):
    how = passwords.PasswordChange.RESET


class ResetRequestForm(PasswordResetForm):
    """Django's request for a reset link, mailing an address no more often than
    `throttling.may_mail` allows, however many clients ask. Nothing on the page says whether
    a link went: it never says whether the address has an account either. The link is built
    on SITE_URL like every emailed link, never on the host the request named."""

    def get_users(self, email):
        for user in super().get_users(email):
            if throttling.may_mail(user.email):
                yield user

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse("password_reset_confirm", args=[context["uid"], context["token"]])
        days = settings.PASSWORD_RESET_TIMEOUT // 86400
        context = context | {"link": settings.SITE_URL + path, "days": days}
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def _code_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeForm(forms.Form):
    """A code from the person's authenticator, once a session."""

    token = _code_field("Code")


class AuthenticatorSetupForm(StepUpForm):
    """The password proves the person; the code proves the new authenticator."""

    ask_for_code = False
    token = _code_field("Code from the app you just set up")
