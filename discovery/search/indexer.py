"""Provides the index lifecycle: incremental update from the store's index_queue, full rebuild (worker
processes write segments into a temporary folder that is swapped in at the end), locking, and recovery
from a damaged index. The case store is the source of truth; the index can always be rebuilt from it."""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from discovery.errors import CaseError, DiscoveryError, IndexBusy
from discovery.search import engine
from discovery.search.documents import (
    DocumentAnalyzer,
    MessageDoc,
    current_fingerprints,
    iter_id_batches,
    load_messages,
)
from discovery.store import Store, now_iso

INDEX_DIR = "whoosh"
LOCK_NAME = "whoosh.lock"
LOCK_OWNER_NAME = "whoosh.lock.pid"  # the process id of the lock's holder, to tell a stale lock (issue 12)
log = logging.getLogger("discovery.index")
META_KEY = "search_index"
WAIT_SECONDS = 10.0  # how long a writer waits for another one before IndexBusy
SEGMENT_DOCS = 20_000  # documents per segment written in one go (bounds the writer's memory)
PARALLEL_MIN = int(os.environ.get("DISCOVERY_INDEX_PARALLEL_MIN", "1000"))  # below this many documents, index in
# this process (tests lower it)
MERGE_ABOVE = 8  # merge small segments once there are more than this many

IndexProgress = Callable[[int, int], None]  # (documents done, documents to do)


@dataclass(slots=True)
class IndexReport:
    """What an index update or rebuild did."""

    action: str  # "update", "rebuild" or "none"
    indexed: int = 0
    removed: int = 0
    documents: int = 0
    segments: int = 0
    seconds: float = 0.0
    reason: str = ""  # why a rebuild happened (missing, damaged, requested)
    pending: int = 0  # queue entries left (changed while indexing, or cancelled)
    cancelled: bool = False

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["rate"] = round(self.rate, 1)
        return data


def index_dir(case_dir: Path) -> Path:
    return Path(case_dir) / INDEX_DIR


def has_pending(store: Store) -> bool:
    """True if some message waits to be indexed (cheap: one row at most)."""
    return store.scalar("SELECT 1 FROM index_queue LIMIT 1") is not None


def pending_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM index_queue") or 0)


def _busy() -> IndexBusy:
    return IndexBusy(
        "the search index is being written by another process (an ingest, a reindex or a tag change)",
        hint="Wait for it to finish and run the command again; searches keep working meanwhile.",
    )


