"""The forms of what programs use: API tokens, webhook endpoints, live-test endpoints."""

from django import forms

from accounts.step_up import StepUpForm
from assessments.forms.fields import SingleLineField
from assessments.models import EndpointKind, TokenRole
from integrations.api_tokens import MAX_DAYS, ORGANIZATION_ROLES
from integrations.webhooks import SUBSCRIBABLE


class TokenForm(StepUpForm):
    """A new token: a name, what it may do, how long it lasts; the password and code again,
    because the token can act without either."""

    name = SingleLineField(label="Name (which program uses it)", max_length=100)
    role = forms.ChoiceField(
        label="What it may do", choices=[(r.value, r.label) for r in ORGANIZATION_ROLES]
    )
    days = forms.IntegerField(label="Lasts (days)", min_value=1, max_value=MAX_DAYS, initial=90)
    field_order = ["name", "role", "days", "password", "code"]

    def __init__(self, *args, for_reviewer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if for_reviewer:
            del self.fields["role"]

    def chosen_role(self) -> TokenRole:
        return TokenRole(self.cleaned_data.get("role") or TokenRole.REVIEWER)


class WebhookForm(forms.Form):
    url = forms.URLField(label="Endpoint address", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=[(e.value, e.label) for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )


class ProbeEndpointForm(forms.Form):
    url = forms.URLField(label="Test endpoint address", max_length=500, assume_scheme="https")
    kind = forms.ChoiceField(label="Kind of endpoint", choices=EndpointKind.choices)
    model = forms.CharField(
        label="Model name (OpenAI-compatible endpoints)", max_length=100, required=False
    )
    credential = forms.CharField(
        label="Test credential (sent as a bearer token; stored encrypted, never shown again)",
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    consent = forms.BooleanField(
        label="We agree that the platform sends its benign test conversations to this "
        "endpoint when we start a run, and keeps the transcripts for its reviewers.",
        required=False,
    )
