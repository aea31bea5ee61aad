from django import forms

from attestations import public_trust
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
