"""Provides the review screen's published preview: the field as the production pipeline would publish it, each
redaction label marked, the ones only a pending suggestion makes marked as pending (built in a worker)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from discovery.tui.data.preview import PublishedPreview, build_preview
from discovery.tui.screens.base import describe, in_ui
from discovery.tui.widgets.body import Mark
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from discovery.tui.app import DiscoveryApp
    from discovery.tui.screens.review import ReviewScreen

REDACTED_STYLE = Style(color="white", bgcolor="black", bold=True)
PENDING_STYLE = Style(color="black", bgcolor="yellow", bold=True, underline=True)
_ATTR = "_published_preview"


def forget_preview(screen: ReviewScreen) -> None:
    """Decisions changed: the next preview is built again."""
    setattr(screen, _ATTR, None)


def show_preview(screen: ReviewScreen, key: str, caption: str) -> None:
    """Show field ``key`` as published; builds the message's preview in a worker the first time."""
    state = screen.state
    if state is None:
        return
    label = screen.query_one("#review-field", Static)
    label.add_class("-preview")
    preview: PublishedPreview | None = getattr(screen, _ATTR, None)
    if preview is None or preview.message_id != state.message_id:
        label.update("PREVIEW as published (v to go back) — building… — " + caption)
        screen.text_view.show("Building the published copy of this message…")
        screen.run_worker(partial(_build, screen, state.message_id, key, caption), thread=True, exclusive=True,
                          group="review-preview", exit_on_error=False)
        return
    marks = [Mark(m.start, m.end, PENDING_STYLE if m.pending else REDACTED_STYLE) for m in preview.marks(key)]
    screen.text_view.show(preview.text(key), marks)
    pending = sum(1 for m in marks if m.style is PENDING_STYLE)
    legend = Text.assemble(
        ("PREVIEW as published", "bold"), " (v to go back) — ", ("[label]", REDACTED_STYLE), " redacted",
        *([" · ", ("[label]", PENDING_STYLE), f" pending ({pending}): redacted only under --pending redact"]
          if pending else []), " — ", caption)
    label.update(legend)


def _build(screen: ReviewScreen, message_id: str, key: str, caption: str) -> None:
    app = cast("DiscoveryApp", screen.app)
    try:
        preview = build_preview(app.session, message_id)
    except Exception as exc:  # noqa: BLE001 - shown in the pane, never a traceback
        title, message = describe(exc)
        in_ui(app, _failed, screen, f"{title}: {message}")
        return
    in_ui(app, _built, screen, preview, key, caption)


def _built(screen: Any, preview: PublishedPreview, key: str, caption: str) -> None:
    setattr(screen, _ATTR, preview)
    if screen.preview and screen.state is not None and screen.state.message_id == preview.message_id \
            and screen.field_key == key:
        show_preview(screen, key, caption)


def _failed(screen: Any, message: str) -> None:
    if screen.preview:
        screen.text_view.show("The published copy could not be built.\n\n" + message)
