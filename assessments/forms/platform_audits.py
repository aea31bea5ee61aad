"""Forms of the audits the platform starts: asking, inviting, escalating, campaigns, figures."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from assessments.forms.accounts import NewAccountForm
from assessments.forms.fields import SingleLineField
from assessments.models import NOTE_MAX_CHARS, EnforcementLevel, FrameworkVersion, RequestKind
from platform_audits.campaigns import Selection

DEFAULT_DAYS_TO_ANSWER = 30


def _latest_versions():
    """Each questionnaire's newest version: what the platform asks for."""
    latest = {}
    for version in FrameworkVersion.objects.defer("definition").order_by("slug", "-published_on"):
        latest.setdefault(version.slug, version.pk)
    return FrameworkVersion.objects.filter(pk__in=latest.values()).defer("definition")


class RequestTermsForm(forms.Form):
    """What is asked for, why and by when: shared by every way of asking."""

    framework_version = forms.ModelChoiceField(
        queryset=FrameworkVersion.objects.none(), label="Questionnaire", empty_label=None
    )
    reason = forms.CharField(
        label="Why the platform asks (the organization reads this)",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = forms.DateField(label="Due by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = _latest_versions()
        self.fields["due_on"].initial = timezone.localdate() + timedelta(
            days=DEFAULT_DAYS_TO_ANSWER
        )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on <= timezone.localdate():
            raise forms.ValidationError("Choose a date in the future.")
        return due_on


class AskForm(RequestTermsForm):
    """A reviewer asks one organization, from its assessment's review page."""

    kind = forms.ChoiceField(choices=RequestKind.choices, label="Ask for", widget=forms.RadioSelect)
    question_ids = forms.MultipleChoiceField(
        label="Questions to remediate (for a remediation request)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = ["kind", "question_ids", "framework_version", "reason", "due_on"]

    def __init__(self, *args, questions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_ids"].choices = questions

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == RequestKind.REMEDIATION and not cleaned.get("question_ids"):
            self.add_error("question_ids", "Choose the questions to remediate.")
        return cleaned


class InviteForm(RequestTermsForm):
    """Ask an organization that has no account: it is invited to register."""

    legal_name = SingleLineField(label="Organization's legal name", max_length=200)
    email = forms.EmailField(label="Contact email to invite")
    field_order = ["legal_name", "email", "framework_version", "reason", "due_on"]


class EscalateForm(forms.Form):
    level = forms.ChoiceField(
        choices=EnforcementLevel.choices, label="Recommendation", widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale (for the platform's enforcement team)",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CampaignForm(RequestTermsForm):
    name = SingleLineField(label="Campaign name", max_length=150)
    violation_rate_above = forms.FloatField(
        label="Confirmed violations per 10,000 requests above",
        required=False,
        min_value=0,
        help_text="In the organization's latest month of imported figures.",
    )
    high_risk = forms.BooleanField(label="High risk tier", required=False)
    expires_within_days = forms.IntegerField(
        label="Attestation expires within (days)", required=False, min_value=0, max_value=3650
    )
    cited_policy_changed = forms.BooleanField(
        label="Attestation cites policy text that changed", required=False
    )
    field_order = [
        "name",
        "violation_rate_above",
        "high_risk",
        "expires_within_days",
        "cited_policy_changed",
        "framework_version",
        "reason",
        "due_on",
    ]

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            violation_rate_above=data.get("violation_rate_above"),
            high_risk=bool(data.get("high_risk")),
            expires_within_days=data.get("expires_within_days"),
            cited_policy_changed=bool(data.get("cited_policy_changed")),
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.selection().is_empty:
            raise forms.ValidationError("Choose at least one criterion for the selection.")
        return cleaned


class FiguresForm(forms.Form):
    file = forms.FileField(label="Figures file (CSV)")


class InvitedAccountForm(NewAccountForm):
    """The invited organization's first person registers it."""

    website = forms.URLField(label="Organization's website", max_length=200, assume_scheme="https")
    field_order = ["website", "full_name", "password1", "password2"]
