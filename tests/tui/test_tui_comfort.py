"""Pilot tests of comfort: help lists every key, the palette reaches every action, themes, saved searches,
80x24 without cut-off essentials, errors as notifications (never a traceback), and the 'tui' command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from discovery.tui.app import THEMES, make_app
from discovery.tui.cli import tui as tui_command
from discovery.tui.commands import commands_of
from discovery.tui.screens.dialogs import ChoiceDialog
from discovery.tui.screens.help import HelpScreen
from discovery.tui.screens.main import MainScreen
from discovery.tui.screens.review import ReviewScreen
from discovery.tui.screens.tags import TagManagerScreen
from textual.widgets import Input
from tui_helpers import open_app, run_query, screen_text, settle, type_text

from discovery.errors import CaseError


async def test_help_lists_every_binding_of_the_screen(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for command in commands_of(main) + commands_of(app):
            assert command.description in text, command
        await pilot.press("escape")
        assert app.screen is main


def test_every_screen_binding_has_an_id_and_a_description() -> None:
    for screen_type in (MainScreen, ReviewScreen, TagManagerScreen):
        for binding in screen_type.BINDINGS:
            assert getattr(binding, "id", None), (screen_type, binding)
            assert getattr(binding, "description", ""), (screen_type, binding)


async def test_the_palette_reaches_every_action(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for command in commands_of(app.screen, collapse_quick_tags=False) + commands_of(app):
            assert command.description in titles
        # run one through the palette with real keys: switch the theme
        before = app.theme
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "Light/dark")
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme != before and app.theme in THEMES.values()


async def test_theme_key_switches_light_and_dark(case_dir: Path) -> None:
    app = open_app(case_dir, theme="light")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == THEMES["light"]
        await pilot.press("ctrl+l")
        assert app.theme == THEMES["dark"]


async def test_80x24_keeps_the_essentials(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        text = "\n".join(lines)
        assert "Search:" in lines[1]  # the query bar
        assert "Date" in text and "From" in text and "Subject" in text and "Tags" in text
        assert "of 313 hits" in lines[-2]  # the status line: 298 mail messages + 15 printed items (issue 11)
        footer = lines[-1]
        for key in ("/ Search", "t Tag", "n Note", "r Review", "? Help", "q Quit", "palette"):
            assert key in footer, key
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.table.row_count > 0 and screen.table.size.height >= 6  # a useful number of rows
        assert screen.message_view.size.height >= 8
        assert not screen.query_one("#facets").display  # too narrow for the sidebar: f shows it


async def test_saved_searches_save_and_run(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "body:camera")
        await pilot.press("S")
        await type_text(pilot, "cams")
        await pilot.press("enter")
        await settle(pilot)
        await run_query(pilot, "")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one("#query", Input).value == "body:camera"
        assert screen.page is not None and screen.page.query == "body:camera"


async def test_an_unexpected_error_is_a_notification_not_a_traceback(case_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def broken(*args: object, **kwargs: object) -> None:
            raise OSError("disk went away")

        monkeypatch.setattr(app.session, "summaries", broken)
        await run_query(pilot, "body:camera")
        assert isinstance(app.screen, MainScreen)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "disk went away" in errors[-1].message
        monkeypatch.undo()
        await run_query(pilot, "body:camera")  # and the app goes on
        assert app.screen.page is not None and app.screen.page.query == "body:camera"  # type: ignore[attr-defined]


def test_make_app_without_a_case_is_a_case_error(tmp_path: Path) -> None:
    with pytest.raises(CaseError):
        make_app(tmp_path / "nothing-here")


def test_tui_command_help_and_missing_case(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(tui_command, ["--help"])
    assert result.exit_code == 0 and "--reviewer" in result.output and "--case" in result.output
    result = runner.invoke(tui_command, ["--case", str(tmp_path / "nothing-here")])
    assert result.exit_code != 0
    assert "no case at" in result.output and "Traceback" not in result.output
