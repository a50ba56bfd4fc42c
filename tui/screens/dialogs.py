"""Provides the small modal dialogs: confirm, prompt for a line of text, choose one of several options."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

DIALOG_CSS = """
.dialog { width: 64; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $surface;
          padding: 1 2; }
.dialog > .title { text-style: bold; margin-bottom: 1; width: 100%; }
.dialog > .body { margin-bottom: 1; width: 100%; }
.dialog > .hint { color: $text-muted; width: 100%; }
.dialog > Horizontal { height: auto; align-horizontal: right; }
.dialog Button { margin-left: 2; min-width: 10; }
.dialog > OptionList { height: auto; max-height: 16; }
"""


class ConfirmDialog(ModalScreen[bool]):
    """Asks before something big; y or enter confirms, n or escape cancels."""

    DEFAULT_CSS = "ConfirmDialog { align: center middle; }" + DIALOG_CSS
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str | Text, *, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Static(self.body, classes="body")
            with Horizontal():
                yield Button(f"{self.no} (n)", id="no")
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptDialog(ModalScreen[str | None]):
    """Asks for one line of text (a tag name, a note); enter accepts, escape cancels."""

    DEFAULT_CSS = "PromptDialog { align: center middle; }" + DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, *, placeholder: str = "", value: str = "", hint: str = "",
                 suggestions: Sequence[str] = ()) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.hint = title, placeholder, value, hint
        self.suggestions = list(suggestions)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            suggester = SuggestFromList(self.suggestions, case_sensitive=False) if self.suggestions else None
            yield Input(value=self.value, placeholder=self.placeholder, suggester=suggester, id="prompt-input")
            if self.hint:
                yield Static(self.hint, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of several options (a tag, a saved search, an entity type); escape cancels."""

    DEFAULT_CSS = "ChoiceDialog { align: center middle; }" + DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, options: Sequence[tuple[str, str | Text]], *, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.options, self.hint = title, list(options), hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield OptionList(*[Option(label, id=value) for value, label in self.options], id="choices")
            if self.hint:
                yield Static(self.hint, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
