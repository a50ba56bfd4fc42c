"""Provides load_display: everything the message pane shows for one message, gathered off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from discovery.tui.data.pii import PiiAdapter
from discovery.tui.data.session import ReviewSession

from discovery.case import StoredMessage
from discovery.errors import DiscoveryError

# Larger bodies are shown up to this many characters (the rest is one key away); offsets stay exact.
MAX_BODY_CHARS = 1_000_000
Span = tuple[int, int]


@dataclass(slots=True)
class MessageDisplay:
    message: StoredMessage
    tags: list[str]
    notes: list[dict[str, str]]
    body: str
    hits: list[Span] = field(default_factory=list)
    subject_hits: list[Span] = field(default_factory=list)
    suggestions: list[Any] = field(default_factory=list)
    truncated: bool = False
    pii_error: str = ""


def load_display(session: ReviewSession, key: str, *, highlighter: Callable[[str, str], list[Span]] | None = None,
                 pii: PiiAdapter | None = None, full: bool = False) -> MessageDisplay:
    """Read a message with its tags, notes, search-hit spans and PII suggestions."""
    message = session.message(key)
    body = message.body_text
    truncated = not full and len(body) > MAX_BODY_CHARS
    if truncated:
        body = body[:MAX_BODY_CHARS]
    display = MessageDisplay(message, session.message_tags(message.id), session.notes(message.id), body,
                             truncated=truncated)
    if highlighter is not None:
        display.hits = highlighter("body", body)
        display.subject_hits = highlighter("subject", message.subject)
    if pii is not None:
        try:
            display.suggestions = pii.suggestions(message.id)
        except DiscoveryError as exc:
            display.pii_error = exc.message
    return display
