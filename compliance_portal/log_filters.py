"""Logging filters for the console."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refused request (403, 404, 400...) is an ordinary event: one line, not a traceback
    that looks like a crash in a developer's console or an operator's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
