"""Provides ReviewSession: the TUI's handle on one case, with pooled readers and one serialized writer."""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from discovery.tui.data.rows import RowSummary, ThreadNode, summaries, thread_nodes
from discovery.tui.data.safe import safe_message, safe_node, safe_notes, safe_summary

from discovery import tags as tagging
from discovery.case import Case, StoredMessage
from discovery.errors import CaseError
from discovery.safe_text import safe_text

T = TypeVar("T")
ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
# Messages per tagging call when tagging many at once: each batch is one transaction and one audit entry,
# and progress and cancel are checked between batches.
TAG_BATCH = 1000


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        return "reviewer"


class ReviewSession:
    """One open case. Reads use a small pool of connections (any thread); writes go through one connection
    under a lock, each through discovery's audited functions, and are committed at once."""

    def __init__(self, case_dir: Path | str, reviewer: str = "") -> None:
        self.case_dir = Path(case_dir)
        if not (self.case_dir / "store.sqlite").exists():
            raise CaseError(f"no case at {self.case_dir}",
                            hint="Run 'discovery ingest PATH --case DIR' first, or pass the right --case.")
        self.reviewer = reviewer or default_reviewer()
        self._writer = Case(self.case_dir, create=False)
        self._write_lock = threading.Lock()
        self._pool: list[Case] = []
        self._pool_lock = threading.Lock()
        self._all: list[Case] = [self._writer]
        self._closed = False

    # -- connections ----------------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Case]:
        """A Case for reads on the calling thread; returned to the pool afterwards."""
        with self._pool_lock:
            case = self._pool.pop() if self._pool else None
        if case is None:
            case = Case(self.case_dir, create=False)
            with self._pool_lock:
                self._all.append(case)
        try:
            yield case
        finally:
            with self._pool_lock:
                if not self._closed:
                    self._pool.append(case)

    def write(self, action: Callable[[Case], T]) -> T:
        """Run one decision against the writer connection (serialized across threads)."""
        with self._write_lock:
            return action(self._writer)

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            cases, self._all, self._pool = self._all, [], []
        for case in cases:
            try:
                case.close()
            except Exception:  # noqa: BLE001 - closing must not fail the app's exit
                pass

    # -- reads ----------------------------------------------------------------------------------------
    def message(self, key: str) -> StoredMessage:
        with self.reading() as case:
            return safe_message(case.message(key))

    def attachment_text(self, key: str, position: int) -> str | None:
        with self.reading() as case:
            text = case.attachment_text(key, position)
        return None if text is None else safe_text(text)

    def save_attachment(self, key: str, position: int, target: Path) -> tuple[Path, int]:
        """Write an attachment's original bytes to ``target`` (never overwriting); returns (path, size)."""
        from discovery.attachments import save_attachment

        with self.reading() as case:
            return save_attachment(case, key, position, target)

    def summaries(self, ids: Sequence[str]) -> list[RowSummary]:
        with self.reading() as case:
            return [safe_summary(r) for r in summaries(case.store, ids)]

    def thread(self, thread_id: str, limit: int = 2000) -> list[ThreadNode]:
        with self.reading() as case:
            return [safe_node(n) for n in thread_nodes(case.store, thread_id, limit)]

    def tags(self) -> list[tagging.Tag]:
        with self.reading() as case:
            return tagging.list_tags(case.store)

    def message_tags(self, key: str) -> list[str]:
        with self.reading() as case:
            return tagging.message_tags(case.store, key)

    def notes(self, key: str) -> list[dict[str, str]]:
        with self.reading() as case:
            return safe_notes(tagging.notes(case.store, key))

    def message_count(self) -> int:
        with self.reading() as case:
            return int(case.store.scalar("SELECT count(*) FROM messages") or 0)

    # -- decisions (all audited by discovery.tags) ---------------------------------------------------
    def create_tag(self, name: str, color: str = "") -> tagging.Tag:
        return self.write(lambda c: tagging.create_tag(c.store, name, color=color, actor=self.reviewer))

    def rename_tag(self, old: str, new: str) -> tagging.Tag:
        return self.write(lambda c: tagging.rename_tag(c.store, old, new, actor=self.reviewer))

    def color_tag(self, name: str, color: str) -> tagging.Tag:
        return self.write(lambda c: tagging.color_tag(c.store, name, color, actor=self.reviewer))

    def delete_tag(self, name: str) -> int:
        return self.write(lambda c: tagging.delete_tag(c.store, name, actor=self.reviewer))

    def add_note(self, key: str, text: str) -> int:
        return self.write(lambda c: tagging.add_note(c.store, key, text, actor=self.reviewer))

    def tag(self, name: str, ids: Sequence[str], *, progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> int:
        """Tag messages in batches; returns how many newly got the tag (stops between batches on cancel)."""
        return self._batched(ids, lambda c, part: tagging.tag_messages(c.store, name, part, actor=self.reviewer),
                             progress, cancel)

    def untag(self, name: str, ids: Sequence[str], *, progress: ProgressFn | None = None,
              cancel: CancelFn | None = None) -> int:
        return self._batched(ids, lambda c, part: tagging.untag_messages(c.store, name, part, actor=self.reviewer),
                             progress, cancel)

    def _batched(self, ids: Sequence[str], action: Callable[[Case, list[str]], int], progress: ProgressFn | None,
                 cancel: CancelFn | None) -> int:
        ids = list(dict.fromkeys(ids))
        changed = 0
        for start in range(0, len(ids), TAG_BATCH):
            if cancel is not None and cancel():
                break
            part = ids[start : start + TAG_BATCH]
            changed += self.write(lambda c, part=part: action(c, part))  # type: ignore[misc]
            if progress is not None:
                progress(min(start + TAG_BATCH, len(ids)), len(ids))
        return changed