@contextmanager
def writer_lock(case_dir: Path, timeout: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the case's index writer lock (one writer at a time, across processes)."""
    case_dir = Path(case_dir)
    lock = engine.lock_file(case_dir, LOCK_NAME)
    try:
        engine.acquire(lock, 0)
    except engine.IndexLocked:
        owner = _lock_owner(case_dir)
        if owner is not None and owner != os.getpid() and not _alive(owner):
            # The process that took the lock is gone, yet the lock is held: by workers it left behind (before
            # issue 12 they did not die with it). Take a fresh lock file; theirs no longer counts.
            (case_dir / LOCK_NAME).unlink(missing_ok=True)
            log.warning("note: broke a stale search-index lock left by process %d, which is gone", owner)
            lock = engine.lock_file(case_dir, LOCK_NAME)
        try:
            engine.acquire(lock, timeout)
        except engine.IndexLocked:
            raise _busy() from None
    try:
        _write_owner(case_dir)
        _clean_leftovers(case_dir)
        yield
    finally:
        lock.release()


def _lock_owner(case_dir: Path) -> int | None:
    try:
        text = (case_dir / LOCK_OWNER_NAME).read_text(encoding="ascii").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def _write_owner(case_dir: Path) -> None:
    try:
        (case_dir / LOCK_OWNER_NAME).write_text(str(os.getpid()), encoding="ascii")
    except OSError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_leftovers(case_dir: Path) -> None:
    """Remove the half-built index folders of rebuilds that were killed (we hold the writer lock: none runs)."""
    for stale in case_dir.glob(f"{INDEX_DIR}.new-*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
            log.warning("note: removed %s, left by an index rebuild that was stopped", stale.name)


def check_index(case_dir: Path) -> str:
    """'' when the index opens and reads, else why it must be rebuilt."""
    folder = index_dir(case_dir)
    if not engine.index_exists(folder):
        return "there is no search index yet" if not folder.exists() else "the search index is incomplete"
    try:
        engine.open_index(folder)
    except engine.IndexOpenError as exc:
        return open_error_reason(exc)
    return ""


def open_error_reason(exc: engine.IndexOpenError) -> str:
    """Why an index that failed to open must be rebuilt, in words for a notice."""
    return str(exc) if isinstance(exc, engine.IndexOutdated) else f"the search index is damaged ({exc})"


# -- update ---------------------------------------------------------------------------------------------
def update_index(store: Store, *, jobs: int = 1, progress: IndexProgress | None = None,
                 cancel: Callable[[], bool] | None = None, timeout: float = WAIT_SECONDS) -> IndexReport:
    """Bring the index up to date with the store: index what the queue lists, then empty those entries.

    Rebuilds from scratch when the index is missing or damaged (``report.reason`` says why). Raises
    IndexBusy when another writer keeps the lock for ``timeout`` seconds.
    """
    started = time.monotonic()
    with writer_lock(store.case_dir, timeout):
        reason = check_index(store.case_dir)
        if reason:
            return _rebuild(store, jobs=jobs, progress=progress, cancel=cancel, reason=reason, started=started)
        ids = [row[0] for row in store.db.execute("SELECT message_id FROM index_queue")]
        if not ids:
            return _finish_report(store, IndexReport("none"), started)
        ix = engine.open_index(index_dir(store.case_dir))
        try:
            writer = engine.FastWriter(ix, lock=True, timeout=timeout)
        except engine.IndexLocked:
            raise _busy() from None
        try:
            removed = engine.delete_ids(writer, ids)
            segments, fingerprints = _write(store, index_dir(store.case_dir), ids, jobs, progress, cancel)
            if cancel is not None and cancel():
                writer.cancel()
                return _finish_report(store, IndexReport("update", cancelled=True), started)
            writer.commit_segments(segments)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        report = IndexReport("update", indexed=len(fingerprints), removed=removed)
        _drain(store, ids, fingerprints)
        _maybe_merge(store.case_dir, timeout)
        return _finish_report(store, report, started)


def rebuild_index(store: Store, *, jobs: int = 1, progress: IndexProgress | None = None,
                  cancel: Callable[[], bool] | None = None, timeout: float = WAIT_SECONDS,
                  reason: str = "rebuild requested") -> IndexReport:
    """Build a new index from every message in the store and swap it in; searches keep using the old one
    until the swap."""
    started = time.monotonic()
    with writer_lock(store.case_dir, timeout):
        return _rebuild(store, jobs=jobs, progress=progress, cancel=cancel, reason=reason, started=started)


def _rebuild(store: Store, *, jobs: int, progress: IndexProgress | None, cancel: Callable[[], bool] | None,
             reason: str, started: float) -> IndexReport:
    folder = index_dir(store.case_dir)
    temp = folder.with_name(f"{INDEX_DIR}.new-{engine.random_suffix()}")
    old_generation = engine.latest_generation(folder) if folder.exists() else -1
    try:
        ix = engine.create_index(temp)
        segments, fingerprints = _write(store, temp, None, jobs, progress, cancel)
        if cancel is not None and cancel():
            shutil.rmtree(temp, ignore_errors=True)
            return _finish_report(store, IndexReport("rebuild", cancelled=True, reason=reason), started)
        writer = engine.FastWriter(ix, lock=True)
        writer.set_generation(max(writer.generation, old_generation + 1))
        writer.commit_segments(segments)
        _swap(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    report = IndexReport("rebuild", indexed=len(fingerprints), reason=reason)
    _drain(store, [row[0] for row in store.db.execute("SELECT message_id FROM index_queue")], fingerprints)
    return _finish_report(store, report, started)


def _swap(new: Path, folder: Path) -> None:
    """Put the new index in place; searchers holding the old files keep reading them until they reopen."""
    old = folder.with_name(f"{INDEX_DIR}.old-{engine.random_suffix()}")
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _drain(store: Store, ids: list[str], indexed: dict[str, str]) -> None:
    """Remove queue entries whose message is indexed as it is now (or is gone from the store and index)."""
    if not ids:
        return
    current = current_fingerprints(store.db, ids)
    done = [key for key in ids if current.get(key) == indexed.get(key, "")
            or (key not in current and key not in indexed)]
    with store.db:
        store.db.execute("DELETE FROM index_queue WHERE message_id IN (SELECT value FROM json_each(?))",
                         (json.dumps(done),))


def _maybe_merge(case_dir: Path, timeout: float) -> None:
    ix = engine.open_index(index_dir(case_dir))
    if engine.segment_count(ix) > MERGE_ABOVE:
        engine.merge_small(ix, timeout)


def _finish_report(store: Store, report: IndexReport, started: float) -> IndexReport:
    report.seconds = time.monotonic() - started
    folder = index_dir(store.case_dir)
    if engine.index_exists(folder):
        ix = engine.open_index(folder)
        with engine.open_searcher(ix) as searcher:
            report.documents = engine.doc_count(searcher)
        report.segments = engine.segment_count(ix)
    report.pending = pending_count(store)
    if report.action != "none":
        try:
            with store.db:
                store.db.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (META_KEY, json.dumps({"schema": engine.SCHEMA_VERSION, "updated_at": now_iso(),
                                           "documents": report.documents, "action": report.action})),
                )
        except sqlite3.Error:
            pass  # informational only
    return report


# -- writing segments -----------------------------------------------------------------------------------
def _write(store: Store, folder: Path, ids: list[str] | None, jobs: int, progress: IndexProgress | None,
           cancel: Callable[[], bool] | None) -> tuple[list[Any], dict[str, str]]:
    """Write new segments for these ids (None: every message). Returns (segments, id -> fingerprint)."""
    total = len(ids) if ids is not None else int(store.scalar("SELECT count(*) FROM messages") or 0)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return [], {}
    if jobs > 1 and total >= PARALLEL_MIN:
        return _write_parallel(store, folder, ids, total, jobs, progress, cancel)
    batches = _chunks(ids, 500) if ids is not None else iter_id_batches(store.db)
    done = 0

    def docs() -> Iterator[MessageDoc]:
        nonlocal done
        for batch in batches:
            if cancel is not None and cancel():
                return
            found = load_messages(store.db, batch)
            yield from found
            done += len(batch)
            if progress is not None:
                progress(done, total)

    return write_segments(folder, docs(), SEGMENT_DOCS)


def write_segments(folder: Path, docs: Iterator[MessageDoc], segment_docs: int = SEGMENT_DOCS
                   ) -> tuple[list[Any], dict[str, str]]:
    """Write documents into new segments of the index at folder (no lock, no commit).

    The cyclic garbage collector is paused meanwhile: the segment's term lists are hundreds of thousands of
    containers that every collection would walk again (about 7 % of the build), and building them makes no
    cycles."""
    with _gc_paused():
        return _write_segments(folder, docs, segment_docs)


@contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _write_segments(folder: Path, docs: Iterator[MessageDoc], segment_docs: int) -> tuple[list[Any], dict[str, str]]:
    ix = engine.open_index(folder)
    segments: list[Any] = []
    fingerprints: dict[str, str] = {}
    writer: engine.FastWriter | None = None
    analyzer: DocumentAnalyzer | None = None
    for doc in docs:
        if writer is None or analyzer is None:
            writer = engine.FastWriter(ix, lock=False)
            analyzer = DocumentAnalyzer(writer.schema)
        writer.add_prepared(analyzer.prepare(doc, writer.doc_count(), writer.field_terms))
        fingerprints[doc.id] = doc.fingerprint
        if writer.doc_count() >= segment_docs:
            writer.add_vocabulary(analyzer.vocabulary())
            segments.append(writer.finish_segment())
            writer = analyzer = None
    if writer is not None and analyzer is not None:
        writer.add_vocabulary(analyzer.vocabulary())
        segments.append(writer.finish_segment())
    return [s for s in segments if s is not None], fingerprints


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _write_parallel(store: Store, folder: Path, ids: list[str] | None, total: int, jobs: int,
                    progress: IndexProgress | None, cancel: Callable[[], bool] | None
                    ) -> tuple[list[Any], dict[str, str]]:
    """Split the work among worker processes; each reads its share from the store and writes segments."""
    import multiprocessing  # here, not at the top: a search imports this module and never starts a worker
    import queue as queue_module

    if ids is not None:
        shares: list[tuple[list[str] | None, int, int | None]] = [
            (ids[i::jobs], 0, None) for i in range(jobs)
        ]
    else:
        bounds = _rowid_bounds(store.db, jobs)
        shares = [(None, lo, hi) for lo, hi in bounds]
    # fork, like the ingest pipeline's process pool: spawn would re-run an unguarded __main__ in each worker
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(str(store.path), str(folder), share, lo, hi, SEGMENT_DOCS, results,
                                                 os.getpid()), daemon=True) for share, lo, hi in shares]
    for worker in workers:
        worker.start()
    segments: list[Any] = []
    fingerprints: dict[str, str] = {}
    done = finished = 0
    try:
        while finished < len(workers):
            if cancel is not None and cancel():
                break
            try:
                message = results.get(timeout=0.5)
            except queue_module.Empty:
                if not any(w.is_alive() for w in workers) and results.empty():
                    raise CaseError("an indexing worker stopped unexpectedly",
                                    hint="Run 'discovery reindex' to build the index again.") from None
                continue
            kind = message[0]
            if kind == "progress":
                done += message[1]
                if progress is not None:
                    progress(min(done, total), total)
            elif kind == "done":
                segments.extend(message[1])
                fingerprints.update(message[2])
                finished += 1
            else:
                raise CaseError(f"indexing failed: {message[1]}",
                                hint="Run 'discovery reindex' to build the index again; report the error if it "
                                "persists.")
    finally:
        for worker in workers:
            if worker.is_alive() and finished < len(workers):
                worker.terminate()
            worker.join(timeout=10)
    return segments, fingerprints


