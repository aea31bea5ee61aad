"""The Jinja2 environment for the questionnaire's question blocks and form fields.

A section page writes twenty-odd question blocks, a review page a row per question and a
list of gaps; through Django's template language they took most of the page's time (about
0.7 ms a block), through Jinja2 about a fifth of that. Every page stays a Django template
and writes these fragments with ``{% jinja "name" %}`` (templatetags/portal.py). Filters
are the portal's own and Django's, so both engines write the same text.
"""

from django.template import defaultfilters, engines
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import Environment


def environment(**options) -> Environment:
    from assessments.templatetags import portal  # its {% jinja %} tag imports this module

    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    env.filters |= {
        "capfirst": defaultfilters.capfirst,
        "cite": portal.cite,
        # Django's date filter expects the template engine to have made the time local.
        "date": lambda value, fmt: defaultfilters.date(template_localtime(value), fmt),
        "dom_id": portal.dom_id,
        "linebreaksbr": defaultfilters.linebreaksbr,
        "pluralize": defaultfilters.pluralize,
        "status_label": portal.status_label,
        "status_tone": portal.status_tone,
        "support_tone": portal.support_tone,
        "timesince": defaultfilters.timesince_filter,
        "truncatechars": defaultfilters.truncatechars,
        "verdict_tone": portal.verdict_tone,
    }
    return env


def render_fragment(name: str, context: dict, request=None) -> SafeString:
    """A Jinja2 template's output, for a Django template to write as it is (it is escaped).
    With the request, the fragment has ``csrf_input`` for its forms: masked once, where
    Django's backend masks the token anew at every form (a review page has one per
    question, and that masking took a millisecond of it)."""
    if request is not None:
        context = context | {"request": request, "csrf_input": csrf_input(request)}
    return mark_safe(engines["jinja2"].get_template(name).render(context))  # noqa: S308


def _field_macros():
    return engines["jinja2"].env.get_template("assessments/_field.jinja").module


def field_group(field) -> SafeString:
    """One form field with its label, help and errors in Bootstrap's markup."""
    return mark_safe(_field_macros().field(field))  # noqa: S308


def field_control(field) -> SafeString:
    """One form field's input, textarea or group of checkable inputs."""
    return mark_safe(_field_macros().control(field))  # noqa: S308
