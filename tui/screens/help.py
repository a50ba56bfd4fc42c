"""Provides HelpScreen: every key of the screen it was opened from, and the app's own, from their bindings."""

from __future__ import annotations

from discovery.tui.commands import Command, commands_of
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

QUERY_HELP = """\
How to search: words  "exact phrase"  "face recognition"~5  rekogniton~  body*
  from: to: cc: bcc: participant: domain: subject: body: attachment: tag: custodian: folder: thread:
  has:attachment  date:2018-05  date:2018-01-01..2018-06-30  after:2018-01-01  before:2018-07-01
  AND  OR  NOT  -word  ( … )   a bare address or domain finds it in any header"""


def _table(title: str, commands: list[Command]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None,
                  padding=(0, 2, 0, 0), expand=True)
    table.add_column("keys", style="bold", no_wrap=True, width=12)
    table.add_column("what", ratio=1)
    for c in commands:
        table.add_row(c.keys, c.description + (f" — {c.tooltip}" if c.tooltip else ""))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: 90%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    HelpScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(f"Keys — {type(self.target).__name__.removesuffix('Screen')}", style="bold"))
            yield Static(_table("This screen", commands_of(self.target)))
            everywhere = [*commands_of(self.app),
                          Command("ctrl+p", "command_palette", "Command palette: every action by name", "App")]
            yield Static(_table("Everywhere", everywhere))
            yield Static(Text(QUERY_HELP))
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
