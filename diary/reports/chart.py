"""The report's weekly chart as inline SVG (styled by attributes: WeasyPrint does not apply
the page's stylesheet inside an SVG), drawn on the server so the HTML, its print and
the PDF show the same picture with no script. Plain Python: it takes the weekly buckets.

Bars: episodes per reported day in each week (a week with no reported day has no bar: missing,
not zero). A dashed line marks the vitamin D start; a dot row shows weeks with a low
(<80%) vitamin D adherence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 680, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 30


def _nice_max(value: float) -> float:
    for step in (0.5, 1, 2, 3, 4, 5, 8, 10, 15, 20):
        if value <= step:
            return step
    return float(int(value) + 1)


def weekly_chart_svg(buckets: Sequence, *, supplementation_start: date | None) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(buckets), 1)
    slot = plot_w / count
    rates = [b.episodes_per_reported_day for b in buckets]
    top = _nice_max(max([r for r in rates if r is not None] or [0.5]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        'aria-label="Cramps per reported day, by week">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#111" stroke-width="1"/>',
    ]
    for tick in (0, top / 2, top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" font-size="9" fill="#333" text-anchor="end">{tick:g}</text>'
        )
    label_every = max(1, round(count / 8))
    for index, bucket in enumerate(buckets):
        x = LEFT + index * slot
        rate = bucket.episodes_per_reported_day
        if rate is not None:
            h = plot_h * rate / top
            parts.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{max(h, 0.8):.1f}" fill="#3b5b8c"><title>{escape(bucket.start.isoformat())}: '
                f"{bucket.episodes} cramps on {bucket.reported_days} reported days</title></rect>"
            )
        else:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{TOP + plot_h - 3}" font-size="12" fill="#999" text-anchor="middle">·</text>'
            )
        if bucket.adherence is not None and bucket.adherence < 0.8:
            parts.append(f'<circle cx="{x + slot / 2:.1f}" cy="{TOP + plot_h + 8}" r="2.2" fill="#b3261e"/>')
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - 6}" font-size="9" fill="#333" text-anchor="middle">'
                f"{bucket.start:%d %b}</text>"
            )
        if supplementation_start and bucket.start <= supplementation_start <= bucket.end:
            offset = (supplementation_start - bucket.start).days / bucket.days
            sx = x + slot * offset
            parts.append(
                f'<line x1="{sx:.1f}" y1="{TOP}" x2="{sx:.1f}" y2="{TOP + plot_h}" stroke="#b3261e" stroke-width="1.4" stroke-dasharray="4 3"/>'
            )
            parts.append(f'<text x="{sx + 3:.1f}" y="{TOP + 9}" font-size="9" fill="#b3261e">vitamin D start</text>')
    parts.append("</svg>")
    return "".join(parts)
