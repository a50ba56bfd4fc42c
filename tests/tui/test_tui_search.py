"""Pilot tests of search and read: query bar, paged results, errors inline, facets, sorting, thread, message."""

from __future__ import annotations

from pathlib import Path

from discovery.tui.screens.main import MainScreen
from discovery.tui.widgets.facets import FacetTree
from discovery.tui.widgets.message_view import MessageView
from discovery.tui.widgets.query_bar import QueryBar
from discovery.tui.widgets.results import ResultsTable
from discovery.tui.widgets.thread_tree import ThreadTree
from tui_helpers import open_app, run_query, screen_text, settle

from discovery.case import Case
from discovery.search import Searcher


def expected_ids(case_dir: Path, query: str, sort: str = "relevance") -> list[str]:
    with Case(case_dir, create=False) as case, Searcher(case.store) as searcher:
        return searcher.ids(query, sort=sort)


async def test_opens_on_every_message_newest_first(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.page is not None
        every = expected_ids(case_dir, "*", "newest")
        assert screen.page.total == len(every)
        table = screen.query_one(ResultsTable)
        assert [r.id for r in table.rows_shown] == every[: app.page_size]
        # the first hit is open in the message pane
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.message.id == every[0]


async def test_query_pages_and_opens_messages(case_dir: Path) -> None:
    query = "from:@cirrusweb.example"
    expected = expected_ids(case_dir, query)
    assert len(expected) > 20
    app = open_app(case_dir, page_size=20)
    asked: list[tuple[str, int]] = []
    search = app.search.search

    def recording(text: str, **options: object):  # type: ignore[no-untyped-def]
        asked.append((text, int(options.get("offset", 0))))  # type: ignore[call-overload]
        return search(text, **options)  # type: ignore[arg-type]

    app.search.search = recording  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, query)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(ResultsTable)
        assert screen.page is not None and screen.page.total == len(expected)
        assert [r.id for r in table.rows_shown] == expected[:20]
        assert table.row_count == 20  # one page, never every hit
        assert f"1–20 of {len(expected)} hits" in screen_text(app)
        # the next page was asked for in the background while this one was read
        assert (query, 20) in asked
        # next page, then back
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [r.id for r in table.rows_shown] == expected[20:40]
        assert f"21–{min(40, len(expected))} of {len(expected)}" in screen_text(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [r.id for r in table.rows_shown] == expected[:20]
        # moving down opens the next message; enter focuses its body
        await pilot.press("down")
        await settle(pilot)
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.message.id == expected[1]
        await pilot.press("enter")
        assert app.focused is view.body
        await pilot.press("escape")
        assert app.focused is table


async def test_hits_are_highlighted_in_the_body(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "body:camera")
        view = app.screen.query_one(MessageView)
        data = view.display_data
        assert data is not None and data.hits
        for start, end in data.hits:
            assert data.body[start:end].lower().startswith("camera")


async def test_bad_query_shows_an_error_and_the_app_keeps_running(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = screen.page
        await run_query(pilot, 'subject:"unclosed', typed=True)
        bar = screen.query_one(QueryBar)
        assert bar.has_class("-error")
        assert "^" in screen_text(app)  # the caret under the position
        assert screen.page is before  # the previous results stay
        await run_query(pilot, "body:camera")
        assert not bar.has_class("-error")
        assert screen.page is not None and screen.page.total == len(expected_ids(case_dir, "body:camera"))


async def test_sort_cycles_relevance_newest_oldest(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "body:camera")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(ResultsTable)
        assert [r.id for r in table.rows_shown] == expected_ids(case_dir, "body:camera", "relevance")[:100]
        await pilot.press("o")
        await settle(pilot)
        assert [r.id for r in table.rows_shown] == expected_ids(case_dir, "body:camera", "newest")[:100]
        await pilot.press("o")
        await settle(pilot)
        assert [r.id for r in table.rows_shown] == expected_ids(case_dir, "body:camera", "oldest")[:100]


async def test_facet_choice_narrows_the_query(case_dir: Path) -> None:
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        facets = screen.query_one(FacetTree)
        assert facets.display  # shown from 100 columns on
        facets.focus()
        await pilot.press("down", "down")  # the 'Sender domains' branch, then its first value
        node = facets.cursor_node
        assert node is not None and node.data is not None and node.data.facet == "sender_domains"
        domain = node.data.value
        await pilot.press("enter")
        await settle(pilot)
        query = screen.query_one(QueryBar).value
        assert query == f"from:@{domain}"
        assert screen.page is not None and screen.page.total == len(expected_ids(case_dir, query))


async def test_thread_tree_navigates_the_thread(case_dir: Path) -> None:
    with Case(case_dir, create=False) as case:
        thread_id, size = case.store.rows(
            "SELECT thread_id, count(*) FROM messages GROUP BY thread_id ORDER BY 2 DESC LIMIT 1")[0]
        members = [r[0] for r in case.store.rows("SELECT id FROM messages WHERE thread_id=?", (thread_id,))]
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, f"thread:{thread_id}")
        await pilot.press("v")
        await settle(pilot)
        tree = app.screen.query_one(ThreadTree)
        assert tree.display and app.focused is tree
        ids: list[str] = []
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            ids.append(str(node.data))
            stack.extend(node.children)
        assert sorted(ids) == sorted(members) and len(ids) == size
        view = app.screen.query_one(MessageView)
        assert view.display_data is not None
        opened = view.display_data.message.id
        await pilot.press("up" if tree.cursor_line > 0 else "down")  # to a neighbour in the tree
        await pilot.press("enter")
        await settle(pilot)
        assert view.display_data.message.id != opened
        assert view.display_data.message.id in members


async def test_attachment_text_opens(case_dir: Path) -> None:
    with Case(case_dir, create=False) as case:
        key = case.store.rows("SELECT message_id FROM attachments WHERE text != '' ORDER BY message_id LIMIT 1")[0][0]
        text = case.attachment_text(key, 0) or ""
        attachments = len(case.message(key).attachments)
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, f"id:{key}")
        await pilot.press("a")
        await settle(pilot)
        if attachments > 1:
            await pilot.press("enter")
            await settle(pilot)
        from discovery.tui.screens.attachment import AttachmentScreen
        from discovery.tui.widgets.body import MarkedText

        assert isinstance(app.screen, AttachmentScreen)
        assert app.screen.query_one(MarkedText).original.startswith(text[:50])
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_attachment_screen_saves_the_original_bytes(case_dir: Path, tmp_path: Path) -> None:
    with Case(case_dir, create=False) as case:
        key = case.store.rows("SELECT message_id FROM attachments WHERE text != '' ORDER BY message_id LIMIT 1")[0][0]
        attachments = len(case.message(key).attachments)
        _, original = case.attachment_bytes(key, 0)
    target = tmp_path / "saved.bin"
    app = open_app(case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, f"id:{key}")
        await pilot.press("a")
        await settle(pilot)
        if attachments > 1:
            await pilot.press("enter")
            await settle(pilot)
        from discovery.tui.screens.attachment import AttachmentScreen
        from discovery.tui.screens.dialogs import PromptDialog
        from textual.widgets import Input

        assert isinstance(app.screen, AttachmentScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        field = app.screen.query_one("#prompt-input", Input)
        assert field.value.endswith(".pdf") or "-" in Path(field.value).name  # our safe name is offered
        field.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert target.read_bytes() == original
        assert isinstance(app.screen, AttachmentScreen)
        await pilot.press("s")  # a second save to the same path is refused, the file is kept
        await settle(pilot)
        app.screen.query_one("#prompt-input", Input).value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert target.read_bytes() == original
        assert any("not overwritten" in str(n.message) for n in app._notifications)


async def test_a_page_turn_paints_the_table_without_laying_out_the_screen(case_dir: Path) -> None:
    """The next page replaces the rows and the status line in place (neither changes size): only the message
    pane, loaded once the page is painted, may lay out the screen again. The heap is frozen after the first page
    (full collections skip it) and collectable again once the screen goes."""
    import gc

    from discovery.tui.widgets.status import StatusLine
    from textual.widget import Widget

    query = "from:@cirrusweb.example"
    expected = expected_ids(case_dir, query)
    app = open_app(case_dir, page_size=20)
    laid_out: list[str] = []
    refresh = Widget.refresh

    def recording(self: Widget, *regions: object, layout: bool = False, **options: object) -> Widget:
        if layout and not any(isinstance(node, MessageView) for node in self.ancestors_with_self):
            laid_out.append(type(self).__name__)  # a layout asked for by something else than the message pane
        return refresh(self, *regions, layout=layout, **options)  # type: ignore[arg-type]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, query)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert gc.get_freeze_count() > 0
        table = screen.query_one(ResultsTable)
        Widget.refresh = recording  # type: ignore[method-assign]
        try:
            await pilot.press("right_square_bracket")
            await settle(pilot)
        finally:
            Widget.refresh = refresh  # type: ignore[method-assign]
        assert [r.id for r in table.rows_shown] == expected[20:40]
        assert laid_out == []
        assert "21–40" in str(screen.query_one(StatusLine).render())
        view = screen.query_one(MessageView)
        assert view.display_data is not None and view.display_data.message.id == expected[20]
    assert gc.get_freeze_count() == 0
