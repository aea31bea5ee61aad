"""The refusals every service raises whoever calls it; the pages turn them into messages,
the API into 400, 403 and 409 answers."""

from django.core.exceptions import PermissionDenied


class IllegalTransition(Exception):
    """The assessment's current state does not allow the requested change.

    Its message is written for the person who tried, and views show it as is.
    """


class MissingRequirement(ValueError):
    """A change asked for without what it needs (a note, complete answers): an ordinary
    validation error, whose message is written for the person who tried."""


class NotPermitted(PermissionDenied):
    """The acting person's role does not allow this change, whoever asked for it (a view, the
    API, the admin, a command): the service refuses it itself, as a 403."""


class StepUpRequired(MissingRequirement):
    """The change needs the person's password (and second factor) entered just now."""
