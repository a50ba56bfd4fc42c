"""Provides ReviewScreen: step through the case's PII questions message by message (each person or value asked
once, decided for all its places), accept, reject, keep one message's places readable, accept a value everywhere,
redact a selected span by hand, and preview the message as it would be published."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from discovery.tui.data.pii import ACCEPTED, PENDING, REJECTED, FieldText, Reach, explain, field_short, questions_of
from discovery.tui.screens.base import WorkerErrors, in_ui, report_from_thread
from discovery.tui.screens.dialogs import ChoiceDialog, ConfirmDialog
from discovery.tui.screens.preview import forget_preview, show_preview
from discovery.tui.widgets.body import MarkedText
from discovery.tui.widgets.marks import pii_marks, short_type, type_color
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from discovery.safe_text import safe_line, safe_text

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp

    from discovery.pii.suggestions import Question

STATUS_MARK = {PENDING: ("?", "bold yellow"), ACCEPTED: ("✓", "bold green"), REJECTED: ("✗", "dim")}


@dataclass(slots=True)
class ReviewState:
    """What the screen shows for one message: its field texts and every suggestion."""

    message_id: str
    subject: str
    fields: list[FieldText]
    suggestions: list[Any] = field(default_factory=list)
    withheld: str | None = None  # the exemption code the whole message is withheld under, None when published
    questions: list[Question] = field(default_factory=list)  # the suggestions as the reviewer's questions
    reach: dict[str, Reach] = field(default_factory=dict)  # question key -> its places across the case

    def __post_init__(self) -> None:
        self.regroup()

    def regroup(self) -> None:
        """One question per person or value: what the list shows and a decision decides (all its places)."""
        self.questions = questions_of(self.suggestions)

    def reach_of(self, question: Question) -> Reach:
        """How far the question goes across the case (its places here when unknown)."""
        return self.reach.get(question.lead.question_key) or Reach(question.places, 1, sum(
            1 for s in question.spans if s.status == PENDING))

    def own_decision(self, question: Question) -> bool:
        """Whether the question's places here carry a decision of this message (or place) alone."""
        return any(s.status != PENDING and s.decision_scope in ("message", "place", "legacy") for s in question.spans)

    def text_of(self, key: str) -> str:
        return next((f.text for f in self.fields if f.key == key), "")

    def label_of(self, key: str) -> str:
        return next((f.label for f in self.fields if f.key == key), key)


