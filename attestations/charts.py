"""Server-side SVG charts: no JavaScript, the same markup in pages and PDFs.

Every chart is paired with a table of its numbers in the templates, so nothing is
conveyed by the picture alone.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from questionnaires.scoring import RiskTier, tier_for_score

TIER_COLOURS = {RiskTier.LOW: "#1b7f3b", RiskTier.MEDIUM: "#b35c00", RiskTier.HIGH: "#b3261e"}
# Bootstrap's tones as the badges show them, so a bar and a badge of one thing share a colour.
TONE_COLOURS = {
    "primary": "#0d6efd",
    "secondary": "#6c757d",
    "success": "#198754",
    "warning": "#b35c00",
    "danger": "#b3261e",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # 0..100, None when not applicable
    # A share is coloured by what it counts; without a colour the value is a score, coloured
    # by the risk tier it falls in.
    colour: str | None = None


def _colour(bar: Bar) -> str:
    return bar.colour or TIER_COLOURS[tier_for_score(bar.value or 0)]


def horizontal_bars(bars: list[Bar], *, title: str, width: int = 640) -> SafeString:
    """Percentage bars, one row per label, with the value written at the end of each bar."""
    row, label_w, top = 26, 290, 8
    plot_w = width - label_w - 50
    height = top * 2 + row * len(bars)
    rows = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#222">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="16" fill="#e9ecef"/>'
        '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" fill="#222">{}</text>',
        (
            (
                label_w - 8,
                top + i * row + 13,
                bar.label if len(bar.label) <= 44 else bar.label[:43] + "…",
                label_w,
                top + i * row,
                plot_w,
                label_w,
                top + i * row,
                round(plot_w * (bar.value or 0) / 100),
                _colour(bar),
                label_w + plot_w + 6,
                top + i * row + 13,
                "n/a" if bar.value is None else f"{bar.value}%",
            )
            for i, bar in enumerate(bars)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        title,
        rows,
    )
