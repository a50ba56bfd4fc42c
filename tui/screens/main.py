"""Provides MainScreen: query bar, facets, paged results, the message pane and its thread (search and read)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, cast

from discovery.tui.data.reading import load_display
from discovery.tui.data.search import SORTS, ResultPage, facet_clause, narrow
from discovery.tui.screens.base import WorkerErrors, in_ui, report_from_thread
from discovery.tui.screens.tagging import TaggingActions
from discovery.tui.widgets.body import MarkedText
from discovery.tui.widgets.facets import FacetTree
from discovery.tui.widgets.message_view import MessageView
from discovery.tui.widgets.query_bar import QueryBar
from discovery.tui.widgets.results import ResultsTable
from discovery.tui.widgets.status import StatusLine, WorkFinished, WorkLine, WorkProgressed
from discovery.tui.widgets.thread_tree import ThreadTree
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input
from textual.worker import get_current_worker

from discovery.errors import DiscoveryError, QuerySyntaxError

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp


class MainScreen(TaggingActions, WorkerErrors, Screen[None]):
    """Search, read and tag. Every read runs in a worker; the table holds one page of hits at a time."""

    BINDINGS = [
        Binding("slash", "focus_query", "Search", id="main.search"),
        Binding("escape", "escape", "Back", show=False, id="main.escape"),
        Binding("right_square_bracket", "page(1)", "Next page", show=False, key_display="]", id="main.next_page"),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False, key_display="[", id="main.prev_page"),
        Binding("right_curly_bracket", "file_item(1)", "Next item in file", show=False, key_display="}",
                id="main.next_file_item", tooltip="The next message or document split from the same PDF or text file"),
        Binding("left_curly_bracket", "file_item(-1)", "Prev item in file", show=False, key_display="{",
                id="main.prev_file_item", tooltip="The previous message or document split from the same file"),
        Binding("o", "cycle_sort", "Sort", show=False, id="main.sort"),
        Binding("f", "toggle_facets", "Facets", show=False, id="main.facets"),
        Binding("v", "toggle_thread", "Thread", id="main.thread"),
        Binding("i", "details", "Details and headers", show=False, id="main.details"),
        Binding("a", "attachments", "Attachments", show=False, id="main.attachments"),
        Binding("ctrl+o", "full_body", "Whole body", show=False, id="main.full_body"),
        Binding("space", "toggle_select", "Select", show=False, id="main.select"),
        Binding("x", "clear_selection", "Clear selection", show=False, id="main.clear_selection"),
        Binding("t", "tag", "Tag", id="main.tag"),
        Binding("u", "untag", "Untag", show=False, id="main.untag"),
        Binding("T", "tag_all", "Tag all hits", show=False, id="main.tag_all"),
        *[Binding(str(n), f"quick_tag({n})", f"Quick tag {n}", show=False, id=f"main.quick_tag_{n}")
          for n in range(1, 10)],
        Binding("n", "note", "Note", id="main.note"),
        Binding("g", "manage_tags", "Tags…", show=False, id="main.manage_tags"),
        Binding("r", "review", "Review", id="main.review"),
        Binding("s", "saved_searches", "Saved", show=False, id="main.saved"),
        Binding("S", "save_search", "Save search", show=False, id="main.save_search"),
        Binding("z", "zoom", "Zoom pane", show=False, id="main.zoom"),
        Binding("P", "produce", "Produce…", show=False, id="main.produce",
                tooltip="publish the current search or a tag redacted (txt, eml, mbox, pdf)"),
    ]

    def __init__(self, initial_query: str = "") -> None:
        super().__init__()
        self.query_text = initial_query
        self.sort = "relevance"
        self.page: ResultPage | None = None
        self.open_id: str | None = None
        self._preview_timer: object | None = None
        self._froze_heap = False

    @property
    def dapp(self) -> DiscoveryApp:
        return cast("DiscoveryApp", self.app)

    def compose(self) -> ComposeResult:
        yield QueryBar(id="query-bar")
        with Horizontal(id="main-body"):
            yield FacetTree(id="facets")
            with Vertical(id="reading"):
                yield ResultsTable(id="results")
                with Horizontal(id="lower"):
                    yield MessageView(id="message")
                    yield ThreadTree(id="thread")
        yield WorkLine(id="work")
        yield StatusLine(id="status")
        yield Footer()

    # -- widgets --------------------------------------------------------------------------------------
    @property
    def query_bar(self) -> QueryBar:
        return self.query_one(QueryBar)

    @property
    def table(self) -> ResultsTable:
        return self.query_one(ResultsTable)

    @property
    def message_view(self) -> MessageView:
        return self.query_one(MessageView)

    @property
    def thread_tree(self) -> ThreadTree:
        return self.query_one(ThreadTree)

    def on_mount(self) -> None:
        self.query_bar.set_query(self.query_text)
        self.query_one(FacetTree).display = self.app.size.width >= 100
        self.thread_tree.display = False
        self.load_tags()
        self.run_query(self.query_text)
        self.table.focus()

    # -- searching ------------------------------------------------------------------------------------
    def run_query(self, query: str, offset: int = 0, keep: str | None = None) -> None:
        self.query_text = query
        self._status(Text("searching…", style="italic"))
        self._search(query, self.sort, offset, keep)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str, sort: str, offset: int, keep: str | None) -> None:
        app = self.dapp
        worker = get_current_worker()
        try:
            page = app.search.search(query, sort=sort, offset=offset, limit=app.page_size, facets=offset == 0)
            rows = app.session.summaries(page.ids)
            pending = app.pii.pending_counts(page.ids)
        except QuerySyntaxError as exc:
            in_ui(app, self._query_failed, exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the reviewer, never a traceback
            report_from_thread(app, exc)
            in_ui(app, self._status, "")
            return
        if not worker.is_cancelled:
            in_ui(app, self._show_page, page, rows, pending, keep)

    def _query_failed(self, exc: DiscoveryError) -> None:
        self.query_bar.show_error(exc)
        self._update_status()

    def _show_page(self, page: ResultPage, rows: list, pending: dict[str, int], keep: str | None) -> None:  # type: ignore[type-arg]
        with self.app.batch_update():  # one repaint for the table, facets and status line together
            self._show_page_now(page, rows, pending, keep)

    def _show_page_now(self, page: ResultPage, rows: list, pending: dict[str, int], keep: str | None) -> None:  # type: ignore[type-arg]
        previous = self.page
        self.page = page
        self.query_bar.clear_error()
        if page.notes:
            self.notify("\n".join(page.notes), title="Search", timeout=6)
        self.table.tag_colors = self.tag_colors
        self.table.show_rows(rows, pending, keep=keep)
        if page.offset == 0 or previous is None or previous.query != page.query:
            self.query_one(FacetTree).show_facets(page.facets)
        self._update_status()
        if not rows:
            self.open_id = None
            self.message_view.clear("No hits." if page.total == 0 else "")
        else:
            self.open_message(self.table.current_id or rows[0].id, after_paint=True)
        if page.offset + page.limit < page.total:  # after the page is painted: not competing with its frame
            self.call_after_refresh(self._prefetch, page.query, page.sort, page.offset + page.limit)
        if not self._froze_heap:
            self._froze_heap = True
            self.call_after_refresh(self._freeze_heap)

    def _freeze_heap(self) -> None:
        """Once the first page is painted (the case, the index and the app loaded): leave what exists now out of
        the garbage collector's full collections, which otherwise walk it all in the middle of a page turn (a
        pause of 145-616 ms at 100k messages, 46-72 ms after this; measured on 2 cores at load 5-7)."""
        gc.freeze()

    def on_unmount(self) -> None:
        if self._froze_heap:
            gc.unfreeze()  # collectable again (the tests run many apps in one process)

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def _prefetch(self, query: str, sort: str, offset: int) -> None:
        """Ask for the next page in the background, so that the searcher's ordering for it is ready by the
        time ] is pressed (the first page of a query only orders its top hits)."""
        try:
            self.dapp.search.search(query, sort=sort, offset=offset, limit=self.dapp.page_size, facets=False)
        except Exception:  # noqa: BLE001 - a prefetch that fails costs nothing; the real request reports it
            pass

    def _update_status(self) -> None:
        page = self.page
        parts: list[str | Text] = [Text(self.dapp.case_label, style="bold"), self.dapp.session.reviewer]
        if page is not None:
            if page.total:
                last = page.offset + len(page.ids)
                parts.append(f"{page.offset + 1:,}–{last:,} of {page.total:,} hits")
                if page.pages > 1:
                    parts.append(f"page {page.page_number}/{page.pages} ([ ])")
            else:
                parts.append("no hits")
            parts.append(f"sort: {page.sort} (o)")
        if self.table.selected:
            parts.append(Text(f"{len(self.table.selected)} selected (x clears)", style="bold"))
        self._status(*parts)

    def _status(self, *parts: str | Text) -> None:
        self.query_one(StatusLine).show_state(*parts)

    @on(QueryBar.Submitted)
    def _on_query(self, event: QueryBar.Submitted) -> None:
        self.table.clear_selection()
        self.run_query(event.query)
        self.table.focus()

    @on(FacetTree.Chosen)
    def _on_facet(self, event: FacetTree.Chosen) -> None:
        query = narrow(self.query_text, facet_clause(event.facet, event.value))
        self.query_bar.set_query(query)
        self.run_query(query)

    # -- reading --------------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#results")
    def _on_row(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key and key != self.open_id:
            self.open_message(str(key))

    @on(DataTable.RowSelected, "#results")
    def _on_row_selected(self, event: DataTable.RowSelected) -> None:
        self.message_view.body.focus()

    def open_message(self, key: str, *, full: bool = False, after_paint: bool = False) -> None:
        """Show a message in the pane; ``after_paint``: load it once the screen's next frame is painted (a new
        page's rows first, then its message)."""
        self.open_id = key
        if after_paint:
            self.call_after_refresh(self._load_message_if_open, key, full)
        else:
            self._load_message(key, full)

    def _load_message_if_open(self, key: str, full: bool) -> None:
        if key == self.open_id:  # not replaced by another in the meantime
            self._load_message(key, full)

    @work(thread=True, exclusive=True, group="message", exit_on_error=False)
    def _load_message(self, key: str, full: bool) -> None:
        app = self.dapp
        worker = get_current_worker()
        highlighter = self.page.highlighter if self.page is not None else None
        try:
            data = load_display(app.session, key, highlighter=highlighter, pii=app.pii, full=full)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(app, exc)
            return
        if not worker.is_cancelled:
            in_ui(app, self._show_message, data)

    def _show_message(self, data) -> None:  # type: ignore[no-untyped-def]
        if data.message.id != self.open_id:
            return
        self.message_view.show(data)
        if self.thread_tree.display:
            self._load_thread(data.message.thread_id, data.message.id)

    @work(thread=True, exclusive=True, group="thread", exit_on_error=False)
    def _load_thread(self, thread_id: str | None, current: str) -> None:
        try:
            nodes = self.dapp.session.thread(thread_id) if thread_id else []
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        if not get_current_worker().is_cancelled:
            in_ui(self.app, self.thread_tree.show_thread, thread_id, nodes, current)

    @on(ThreadTree.Chosen)
    def _on_thread_message(self, event: ThreadTree.Chosen) -> None:
        self.open_id = event.message_id
        self._load_message(event.message_id, False)

    # -- actions: search and read --------------------------------------------------------------------
    def action_focus_query(self) -> None:
        self.query_bar.input.focus()

    def action_escape(self) -> None:
        focused = self.focused
        if isinstance(focused, Input | MarkedText | FacetTree | ThreadTree):
            self.table.focus()
        elif self.query_one(WorkLine).busy:
            self.cancel_work()
        elif self.table.selected:
            self.action_clear_selection()

    def action_page(self, step: int) -> None:
        page = self.page
        if page is None:
            return
        offset = page.offset + step * page.limit
        if offset < 0 or offset >= page.total:
            self.notify("No more pages that way.", timeout=2)
            return
        self.run_query(self.query_text, offset)

    def action_file_item(self, step: int) -> None:
        """Open the previous or next item split from the same release file as the open one."""
        shown = self.message_view.display_data
        release = shown.message.release if shown is not None else {}
        items = list(release.get("file_items") or []) if release else []
        if shown is None or shown.message.id not in items:
            self.notify("Not a message of a PDF or text release.", timeout=2)
            return
        at = items.index(shown.message.id) + step
        if not 0 <= at < len(items):
            self.notify("No more items in this file that way.", timeout=2)
            return
        self.open_id = items[at]
        self._load_message(items[at], False)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.notify(f"Sorted by {self.sort}.", timeout=2)
        self.run_query(self.query_text, 0, keep=self.table.current_id)

    def action_toggle_facets(self) -> None:
        facets = self.query_one(FacetTree)
        facets.display = not facets.display
        if facets.display:
            facets.focus()

    def action_toggle_thread(self) -> None:
        tree = self.thread_tree
        tree.display = not tree.display
        data = self.message_view.display_data
        if tree.display and data is not None:
            self._load_thread(data.message.thread_id, data.message.id)
            tree.focus()

    def action_details(self) -> None:
        from discovery.tui.screens.details import DetailsScreen

        data = self.message_view.display_data
        if data is not None:
            self.app.push_screen(DetailsScreen(data))

    def action_full_body(self) -> None:
        if self.open_id:
            self.open_message(self.open_id, full=True)

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)

    def action_attachments(self) -> None:
        from discovery.tui.screens.attachment import open_attachments

        data = self.message_view.display_data
        if data is None:
            return
        open_attachments(self, data.message)

    def action_review(self) -> None:
        from discovery.tui.screens.review import ReviewScreen

        if self.open_id:
            ids = [r.id for r in self.table.rows_shown]
            self.app.push_screen(ReviewScreen(self.open_id, ids), self._after_review)

    def _after_review(self, _: object = None) -> None:
        """Decisions changed markers: refresh the rows and reload the open message with its suggestions."""
        self.refresh_after_change()
        if self.open_id:
            self.open_message(self.open_id)

    def action_saved_searches(self) -> None:
        from discovery.tui.screens.saved import choose_saved_search

        choose_saved_search(self)

    def action_save_search(self) -> None:
        from discovery.tui.screens.saved import save_search

        save_search(self, self.query_text)

    def action_produce(self) -> None:
        from discovery.tui.screens.produce import start_production

        start_production(self, self.query_text)

    def run_saved(self, query: str) -> None:
        self.query_bar.set_query(query)
        self.table.clear_selection()
        self.run_query(query)

    # -- slow work ------------------------------------------------------------------------------------
    @on(WorkProgressed)
    def _on_progress(self, event: WorkProgressed) -> None:
        self.query_one(WorkLine).progress(event.label, event.done, event.total)

    @on(WorkFinished)
    def _on_finished(self, event: WorkFinished) -> None:
        self.query_one(WorkLine).stop()
        if event.summary:
            self.notify(event.summary, timeout=4)

    def cancel_work(self) -> None:
        self.workers.cancel_group(self, "bulk")
        self.notify("Cancelling after the current batch…", timeout=3)
