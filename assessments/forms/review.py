from django import forms


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale (shown to the organization and in the report)",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangeRequestForm(forms.Form):
    message = forms.CharField(
        label="What should the organization change?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    questions = forms.MultipleChoiceField(
        label="Questions to revisit", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, question_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = question_choices


class VerifyForm(forms.Form):
    reference = forms.CharField(
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
        if report and report.size > 20 * 1024 * 1024:
            self.add_error("report", "This file is too large to be one of our reports.")
        return cleaned
