"""The reviewers' forms: the queue's filters, verdicts on answers and evidence, the decision,
asking for changes, assigning, comments (an organization's too) and revocation."""

from django import forms

from assessments.forms.fields import SingleLineField
from assessments.models import NOTE_MAX_CHARS, Verdict
from questionnaires.scoring import RiskTier


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale (shown to the organization and in the report)",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        required=False,
        label="I have looked at what is listed as still unjudged, and I confirm this decision",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "approve" and not cleaned.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm the approval.")
        return cleaned


class AcceptRestForm(forms.Form):
    """Accept every answer and item of evidence not judged yet, with one note kept on each."""

    note = forms.CharField(
        label="Note kept with each verdict",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChangeRequestForm(forms.Form):
    """The overall message; each question marked "needs change" goes with its own note."""

    message = forms.CharField(
        label="What should the organization change, overall?",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


NOT_JUDGED = ("", "Not judged yet")


class QuestionVerdictForm(forms.Form):
    # Starts at "not judged yet": saving an untouched form records nothing, never "Accepted".
    verdict = forms.ChoiceField(choices=[NOT_JUDGED, *Verdict.choices], label="Verdict")
    note = forms.CharField(
        label="Note for the organization", required=False, max_length=NOTE_MAX_CHARS
    )


class EvidenceVerdictForm(forms.Form):
    """A verdict on one item of evidence: a file, a link or a live test's transcript."""

    accepted = forms.TypedChoiceField(
        choices=[("yes", "Accept"), ("no", "Reject")], coerce=lambda v: v == "yes"
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.TextInput(attrs={"placeholder": "Reason (needed to reject)"}),
    )


class QueueFilterForm(forms.Form):
    """The dashboard's filters; they live in the URL, so a view of the queue is a bookmark."""

    q = SingleLineField(label="Organization", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False)
    risk = forms.ChoiceField(
        label="Risk tier",
        required=False,
        choices=[("", "Any")] + [(t.value, t.label) for t in reversed(RiskTier)],
    )
    framework = forms.ModelChoiceField(
        label="Questionnaire", required=False, queryset=None, empty_label="Any"
    )
    reviewer = forms.ChoiceField(label="Reviewer", required=False)
    expiring_within = forms.IntegerField(
        label="Expiring within (days)", required=False, min_value=0, max_value=3650
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    high_violations = forms.BooleanField(label="High violation rate only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("waiting", "Waiting longest"),
            ("newest", "Most recent"),
            ("risk", "Highest risk"),
            ("score", "Lowest score"),
            ("organization", "Organization"),
            ("expiry", "Expiring soonest"),
            ("violations", "Highest violation rate"),
        ],
    )

    def __init__(self, *args, statuses, frameworks, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Waiting for review"),
            ("all", "Any status"),
        ] + [(s.value, s.label) for s in statuses]
        self.fields["framework"].queryset = frameworks
        self.fields["reviewer"].choices = [
            ("", "Anyone"),
            ("me", "Assigned to me"),
            ("unassigned", "Unassigned"),
        ] + [(str(r.pk), r.full_name or r.email) for r in reviewers]


class AssignForm(forms.Form):
    reviewer = forms.ChoiceField(label="Assign to", required=False)

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewers = {str(r.pk): r for r in reviewers}
        self.fields["reviewer"].choices = [("", "Nobody")] + [
            (pk, r.full_name or r.email) for pk, r in self.reviewers.items()
        ]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 1})
    )
    question_id = SingleLineField(required=False, max_length=120, widget=forms.HiddenInput)


class OrganizationCommentForm(CommentForm):
    """The organization's box on its assessment's overview: the same comment, its own words."""

    body = forms.CharField(
        label="Write to the reviewers",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    # An empty reason is refused by workflow.revoke itself, in its own words.
    reason = forms.CharField(
        label="Reason (shown on the public verification page)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
