"""Cells of the CSV files the portal writes."""

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if _may_run(text) else text


def _may_run(text: str) -> bool:
    """Judged as a spreadsheet may read it: some take a full-width sign (U+FF1D) for its plain
    form and skip the spaces before it."""
    seen = unicodedata.normalize("NFKC", text)
    return seen.startswith(FORMULA_STARTS) or seen.lstrip().startswith(FORMULA_STARTS)
