"""Provides TagManagerScreen: create, rename, colour, reorder-free list and delete the case's tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from discovery.tui.screens.base import WorkerErrors, in_ui, report_from_thread
from discovery.tui.screens.dialogs import DIALOG_CSS, ChoiceDialog, ConfirmDialog, PromptDialog
from discovery.tui.screens.tagging import tag_style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from discovery.tags import Tag

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp

COLORS = ("red", "orange1", "yellow", "green", "cyan", "blue", "magenta", "grey62")


class TagManagerScreen(WorkerErrors, ModalScreen[None]):
    """The case's tags in quick-key order (keys 1-9 on the main screen follow it)."""

    DEFAULT_CSS = "TagManagerScreen { align: center middle; } TagManagerScreen .dialog { width: 72; }" + DIALOG_CSS
    BINDINGS = [
        Binding("n", "new", "New", id="tags.new"),
        Binding("r", "rename", "Rename", id="tags.rename"),
        Binding("c", "color", "Colour", id="tags.color"),
        Binding("d", "delete", "Delete", id="tags.delete"),
        Binding("escape,q", "close", "Close", id="tags.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[Tag] = []

    @property
    def dapp(self) -> DiscoveryApp:
        return cast("DiscoveryApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Tags", classes="title")
            yield DataTable(id="tag-table", cursor_type="row")
            yield Label("n new · r rename · c colour · d delete · esc close", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Key", width=3, key="key")
        table.add_column("Tag", width=32, key="name")
        table.add_column("Messages", width=9, key="count")
        table.add_column("Colour", width=10, key="color")
        table.focus()
        self.reload()

    @work(thread=True, exclusive=True, group="tags", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        try:
            tags = self.dapp.session.tags()
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self._show, tags, select)

    def _show(self, tags: list[Tag], select: str | None) -> None:
        self.tags = tags
        table = self.query_one(DataTable)
        current = select or self.current_name
        table.clear()
        for i, t in enumerate(tags):
            table.add_row(str(i + 1) if i < 9 else "", Text(t.name, style=tag_style(t.color)), f"{t.count:,}",
                          t.color or "-", key=t.name)
        if not tags:
            table.add_row("", Text("No tags yet: press n to create one.", style="dim"), "", "", key="")
        if current and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))

    @property
    def current_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.tags or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key else None

    def action_new(self) -> None:
        self.app.push_screen(PromptDialog("New tag", placeholder="e.g. responsive, hot, follow up"),
                             lambda name: self._do("create", name) if name else None)

    def action_rename(self) -> None:
        name = self.current_name
        if name:
            self.app.push_screen(PromptDialog(f"Rename '{name}'", value=name),
                                 lambda new: self._do("rename", name, new) if new and new != name else None)

    def action_color(self) -> None:
        name = self.current_name
        if name:
            options = [(c, Text(c, style=f"bold {c}")) for c in COLORS] + [("-", Text("no colour"))]
            self.app.push_screen(ChoiceDialog(f"Colour of '{name}'", options),
                                 lambda color: self._do("color", name, "" if color == "-" else color)
                                 if color else None)

    def action_delete(self) -> None:
        name = self.current_name
        tag = next((t for t in self.tags if t.name == name), None)
        if tag is not None:
            body = (f"'{tag.name}' is on {tag.count:,} message{'s' * (tag.count != 1)}; they lose it. "
                    "Recorded in the audit log.")
            self.app.push_screen(ConfirmDialog(f"Delete tag '{tag.name}'?", body, yes="Delete"),
                                 lambda yes: self._do("delete", tag.name) if yes else None)

    @work(thread=True, group="write", exit_on_error=False)
    def _do(self, what: str, name: str, value: str = "") -> None:
        session = self.dapp.session
        try:
            if what == "create":
                select = session.create_tag(name).name
            elif what == "rename":
                select = session.rename_tag(name, value).name
            elif what == "color":
                select = session.color_tag(name, value).name
            else:
                session.delete_tag(name)
                select = None
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self.reload, select)

    def action_close(self) -> None:
        self.dismiss(None)
