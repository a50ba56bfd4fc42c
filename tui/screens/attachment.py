"""Provides AttachmentScreen: an attachment's extracted text, read off the UI thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from discovery.tui.screens.base import WorkerErrors, in_ui, report_from_thread
from discovery.tui.screens.dialogs import ChoiceDialog, PromptDialog
from discovery.tui.widgets.body import MarkedText
from discovery.tui.widgets.marks import pii_marks
from discovery.tui.widgets.message_view import format_size
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from discovery.case import AttachmentOut, StoredMessage

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp
    from textual.screen import Screen as AnyScreen


def open_attachments(screen: AnyScreen[object], message: StoredMessage) -> None:
    """Open the message's attachment (choosing one when there are several)."""
    if not message.attachments:
        screen.notify("This message has no attachments.", timeout=3)
        return
    if len(message.attachments) == 1:
        screen.app.push_screen(AttachmentScreen(message.id, message.attachments[0]))
        return
    options = [(str(a.position), f"{a.filename or '(unnamed)'}  {a.mime}  {format_size(a.size)}"
                + ("" if a.has_text else "  (no text)")) for a in message.attachments]
    by_position = {str(a.position): a for a in message.attachments}

    def done(choice: str | None) -> None:
        if choice is not None:
            screen.app.push_screen(AttachmentScreen(message.id, by_position[choice]))

    screen.app.push_screen(ChoiceDialog("Attachments", options), done)


class AttachmentScreen(WorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="attachment.close"),
        Binding("s", "save", "Save file", id="attachment.save",
                tooltip="Write the attachment's original bytes to a file"),
    ]
    DEFAULT_CSS = """
    AttachmentScreen > #att-title { height: auto; padding: 0 1; background: $boost; }
    AttachmentScreen > MarkedText { height: 1fr; }
    """

    def __init__(self, message_id: str, attachment: AttachmentOut) -> None:
        super().__init__()
        self.message_id = message_id
        self.attachment = attachment

    def compose(self) -> ComposeResult:
        a = self.attachment
        title = Text()
        title.append(a.filename or "(unnamed attachment)", style="bold")
        title.append(f"  {a.mime}  {format_size(a.size)}  sha256 {a.sha256[:12]}", style="dim")
        if a.error:
            title.append(f"\n{a.error}", style="red")
        yield Static(title, id="att-title")
        yield MarkedText(id="att-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MarkedText).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        app = cast("DiscoveryApp", self.app)
        try:
            text = app.session.attachment_text(self.message_id, self.attachment.position)
            found = app.pii.suggestions(self.message_id)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(app, exc)
            return
        in_ui(app, self._show, text, found)

    def _show(self, text: str | None, suggestions: list[Any]) -> None:
        """The text with the PII suggestions of this attachment marked by type (as in the message pane)."""
        marks = pii_marks(suggestions, f"attachment:{self.attachment.position}")
        self.query_one(MarkedText).show(text or "(No text could be extracted from this attachment.)",
                                        marks if text else [])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Ask for a path (offering the attachment's own name, made safe) and write the original bytes there."""
        from discovery.attachments import safe_filename

        suggested = str(Path.cwd() / safe_filename(self.attachment.filename, self.attachment.position))

        def chosen(value: str | None) -> None:
            if value:
                self.save(Path(value).expanduser())

        self.app.push_screen(PromptDialog("Save attachment as", value=suggested,
                                          hint="Enter writes the original bytes; an existing file is never "
                                          "overwritten. Escape cancels."), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="attachment-save")
    def save(self, target: Path) -> None:
        app = cast("DiscoveryApp", self.app)
        try:
            path, size = app.session.save_attachment(self.message_id, self.attachment.position, target)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(app, exc)
            return
        in_ui(app, self.notify, f"Saved {format_size(size)} to {path}", timeout=5)