def _rowid_bounds(db: sqlite3.Connection, parts: int) -> list[tuple[int, int | None]]:
    count = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    cuts = [0]
    for k in range(1, parts):
        row = db.execute("SELECT rowid FROM messages ORDER BY rowid LIMIT 1 OFFSET ?",
                         (k * count // parts - 1,)).fetchone()
        cuts.append(int(row[0]) if row else cuts[-1])
    return [(cuts[k], cuts[k + 1] if k + 1 < len(cuts) else None) for k in range(len(cuts))]


def _worker(store_path: str, folder: str, ids: list[str] | None, lo: int, hi: int | None, segment_docs: int,
            results: Any, parent_pid: int) -> None:
    """Worker process: read a share of the messages (read-only) and write segments; report through results."""
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)  # a reindex killed with -9 must not leave workers holding the index lock
    try:
        db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=30)
        db.execute("PRAGMA busy_timeout=30000")
        batches = _chunks(ids, 500) if ids is not None else iter_id_batches(db, start_rowid=lo, end_rowid=hi)

        def docs() -> Iterator[MessageDoc]:
            for batch in batches:
                yield from load_messages(db, batch)
                results.put(("progress", len(batch)))

        segments, fingerprints = write_segments(Path(folder), docs(), segment_docs)
        db.close()
        results.put(("done", segments, fingerprints))
    except Exception as exc:  # reported to the parent, which raises it as a DiscoveryError
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def safe_update(store: Store, *, jobs: int = 1, progress: IndexProgress | None = None,
                cancel: Callable[[], bool] | None = None) -> tuple[IndexReport | None, str]:
    """Update the index after an ingest without ever raising: (report, '') or (None, what went wrong). A
    cancelled update leaves the queue as it was: the next search or 'discovery reindex --pending' resumes."""
    try:
        return update_index(store, jobs=jobs, progress=progress, cancel=cancel), ""
    except DiscoveryError as exc:
        return None, exc.message
    except Exception as exc:  # the ingest must not fail because of the index
        return None, f"{type(exc).__name__}: {exc}"
