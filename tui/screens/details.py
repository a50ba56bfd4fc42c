"""Provides DetailsScreen: every recipient, attachment, note, source location and header of a message."""

from __future__ import annotations

from discovery.tui.data.reading import MessageDisplay
from discovery.tui.widgets.message_view import details
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class DetailsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > VerticalScroll { width: 100; max-width: 100%; height: 90%; border: thick $primary;
                                     background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,i", "close", "Close", id="details.close")]

    def __init__(self, data: MessageDisplay) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-scroll"):
            yield Static(details(self.data), id="details-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#details-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
