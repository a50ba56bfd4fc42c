"""Provides what every screen shares: errors shown as notifications (never tracebacks) and worker helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.markup import escape
from textual.worker import Worker, WorkerState

from discovery.errors import DiscoveryError
from discovery.safe_text import safe_text

log = logging.getLogger("tui")


def describe(exc: BaseException) -> tuple[str, str]:
    """(title, message) for an error, with the remedy when discovery gives one."""
    if isinstance(exc, DiscoveryError):
        return exc.title, exc.message + (f"\n{exc.hint}" if exc.hint else "")
    return "Unexpected error", f"{type(exc).__name__}: {exc}. The case is unchanged; try again, or report this."


def report(app: App[Any], exc: BaseException) -> None:
    """Show an error as a notification (from the event loop)."""
    if not isinstance(exc, DiscoveryError):
        log.exception("unexpected error in the TUI", exc_info=exc)
    title, message = describe(exc)
    app.notify(escape(safe_text(message)), title=title, severity="error", timeout=8)  # may name a source's file


def report_from_thread(app: App[Any], exc: BaseException) -> None:
    """Show an error from a worker thread."""
    try:
        app.call_from_thread(report, app, exc)
    except RuntimeError:  # the app is closing
        pass


def in_ui(app: App[Any], callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a callback on the event loop from a worker thread (ignored once the app has closed)."""
    try:
        app.call_from_thread(callback, *args, **kwargs)
    except RuntimeError:  # the app is closing
        pass


class WorkerErrors:
    """Mixin for screens: a worker that fails shows a notification instead of ending the app."""

    app: App[Any]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            report(self.app, event.worker.error)
