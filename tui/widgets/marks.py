"""Provides the styles of marks in message text: search hits and PII suggestions by type and status."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from discovery.tui.data.pii import ACCEPTED, REJECTED
from discovery.tui.widgets.body import Mark
from rich.style import Style

HIT = Style(bold=True, color="black", bgcolor="yellow")
CURRENT = Style(bold=True, reverse=True)
TYPE_COLORS: dict[str, str] = {
    "PERSON": "magenta",
    "EMAIL_ADDRESS": "cyan",
    "PHONE_NUMBER": "green",
    "STREET_ADDRESS": "blue",
    "DATE_OF_BIRTH": "red",
    "US_SSN": "red",
    "IP_ADDRESS": "bright_cyan",
}
OTHER_COLOR = "dark_orange"
SHORT_TYPES: dict[str, str] = {
    "PERSON": "NAME", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "STREET_ADDRESS": "ADDR",
    "DATE_OF_BIRTH": "DOB", "US_SSN": "SSN", "US_DRIVER_LICENSE": "DL", "LICENSE_PLATE": "PLATE",
    "BOOKING_NUMBER": "BOOKING", "CASE_NUMBER": "CASE", "BADGE_NUMBER": "BADGE", "IP_ADDRESS": "IP",
    "ACCOUNT_ID": "ACCOUNT",
}


def type_color(entity_type: str) -> str:
    return TYPE_COLORS.get(entity_type, OTHER_COLOR)


def short_type(entity_type: str) -> str:
    return SHORT_TYPES.get(entity_type, entity_type)


def pii_style(entity_type: str, status: str) -> Style:
    color = type_color(entity_type)
    if status == ACCEPTED:
        return Style(color="black", bgcolor=color, bold=True)
    if status == REJECTED:
        return Style(strike=True, dim=True)
    return Style(color=color, underline=True, bold=True)


def hit_marks(spans: Iterable[tuple[int, int]]) -> list[Mark]:
    return [Mark(s, e, HIT) for s, e in spans]


def pii_marks(suggestions: Iterable[Any], field: str, current: int | Collection[int] | None = None) -> list[Mark]:
    """Marks for the suggestions in one field; the current ones (by id: a question's places) stand out."""
    out: list[Mark] = []
    chosen = {current} if isinstance(current, int) else set(current or ())
    for s in suggestions:
        if s.field != field:
            continue
        style = pii_style(s.entity_type, s.status)
        if s.id in chosen:
            style = style + CURRENT
        out.append(Mark(s.start, s.end, style))
    return out