class ReviewScreen(WorkerErrors, Screen[None]):
    """One message at a time; n/p walk pending questions and cross into the next message of the results, where n
    skips the questions already shown in another message (each person or value is asked once)."""

    BINDINGS = [
        Binding("n", "step(1)", "Next pending", id="review.next"),
        Binding("p", "step(-1)", "Prev pending", id="review.prev"),
        Binding("a", "decide('accepted')", "Accept", id="review.accept",
                tooltip="redact every place of this person or value, in every message"),
        Binding("x", "decide('rejected')", "Reject", id="review.reject",
                tooltip="keep every place of this person or value readable, in every message"),
        Binding("X", "decide_here('rejected')", "Keep readable here", show=False, id="review.reject_here",
                tooltip="keep this message's places readable, whatever the question's decision elsewhere"),
        Binding("ctrl+a", "decide_here('accepted')", "Redact here", show=False, id="review.accept_here",
                tooltip="redact this message's places, whatever the question's decision elsewhere"),
        Binding("A", "accept_everywhere", "Accept value everywhere", id="review.accept_everywhere"),
        Binding("backspace", "decide('pending')", "Undo decision", show=False, key_display="⌫", id="review.undo"),
        Binding("m", "manual", "Redact selection", id="review.manual",
                tooltip="select text with shift+arrows or the mouse first"),
        Binding("v", "toggle_preview", "Preview", id="review.preview"),
        Binding("W", "withhold", "Withhold message…", show=False, id="review.withhold",
                tooltip="withhold the whole message from productions (a slip sheet in its place), or undo that"),
        Binding("f", "choose_field", "Field…", show=False, id="review.field"),
        Binding("right_square_bracket", "message(1)", "Next message", show=False, key_display="]",
                id="review.next_message"),
        Binding("left_square_bracket", "message(-1)", "Prev message", show=False, key_display="[",
                id="review.prev_message"),
        Binding("tab", "switch_focus", "Text/list", show=False, id="review.focus"),
        Binding("escape", "close", "Back", id="review.close"),
    ]
    DEFAULT_CSS = """
    ReviewScreen > #review-title { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    ReviewScreen > Horizontal { height: 1fr; }
    ReviewScreen #review-left { width: 1fr; }
    ReviewScreen #review-field { height: 1; padding: 0 1; color: $text-muted; }
    ReviewScreen #review-field.-preview { color: $text-warning; text-style: bold; }
    ReviewScreen MarkedText { height: 1fr; }
    ReviewScreen #review-side { width: 42%; max-width: 60; min-width: 30; border-left: vkey $border-blurred; }
    ReviewScreen #review-list { height: 1fr; }
    ReviewScreen #review-why { height: auto; max-height: 45%; padding: 0 1; background: $boost; }
    """

    def __init__(self, message_id: str, result_ids: list[str]) -> None:
        super().__init__()
        self.message_id = message_id
        self.result_ids = list(result_ids)
        self.state: ReviewState | None = None
        self.field_key = "body"
        self.preview = False
        self.current_id: int | None = None
        self._pending_step: int = 0  # after loading a message by stepping: go to its first (1) or last (-1) pending
        self.seen: dict[str, str] = {}  # question key -> the message it was first shown in (asked once)

    @property
    def dapp(self) -> DiscoveryApp:
        return cast("DiscoveryApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="review-title")
        with Horizontal():
            with Vertical(id="review-left"):
                yield Static("", id="review-field")
                yield MarkedText(id="review-text")
            with Vertical(id="review-side"):
                yield DataTable(id="review-list", cursor_type="row")
                yield Static("", id="review-why")
        yield Footer()

    @property
    def text_view(self) -> MarkedText:
        return self.query_one("#review-text", MarkedText)

    @property
    def table(self) -> DataTable[object]:
        return cast("DataTable[object]", self.query_one("#review-list", DataTable))

    def on_mount(self) -> None:
        table = self.table
        table.add_column(" ", width=1, key="status")
        table.add_column("Type", width=7, key="type")
        table.add_column("Field", width=9, key="field")
        table.add_column("Text", key="text")
        table.focus()
        self.load(self.message_id)

    # -- loading --------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review-load", exit_on_error=False)
    def load(self, message_id: str, keep: int | None = None) -> None:
        app = self.dapp
        try:
            subject = app.session.message(message_id).subject
            state = ReviewState(message_id, subject, app.pii.fields(message_id), app.pii.suggestions(message_id),
                                app.units.withheld_code(message_id))
            state.reach = app.pii.reach([q.lead.question_key for q in state.questions])
        except Exception as exc:  # noqa: BLE001
            report_from_thread(app, exc)
            return
        in_ui(app, self._loaded, state, keep)

    def _loaded(self, state: ReviewState, keep: int | None) -> None:
        new_message = self.state is None or self.state.message_id != state.message_id
        self.state = state
        forget_preview(self)
        self.message_id = state.message_id
        table = self.table
        table.clear()
        for q in state.questions:
            s = q.lead
            mark, style = STATUS_MARK.get(q.status, ("?", ""))
            text = Text(safe_line(s.text.replace("\n", " ")), no_wrap=True, overflow="ellipsis")
            reach = state.reach_of(q)
            if reach.places > 1:
                text.append(f" ×{reach.places}" + (f" in {reach.messages} msgs" if reach.messages > 1 else ""),
                            style="dim")
            table.add_row(Text(mark, style=style), Text(short_type(s.entity_type), style=type_color(s.entity_type)),
                          Text(safe_line(field_short(s.field, state.label_of(s.field))), style="dim", no_wrap=True,
                               overflow="ellipsis"), text, key=str(q.id))
        self._render_title()
        target = self._find(keep) if keep is not None else None
        if target is None and (new_message or keep is None):
            pendings = [q for q in state.questions if q.status == PENDING]
            fresh = [q for q in pendings if not self._asked_elsewhere(q)]
            target = (pendings[-1] if self._pending_step < 0 else (fresh or pendings)[0]) if pendings else None
            target = target or (state.questions[0] if state.questions else None)
        self._pending_step = 0
        if target is not None:
            self.select(target)
        else:
            self.current_id = None
            self.show_field("body")
            self.query_one("#review-why", Static).update(Text(
                "No suggestions in this message. Select text and press m to redact it by hand; ] goes to the next "
                "message.", style="dim"))

    def _asked_elsewhere(self, question: Question) -> bool:
        """Shown already, in another message: n does not ask it again."""
        where = self.seen.get(question.lead.question_key)
        return where is not None and self.state is not None and where != self.state.message_id

    def _find(self, suggestion_id: int | None) -> Question | None:
        """The question a suggestion id belongs to (its lead's id or any of its places')."""
        if self.state is None or suggestion_id is None:
            return None
        return next((q for q in self.state.questions if any(s.id == suggestion_id for s in q.spans)), None)

    def _current_ids(self) -> set[int]:
        current = self._find(self.current_id)
        return {s.id for s in current.spans} if current is not None else set()

    def _render_title(self) -> None:
        state = self.state
        if state is None:
            return
        counts = Counter(q.status for q in state.questions)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Review PII  ", style="bold")
        text.append(state.subject or "(no subject)")
        position = self.result_ids.index(state.message_id) + 1 if state.message_id in self.result_ids else 0
        text.append("\n")
        text.append(f"{counts[PENDING]} pending", style="bold yellow" if counts[PENDING] else "dim")
        text.append(f" · {counts[ACCEPTED]} accepted · {counts[REJECTED]} rejected", style="dim")
        if position:
            text.append(f" · message {position} of {len(self.result_ids)} in the results ([ ])", style="dim")
        if state.withheld is not None:
            text.append(f" · WITHHELD IN FULL {safe_line(state.withheld) or '(default code)'} (W)", style="bold red")
        text.append(f" · reviewer {self.dapp.session.reviewer}", style="dim")
        self.query_one("#review-title", Static).update(text)

    # -- showing --------------------------------------------------------------------------------------
    def select(self, question: Question) -> None:
        """Make a question current: its row, its first place's field scrolled to it, and why it was suggested."""
        suggestion = question.lead
        self.current_id = question.id
        if self.state is not None:
            self.seen.setdefault(suggestion.question_key, self.state.message_id)
        key = str(question.id)
        if key in self.table.rows:
            index = self.table.get_row_index(key)
            if self.table.cursor_row != index:
                self.table.move_cursor(row=index, animate=False)
        if suggestion.field != self.field_key or not self.text_view.original:
            self.show_field(suggestion.field)
        else:
            self._refresh_marks()
        self.text_view.reveal(suggestion.start)
        self._render_why(question)

    def show_field(self, key: str) -> None:
        state = self.state
        if state is None:
            return
        self.field_key = key
        text = state.text_of(key)
        label = self.query_one("#review-field", Static)
        in_field = [q for q in state.questions if key in q.fields]
        pending = sum(1 for q in in_field if q.status == PENDING)
        noun = "suggestion" if len(in_field) == 1 else "suggestions"
        caption = f"{state.label_of(key)}  ({len(in_field)} {noun}, {pending} pending · f: other fields)"
        if self.preview:
            show_preview(self, key, caption)
        else:
            self.text_view.show(text, pii_marks(state.suggestions, key, self._current_ids()))
            label.update(caption)
            label.remove_class("-preview")

    def _refresh_marks(self) -> None:
        if self.state is not None and not self.preview:
            self.text_view.set_marks(pii_marks(self.state.suggestions, self.field_key, self._current_ids()))

    def _render_why(self, question: Question) -> None:
        suggestion = question.lead
        text = Text()
        value = safe_line(suggestion.text.replace("\n", " "))
        text.append(value + "\n", style=f"bold {type_color(suggestion.entity_type)}")
        reach = self.state.reach_of(question) if self.state is not None else None
        if self.state is not None and reach is not None and reach.places > 1:
            where = ", ".join(safe_line(field_short(f, self.state.label_of(f))) for f in question.fields)
            others = sorted({s.text for s in question.spans if s.value_key != suggestion.value_key})
            text.append("Places: ", style="dim")
            if reach.messages > 1:
                text.append(f"{reach.places} in {reach.messages} messages ({reach.pending} pending); here "
                            f"{question.places} ({where}). a/x decide them all, X keeps this message's readable\n")
            else:
                text.append(f"{question.places} ({where}), decided together\n")
            if reach.messages > 1 and self.state.own_decision(question):
                text.append("Decided for this message alone ", style="bold")
                text.append("(⌫ gives it the question's decision again)\n", style="dim")
            if others:
                text.append("Also written: ", style="dim")
                text.append(safe_line(", ".join(others).replace("\n", " ")) + "\n")
        for label, value in explain(suggestion):
            text.append(f"{label}: ", style="dim")
            text.append(f"{value}\n")
        self.query_one("#review-why", Static).update(text)

    @on(DataTable.RowHighlighted, "#review-list")
    def _on_row(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row != self.table.cursor_row:
            return  # stale: the cursor moved again since (reacting would ping-pong between rows)
        key = event.row_key.value if event.row_key is not None else None
        question = self._find(int(key)) if key else None
        if question is not None and question.id != self.current_id:
            self.select(question)

    # -- stepping -------------------------------------------------------------------------------------
    def action_step(self, step: int) -> None:
        state = self.state
        if state is None:
            return
        order = state.questions
        current = self._find(self.current_id)
        index = order.index(current) if current is not None else (-1 if step > 0 else len(order))
        i = index + step
        while 0 <= i < len(order):
            if order[i].status == PENDING and (step < 0 or not self._asked_elsewhere(order[i])):
                self.select(order[i])
                return
            i += step
        self._next_message_with_pending(step)

    @work(thread=True, exclusive=True, group="review-step", exit_on_error=False)
    def _next_message_with_pending(self, step: int) -> None:
        app = self.dapp
        ids = self.result_ids
        here = ids.index(self.message_id) if self.message_id in ids else -1
        candidates = ids[here + 1 :] if step > 0 else list(reversed(ids[:here])) if here > 0 else []
        try:
            pending = app.pii.pending_questions(candidates)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(app, exc)
            return
        asked = set(self.seen) if step > 0 else set()  # forward, a question shown in another message is not asked again
        target = next((m for m in candidates if pending.get(m, set()) - asked), None)
        if target is None:
            in_ui(app, self.notify, "No more pending suggestions that way in these results.", timeout=3)
            return
        self._pending_step = step
        in_ui(app, self.load, target)

    def action_message(self, step: int) -> None:
        ids = self.result_ids
        if self.message_id not in ids:
            return
        i = ids.index(self.message_id) + step
        if 0 <= i < len(ids):
            self._pending_step = step
            self.load(ids[i])
        else:
            self.notify("No more messages that way in these results.", timeout=3)

    # -- decisions ------------------------------------------------------------------------------------
    def action_decide(self, status: str) -> None:
        """a / x: the question everywhere; ⌫: undo (this message's own decision when it has one)."""
        question = self._find(self.current_id)
        if question is None:
            self.notify("No suggestion selected.", severity="warning")
            return
        state = self.state
        own = state is not None and state.own_decision(question)
        scope = "message" if status == PENDING and own else "case"
        pending_elsewhere = state is not None and state.reach_of(question).pending > 0
        if not own and all(s.status == status for s in question.spans) and (status == PENDING or not pending_elsewhere):
            self.action_step(1) if status != PENDING else None  # decided so already, everywhere
            return
        self._decide(question.lead, status, scope)

    def action_decide_here(self, status: str) -> None:
        """X / ctrl+a: this message's places of the question only (the per-place override)."""
        question = self._find(self.current_id)
        if question is None:
            self.notify("No suggestion selected.", severity="warning")
            return
        self._decide(question.lead, status, "message")

    @work(thread=True, group="write", exit_on_error=False)
    def _decide(self, suggestion: Any, status: str, scope: str = "case") -> None:
        pii = self.dapp.pii
        try:
            if scope == "case" and status != PENDING and self.state is not None and any(
                    s.status != PENDING and s.decision_scope in ("message", "place", "legacy")
                    for s in self.state.suggestions
                    if s.question_key == suggestion.question_key):
                pii.reset(suggestion, "message")  # a/x here replace this message's own decision
            {ACCEPTED: pii.accept, REJECTED: pii.reject, PENDING: pii.reset}[status](suggestion, scope)
            fresh = pii.suggestions(suggestion.message_id)
            reach = pii.reach(list(dict.fromkeys(s.question_key for s in fresh)))
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self._after_decision, suggestion, fresh, status != PENDING, reach)

    def _after_decision(self, suggestion: Any, fresh: list[Any], advance: bool,
                        reach: dict[str, Reach] | None = None) -> None:
        if self.state is None or self.state.message_id != suggestion.message_id:
            return
        self.state.suggestions = fresh
        self.state.regroup()
        if reach is not None:
            self.state.reach = reach
        forget_preview(self)
        table = self.table
        for q in self.state.questions:
            key = str(q.id)
            if key in table.rows:
                mark, style = STATUS_MARK.get(q.status, ("?", ""))
                table.update_cell(key, "status", Text(mark, style=style))
        self._render_title()
        current = self._find(suggestion.id)
        if current is not None:
            self._render_why(current)
        if self.preview:
            self.show_field(self.field_key)
        else:
            self._refresh_marks()
        if advance:
            order = self.state.questions
            later = order[order.index(current) + 1 :] if current in order else order
            earlier = order[: order.index(current)] if current in order else []
            target = next((q for q in [*later, *earlier] if q.status == PENDING and not self._asked_elsewhere(q)),
                          None)
            if target is not None:  # the next pending one here, wrapping round to any skipped before
                self.select(target)
            else:
                self.action_step(1)

    def action_accept_everywhere(self) -> None:
        question = self._find(self.current_id)
        if question is None:
            self.notify("No suggestion selected.", severity="warning")
            return
        self._count_value(question.lead)

    @work(thread=True, exclusive=True, group="review-count", exit_on_error=False)
    def _count_value(self, suggestion: Any) -> None:
        try:
            count = self.dapp.pii.value_count(suggestion)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self._confirm_everywhere, suggestion, count)

    def _confirm_everywhere(self, suggestion: Any, count: Reach) -> None:
        body = Text()
        body.append(f"Redact {short_type(suggestion.entity_type)} ")
        body.append(safe_text(suggestion.text), style="bold")
        body.append(f" everywhere: {count.pending:,} suggestion{'s' * (count.pending != 1)} of this value across the "
                    f"case ({count.places:,} place{'s' * (count.places != 1)} not accepted yet, in {count.messages:,} "
                    f"message{'s' * (count.messages != 1)}), every other place the text occurs, and future scans.")
        self.app.push_screen(ConfirmDialog("Accept this value everywhere?", body, yes="Accept everywhere"),
                             lambda yes: self._everywhere(suggestion) if yes else None)

    @work(thread=True, group="write", exit_on_error=False)
    def _everywhere(self, suggestion: Any) -> None:
        pii = self.dapp.pii
        try:
            result = pii.accept_everywhere(suggestion)
            fresh = pii.suggestions(suggestion.message_id)
            reach = pii.reach(list(dict.fromkeys(s.question_key for s in fresh)))
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        value = safe_line(suggestion.text)
        in_ui(self.app, self.notify, f"Accepted '{value}' everywhere: {result.updated:,} suggestions "
              f"decided, {result.created:,} more places redacted.", timeout=5)
        in_ui(self.app, self._after_decision, suggestion, fresh, True, reach)

    def action_manual(self) -> None:
        state = self.state
        if state is None:
            return
        if self.preview:
            self.notify("Leave the preview (v) to select text.", severity="warning")
            return
        span = self.text_view.selected_span()
        if span is None:
            self.notify("Select the text to redact first: focus the text (tab), then shift+arrows or the mouse.",
                        severity="warning", timeout=5)
            return
        start, end = span
        field_key = self.field_key
        chosen = self.text_view.original[start:end]
        options = [(t, Text(t, style=type_color(t))) for t in self.dapp.pii.entity_types]
        self.app.push_screen(ChoiceDialog(f"Redact {chosen[:40]!r} as…", options),
                             lambda kind: self._manual(state.message_id, field_key, start, end, kind) if kind else None)

    @work(thread=True, group="write", exit_on_error=False)
    def _manual(self, message_id: str, field_key: str, start: int, end: int, entity_type: str) -> None:
        pii = self.dapp.pii
        try:
            added = pii.add_manual(message_id, field_key, start, end, entity_type)
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self.notify, f"Redacted {safe_line(repr(added.text))} ({short_type(entity_type)}).", timeout=3)
        in_ui(self.app, self.load, message_id, int(added.id))

    # -- whole message --------------------------------------------------------------------------------
    def action_withhold(self) -> None:
        if self.state is None:
            return
        self._ask_withhold(self.state.message_id)

    @work(thread=True, exclusive=True, group="review-withhold", exit_on_error=False)
    def _ask_withhold(self, message_id: str) -> None:
        units = self.dapp.units
        try:
            current, codes = units.withheld_code(message_id), units.exemption_choices()
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self._choose_withhold, message_id, current, codes)

    def _choose_withhold(self, message_id: str, current: str | None, codes: list[str]) -> None:
        options: list[tuple[str, str | Text]] = []
        if current is not None:
            options.append(("release", Text("Publish it again (undo the withhold)", style="bold")))
        options.extend((f"code:{c}", Text(f"Withhold in full under {safe_line(c)}")) for c in codes)
        state = f"withheld under {current or 'the default code'}" if current is not None else "published"
        self.app.push_screen(
            ChoiceDialog("Withhold this message from productions?", options,
                         hint=f"Now {state}. A slip sheet takes its place in every format; escape cancels."),
            lambda choice: self._withhold(message_id, choice) if choice else None)

    @work(thread=True, group="write", exit_on_error=False)
    def _withhold(self, message_id: str, choice: str) -> None:
        units = self.dapp.units
        try:
            if choice == "release":
                units.release_message(message_id)
                text = "The message will be published again (its redactions apply)."
            else:
                decision = units.withhold_message(message_id, choice.removeprefix("code:"))
                text = f"The message is withheld in full under {decision.exemption} in productions."
        except Exception as exc:  # noqa: BLE001
            report_from_thread(self.app, exc)
            return
        in_ui(self.app, self.notify, text, timeout=4)
        in_ui(self.app, self._after_withhold, message_id)

    def _after_withhold(self, message_id: str) -> None:
        if self.state is not None and self.state.message_id == message_id:
            self.load(message_id, self.current_id)

    # -- view -----------------------------------------------------------------------------------------
    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        self.show_field(self.field_key)
        current = self._find(self.current_id)
        if current is not None and current.lead.field == self.field_key:
            self.text_view.reveal(current.lead.start)

    def action_choose_field(self) -> None:
        state = self.state
        if state is None:
            return
        counts = Counter(f for q in state.questions for f in q.fields)
        options: list[tuple[str, str | Text]] = [
            (f.key, Text(f"{f.label}{': ' + f.text[:40] if f.key.startswith('address:') else ''}  "
                         f"({counts.get(f.key, 0)})")) for f in state.fields if f.text]
        self.app.push_screen(ChoiceDialog("Show field", options), lambda key: self.show_field(key) if key else None)

    def action_switch_focus(self) -> None:
        (self.text_view if self.table.has_focus else self.table).focus()

    def action_close(self) -> None:
        self.dismiss(None)
