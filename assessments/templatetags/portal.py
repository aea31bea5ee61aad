"""The portal's template filters: how a citation, a status, a tone or an id is written, the
same on every page."""

import functools

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from assessments.lifecycle import STATUS_TONES
from questionnaires.frameworks.schema import AnswerStatus, Strength
from questionnaires.scoring import SUPPORT_TONES
from review.verdicts import VERDICT_TONES

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or nothing."""
    return mapping.get(key) if mapping else None


@register.filter
def cite(citations, framework) -> str:
    """A question's citations as a reader needs them, separated by semicolons: each document
    and section, linked to the section on the sources page (or to the official text of a
    law), how strongly the text asks for it, and whether its wording still needs a lawyer's
    check."""
    return format_html_join(
        "; ", "{}", ((_cited(c, framework.source(c.source)),) for c in citations)
    )


@functools.lru_cache(maxsize=4096)
def _cited(citation, source) -> str:
    """Written once per citation and source (both frozen): a review page cites thirty times."""
    link = source.url or _source_page(citation.source) + "#" + section_anchor(citation.section)
    strength = f" ({citation.strength.label})" if citation.strength else ""
    review = (
        mark_safe(' <span class="badge text-bg-warning">needs legal review</span>')
        if citation.needs_legal_review
        else ""
    )
    return format_html(
        '<a href="{}">{}, section “{}”</a>{}{}',
        link,
        source.title,
        citation.section,
        strength,
        review,
    )


@functools.cache
def _source_page(source_id: str) -> str:
    """Reversed once per source: a section page cites a dozen times."""
    return reverse("policy_source", args=[source_id])


@register.filter
def section_anchor(heading: str) -> str:
    return "s-" + (slugify(heading) or "section")


@register.filter
def strength_label(strength: str) -> str:
    return Strength(strength).label


@register.filter
def support_tone(support) -> str:
    """The colour of where a safeguard's evidence stands."""
    return SUPPORT_TONES.get(support, "secondary")


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


# The colour of an answer's standing: green is for met alone.
ANSWER_TONES = {"met": "success", "partial": "warning", "claimed": "warning", "not_met": "danger"}


@register.filter
def answer_tone(status) -> str:
    return ANSWER_TONES.get(str(status), "secondary")


@register.filter
def status_label(status) -> str:
    known = str(status) in AnswerStatus
    return AnswerStatus(str(status)).label if known else str(status)
