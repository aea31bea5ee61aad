from django import template

from assessments.lifecycle import STATUS_TONES
from assessments.verdicts import VERDICT_TONES

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or nothing."""
    return mapping.get(key) if mapping else None


@register.filter
def cite(citation, framework) -> str:
    """A citation as a reader needs it: document title, file and section heading."""
    source = framework.source(citation.source)
    return f"{source.title} ({source.file}), section “{citation.section}”"


@register.filter
def section_id_of(framework, question_id) -> str:
    return framework.section_of(question_id).id


@register.filter
def dom_id(question_id: str) -> str:
    """An element id for a question: q-age-method."""
    return "q-" + question_id.replace(".", "-")


@register.filter
def status_tone(status: str) -> str:
    """The colour the lifecycle gives an assessment's state."""
    return STATUS_TONES.get(status, "primary")


@register.filter
def verdict_tone(verdict: str) -> str:
    return VERDICT_TONES.get(verdict, "secondary")


STATUS_LABELS = {
    "met": "Met",
    "partial": "Partially met",
    "not_met": "Not met",
    "unanswered": "Unanswered",
    "not_applicable": "Not applicable",
    "informational": "For information",
}


@register.filter
def status_label(status) -> str:
    return STATUS_LABELS.get(str(status), str(status))
