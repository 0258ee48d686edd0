"""Small formatting filters for the visit report."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100):d}%"
