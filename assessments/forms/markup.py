"""The questionnaire's form fields as data for the one template that draws them.

A section shows twenty-odd fields; writing each through Django's widget templates (an
include per input, per attribute list, per radio option) was a third of the page's time.
Here each bound field becomes what its markup needs, taken from the widget itself (the same
names, ids, values and ARIA attributes, through the widget's own ``get_context``); the
markup is templates/assessments/_field.html, the only place such a field is drawn.
"""

from dataclasses import dataclass

from django import forms
from django.template.loader import get_template
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class FieldMarkup:
    """What a template writes for one field."""

    id: str
    name: str
    label: str
    help_text: str
    errors: list[str]
    described_by: str
    is_group: bool  # radio buttons or checkboxes in a fieldset, labelled by a legend
    kind: str  # "textarea", or the input's type ("radio" and "checkbox" for a group)
    value: str  # what an input or a textarea shows
    attributes: list[tuple[str, str | None]]  # as Django writes them; None: a boolean one
    options: list[tuple[str, str, bool]]  # a group's value, label and whether it is chosen

    @property
    def control(self) -> SafeString:
        """The input, the textarea, or the group's checkable inputs."""
        return get_template("assessments/_field.html#control").render({"f": self})

    def as_field_group(self) -> SafeString:
        """The field with its label, help and errors, as Django's own ``as_field_group``."""
        return get_template("assessments/_field.html#field").render({"f": self})


def block_markup(block: dict) -> dict:
    """A question block from ``SectionForm.blocks()`` with each bound field as its markup."""
    return {
        key: field_markup(value) if isinstance(value, forms.BoundField) else value
        for key, value in block.items()
    }


def field_markup(bound: forms.BoundField) -> FieldMarkup:
    widget = bound.field.widget
    value = bound.value()
    common = {
        "id": bound.auto_id,
        "name": bound.html_name,
        "label": str(bound.label),
        "help_text": str(bound.help_text or ""),
        "errors": list(bound.errors),
        "described_by": bound.aria_describedby or "",
        "is_group": widget.use_fieldset,
    }
    if widget.use_fieldset:
        chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        return FieldMarkup(
            **common,
            kind=widget.input_type,
            value="",
            attributes=[],
            options=[(str(o), str(label), str(o) in chosen) for o, label in bound.field.choices],
        )
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, value, attrs)["widget"]
    return FieldMarkup(
        **common,
        kind="textarea" if isinstance(widget, forms.Textarea) else context["type"],
        value="" if context["value"] is None else str(context["value"]),
        attributes=_attributes(context["attrs"]),
        options=[],
    )


def _attributes(attrs: dict) -> list[tuple[str, str | None]]:
    """In ``flatatt``'s order: valued ones sorted, then the boolean ones that are set."""
    valued = sorted((k, str(v)) for k, v in attrs.items() if not isinstance(v, bool | None))
    flags = sorted((k, None) for k, v in attrs.items() if v is True)
    return valued + flags
