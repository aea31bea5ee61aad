"""Pieces of busy pages kept in the shared cache, keyed by everything they show.

A question's block on the section page, a row of the review page, a form field (crispy-forms
draws every field of the portal, at over half a millisecond a field): each is drawn by its own
template from its own context alone (no request, no user, no CSRF token reaches it), so the
same context always gives the same HTML. The key is a SHA-256 of that context's content, every
value of it, with the portal's templates and filters: change anything shown (an answer, a
verdict, a status, a template) and the key is new, so a stale piece is never served and nothing
needs invalidating. Unchanged pieces are read in one round trip (Redis in
production, shared by every web machine). A context holding something this module cannot
key is drawn afresh each time, never cached under a partial key.
"""

import dataclasses
import datetime
import decimal
import enum
import functools
import hashlib
import importlib.metadata
import logging
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from pydantic import BaseModel

logger = logging.getLogger(__name__)

KEPT_SECONDS = 3600  # an unvisited piece leaves the cache within the hour
_PLAIN = (str, int, float, decimal.Decimal, datetime.date, datetime.time, uuid.UUID, enum.Enum)


class Unkeyable(TypeError):
    """A context holds a value whose content this module cannot read into a key."""


def render_each(template_name: str, contexts: list[dict]) -> list[SafeString]:
    """Each context drawn through the template, from the cache where it was drawn before."""
    keys = [_key(template_name, context) for context in contexts]
    found = cache.get_many([k for k in keys if k is not None])
    drawn, pieces = {}, []
    for key, context in zip(keys, contexts, strict=True):
        html = found.get(key) if key else None
        if html is None:
            html = render_to_string(template_name, context)
            if key:
                drawn[key] = html
        pieces.append(mark_safe(html))  # noqa: S308 - written by the template, escaped there
    if drawn:
        cache.set_many(drawn, timeout=KEPT_SECONDS)
    return pieces


def drawn_fields(*bound: forms.BoundField) -> list[SafeString]:
    """Form fields as crispy-forms draws them, from the cache where drawn before: the review
    page's five controls cost a sixth of the page when drawn on every visit."""
    return render_each("forms/crispy_field.html", [{"field": field} for field in bound])


def _key(template_name: str, context: dict) -> str | None:
    out = [_templates_digest(), template_name]
    try:
        _feed(context, out)
    except Unkeyable as exc:
        logger.warning("Drawn without the cache: %s holds %s", template_name, exc)
        return None
    return "fragment:" + hashlib.sha256("\x00".join(out).encode()).hexdigest()


@functools.cache
def _templates_digest() -> str:
    """The portal's templates and template filters as deployed, with the versions of the
    packages whose templates draw form fields: a release that changes how anything is drawn
    keys every piece anew."""
    digest = hashlib.sha256()
    for package in ("django", "django-crispy-forms", "crispy-bootstrap5"):
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    sources = sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
    sources += sorted((Path(settings.BASE_DIR) / "assessments" / "templatetags").glob("*.py"))
    for path in sources:
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + path.read_bytes())
    return digest.hexdigest()


_ATOMS = frozenset({str, int, bool, type(None)})


def _feed(value, out: list[str]) -> None:
    """Write out a value's content, each kind tagged so no two values read alike."""
    kind = type(value)
    if kind in _ATOMS:
        out.append(repr(value))
    elif kind is tuple or kind is list:
        if all(type(item) in _ATOMS for item in value):  # repr reads them unambiguously
            out.append(repr(value))
        else:
            out.append(f"{kind.__name__}:{len(value)}")
            for item in value:
                _feed(item, out)
    elif kind is dict:
        out.append(f"dict:{len(value)}")
        for name, item in value.items():
            _feed(name, out)
            _feed(item, out)
    elif isinstance(value, _PLAIN):  # a safe string, an enum, a date: the kind matters too
        out.append(f"{kind.__qualname__}:{value!r}")
    elif isinstance(value, BaseModel):  # a questionnaire's parts: frozen, read once each
        out.append(_schema_digest(value))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(kind.__qualname__)
        for name in _field_names(kind):
            _feed(getattr(value, name), out)
    elif isinstance(value, models.Model):
        _feed_row(value, out)
    elif isinstance(value, forms.BoundField):
        _feed_field(value, out)
    elif isinstance(value, Promise):  # a lazily translated text
        out.append(repr(str(value)))
    elif isinstance(value, set | frozenset):
        out.append("set")
        _feed(sorted(value, key=repr), out)
    elif isinstance(value, FieldFile):
        _feed(value.name or "", out)
    else:
        raise Unkeyable(kind.__qualname__)


def _feed_field(bound: forms.BoundField, out: list[str]) -> None:
    """A form field as crispy-forms draws it: its widget and what it is given to show."""
    field, widget = bound.field, bound.field.widget
    out.append(f"field:{type(field).__qualname__}:{type(widget).__qualname__}")
    _feed([bound.html_name, bound.auto_id, bound.label, bound.help_text], out)
    _feed([field.required, field.disabled, field.show_hidden_initial], out)
    _feed([list(bound.errors), bound.value(), widget.attrs], out)
    _feed([tuple(choice) for choice in getattr(field, "choices", ())], out)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _feed_row(row: models.Model, out: list[str], *, related: bool = True) -> None:
    """A row as read: its columns and what the query added to it (verdicts, flags), and the
    rows read with it by their columns (theirs in turn are known by their ids)."""
    out.append(row._meta.label)
    for name, item in sorted(vars(row).items()):
        if not name.startswith("_"):
            out.append(name)
            _feed(item, out)
    if related:
        for relation in _single_relations(type(row)):
            if relation.is_cached(row):  # read with the row (select_related), or set on it
                other = relation.get_cached_value(row)
                out.append(relation.name)
                if other is None:
                    out.append("None")
                else:
                    _feed_row(other, out, related=False)


@functools.cache
def _single_relations(kind: type[models.Model]) -> tuple:
    """The relations of a model that lead to one row (foreign keys, one-to-one both ways),
    through the model's public _meta API."""
    return tuple(
        field
        for field in kind._meta.get_fields()
        if field.is_relation and (field.many_to_one or field.one_to_one)
    )


_schema_digests: dict[int, tuple[BaseModel, str]] = {}


def _schema_digest(part: BaseModel) -> str:
    """A frozen questionnaire part's digest, worked out once per object: questionnaires are
    parsed once per process and shown on every page (the object is held here, so its id is
    never another's)."""
    known = _schema_digests.get(id(part))
    if known is None or known[0] is not part:
        if len(_schema_digests) > 8192:
            _schema_digests.clear()
        dumped = f"{type(part).__qualname__}:{part.model_dump_json()}"
        known = (part, hashlib.sha256(dumped.encode()).hexdigest())
        _schema_digests[id(part)] = known
    return known[1]
