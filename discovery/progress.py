"""Provides ingest_progress: a rich progress bar on stderr fed by the ingest's progress callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from discovery.ingest.pipeline import IngestProgress


@contextmanager
def ingest_progress(console: Console) -> Iterator[Callable[[IngestProgress], None]]:
    """Yield a callback that redraws: files done/total, messages, failures, rate."""
    bar = Progress(
        TextColumn("[bold]Ingesting[/]"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        TextColumn("{task.fields[messages]}"),
        TextColumn("{task.fields[failures]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("ingest", total=None, files="", messages="", failures="", rate="")

    def update(p: IngestProgress) -> None:
        total = p.bytes_total or None
        bar.update(
            task,
            total=total,
            completed=min(p.bytes_done, p.bytes_total) if total else 0,
            files=f"{p.files_done:,}/{p.files_total:,} files",
            messages=f"{p.messages:,} messages ({p.new_messages:,} new)",
            failures=f"[red]{p.failures:,} problems[/]" if p.failures else "0 problems",
            rate=f"{p.rate:,.0f} msg/s",
        )

    with bar:
        yield update
