"""The questionnaire's form controls as HTML, built once in Python.

A section shows twenty-odd fields; writing each through Django's widget templates (an
include per input, per attribute list, per radio option) was a third of the page's time.
These functions write the same markup Django's widgets would (the same names, ids, values
and ARIA attributes, through the widget's own ``get_context``) and leave the layout around
each control (label, help, errors) to the section template.
"""

from dataclasses import dataclass

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class FieldMarkup:
    """What the section template writes for one field."""

    id: str
    name: str
    label: str
    help_text: str
    errors: list[str]
    described_by: str
    control: SafeString
    is_group: bool  # radio buttons or checkboxes in a fieldset, labelled by a legend


def block_markup(block: dict) -> dict:
    """A question block from ``SectionForm.blocks()`` with each bound field as its markup."""
    return {
        key: field_markup(value) if isinstance(value, forms.BoundField) else value
        for key, value in block.items()
    }


def field_markup(bound: forms.BoundField) -> FieldMarkup:
    widget = bound.field.widget
    errors = list(bound.errors)
    return FieldMarkup(
        id=bound.auto_id,
        name=bound.html_name,
        label=str(bound.label),
        help_text=str(bound.help_text or ""),
        errors=errors,
        described_by=bound.aria_describedby or "",
        control=_group(bound, errors) if widget.use_fieldset else _control(bound),
        is_group=widget.use_fieldset,
    )


def _control(bound: forms.BoundField) -> SafeString:
    """One input or textarea, as ``BoundField.as_widget`` would render it."""
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    if isinstance(widget, forms.Textarea):
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            context["name"],
            flatatt(context["attrs"]),
            context["value"] or "",
        )
    value = context["value"]
    shown = "" if value is None or value == "" else format_html(' value="{}"', value)
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        shown,
        flatatt(context["attrs"]),
    )


def _group(bound: forms.BoundField, errors: list[str]) -> SafeString:
    """Radio buttons or checkboxes in Bootstrap's form-check markup."""
    kind = bound.field.widget.input_type
    value = bound.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    invalid = ' aria-invalid="true"' if errors else ""
    css = "form-check-input is-invalid" if errors else "form-check-input"
    return format_html_join(
        "\n",
        '<div class="form-check"><input type="{}" class="{}" name="{}" value="{}" id="{}"{}{}>'
        '<label for="{}" class="form-check-label">{}</label></div>',
        (
            (
                kind,
                css,
                bound.html_name,
                option,
                f"{bound.auto_id}_{i}",
                SafeString(" checked") if str(option) in chosen else "",
                SafeString(invalid),
                f"{bound.auto_id}_{i}",
                label,
            )
            for i, (option, label) in enumerate(bound.field.choices)
        ),
    )
