"""Provides MessageView: a message's headers, tags, notes, attachments and body (hits and PII marked)."""

from __future__ import annotations

from collections import Counter

from discovery.tui.data.pii import PENDING
from discovery.tui.data.reading import MessageDisplay
from discovery.tui.widgets.body import MarkedText
from discovery.tui.widgets.marks import HIT, hit_marks, pii_marks, short_type, type_color
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from discovery.case import AddressOut


def format_address(a: AddressOut) -> str:
    return f"{a.name} <{a.email}>" if a.name and a.email else (a.name or a.email)


def format_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size = size // 1024
    return f"{size} GB"


def local_date(iso: str | None, offset_min: int | None, raw: str) -> str:
    if not iso:
        return raw or "(no date)"
    from datetime import datetime, timedelta, timezone

    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if offset_min is not None:
        when = when.astimezone(timezone(timedelta(minutes=offset_min)))
    return when.strftime("%a %Y-%m-%d %H:%M %z")


class MessageView(Vertical):
    """The message pane: a compact header (details() gives everything), then the body."""

    DEFAULT_CSS = """
    MessageView { height: 1fr; }
    MessageView > #msg-headers { height: auto; max-height: 12; padding: 0 1; background: $boost;
                                 text-wrap: nowrap; text-overflow: ellipsis; }
    MessageView > MarkedText { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display_data: MessageDisplay | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("No message open. Search, then move through the results.", style="dim"),
                     id="msg-headers")
        yield MarkedText(id="msg-body")

    @property
    def body(self) -> MarkedText:
        return self.query_one("#msg-body", MarkedText)

    def show(self, data: MessageDisplay) -> None:
        self.display_data = data
        self._render_headers()
        self.body.show(data.body, self._body_marks())

    def clear(self, notice: str = "") -> None:
        self.display_data = None
        self.query_one("#msg-headers", Static).update(Text(notice or "No message.", style="dim"))
        self.body.show("")

    def refresh_meta(self, tags: list[str], notes: list[dict[str, str]]) -> None:
        if self.display_data is not None:
            self.display_data.tags = tags
            self.display_data.notes = notes
            self._render_headers()

    def _body_marks(self) -> list:  # type: ignore[type-arg]
        data = self.display_data
        if data is None:
            return []
        return hit_marks(data.hits) + pii_marks(data.suggestions, "body")

    def _render_headers(self) -> None:
        data = self.display_data
        if data is None:
            return
        m = data.message
        text = Text()
        subject = Text(m.subject or "(no subject)", style="bold")
        for start, end in data.subject_hits:
            subject.stylize(HIT, start, end)
        text.append_text(subject)
        sender = ", ".join(format_address(a) for a in m.sender) or "(no sender)"
        to = [format_address(a) for a in m.to]
        text.append("\nFrom ", style="dim")
        text.append(sender)
        text.append("  ")
        text.append(local_date(m.date, m.tz_offset_min, m.date_raw), style="dim")
        if to or m.cc:
            text.append("\nTo   ", style="dim")
            extra = len(to) - 1 + len(m.cc)
            text.append((to[0] if to else format_address(m.cc[0])) + (f"  +{extra} more (i)" if extra > 0 else ""))
        meta = Text()
        if data.tags:
            meta.append("Tags ", style="dim")
            meta.append(" ".join(data.tags), style="bold")
            meta.append("  ")
        if m.attachments:
            meta.append(f"{len(m.attachments)} attachment{'s' * (len(m.attachments) > 1)} (a)  ", style="dim")
        if data.notes:
            meta.append(f"{len(data.notes)} note{'s' * (len(data.notes) > 1)} (i)  ", style="dim")
        if m.release:
            meta.append_text(release_line(m.release, m.id))
        pending = Counter(s.entity_type for s in data.suggestions if s.status == PENDING)
        if pending:
            meta.append("PII ", style="dim")
            for entity_type, count in pending.most_common():
                meta.append(f"{short_type(entity_type)} {count} ", style=f"bold {type_color(entity_type)}")
        if data.pii_error:
            meta.append(data.pii_error, style="red")
        if data.truncated:
            meta.append(f"  body cut at {len(data.body):,} characters (ctrl+o shows all)", style="yellow")
        if meta.plain:
            text.append("\n")
            text.append_text(meta)
        self.query_one("#msg-headers", Static).update(text)


def release_line(release: dict[str, object], current: str = "") -> Text:
    """Where a printed item sits in its release (pages, Bates, which item of its file: '{' and '}' move to the
    previous and next), and the redactions the release already made (issue 11)."""
    line = Text()
    first, last = release.get("page_first"), release.get("page_last")
    kind = "Document" if release.get("item_kind") == "document" else "Printed"
    line.append(f"{kind} p. {first}" + (f"-{last}" if last != first else ""), style="dim")
    bates = str(release.get("bates_first") or "")
    if bates:
        end = str(release.get("bates_last") or "")
        line.append(f" {bates}" + (f"-{end}" if end and end != bates else ""), style="dim")
    line.append(f" split {float(release.get('split_confidence') or 0):.0%}  ", style="dim")
    items = release.get("file_items") or []
    assert isinstance(items, list)
    if len(items) > 1 and current in items:
        line.append(f"item {items.index(current) + 1}/{len(items)} in file ({{ }})  ", style="dim")
    redactions = release.get("redactions") or []
    assert isinstance(redactions, list)
    if redactions:
        codes = Counter(str(r.get("code") or "box") for r in redactions)
        line.append("Redacted ", style="dim")
        line.append(" ".join(f"{code} {n}" for code, n in codes.most_common()) + "  ", style="bold")
        bad = sum(1 for r in redactions if r.get("over_text"))
        if bad:
            line.append(f"{bad} bad redaction{'s' * (bad > 1)} (text under box)  ", style="bold red")
    return line


def details(data: MessageDisplay) -> Text:
    """Everything about a message: every recipient, date as sent, attachments, notes, where it was found,
    ids and every header."""
    m = data.message
    text = Text()
    text.append((m.subject or "(no subject)") + "\n", style="bold")
    for label, people in (("From", m.sender), ("To", m.to), ("Cc", m.cc), ("Bcc", m.bcc)):
        if people:
            text.append(f"{label:<5}", style="dim")
            text.append(", ".join(format_address(a) for a in people) + "\n")
    text.append("Date ", style="dim")
    text.append(f"{local_date(m.date, m.tz_offset_min, m.date_raw)}   (as sent: {m.date_raw or '-'})\n")
    if m.date_error:
        text.append(f"     {m.date_error}\n", style="yellow")
    if data.tags:
        text.append("Tags ", style="dim")
        text.append(", ".join(data.tags) + "\n", style="bold")
    for a in m.attachments:
        text.append(f"\nAttachment {a.position + 1}: ", style="dim")
        text.append(f"{a.filename or '(unnamed)'}  {a.mime}  {format_size(a.size)}"
                    + ("" if a.has_text else "  (no text)") + (f"  {a.error}" if a.error else ""))
    for note in data.notes:
        text.append(f"\nNote {note['at'][:16].replace('T', ' ')} {note['actor']}: ", style="dim")
        text.append(note["text"])
    text.append("\n")
    for p in m.provenance:
        where = p.path + (f"!{p.inner_path}" if p.inner_path else "") + (f" @{p.locator}" if p.locator else "")
        text.append("\nFound in ", style="dim")
        text.append(where + (f"  folder {p.folder}" if p.folder else "") + (f"  custodian {p.custodian}"
                                                                            if p.custodian else ""))
    for error in m.errors:
        text.append(f"\nProblem: {error}", style="yellow")
    text.append(f"\n\nId {m.id}   thread {m.thread_id or '-'}   Message-ID {m.message_id or '-'}\n", style="dim")
    text.append("\nHeaders\n", style="bold")
    for name, value in m.headers:
        text.append(f"{name}: ", style="dim")
        text.append(value.replace("\n", " ") + "\n")
    return text
