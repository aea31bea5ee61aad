class IllegalTransition(Exception):
    """The assessment's current state does not allow the requested change.

    Its message is written for the person who tried, and views show it as is.
    """


class MissingRequirement(ValueError):
    """A change asked for without what it needs (a note, complete answers): an ordinary
    validation error, whose message is written for the person who tried."""
