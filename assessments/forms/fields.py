"""Form fields shared by every form of the portal."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

LINE_BREAKS = {"\u2028", "\u2029", "\u0085"}


def single_line(value: str) -> None:
    """Names and titles end up in email headers, PDF titles and CSV cells: one line of
    printable text, nothing else."""
    if any(unicodedata.category(c) == "Cc" or c in LINE_BREAKS for c in value or ""):
        raise ValidationError(
            "Use a single line of text: line breaks, tabs and control characters are not "
            "allowed here.",
            code="control_characters",
        )


class SingleLineField(forms.CharField):
    default_validators = [single_line]
