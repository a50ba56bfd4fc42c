"""Provides helpers for the TUI tests: let workers finish, read the screen as text, type into inputs."""

from __future__ import annotations

from pathlib import Path

from discovery.tui.app import DiscoveryApp, make_app
from textual.app import App
from textual.pilot import Pilot


def open_app(case_dir: Path, reviewer: str = "tester", **options: object) -> DiscoveryApp:
    return make_app(case_dir, reviewer, **options)  # type: ignore[arg-type]


async def settle(pilot: Pilot[object], rounds: int = 40) -> None:
    """Wait until no worker runs (workers start others when they finish, so loop)."""
    app: App[object] = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


def screen_text(app: App[object]) -> str:
    """The screen as plain text, one line per row."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def type_text(pilot: Pilot[object], text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def run_query(pilot: Pilot[object], query: str, *, typed: bool = False) -> None:
    """Focus the query bar with /, put the query in (typed key by key with ``typed``, else pasted, which is
    faster), run it with enter and wait for the results."""
    from textual.widgets import Input

    await pilot.press("slash")
    field = pilot.app.screen.query_one("#query", Input)
    assert pilot.app.focused is field
    if typed:
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, query)
    else:
        field.value = query
    await pilot.press("enter")
    await settle(pilot)
