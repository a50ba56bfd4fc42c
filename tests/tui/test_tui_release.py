"""Tests moving through a release file in the TUI: '{' and '}' open the previous and next item split from the
same PDF, and the message pane says which item of the file is open."""

from __future__ import annotations

from pathlib import Path

from discovery.tui.screens.main import MainScreen
from discovery.tui.widgets.message_view import MessageView
from tui_helpers import open_app, screen_text, settle

from discovery.case import Case


async def test_curly_brackets_move_through_the_items_of_one_release_file(case_dir: Path) -> None:
    with Case(case_dir, create=False) as case:
        [first] = [r[0] for r in case.store.rows(
            """SELECT p.message_id FROM provenance p JOIN sources s ON s.id = p.source_id
               WHERE s.path LIKE '%/release/hcso-release-text.pdf' AND p.locator LIKE 'pages:1-%'""")]
        items = case.message(first).release["file_items"]
    assert isinstance(items, list) and len(items) == 10 and items[0] == first
    app = open_app(case_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.open_message(first)
        await settle(pilot)
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.message.id == first
        assert "item 1/10 in file" in screen_text(app)
        await pilot.press("right_curly_bracket")
        await settle(pilot)
        assert view.display_data.message.id == items[1] and "item 2/10 in file" in screen_text(app)
        await pilot.press("left_curly_bracket", "left_curly_bracket")  # the second press has nowhere to go
        await settle(pilot)
        assert view.display_data.message.id == first
        assert any("No more items in this file" in n.message for n in app._notifications)
