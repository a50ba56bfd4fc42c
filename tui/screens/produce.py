"""Provides the produce dialog (the choices of 'discovery redact') and the progress screen that runs it in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from discovery.tui.data.produce import FORMATS, LABELS, PENDING, ProduceChoices, default_out, produce
from discovery.tui.screens.base import describe, in_ui
from discovery.tui.screens.dialogs import DIALOG_CSS
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp

    from discovery.redact.produce import ProduceReport

STAGES = {"find": "Finding redacted values", "redact": "Redacting", "write": "Writing files",
          "verify": "Checking for leaks"}
PENDING_HELP = {"refuse": "refuse: produce nothing while suggestions are pending (lists them)",
                "redact": "redact: treat pending suggestions as accepted",
                "keep": "keep: treat pending suggestions as rejected"}


class ProduceDialog(ModalScreen[ProduceChoices | None]):
    """The choices of a production: what (the current search or a tag), formats, labels, pending mode, Bates
    prefix and the output folder. ctrl+s or the button produces; escape cancels."""

    DEFAULT_CSS = "ProduceDialog { align: center middle; }" + DIALOG_CSS + """
    ProduceDialog .dialog { width: 76; }
    ProduceDialog .row { height: auto; margin-bottom: 1; }
    ProduceDialog .row > Label { width: 12; padding-top: 1; }
    ProduceDialog .row > Select, ProduceDialog .row > Input { width: 1fr; }
    ProduceDialog Checkbox { width: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="produce.cancel"),
        Binding("ctrl+s", "produce", "Produce", id="produce.go"),
    ]

    def __init__(self, query: str, tags: list[str], *, initial_tag: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.tags = tags
        self.initial_tag = initial_tag if initial_tag in tags else ""
        self._suggested = ""

    def compose(self) -> ComposeResult:
        scopes: list[tuple[str, str]] = [(f"Current search: {self.query_text or '*'}", "search")]
        scopes += [(f"Tag: {t}", f"tag:{t}") for t in self.tags]
        first = f"tag:{self.initial_tag}" if self.initial_tag else "search"
        with Vertical(classes="dialog"):
            yield Label("Produce redacted copies", classes="title")
            with Horizontal(classes="row"):
                yield Label("Messages")
                yield Select(scopes, value=first, allow_blank=False, id="produce-scope")
            with Horizontal(classes="row"):
                yield Label("Formats")
                for name in FORMATS:
                    yield Checkbox(name, value=name in ("txt", "eml"), id=f"produce-format-{name}")
            with Horizontal(classes="row"):
                yield Label("Labels")
                yield Select([(n, n) for n in LABELS], value="code", allow_blank=False, id="produce-label")
            with Horizontal(classes="row"):
                yield Label("Pending")
                yield Select([(PENDING_HELP[n], n) for n in PENDING], value="refuse", allow_blank=False,
                             id="produce-pending")
            with Horizontal(classes="row"):
                yield Label("Bates")
                yield Input(value="DOC-", placeholder="PREFIX[:START], e.g. HCSO-:1", id="produce-bates")
            with Horizontal(classes="row"):
                yield Label("Out folder")
                yield Input(value="", placeholder="relative to the case folder", id="produce-out")
            yield Static("An existing folder is replaced only when it holds an earlier production of this case.",
                         classes="hint")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Produce (ctrl+s)", id="produce", variant="primary")

    def on_mount(self) -> None:
        self._fill_out()
        self.query_one("#produce-scope", Select).focus()

    @on(Select.Changed, "#produce-scope")
    def _scope_changed(self) -> None:
        self._fill_out()

    def _fill_out(self) -> None:
        """Suggest exports/<tag> or exports/search until the reviewer types a folder of their own."""
        field = self.query_one("#produce-out", Input)
        suggested = default_out(self.app_case_dir, self._choices(out=""))
        if not field.value or field.value == self._suggested:
            field.value = suggested
            self._suggested = suggested

    @property
    def app_case_dir(self):  # type: ignore[no-untyped-def]
        return cast("DiscoveryApp", self.app).session.case_dir

    def _choices(self, *, out: str | None = None) -> ProduceChoices:
        scope = str(self.query_one("#produce-scope", Select).value)
        formats = tuple(n for n in FORMATS if self.query_one(f"#produce-format-{n}", Checkbox).value)
        return ProduceChoices(
            scope="tag" if scope.startswith("tag:") else "search", query=self.query_text,
            tag=scope[4:] if scope.startswith("tag:") else "", formats=formats,
            label=str(self.query_one("#produce-label", Select).value),
            pending=str(self.query_one("#produce-pending", Select).value),
            bates=self.query_one("#produce-bates", Input).value.strip(),
            out=self.query_one("#produce-out", Input).value.strip() if out is None else out)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "produce":
            self.action_produce()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_produce()

    def action_produce(self) -> None:
        choices = self._choices()
        if not choices.formats:
            self.notify("Choose at least one format.", severity="warning")
            return
        if not choices.out:
            self.notify("Choose an output folder.", severity="warning")
            return
        self.dismiss(choices)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProduceProgress(ModalScreen["ProduceReport | None"]):
    """Runs the production in a thread worker with a progress bar; escape cancels (nothing is left behind: the
    production is written to a partial folder that becomes the output only when complete and checked)."""

    DEFAULT_CSS = "ProduceProgress { align: center middle; }" + DIALOG_CSS + """
    ProduceProgress ProgressBar { width: 100%; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="produce_progress.cancel")]

    def __init__(self, choices: ProduceChoices) -> None:
        super().__init__()
        self.choices = choices
        self.cancelled = False
        self.report: ProduceReport | None = None
        self.error: BaseException | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Producing " + self.choices.describe(), classes="title")
            yield Static("Starting…", id="produce-stage", classes="body")
            yield ProgressBar(total=None, show_eta=False, id="produce-bar")
            yield Static("esc cancels: nothing is published until the production is complete and checked.",
                         id="produce-hint", classes="hint")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.run_production()

    @work(thread=True, exclusive=True, group="produce", exit_on_error=False)
    def run_production(self) -> None:
        app = cast("DiscoveryApp", self.app)
        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            in_ui(app, self._progress, stage, done, total)

        def cancel() -> bool:
            return self.cancelled or worker.is_cancelled

        try:
            report = produce(app.session, self.choices, progress=progress, cancel=cancel)
        except KeyboardInterrupt:
            in_ui(app, self._finished, None, None)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the reviewer, never a traceback
            in_ui(app, self._finished, None, exc)
            return
        in_ui(app, self._finished, report, None)

    def _progress(self, stage: str, done: int, total: int) -> None:
        bar = self.query_one("#produce-bar", ProgressBar)
        bar.update(total=total or None, progress=done)
        self.query_one("#produce-stage", Static).update(f"{STAGES.get(stage, stage)}: {done:,} of {total:,}")

    def _finished(self, report: ProduceReport | None, error: BaseException | None) -> None:
        self.report, self.error = report, error
        if report is not None:
            self.query_one("#produce-bar", ProgressBar).update(total=1, progress=1)
            self.notify(summary(report), title="Produced", timeout=10)
        elif error is not None:
            title, message = describe(error)
            self.notify(message, title=title, severity="error", timeout=12)
        else:
            self.notify("Production cancelled: nothing was published.", title="Produce", timeout=5)
        self.dismiss(report)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.query_one("#produce-stage", Static).update(Text("Cancelling after the current step…",
                                                                 style="italic"))


def summary(report: ProduceReport) -> str:
    """One notification's worth: what was produced where, and that the leak check passed."""
    return (f"{report.documents:,} messages, {report.pages:,} pages ({report.bates_first}–{report.bates_last}) "
            f"as {', '.join(report.formats)} into {report.out_dir}; {report.redactions:,} redactions, "
            f"{report.withheld:,} withheld; leak check {'passed' if report.verified else 'NOT run'}.")


def start_production(screen: Screen[object], query: str) -> None:
    """The produce key: the dialog, then the progress screen, then a refresh of the screen (Bates numbers and
    productions are recorded in the case)."""
    app = cast("DiscoveryApp", screen.app)
    try:
        tags = [t.name for t in app.session.tags()]
    except Exception as exc:  # noqa: BLE001
        title, message = describe(exc)
        app.notify(message, title=title, severity="error")
        return

    def chosen(choices: ProduceChoices | None) -> None:
        if choices is not None:
            app.push_screen(ProduceProgress(choices))

    app.push_screen(ProduceDialog(query, tags), chosen)
