"""Provides TaggingActions: tag, untag, quick keys 1-9, tag every hit (asked first), notes, selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discovery.tui.screens.base import in_ui, report_from_thread
from discovery.tui.screens.dialogs import ConfirmDialog, PromptDialog
from discovery.tui.widgets.status import WorkFinished, WorkProgressed
from rich.style import Style
from rich.text import Text
from textual import work
from textual.worker import get_current_worker

from discovery.tags import Tag

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp
    from discovery.tui.data.search import ResultPage
    from discovery.tui.widgets.message_view import MessageView
    from discovery.tui.widgets.results import ResultsTable


def tag_style(color: str) -> str:
    """A Rich style for a tag's colour (bold when none or when the colour is not one Rich knows)."""
    if not color:
        return "bold"
    try:
        Style.parse(color)
    except Exception:  # noqa: BLE001 - a colour set from the CLI that Rich cannot draw
        return "bold"
    return f"bold {color}"


class TaggingActions:
    """Mixed into MainScreen (which declares the bindings). Decisions run in workers through the session,
    which calls discovery.tags (audited, committed at once)."""

    if TYPE_CHECKING:
        dapp: DiscoveryApp
        table: ResultsTable
        message_view: MessageView
        open_id: str | None
        query_text: str
        page: ResultPage | None

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def post_message(self, message: Any) -> bool: ...
        def _update_status(self) -> None: ...

    tags: list[Tag] = []
    tag_colors: dict[str, str] = {}

    # -- tags cache -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="tags", exit_on_error=False)
    def load_tags(self) -> None:
        try:
            tags = self.dapp.session.tags()
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.dapp, exc)
            return
        in_ui(self.dapp, self._set_tags, tags)

    def _set_tags(self, tags: list[Tag]) -> None:
        self.tags = tags
        self.tag_colors = {t.name.lower(): tag_style(t.color) for t in tags}
        self.table.tag_colors = self.tag_colors

    def quick_tags_hint(self) -> str:
        return "  ".join(f"{i + 1} {t.name}" for i, t in enumerate(self.tags[:9])) or "no tags yet"

    # -- targets --------------------------------------------------------------------------------------
    def targets(self) -> list[str]:
        """The selected messages, else the open one."""
        if self.table.selected:
            return sorted(self.table.selected)
        return [self.open_id] if self.open_id else []

    def _describe(self, ids: list[str]) -> str:
        return "this message" if len(ids) == 1 and not self.table.selected else f"{len(ids):,} selected messages"

    def action_toggle_select(self) -> None:
        key = self.table.current_id
        if key:
            self.table.toggle_selected(key)
            self._update_status()

    def action_clear_selection(self) -> None:
        self.table.clear_selection()
        self._update_status()

    # -- tag / untag ----------------------------------------------------------------------------------
    def action_tag(self) -> None:
        self._ask_tag(add=True)

    def action_untag(self) -> None:
        self._ask_tag(add=False)

    def _ask_tag(self, *, add: bool) -> None:
        ids = self.targets()
        if not ids:
            self.notify("Open a message first.", severity="warning")
            return
        verb = "Tag" if add else "Untag"
        names = [t.name for t in self.tags]

        def done(name: str | None) -> None:
            if name:
                self.apply_tag(name, ids, add=add)

        self.dapp.push_screen(PromptDialog(f"{verb} {self._describe(ids)}", placeholder="tag name",
                                           hint="Existing: " + ", ".join(names) if names else "A new tag is created.",
                                           suggestions=names), done)

    def action_quick_tag(self, number: int) -> None:
        if number > len(self.tags):
            self.notify(f"No tag {number} yet: create tags with g (quick keys follow their order).",
                        severity="warning")
            return
        ids = self.targets()
        if ids:
            self._toggle(self.tags[number - 1].name, ids)

    @work(thread=True, group="write", exit_on_error=False)
    def _toggle(self, name: str, ids: list[str]) -> None:
        try:
            rows = self.dapp.session.summaries(ids)
            add = not all(name.lower() in (t.lower() for t in r.tags) for r in rows)
            changed = (self.dapp.session.tag if add else self.dapp.session.untag)(name, ids)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.dapp, exc)
            return
        in_ui(self.dapp, self._tagged, name, add, changed, len(ids))

    @work(thread=True, group="write", exit_on_error=False)
    def apply_tag(self, name: str, ids: list[str], *, add: bool) -> None:
        try:
            changed = (self.dapp.session.tag if add else self.dapp.session.untag)(name, ids)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.dapp, exc)
            return
        in_ui(self.dapp, self._tagged, name, add, changed, len(ids))

    def _tagged(self, name: str, add: bool, changed: int, asked: int) -> None:
        if add:
            self.notify(f"Tagged {changed:,} message{'s' * (changed != 1)} '{name}'"
                        + (f" ({asked - changed:,} had it)" if asked != changed else ""), timeout=3)
        else:
            self.notify(f"Removed '{name}' from {changed:,} message{'s' * (changed != 1)}", timeout=3)
        self.refresh_after_change()

    # -- every hit ------------------------------------------------------------------------------------
    def action_tag_all(self) -> None:
        if self.page is None or self.page.total == 0:
            self.notify("No hits to tag.", severity="warning")
            return
        names = [t.name for t in self.tags]
        total = self.page.total
        self.dapp.push_screen(
            PromptDialog(f"Tag all {total:,} hits with…", placeholder="tag name", suggestions=names,
                         hint="You will be asked to confirm."),
            lambda name: self._count_all(name) if name else None)

    @work(thread=True, exclusive=True, group="bulk", exit_on_error=False)
    def _count_all(self, name: str) -> None:
        query = self.query_text
        self.post_message(WorkProgressed("Collecting every hit", 0, None))
        try:
            ids = self.dapp.search.all_ids(query, sort="relevance")
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFinished())
            report_from_thread(self.dapp, exc)
            return
        self.post_message(WorkFinished())
        if get_current_worker().is_cancelled:
            return
        in_ui(self.dapp, self._confirm_all, name, query, ids)

    def _confirm_all(self, name: str, query: str, ids: list[str]) -> None:
        body = Text()
        body.append(f"{len(ids):,}", style="bold")
        body.append(f" messages match {query!r}. " if query else " messages (the whole case). ")
        body.append("Each gets the tag ")
        body.append(name, style="bold")
        body.append(". The change is recorded in the audit log and can be undone with untag.")

        def done(yes: bool | None) -> None:
            if yes:
                self._tag_bulk(name, ids)

        self.dapp.push_screen(ConfirmDialog(f"Tag all {len(ids):,} hits?", body, yes="Tag all"), done)

    @work(thread=True, exclusive=True, group="bulk", exit_on_error=False)
    def _tag_bulk(self, name: str, ids: list[str]) -> None:
        worker = get_current_worker()
        label = f"Tagging {len(ids):,} messages '{name}'"
        self.post_message(WorkProgressed(label, 0, len(ids)))
        try:
            changed = self.dapp.session.tag(
                name, ids, progress=lambda done, total: self.post_message(WorkProgressed(label, done, total)),
                cancel=lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFinished())
            report_from_thread(self.dapp, exc)
            return
        stopped = " (cancelled: the batches done so far are kept)" if worker.is_cancelled else ""
        self.post_message(WorkFinished(f"Tagged {changed:,} messages '{name}'{stopped}"))
        in_ui(self.dapp, self.refresh_after_change)

    # -- notes ----------------------------------------------------------------------------------------
    def action_note(self) -> None:
        if not self.open_id:
            self.notify("Open a message first.", severity="warning")
            return
        key = self.open_id
        self.dapp.push_screen(PromptDialog("Note on this message", placeholder="what you noticed",
                                           hint="Notes are kept in the case with your name and the time."),
                              lambda text: self._add_note(key, text) if text else None)

    @work(thread=True, group="write", exit_on_error=False)
    def _add_note(self, key: str, text: str) -> None:
        try:
            self.dapp.session.add_note(key, text)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.dapp, exc)
            return
        in_ui(self.dapp, self.notify, "Note saved.")
        in_ui(self.dapp, self.refresh_after_change)

    # -- tag manager ----------------------------------------------------------------------------------
    def action_manage_tags(self) -> None:
        from discovery.tui.screens.tags import TagManagerScreen

        self.dapp.push_screen(TagManagerScreen(), lambda _: self.refresh_after_change())

    # -- after any change -----------------------------------------------------------------------------
    def refresh_after_change(self) -> None:
        """Show fresh tags, notes and markers for the rows on screen and the open message."""
        self.load_tags()
        self._refresh_rows([r.id for r in self.table.rows_shown], self.open_id)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_rows(self, ids: list[str], open_id: str | None) -> None:
        session = self.dapp.session
        try:
            rows = session.summaries(ids)
            pending = self.dapp.pii.pending_counts(ids)
            meta = (session.message_tags(open_id), session.notes(open_id)) if open_id else None
            self.dapp.search.changed()
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.dapp, exc)
            return
        in_ui(self.dapp, self._rows_refreshed, rows, pending, open_id, meta)

    def _rows_refreshed(self, rows: list[Any], pending: dict[str, int], open_id: str | None,
                        meta: tuple[list[str], list[dict[str, str]]] | None) -> None:
        self.table.pending.update(pending)
        self.table.refresh_rows(rows)
        if meta is not None and open_id == self.open_id:
            self.message_view.refresh_meta(*meta)
