"""Provides QueryBar: the search input with the query language's errors shown inline beneath it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from discovery.errors import DiscoveryError, QuerySyntaxError

PLACEHOLDER = 'Search: words, "phrases", from: to: subject: tag: date:2018-05 has:attachment …  (/ to focus)'


class QueryBar(Vertical):
    """The query input. Enter runs the query; an error names the position and keeps the text for fixing."""

    DEFAULT_CSS = """
    QueryBar { height: auto; }
    QueryBar > Input { border: tall $border-blurred; }
    QueryBar > Input:focus { border: tall $border; }
    QueryBar > #query-error { display: none; color: $text-error; padding: 0 1; height: auto; max-height: 3; }
    QueryBar.-error > #query-error { display: block; }
    QueryBar.-error > Input { border: tall $error; }
    """

    @dataclass
    class Submitted(Message):
        """The reviewer asked to run a query."""

        query: str

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id="query")
        yield Static("", id="query-error")

    @property
    def input(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_query(self, query: str) -> None:
        self.input.value = query
        self.input.cursor_position = len(query)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.has_class("-error"):
            self.clear_error()

    def show_error(self, error: DiscoveryError) -> None:
        """Show what is wrong with the query, with a caret under the position when known."""
        text = Text()
        if isinstance(error, QuerySyntaxError) and error.position is not None and error.query:
            text.append(error.query + "\n", style="bold")
            text.append(" " * max(error.position, 0) + "^ ", style="bold")
        text.append(error.message)
        if error.hint:
            text.append("  " + error.hint.splitlines()[0], style="dim")
        self.query_one("#query-error", Static).update(text)
        self.add_class("-error")

    def clear_error(self) -> None:
        if not self.has_class("-error"):
            return  # nothing shown: updating the hidden line would cost the screen a layout (every page turn)
        self.remove_class("-error")
        self.query_one("#query-error", Static).update("")
