"""Provides the status line (case, hits, page, sort, selection) and the progress line of slow work."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static


@dataclass
class WorkProgressed(Message):
    """Slow work moved on; floods collapse to the latest."""

    label: str
    done: int
    total: int | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkProgressed)


@dataclass
class WorkFinished(Message):
    """Slow work ended (done, failed or cancelled); the progress line hides."""

    summary: str = ""


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def show_state(self, *parts: str | Text) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, part in enumerate(p for p in parts if p):
            if i:
                text.append("  ·  ", style="dim")
            text.append(part) if isinstance(part, str) else text.append_text(part)
        self.update(text, layout=False)  # one line, as wide as the screen whatever it says: no layout of the screen


class WorkLine(Horizontal):
    """Shown while a worker runs: what it does, how far, and how to cancel."""

    DEFAULT_CSS = """
    WorkLine { height: 1; display: none; background: $panel; padding: 0 1; }
    WorkLine.-busy { display: block; }
    WorkLine > Label { width: auto; max-width: 60%; margin-right: 2; }
    WorkLine > ProgressBar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="work-label")
        yield ProgressBar(total=None, show_eta=False, id="work-bar")

    def start(self, label: str, total: int | None = None) -> None:
        self.query_one("#work-label", Label).update(f"{label} — esc to cancel")
        self.query_one("#work-bar", ProgressBar).update(total=total, progress=0)
        self.add_class("-busy")

    def progress(self, label: str, done: int, total: int | None) -> None:
        self.query_one("#work-label", Label).update(f"{label} — esc to cancel")
        self.query_one("#work-bar", ProgressBar).update(total=total, progress=done)
        self.add_class("-busy")

    def stop(self) -> None:
        self.remove_class("-busy")

    @property
    def busy(self) -> bool:
        return self.has_class("-busy")
