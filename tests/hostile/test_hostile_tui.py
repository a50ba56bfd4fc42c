"""Tests that the review UI shows a hostile message's escapes and bidi controls as symbols (driven by Pilot)."""

from __future__ import annotations

import shutil
from pathlib import Path

from discovery.tui.app import make_app
from hostile_cli import TERMINAL_UNSAFE
from hostile_corpus import HOSTILE_NOTE_TUI
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from discovery.case import Case


async def _settle(pilot: Pilot[object]) -> None:
    app: App[object] = pilot.app
    for _ in range(40):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


def _segments(app: App[object]) -> list[str]:
    """The text of every segment the screen would send to the terminal (before styles are added)."""
    return [segment.text for strip in app.screen._compositor.render_strips() for segment in strip]


def _screen(app: App[object]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _assert_safe(app: App[object], where: str) -> None:
    bad = sorted({repr(c) for text in _segments(app) for c in TERMINAL_UNSAFE.findall(text)})
    assert bad == [], f"{where}: {bad}"


async def test_tui_shows_hostile_text_as_symbols(hostile_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case_dir = tmp_path / "case"
    shutil.copytree(hostile_case.case, case_dir)
    with Case(case_dir, create=False) as case:
        evil = case.store.rows("SELECT id FROM messages WHERE from_email='evil@hostile.example'")[0]["id"]
        from discovery import tags

        tags.add_note(case.store, evil, HOSTILE_NOTE_TUI, actor="tester")
        case.store.commit()
    app = make_app(case_dir, "tester")
    async with app.run_test(size=(140, 45)) as pilot:
        await _settle(pilot)
        _assert_safe(app, "opening screen")
        await pilot.press("slash")
        app.screen.query_one("#query", Input).value = "from:evil@hostile.example"
        await pilot.press("enter")
        await _settle(pilot)
        text = _screen(app)
        assert "\u241b]0;pwned\u2407" in text  # the subject's window-title sequence, shown
        _assert_safe(app, "hostile message open")
        await pilot.press("v")  # the thread tree
        await _settle(pilot)
        _assert_safe(app, "thread")
        await pilot.press("i")  # details: every header, attachments, provenance, notes
        await _settle(pilot)
        details = _screen(app)
        assert "invoice\u21c4gpj.exe" in details
        _assert_safe(app, "details")
        await pilot.press("escape")
        await pilot.press("a")  # the attachment and its extracted text
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        _assert_safe(app, "attachment")
