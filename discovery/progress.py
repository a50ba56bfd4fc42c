"""Provides ingest_progress: rich progress bars on stderr fed by the ingest's progress callbacks (reading the
sources, then indexing the new messages for search)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from discovery.ingest.pipeline import IngestProgress


@contextmanager
def ingest_progress(console: Console) -> Iterator[tuple[Callable[[IngestProgress], None], Callable[[int, int], None]]]:
    """Yield two callbacks: one for the ingest (files done/total, messages, failures, rate), and one for the
    search indexing that follows it (messages indexed/total), shown as a second bar when it starts."""
    bar = Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        TextColumn("{task.fields[messages]}"),
        TextColumn("{task.fields[failures]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("Ingesting", total=None, files="", messages="", failures="", rate="")
    indexing: dict[str, TaskID] = {}

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
        if p.pages_total:  # PDF releases: a bar of pages read (text layer or OCR), moved as each file finishes
            if "pages" not in indexing:
                indexing["pages"] = bar.add_task("Pages", total=p.pages_total, files="", messages="", failures="",
                                                 rate="")
            bar.update(indexing["pages"], total=p.pages_total, completed=min(p.pages_done, p.pages_total),
                       files=f"{p.pages_done:,}/{p.pages_total:,} pages")

    def index(done: int, total: int) -> None:
        if "task" not in indexing:
            if total == 0:
                return
            indexing["task"] = bar.add_task("Indexing", total=total, files="", messages="", failures="", rate="")
        bar.update(indexing["task"], total=total or None, completed=min(done, total),
                   messages=f"{done:,}/{total:,} messages")

    with bar:
        yield update, index
