"""Provides ResultsTable: one page of hits (date, from, to, subject, tags, attachment and PII markers)."""

from __future__ import annotations

from collections.abc import Iterable

from discovery.tui.data.rows import RowSummary
from rich.text import Text
from textual.events import Resize
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

WIDE = 110  # from this width on, the table also shows recipients and times


def short_date(iso: str | None, wide: bool) -> str:
    if not iso:
        return "(no date)"
    return iso[:16].replace("T", " ") if wide else iso[:10]


def tag_text(tags: Iterable[str], colors: dict[str, str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, name in enumerate(tags):
        if i:
            text.append(" ")
        text.append(name, style=colors.get(name.lower()) or "bold")
    return text


class ResultsTable(DataTable[object]):
    """The page of hits shown. Row keys are message ids; the table never holds more than one page."""

    DEFAULT_CSS = """
    ResultsTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.rows_shown: list[RowSummary] = []
        self.pending: dict[str, int] = {}
        self.selected: set[str] = set()
        self.tag_colors: dict[str, str] = {}
        self._width = 0

    # -- content --------------------------------------------------------------------------------------
    def show_rows(self, rows: list[RowSummary], pending: dict[str, int], *, keep: str | None = None) -> None:
        """Replace the rows; the cursor goes to ``keep`` when it is shown, else to the top."""
        self.rows_shown = rows
        self.pending = pending
        self._rebuild(keep)

    def refresh_rows(self, rows: list[RowSummary]) -> None:
        """Update rows already shown (e.g. after tagging) without moving the cursor."""
        fresh = {r.id: r for r in rows}
        self.rows_shown = [fresh.get(r.id, r) for r in self.rows_shown]
        for row in rows:
            if row.id in self.rows:
                self.update_cell(row.id, "tags", tag_text(row.tags, self.tag_colors))
                self.update_cell(row.id, "flags", self._flags(row))

    def toggle_selected(self, key: str) -> None:
        if key in self.selected:
            self.selected.discard(key)
        else:
            self.selected.add(key)
        if key in self.rows:
            self.update_cell(key, "sel", "✓" if key in self.selected else " ")

    def clear_selection(self) -> None:
        previous, self.selected = self.selected, set()
        for key in previous:
            if key in self.rows:
                self.update_cell(key, "sel", " ")

    @property
    def current_id(self) -> str | None:
        if not self.rows_shown or self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or rebuilding table has no cursor row
            return None
        return str(key.value) if key.value is not None else None

    # -- layout ---------------------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width and self.rows_shown:
            self._rebuild(self.current_id)

    def _rebuild(self, keep: str | None) -> None:
        width = self.size.width or self.app.size.width
        wide = width >= WIDE
        if self.columns and self.size.width == self._width:
            self.clear()  # same width: keep the columns, replace the rows
            self._add_rows(wide)
            self._keep(keep)
            return
        self._width = self.size.width
        self.clear(columns=True)
        date_w = 16 if wide else 10
        from_w = 22 if wide else 16
        to_w = 18 if wide else 0
        tags_w = 16 if wide else 10
        flags_w = 5
        columns = 6 + (1 if wide else 0)
        scrollbar = self.styles.scrollbar_size_vertical or 0
        subject_w = max(12, width - (1 + date_w + from_w + to_w + tags_w + flags_w) - 2 * columns - scrollbar)
        self.add_column(" ", width=1, key="sel")
        self.add_column("Date", width=date_w, key="date")
        self.add_column("From", width=from_w, key="from")
        if wide:
            self.add_column("To", width=to_w, key="to")
        self.add_column("Subject", width=subject_w, key="subject")
        self.add_column("Tags", width=tags_w, key="tags")
        self.add_column("@ PII", width=flags_w, key="flags")
        self._add_rows(wide)
        self._keep(keep)

    def _keep(self, keep: str | None) -> None:
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    def _add_rows(self, wide: bool) -> None:
        for row in self.rows_shown:
            cells: list[object] = ["✓" if row.id in self.selected else " ", short_date(row.date, wide),
                                   Text(row.sender, no_wrap=True, overflow="ellipsis")]
            if wide:
                cells.append(Text(row.to, no_wrap=True, overflow="ellipsis"))
            cells += [Text(row.subject or "(no subject)", no_wrap=True, overflow="ellipsis"),
                      tag_text(row.tags, self.tag_colors), self._flags(row)]
            self.add_row(*cells, key=row.id)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Size the table for a new page without measuring its cells.

        Textual's DataTable measures every cell of every new row (100 rows of 7 cells a page) to widen auto-width
        columns and to find the height of auto-height rows. Every column here has a fixed width and every row
        one line, so those measures change nothing: only the virtual size is computed, and a page's cells are
        rendered when they are painted (the visible rows only). Any other table falls back to Textual's way.
        """
        keys = list(new_rows)
        rows = [row for row in (self.rows.get(key) for key in keys) if row is not None]
        if any(column.auto_width for column in self.columns.values()) or any(
                row.auto_height or row.label is not None for row in rows):
            super()._update_dimensions(keys)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    def _flags(self, row: RowSummary) -> Text:
        text = Text(no_wrap=True)
        text.append("@ " if row.attachments else "  ", style="bold")
        count = self.pending.get(row.id, 0)
        if count:
            text.append(f"{count:>3}" if count < 1000 else "999", style="bold red")
        return text
