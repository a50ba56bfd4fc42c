"""Provides graceful_interrupt: the first Ctrl-C asks long work to stop after its current batch, a second
stops at once (KeyboardInterrupt). Used by 'ingest' and 'pii scan'."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def graceful_interrupt(console: Any, what: str) -> Iterator[Callable[[], bool]]:
    """Within the block, SIGINT sets a flag (read by the callable yielded, to pass as ``cancel``) and prints
    that the work stops after ``what``; the previous handler comes back on exit."""
    flag = {"set": False}

    def on_sigint(signum: int, frame: object) -> None:
        if flag["set"]:
            raise KeyboardInterrupt
        flag["set"] = True
        console.print(f"[yellow]Stopping after {what}... (Ctrl-C again to stop at once)[/]")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield lambda: flag["set"]
    finally:
        signal.signal(signal.SIGINT, previous)
