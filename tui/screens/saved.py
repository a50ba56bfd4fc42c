"""Provides the saved-search flows: pick one to run (s), save the current query under a name (S)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from discovery.tui.screens.base import in_ui, report_from_thread
from discovery.tui.screens.dialogs import ChoiceDialog, PromptDialog
from textual import work

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp
    from discovery.tui.screens.main import MainScreen


def choose_saved_search(screen: MainScreen) -> None:
    _load_saved(screen)


@work(thread=True, exclusive=True, group="saved", exit_on_error=False)
def _load_saved(screen: MainScreen) -> None:
    app = cast("DiscoveryApp", screen.app)
    try:
        saved = app.search.saved_searches()
    except Exception as exc:  # noqa: BLE001
        report_from_thread(app, exc)
        return
    in_ui(app, _pick, screen, saved)


def _pick(screen: MainScreen, saved: list) -> None:  # type: ignore[type-arg]
    if not saved:
        screen.notify("No saved searches yet: press S to save the current query.", timeout=4)
        return
    options = [(s.query, f"{s.name}  —  {s.query}") for s in saved]

    def done(query: str | None) -> None:
        if query is not None:
            screen.run_saved(query)

    screen.app.push_screen(ChoiceDialog("Saved searches", options, hint="enter runs · esc closes"), done)


def save_search(screen: MainScreen, query: str) -> None:
    if not query.strip():
        screen.notify("Type a query first: an empty query lists everything.", severity="warning")
        return

    def done(name: str | None) -> None:
        if name:
            _save(screen, name, query)

    screen.app.push_screen(PromptDialog("Save this search as…", placeholder="name", hint=query), done)


@work(thread=True, group="write", exit_on_error=False)
def _save(screen: MainScreen, name: str, query: str) -> None:
    app = cast("DiscoveryApp", screen.app)
    try:
        app.search.save_search(name, query)
    except Exception as exc:  # noqa: BLE001
        report_from_thread(app, exc)
        return
    in_ui(app, screen.notify, f"Saved search '{name}'.")
