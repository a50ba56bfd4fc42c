"""Provides run_ingest: walk the user's paths, read files in worker processes, write the case store.

Work is split into small units (a batch of single-message files, a chunk of a large mbox, one container
file); workers parse and flatten messages, the main process alone writes to SQLite. A source is marked
'reading' before its first unit runs and closed when its last unit is written, so an ingest killed at
any point is resumed by running it again: finished sources are skipped, interrupted ones re-read, and
the content hash keeps re-read messages from being stored twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from discovery.ingest.archive import ArchiveLimits
from discovery.ingest.base import Origin, SourceUnreadable
from discovery.ingest.detect import SNIFF_BYTES, detect, detect_bytes
from discovery.ingest.layout import FoundFile, SkippedFile, walk_paths
from discovery.model import Message, SourceFailure
from discovery.store import MessageRecord, SourceRow, Store, to_record

BATCH_FILES = 64  # small files go to workers in batches of at most this many files...
BATCH_BYTES = 1024 * 1024  # ...and this many bytes
MBOX_CHUNK_BYTES = 8 * 1024 * 1024
READ_WHOLE_BYTES = 1024 * 1024  # a worker reads a file up to this size once (hash, sniff and parse the same bytes)
KEEP_WALK_FILES = 200_000  # up to this many files, the counting walk is kept for planning (about 300 bytes each)
COMMIT_EVERY_S = float(os.environ.get("DISCOVERY_COMMIT_EVERY_S", "1.0"))  # tests lower it


@dataclass(frozen=True, slots=True)
class FileTask:
    """One source file to read (whole, or one byte range of an mbox)."""

    source_id: int
    path: str
    kind: str
    folder: str
    custodian: str
    in_maildir: bool
    start: int = 0
    end: int | None = None
    hash_file: bool = True  # compute the file's sha256 in this task


@dataclass(slots=True)
class TaskResult:
    source_id: int
    records: list[MessageRecord] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    fatal: str = ""  # reason when the file could not be read at all
    unsupported: str = ""  # reason when the file is not mail
    sha256: str | None = None
    bytes_read: int = 0
    kind: str = ""  # set when the worker detected the file's kind
    mime: str = ""
    description: str = ""


@dataclass(slots=True)
class IngestProgress:
    """A snapshot for progress bars: files and bytes planned and done, messages and failures so far."""

    files_total: int = 0
    bytes_total: int = 0
    files_done: int = 0
    bytes_done: int = 0
    files_skipped_unchanged: int = 0
    messages: int = 0
    new_messages: int = 0
    failures: int = 0
    pages_total: int = 0  # pages of the PDFs planned (issue 11), for a page bar; 0 when there are none
    pages_done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.messages / elapsed if elapsed > 0 else 0.0


@dataclass(slots=True)
class IngestReport:
    """What an ingest did, for the CLI summary and scripts."""

    sources_seen: int = 0
    sources_read: int = 0
    sources_unchanged: int = 0
    sources_failed: int = 0
    sources_partial: int = 0
    sources_skipped: int = 0
    messages: int = 0  # copies found (provenances added)
    new_messages: int = 0  # distinct messages added to the case
    failures: int = 0
    messages_repaired: int = 0  # distinct messages read whole after a repair (noted on the message)
    messages_partly_read: int = 0  # distinct messages stored with something lost (noted on the message)
    attachments_without_text: int = 0  # attachments of the messages read from which no text was extracted
    interrupted: bool = False
    seconds: float = 0.0
    problems: list[dict[str, str]] = field(default_factory=list)  # first failures, for display
    index_error: str = ""  # why the search index could not be brought up to date (then the ingest is not ok)

    @property
    def ok(self) -> bool:
        """Nothing was lost: no source failed or was partly read, no message was stored with a loss, and the index
        is current. Messages repaired whole (messages_repaired) are counted and listed by 'discovery problems',
        but are not a loss."""
        return (self.sources_failed == 0 and self.sources_partial == 0 and self.messages_partly_read == 0
                and not self.interrupted and not self.index_error)


ProgressCallback = Callable[[IngestProgress], None]


def run_task(task: FileTask) -> TaskResult:
    """Read one task in a worker. Never raises: problems come back inside the result."""
    from discovery.ingest.mbox import read_mbox
    from discovery.ingest.mime import read_single
    from discovery.ingest.readers import Unsupported, read_file

    result = TaskResult(task.source_id)
    path = Path(task.path)
    origin = Origin(task.path, "", task.custodian, task.folder)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # replaced by a FIFO or device since the walk: never open it
            result.unsupported = "not a regular file: not read"
            return result
        data = None
        if task.kind != "mbox" and task.hash_file and st.st_size <= READ_WHOLE_BYTES:
            # A small file (nearly every file of a Maildir or .eml tree) is read once: hashed, sniffed and parsed
            # from the same bytes, instead of opened three times.
            with open(path, "rb") as handle:
                data = handle.read()
            result.sha256 = hashlib.sha256(data).hexdigest()
        elif task.hash_file:
            result.sha256 = _sha256(path)
        if task.kind == "mbox":
            items: Iterable[Message | SourceFailure] = read_mbox(path, origin, task.start, task.end)
            size = (task.end or path.stat().st_size) - task.start
        else:
            detected = detect(path) if data is None else detect_bytes(data[:SNIFF_BYTES])
            result.kind, result.mime, result.description = detected.kind, detected.mime, detected.description
            if detected.kind == "eml" and task.in_maildir:
                result.kind = "maildir"
            size = len(data) if data is not None else path.stat().st_size
            result.bytes_read = size
            if not detected.readable:
                result.unsupported = ("empty file" if detected.kind == "empty"
                                      else f"not mail: {detected.kind} ({detected.mime})")
                return result
            if data is not None and detected.kind == "eml":  # what read_file does for it, without reading again
                items = [read_single(data, origin, "maildir" if task.in_maildir else "eml")]
            else:
                items = read_file(path, origin, 0, ArchiveLimits(), detected, in_maildir=task.in_maildir)
        for item in items:
            if isinstance(item, SourceFailure):
                if item.fatal_for_source and not item.inner_path:
                    result.fatal = item.reason
                result.failures.append(item)
            else:
                result.records.append(to_record(item))
        result.bytes_read = size
    except SourceUnreadable as exc:
        result.fatal = str(exc)
    except Unsupported as exc:
        result.unsupported = str(exc)
    except OSError as exc:
        result.fatal = f"cannot read: {exc.strerror or exc}"
    except RecursionError:
        result.fatal = "structure nested too deeply to read"
    except MemoryError:
        result.fatal = "out of memory reading this file"
    except Exception as exc:  # a bug in a reader must not stop the ingest: record it with its type
        result.fatal = f"internal error while reading ({type(exc).__name__}: {exc}); please report it"
    return result


def _same_content(known: SourceRow | None, size: int, custodian: str, path: Path) -> bool:
    """True when a source read before has the same size and sha256 now (only its mtime changed)."""
    if known is None or known.status not in ("done", "partial", "skipped") or not known.sha256:
        return False
    if known.size != size or known.custodian != custodian:
        return False
    try:
        return _sha256(path) == known.sha256
    except OSError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _SourceState:
    path: str
    pending: int
    records: int = 0  # messages read from it in this run (new or already known)
    failures: int = 0
    fatal: str = ""
    unsupported: str = ""


class Ingest:
    """One ingest run over some paths into a store."""

    def __init__(self, store: Store, paths: Iterable[Path], *, custodian: str = "", jobs: int = 1,
                 progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None,
                 follow_links: bool = False) -> None:
        self.store = store
        self.follow_links = follow_links
        self.exclude = [store.case_dir.absolute()]  # never ingest the case's own files
        self.paths = [Path(p).absolute() for p in paths]
        self.custodian = custodian
        self.jobs = max(1, jobs)
        self.on_progress = progress
        self.cancelled = cancel or (lambda: False)
        self.progress = IngestProgress()
        self.report = IngestReport()
        self.states: dict[int, _SourceState] = {}
        self._last_commit = time.monotonic()
        self._seen_hashes: set[str] = set()  # messages of this run already counted as repaired/partly read
        self._walked: list[tuple[FoundFile | SkippedFile | tuple[Path, str], os.stat_result | None]] | None = None

    # -- planning -------------------------------------------------------------------------------------
    def _count(self) -> None:
        """Totals for the progress bars. The walk (and each file's stat) is kept for _plan, which would
        otherwise walk the tree again, unless the tree is so large that keeping it would cost much memory."""
        walked: list[tuple[FoundFile | SkippedFile | tuple[Path, str], os.stat_result | None]] | None = []
        for found in walk_paths(self.paths, exclude=self.exclude, follow_links=self.follow_links):
            self.progress.files_total += 1
            st = None
            if isinstance(found, FoundFile):
                try:
                    st = found.stat or found.path.stat()
                    self.progress.bytes_total += st.st_size
                except OSError:
                    pass
                if found.path.suffix.lower() == ".pdf":
                    from discovery.ingest.pdfpages import count_file_pages

                    self.progress.pages_total += count_file_pages(found.path)
            if walked is not None:
                walked.append((found, st))
                if len(walked) > KEEP_WALK_FILES:
                    walked = None
        self._walked = walked

    def _walk(self) -> Iterator[tuple[FoundFile | SkippedFile | tuple[Path, str], os.stat_result | None]]:
        """The files to plan, with their stat when _count took one (else None: _plan takes it)."""
        if self._walked is not None:
            walked, self._walked = self._walked, None
            yield from walked
            return
        for found in walk_paths(self.paths, exclude=self.exclude, follow_links=self.follow_links):
            yield found, None

    def _plan(self) -> Iterator[list[FileTask]]:
        """Tasks for every file that needs reading; unchanged and unreadable files are settled here."""
        batch: list[FileTask] = []
        batch_bytes = 0
        for found, counted in self._walk():
            if self.cancelled():
                break
            self.report.sources_seen += 1
            if isinstance(found, SkippedFile):  # special files and links out of the tree: reported, never opened
                self.store.record_skipped(str(found.path), status="skipped", reason=found.reason,
                                          custodian=self.custodian)
                self._note_problem(str(found.path), found.reason)
                self.report.sources_skipped += 1
                self._file_done(0)
                continue
            if not isinstance(found, FoundFile):
                path, reason = found
                self.store.record_skipped(str(path), status="failed", reason=reason, custodian=self.custodian)
                self._note_problem(str(path), reason)
                self.report.sources_failed += 1
                self.report.failures += 1
                self._file_done(0)
                continue
            path = found.path
            key = str(path)
            try:
                st = counted or found.stat or path.stat()
            except OSError as exc:
                reason = f"cannot access: {exc.strerror or exc}"
                self.store.record_skipped(key, status="failed", reason=reason)
                self._note_problem(key, reason)
                self.report.sources_failed += 1
                self.report.failures += 1
                self._file_done(0)
                continue
            known = self.store.source(key)
            if (
                known is not None
                and known.status in ("done", "partial", "skipped")
                and known.size == st.st_size
                and known.mtime_ns == st.st_mtime_ns
                and known.custodian == self.custodian
            ):
                self.report.sources_unchanged += 1
                self.progress.files_skipped_unchanged += 1
                self._file_done(st.st_size)
                continue
            if _same_content(known, st.st_size, self.custodian, path):  # touched, not changed
                self.store.db.execute("UPDATE sources SET mtime_ns=? WHERE id=?", (st.st_mtime_ns, known.id))
                self.report.sources_unchanged += 1
                self.progress.files_skipped_unchanged += 1
                self._file_done(st.st_size)
                continue
            detected = None
            if st.st_size > MBOX_CHUNK_BYTES:
                # Large files are looked at here, so that a big mbox can be split among the workers.
                try:
                    detected = detect(path)
                except OSError as exc:
                    reason = f"cannot read: {exc.strerror or exc}"
                    self.store.record_skipped(key, status="failed", reason=reason, size=st.st_size,
                                              mtime_ns=st.st_mtime_ns, custodian=self.custodian)
                    self._note_problem(key, reason)
                    self.report.sources_failed += 1
                    self.report.failures += 1
                    self._file_done(st.st_size)
                    continue
            source_id = self.store.begin_source(
                key, kind=detected.kind if detected else "", mime=detected.mime if detected else "",
                description=detected.description if detected else "", size=st.st_size, mtime_ns=st.st_mtime_ns,
                sha256=None, custodian=self.custodian,
            )
            if detected is not None and detected.kind == "mbox":
                from discovery.ingest.mbox import plan_chunks

                chunks = plan_chunks(path, MBOX_CHUNK_BYTES)
                self.states[source_id] = _SourceState(key, len(chunks))
                for i, (start, end) in enumerate(chunks):
                    yield [FileTask(source_id, key, "mbox", found.folder, self.custodian, False, start, end,
                                    hash_file=i == 0)]
                continue
            self.states[source_id] = _SourceState(key, 1)
            task = FileTask(source_id, key, "", found.folder, self.custodian, found.in_maildir)
            if st.st_size < BATCH_BYTES:
                batch.append(task)
                batch_bytes += st.st_size
                if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                    yield batch
                    batch, batch_bytes = [], 0
            else:
                yield [task]
        if batch:
            yield batch

    # -- running --------------------------------------------------------------------------------------
    def run(self) -> IngestReport:
        started = time.monotonic()
        if self.on_progress is not None:  # totals are for progress bars: without one, workers start at once
            self._count()
        self._emit()
        try:
            if self.jobs == 1:
                for batch in self._plan():
                    if self.cancelled():
                        self.report.interrupted = True
                        break
                    self._absorb_many([run_task(task) for task in batch])
            else:
                self._run_parallel()
        except KeyboardInterrupt:
            self.report.interrupted = True
        finally:
            self.store.commit()
            if self.cancelled():
                self.report.interrupted = True
        if not self.report.interrupted:
            self._thread()
        self.report.seconds = time.monotonic() - started
        self._emit()
        return self.report

    def _run_parallel(self) -> None:
        max_in_flight = self.jobs * 3
        tasks = self._plan()
        with ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            in_flight: set[Future[TaskResult]] = set()
            exhausted = False
            try:
                while True:
                    while not exhausted and len(in_flight) < max_in_flight:
                        batch = next(tasks, None)
                        if batch is None:
                            exhausted = True
                            break
                        in_flight.add(pool.submit(_run_tasks, batch))
                    if not in_flight:
                        break
                    done, in_flight = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._absorb_many(future.result())
                    if self.cancelled():
                        self.report.interrupted = True
                        break
            finally:
                for future in in_flight:
                    future.cancel()

    def _absorb_many(self, results: list[TaskResult]) -> None:
        """Write a batch of task results in one go, then close the sources they finished."""
        copies, new = self.store.add_many([(res.source_id, rec) for res in results for rec in res.records])
        self.progress.messages += copies
        self.progress.new_messages += new
        self.report.messages += copies
        self.report.new_messages += new
        self._count_notes(rec for res in results for rec in res.records)
        for result in results:
            state = self.states[result.source_id]
            for failure in result.failures:
                self.store.add_failure(result.source_id, failure.reason, failure.inner_path, failure.locator)
                self._note_problem(state.path + (f"!{failure.inner_path}" if failure.inner_path else ""),
                                   failure.reason, failure.locator)
            if result.sha256 or result.kind:
                self.store.db.execute(
                    """UPDATE sources SET sha256=coalesce(?, sha256), kind=coalesce(nullif(?, ''), kind),
                           mime=coalesce(nullif(?, ''), mime), description=coalesce(nullif(?, ''), description)
                       WHERE id=?""",
                    (result.sha256, result.kind, result.mime, result.description, result.source_id),
                )
            state.records += len(result.records)
            self.progress.pages_done += sum(int(r.columns["page_last"] or 0) - int(r.columns["page_first"] or 0) + 1
                                            for r in result.records if r.kind == "pdf" and r.columns["page_first"])
            notices = sum(1 for failure in result.failures if failure.notice)  # findings, not reading problems
            state.failures += len(result.failures) - notices
            state.fatal = state.fatal or result.fatal
            state.unsupported = state.unsupported or result.unsupported
            state.pending -= 1
            self.progress.failures += len(result.failures) - notices
            self.progress.bytes_done += result.bytes_read
            if state.pending == 0:
                self._close_source(result.source_id, state)
        self._maybe_commit()

    def _count_notes(self, records: Iterable[MessageRecord]) -> None:
        """Count the distinct messages read with repairs or losses, and attachments without text."""
        from discovery.problems import classify_notes

        stack = list(records)[::-1]  # in the order the store adds them: the first copy is the one kept
        while stack:
            record = stack.pop()
            stack.extend(reversed(record.embedded))
            if record.content_hash in self._seen_hashes:
                continue
            self._seen_hashes.add(record.content_hash)
            self.report.attachments_without_text += sum(
                1 for a in record.attachments if not a[6] and a[2] != "message/rfc822")
            errors = str(record.columns.get("errors") or "[]")
            if errors == "[]":
                continue
            kind = classify_notes(json.loads(errors))
            if kind == "partly-read":
                self.report.messages_partly_read += 1
            elif kind == "repaired":
                self.report.messages_repaired += 1

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit > COMMIT_EVERY_S:
            self.store.commit()
            self._last_commit = time.monotonic()
            self._emit()

    def _close_source(self, source_id: int, state: _SourceState) -> None:
        if state.unsupported:
            status, reason = "skipped", state.unsupported
            self.report.sources_skipped += 1
        elif state.fatal:
            status, reason = ("partial" if state.records else "failed"), state.fatal
            self._note_problem(state.path, state.fatal)
            if state.records:
                self.report.sources_partial += 1
            else:
                self.report.sources_failed += 1
            self.progress.failures += 1
        elif state.failures:
            status, reason = ("partial" if state.records else "failed"), f"{state.failures} problem(s) recorded"
            if state.records:
                self.report.sources_partial += 1
            else:
                self.report.sources_failed += 1
        else:
            status, reason = "done", ""
        if status in ("done", "partial"):
            self.report.sources_read += 1
        self.report.failures += state.failures + (1 if state.fatal and not state.unsupported else 0)
        self.store.finish_source(source_id, status, reason)
        del self.states[source_id]
        self.progress.files_done += 1

    def _file_done(self, size: int) -> None:
        self.progress.files_done += 1
        self.progress.bytes_done += size
        self._maybe_commit()

    def _note_problem(self, path: str, reason: str, locator: str = "") -> None:
        problem = {"path": path, "locator": locator, "reason": reason}
        if len(self.report.problems) < 200 and problem not in self.report.problems[-2:]:  # a fatal one comes twice
            self.report.problems.append(problem)

    def _emit(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def _thread(self) -> None:
        from discovery.threading_job import rethread

        rethread(self.store)


def _worker_init(parent_pid: int) -> None:
    """Make a worker die with the ingest that started it (kill -9 of the parent must not leave orphans)."""
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)


def _run_tasks(tasks: list[FileTask]) -> list[TaskResult]:
    return [run_task(t) for t in tasks]


def default_jobs() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))
