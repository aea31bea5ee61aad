from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from assessments.forms.fields import SingleLineField
from assessments.models import Membership, Role, User
from assessments.step_up import StepUpForm


class SignupForm(BaseUserCreationForm):
    """Registers an organization and its first administrator in one step."""

    legal_name = SingleLineField(label="Organization's legal name", max_length=200)
    website = forms.URLField(label="Organization's website", max_length=200, assume_scheme="https")
    full_name = SingleLineField(label="Your full name", max_length=150)

    class Meta:
        model = User
        fields = ("full_name", "email")
        labels = {"full_name": "Your full name", "email": "Your work email"}

    field_order = ["legal_name", "website", "full_name", "email", "password1", "password2"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in instead."
            )
        return email


class MemberForm(forms.Form):
    email = forms.EmailField(label="Email")
    full_name = SingleLineField(label="Full name", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, label="Role")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email__iexact=email).first()
        if user and user.is_reviewer:
            raise forms.ValidationError("Platform reviewers cannot join an organization.")
        if Membership.objects.filter(organization=self.organization, user__email=email).exists():
            raise forms.ValidationError("This person is already a member.")
        return email


class SignForm(StepUpForm):
    """A signatory confirms the statement, re-enters their password and gives a code."""

    confirm = forms.BooleanField(
        label="I have read the statement and the answers, and I attest that they are true."
    )
    field_order = ["confirm", "password", "code"]
