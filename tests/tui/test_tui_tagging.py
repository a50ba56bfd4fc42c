"""Pilot tests of tagging: tag and untag, quick keys, selections, every hit (asked first), notes, the tag
manager; every change is in the store and the audit log at once and survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from discovery.tui.screens.dialogs import ConfirmDialog, PromptDialog
from discovery.tui.screens.main import MainScreen
from discovery.tui.screens.tags import TagManagerScreen
from discovery.tui.widgets.message_view import MessageView
from discovery.tui.widgets.results import ResultsTable
from tui_helpers import open_app, run_query, screen_text, settle, type_text

from discovery import tags as tagging
from discovery.case import Case
from discovery.cli import main as discovery_cli
from discovery.search import Searcher


def audit(case_dir: Path) -> list[dict[str, object]]:
    """The audit log as 'discovery audit --json' prints it, newest first."""
    result = CliRunner().invoke(discovery_cli, ["audit", "--json", "--case", str(case_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def tags_of(case_dir: Path, key: str) -> list[str]:
    with Case(case_dir, create=False) as case:
        return tagging.message_tags(case.store, key)


async def test_tag_search_restart_and_find_it_again(case_dir: Path) -> None:
    app = open_app(case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "body:camera")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("down")
        await settle(pilot)
        key = screen.open_id
        assert key is not None
        await pilot.press("t")
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "hot lead")
        await pilot.press("enter")
        await settle(pilot)
        assert tags_of(case_dir, key) == ["hot lead"]
        # shown in the table and the message pane at once
        row = next(r for r in screen.query_one(ResultsTable).rows_shown if r.id == key)
        assert row.tags == ["hot lead"]
        assert "hot lead" in screen_text(app)
        # searchable at once
        await run_query(pilot, 'tag:"hot lead"')
        assert screen.page is not None and screen.page.ids == [key]
    entry = audit(case_dir)[0]
    assert entry["action"] == "tag.add" and entry["actor"] == "ana" and entry["target"] == "hot lead"
    # a new app on the same case (a restart, or a second reviewer) sees it
    app = open_app(case_dir, reviewer="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, 'tag:"hot lead"')
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.page is not None and screen.page.ids == [key]
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.tags == ["hot lead"]
        # untag with u
        await pilot.press("u")
        await type_text(pilot, "hot lead")
        await pilot.press("enter")
        await settle(pilot)
    assert tags_of(case_dir, key) == []
    assert audit(case_dir)[0]["action"] == "tag.remove" and audit(case_dir)[0]["actor"] == "ben"


async def test_quick_keys_toggle_the_first_tags_on_a_selection(case_dir: Path) -> None:
    with Case(case_dir, create=False) as case:
        tagging.create_tag(case.store, "responsive", actor="setup")
        tagging.create_tag(case.store, "privileged", actor="setup")
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(ResultsTable)
        first, second = table.rows_shown[0].id, table.rows_shown[1].id
        await pilot.press("space", "down", "space")
        assert table.selected == {first, second}
        assert "2 selected" in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert tags_of(case_dir, first) == ["privileged"] and tags_of(case_dir, second) == ["privileged"]
        await pilot.press("2")  # every selected message has it: the key takes it off
        await settle(pilot)
        assert tags_of(case_dir, first) == [] and tags_of(case_dir, second) == []
        await pilot.press("x")  # clear the selection: keys act on the open message
        assert not table.selected
        await pilot.press("1")
        await settle(pilot)
        assert tags_of(case_dir, second) == ["responsive"] and tags_of(case_dir, first) == []
        await pilot.press("9")  # no ninth tag: a warning, nothing changes
        await settle(pilot)
        assert tags_of(case_dir, second) == ["responsive"]


async def test_tagging_every_hit_asks_first(case_dir: Path) -> None:
    query = "from:@cirrusweb.example"
    with Case(case_dir, create=False) as case, Searcher(case.store) as searcher:
        expected = set(searcher.ids(query))
    app = open_app(case_dir, page_size=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, query)
        await pilot.press("T")
        await type_text(pilot, "vendor")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"{len(expected):,}" in screen_text(app)
        await pilot.press("n")  # cancelled: nothing tagged
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        with Case(case_dir, create=False) as case:
            assert tagging.get_tag(case.store, "vendor") is None
        await pilot.press("T")
        await type_text(pilot, "vendor")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    with Case(case_dir, create=False) as case:
        tagged = {r[0] for r in case.store.rows(
            "SELECT message_id FROM message_tags mt JOIN tags t ON t.id=mt.tag_id WHERE t.name='vendor'")}
    assert tagged == expected
    assert any(e["action"] == "tag.add" and e["target"] == "vendor" for e in audit(case_dir))


async def test_note_is_saved_with_the_reviewer(case_dir: Path) -> None:
    app = open_app(case_dir, reviewer="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        key = screen.open_id
        assert key is not None
        await pilot.press("n")
        await type_text(pilot, "ask the county")
        await pilot.press("enter")
        await settle(pilot)
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.notes[0]["text"] == "ask the county"
    with Case(case_dir, create=False) as case:
        notes = tagging.notes(case.store, key)
    assert [(n["text"], n["actor"]) for n in notes] == [("ask the county", "ana")]
    assert audit(case_dir)[0]["action"] == "note.add"


async def test_tag_manager_creates_renames_colours_and_deletes(case_dir: Path) -> None:
    app = open_app(case_dir, reviewer="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, TagManagerScreen)
        await pilot.press("n")
        await type_text(pilot, "draft")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "final")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await pilot.press("enter")  # the first colour offered: red
        await settle(pilot)
        with Case(case_dir, create=False) as case:
            assert [(t.name, t.color) for t in tagging.list_tags(case.store)] == [("final", "red")]
        await pilot.press("d")
        await pilot.press("y")
        await settle(pilot)
        with Case(case_dir, create=False) as case:
            assert tagging.list_tags(case.store) == []
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    actions = [e["action"] for e in reversed(audit(case_dir)) if str(e["action"]).startswith("tag.")]
    assert actions[-4:] == ["tag.create", "tag.rename", "tag.color", "tag.delete"]


async def test_bad_tag_name_is_an_error_not_a_crash(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await type_text(pilot, "!!")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        notices = list(app._notifications)
        assert any(n.severity == "error" and "invalid tag name" in n.message for n in notices)


async def test_a_second_reviewer_writing_at_the_same_time_loses_nothing(case_dir: Path) -> None:
    """While the app is open, another reviewer (here the CLI's functions on their own connection) tags a
    message; the app then tags another and searches: both tags are in the store, the index and the audit log."""
    app = open_app(case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.page is not None
        mine, theirs = screen.page.ids[0], screen.page.ids[1]
        with Case(case_dir, create=False) as other:  # a second writer on the open case
            tagging.tag_messages(other.store, "their lead", [theirs], actor="ben")
        assert screen.open_id == mine
        await pilot.press("t")
        await type_text(pilot, "my lead")
        await pilot.press("enter")
        await settle(pilot)
        await run_query(pilot, 'tag:"their lead" OR tag:"my lead"')
        assert screen.page is not None and set(screen.page.ids) == {mine, theirs}
    assert tags_of(case_dir, mine) == ["my lead"] and tags_of(case_dir, theirs) == ["their lead"]
    actors = {(e["actor"], e["target"]) for e in audit(case_dir) if e["action"] == "tag.add"}
    assert {("ana", "my lead"), ("ben", "their lead")} <= actors
