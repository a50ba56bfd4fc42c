"""Provides die_with_parent: make a worker process end when the process that started it ends, even by kill -9."""

from __future__ import annotations

import os
import signal
import threading
import time


def die_with_parent(parent_pid: int | None = None, *, ignore_interrupt: bool = True) -> None:
    """Call first thing in a worker process (ingest, reindex, PII scan).

    The kernel sends SIGKILL when the parent dies (Linux PR_SET_PDEATHSIG), and a watch thread checks the
    parent every second where that is not available: an orphaned worker would otherwise keep the case's
    index lock and a half-written folder. Ctrl-C is left to the parent, which stops feeding work.
    ``parent_pid`` is the process that started the pool; None watches the worker's own parent (a
    forkserver, which ends with the main process).
    """
    if parent_pid is None:
        parent_pid = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if ignore_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
