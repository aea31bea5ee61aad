"""What people write for others to read: notes, reasons, rationales, comments.

One limit (models/text.py), kept by the services whoever calls them (a page, the API, a
command); the forms and the API's serializers give it as their max_length, so a person hears of
it beside the field before a service has to refuse it."""

from assessments.errors import MissingRequirement
from assessments.models import NOTE_MAX_CHARS as MAX_CHARS


def written(text: str, *, missing: str, required: bool = True) -> str:
    """The text without surrounding space, refused when longer than MAX_CHARS, or empty where
    it is ``required`` (``missing`` says what to write)."""
    text = within(text)
    if required and not text:
        raise MissingRequirement(missing)
    return text


def within(text: str) -> str:
    """The text without surrounding space (it may be empty), refused when too long."""
    text = (text or "").strip()
    if len(text) > MAX_CHARS:
        raise MissingRequirement(f"Write at most {MAX_CHARS:,} characters: this has {len(text):,}.")
    return text
