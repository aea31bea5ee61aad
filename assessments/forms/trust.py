"""The public's forms: checking a report, searching the directory of attested products."""

from django import forms

from assessments.forms.fields import SingleLineField
from attestations import public_trust
from attestations.verification import REPORT_MAX_BYTES
from questionnaires.regimes import catalogue


class DirectoryForm(forms.Form):
    """The public directory's search: every field optional, an empty one filters nothing."""

    q = forms.CharField(label="Product or organization", required=False, max_length=100)
    law = forms.ChoiceField(label="Law answered", required=False)
    age = forms.ChoiceField(label="For", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="%s", **kwargs)  # the page's ids: q, law, age
        laws = sorted(regime.name for regime in catalogue().values())
        self.fields["law"].choices = [("", "Any"), *((name, name) for name in laws)]
        self.fields["age"].choices = [("", "Any age"), *((b, b) for b in public_trust.AGE_BANDS)]


class VerifyForm(forms.Form):
    reference = SingleLineField(
        label="Verification link or hash",
        required=False,
        max_length=500,
        help_text="Paste the link printed at the foot of every page of the report, or its hash.",
    )
    report = forms.FileField(
        label="…or upload the report PDF",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reference") and not cleaned.get("report"):
            raise forms.ValidationError("Paste a verification link or hash, or upload a PDF.")
        report = cleaned.get("report")
        if report and report.size > REPORT_MAX_BYTES:
            self.add_error("report", "This file is too large to be one of our reports.")
        return cleaned
