"""Provides DiscoveryApp and make_app, the one factory the CLI, the tests and the benchmark use."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from discovery.tui.commands import commands_of
from discovery.tui.data.pii import PiiAdapter
from discovery.tui.data.search import SearchAdapter
from discovery.tui.data.session import ReviewSession
from discovery.tui.data.units import UnitsAdapter
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class DiscoveryApp(App[None]):
    """The review UI over one case."""

    TITLE = "discovery"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+l", "toggle_theme", "Light/dark", show=False, id="app.theme"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, session: ReviewSession, *, theme: str = "dark", page_size: int = 100,
                 query: str = "") -> None:
        super().__init__()
        self.session = session
        self.search = SearchAdapter(session, on_notice=self._notice_from_thread)
        self.pii = PiiAdapter(session)
        self.units = UnitsAdapter(session)
        self.page_size = page_size
        self.initial_query = query
        self.theme = THEMES.get(theme, theme)

    @property
    def case_label(self) -> str:
        return self.session.case_dir.name or str(self.session.case_dir)

    def _notice_from_thread(self, text: str) -> None:
        """A remark from the search engine (index rebuilt, another writer busy), sent from a worker."""
        try:
            self.call_from_thread(self.notify, text, title="Search index", timeout=6)
        except RuntimeError:  # not running yet or closing
            pass

    def get_default_screen(self) -> Screen[None]:
        from discovery.tui.screens.main import MainScreen

        return MainScreen(self.initial_query)

    def on_unmount(self) -> None:
        self.search.close()
        self.session.close()

    # -- app actions ----------------------------------------------------------------------------------
    def action_help(self) -> None:
        from discovery.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every action of the current screen and of the app, by its description."""
        for command in commands_of(screen, collapse_quick_tags=False):
            yield SystemCommand(command.description, f"{command.keys} · {command.tooltip}".strip(" ·"),
                                partial(screen.run_action, command.action))
        for command in commands_of(self):
            yield SystemCommand(command.description, command.keys, partial(self.run_action, command.action))
        yield from super().get_system_commands(screen)


def make_app(case_dir: Path | str, reviewer: str | None = None, *, theme: str = "dark", page_size: int = 100,
             query: str = "") -> DiscoveryApp:
    """Open the case (raises CaseError when there is none) and build the app over it."""
    session = ReviewSession(Path(case_dir), reviewer or "")
    return DiscoveryApp(session, theme=theme, page_size=page_size, query=query)
