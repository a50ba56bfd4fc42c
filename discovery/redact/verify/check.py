"""Provides verify_production: the independent leak check of a production directory against its case."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from discovery.errors import CaseError, UsageError
from discovery.redact.verify.mailread import eml_places, mbox_places
from discovery.redact.verify.matcher import Matcher
from discovery.redact.verify.pdfread import Place, Problem, batch_page_texts, pdf_places
from discovery.redact.verify.tables import table_places
from discovery.redact.verify.values import RedactedValue, build_matcher, redacted_values

MANIFEST = "manifest.json"
_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
MAX_LEAKS = 1000  # a report names at most this many places; the count says how many more


@dataclass(frozen=True, slots=True)
class Leak:
    """One failure: the file (relative to OUT_DIR), the place in it, what kind, and what was found.

    ``kind`` is 'value' (a redacted value or a variant of it), 'unlisted-file', 'missing-file',
    'sha256-mismatch', 'incremental-save', 'stale-object', 'redaction-annotation', 'unchecked-image' or
    'unreadable'. ``value`` names the value without quoting it ('PERSON (suggestion 17)')."""

    file: str
    place: str
    kind: str
    value: str = ""
    detail: str = ""

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        what = f"{self.value} found" if self.kind == "value" else self.kind
        return f"{self.file}: {self.place}: {what}" + (f" ({self.detail})" if self.detail else "")


@dataclass(slots=True)
class VerifyReport:
    """What verify read and what it found; ``ok`` when nothing."""

    out_dir: str
    case: str
    values: int = 0
    forms: int = 0
    files: int = 0
    bytes: int = 0
    places: int = 0
    seconds: float = 0.0
    leaks: list[Leak] = field(default_factory=list)
    more_leaks: int = 0

    @property
    def ok(self) -> bool:
        return not self.leaks

    def summary(self) -> str:
        """One line: the verdict and what was read."""
        verdict = "no leak found" if self.ok else f"{len(self.leaks) + self.more_leaks} leak(s)"
        return (f"{verdict}: {self.files} files, {self.places} places, {self.values} redacted values in "
                f"{self.forms} forms, {self.seconds:.2f} s")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def verify_production(case: Any, out_dir: Path | str, *, jobs: int = 0) -> VerifyReport:
    """Check every file of a production for every value the case says is redacted, and the manifest.

    ``case`` is a case folder, or an open Case or Store of it (its SQLite connection is used, read only).
    ``jobs`` files are read at a time (0: two per core), in threads, spread over one worker process per core
    when there are many files (see _check_files).
    Raises UsageError when OUT_DIR is not a production, CaseError when the case cannot be read.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    manifest = _manifest(out)
    case_dir, db, owned = _connection(case)
    try:
        documents = [str(d.get("id", "")) for d in manifest.get("documents", []) if isinstance(d, dict)]
        pending = str(manifest.get("pending", manifest.get("pending_mode", "refuse")))
        try:
            values = redacted_values(db, case_dir, documents, pending)
        except sqlite3.DatabaseError as exc:
            raise CaseError(f"the case at {case_dir} cannot be read: {exc}") from exc
    finally:
        if owned:
            db.close()
    matcher = build_matcher(values)
    report = VerifyReport(str(out), str(manifest.get("case", "")), len(values),
                          len(matcher.forms) + len(matcher.digit_forms))
    listed = manifest.get("files", {})
    if not isinstance(listed, dict):
        raise UsageError(f"{out / MANIFEST} has no 'files' table", hint="This is not a production directory.")
    present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink())
    leaks: list[Leak] = []
    for rel in sorted(set(listed) - set(present)):
        leaks.append(Leak(rel, "file", "missing-file", detail="listed in the manifest but absent"))
    to_read = []
    for rel in present:
        path = out / rel
        if path.is_symlink():
            leaks.append(Leak(rel, "file", "unlisted-file", detail="a symbolic link"))
            continue
        to_read.append(rel)
    for _rel, size, places, found in _check_files(out, to_read, listed, values, matcher, jobs):
        report.files += 1
        report.bytes += size
        report.places += places
        leaks.extend(found)
    report.more_leaks = max(0, len(leaks) - MAX_LEAKS)
    report.leaks = leaks[:MAX_LEAKS]
    report.seconds = round(time.perf_counter() - started, 3)
    return report


PROCESS_MIN_FILES = 400  # below this, starting worker processes costs more than it saves
_CHUNK = 64
_WORKER: tuple[Path, dict[str, Any], Matcher, int] | None = None
FileResult = tuple[str, int, int, list[Leak]]


def _check_files(out: Path, rels: list[str], listed: dict[str, Any], values: list[RedactedValue], matcher: Matcher,
                 jobs: int) -> Iterator[FileResult]:
    """Check files in order: ``jobs`` at a time (0: two per core), in threads (PDF text extraction runs in pdftotext
    processes, which threads overlap), spread over one process per core when there are many files (the matching
    is Python work that threads of one process cannot share)."""
    cores = os.cpu_count() or 1
    at_once = jobs if jobs > 0 else min(8, 2 * cores)
    processes = min(cores, at_once)
    if processes < 2 or len(rels) < PROCESS_MIN_FILES:
        with ThreadPoolExecutor(at_once) as pool:
            for i in range(0, len(rels), _CHUNK):
                yield from _check_group(out, rels[i:i + _CHUNK], listed, matcher, pool)
        return
    chunks = [rels[i:i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    threads = max(1, at_once // processes)
    # spawn: a worker starts as a small fresh process, not as a copy of a caller that may hold a whole production
    # in memory (redact runs this check right after writing); it is this process's own child (its CPU time counts)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker,
                             initargs=(out, listed, values, threads, os.getpid())) as pool:
        for results in pool.map(_check_chunk, chunks):
            yield from results


def _init_worker(out: Path, listed: dict[str, Any], values: list[RedactedValue], threads: int,
                 parent_pid: int | None) -> None:
    """Pool initializer: end with the parent; compile this process's matcher once."""
    global _WORKER
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)
    _WORKER = (out, listed, build_matcher(values), threads)


def _check_chunk(rels: list[str]) -> list[FileResult]:
    assert _WORKER is not None, "_init_worker was not called in this process"
    out, listed, matcher, threads = _WORKER
    if threads < 2:
        return _check_group(out, rels, listed, matcher, None)
    with ThreadPoolExecutor(threads) as pool:
        return _check_group(out, rels, listed, matcher, pool)


def _check_group(out: Path, rels: list[str], listed: dict[str, Any], matcher: Matcher,
                 pool: ThreadPoolExecutor | None) -> list[FileResult]:
    """Check a group of files in order, the page texts of its PDFs read in one batch (batch_page_texts). When
    a batch-read page holds a value, the whole group is read again file by file, so that every hit is named by
    the file it is in whatever poppler and pypdf made of the page counts."""
    pdfs = [r for r in rels if r.lower().endswith(".pdf")]
    pages = dict(zip(pdfs, batch_page_texts([out / r for r in pdfs]), strict=True)) if len(pdfs) > 1 else {}

    def check(rel: str, batched: bool = True) -> FileResult:
        return _check_file(out, rel, listed, matcher, pages.get(rel) if batched else None)

    results = list(pool.map(check, rels)) if pool else [check(r) for r in rels]
    if any(pages.get(rel) is not None and any(leak.kind == "value" and leak.place.startswith("page ")
                                              for leak in found) for rel, _, _, found in results):
        results = list(pool.map(lambda r: check(r, False), rels)) if pool else [check(r, False) for r in rels]
    return results


def _manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not out.is_dir():
        raise UsageError(f"{out} is not a directory", hint="Pass the --out folder of a production.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{out} has no {MANIFEST}", hint="This is not a production made by 'discovery redact'.") \
            from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read: {exc}", hint="A production's manifest is JSON.") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a JSON object", hint="This is not a production made by 'discovery redact'.")
    return data


def _connection(case: Any) -> tuple[Path, sqlite3.Connection, bool]:
    store = getattr(case, "store", case)
    db = getattr(store, "db", None)
    if isinstance(db, sqlite3.Connection):
        return Path(getattr(store, "case_dir", getattr(case, "path", "."))), db, False
    case_dir = Path(case)
    path = case_dir / "store.sqlite"
    if not path.exists():
        raise CaseError(f"no case at {case_dir}", hint="Pass the case the production was made from with --case.")
    try:
        return case_dir, sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30), True
    except sqlite3.DatabaseError as exc:
        raise CaseError(f"the case store {path} cannot be opened: {exc}") from exc


def _check_file(out: Path, rel: str, listed: dict[str, Any], matcher: Matcher,
                pages: tuple[str, ...] | None = None) -> FileResult:
    leaks: list[Leak] = []
    places = 0
    for hit_place, value in _hits(matcher, [Place("file name", rel)]):
        leaks.append(Leak(rel, hit_place, "value", value))
    try:
        data = (out / rel).read_bytes()
    except OSError as exc:
        return rel, 0, 0, [Leak(rel, "file", "unreadable", detail=str(exc.strerror or exc))]
    if rel != MANIFEST:
        if rel not in listed:
            leaks.append(Leak(rel, "file", "unlisted-file", detail="not listed in the manifest"))
        elif hashlib.sha256(data).hexdigest() != str(listed[rel]).lower():
            leaks.append(Leak(rel, "file", "sha256-mismatch", detail="differs from the manifest's sha256"))
    for item in _read(rel, data, pages):  # each place is searched as it is read (a big table never whole in memory)
        if isinstance(item, Problem):
            leaks.append(Leak(rel, item.where, item.kind, detail=item.detail))
            continue
        places += 1
        for hit_place, value in _hits(matcher, [item]):
            leaks.append(Leak(rel, hit_place, "value", value))
    return rel, len(data), places, list(dict.fromkeys(leaks))  # a long table's chunks overlap by a few lines


def _read(rel: str, data: bytes, pages: tuple[str, ...] | None = None) -> Iterator[Place | Problem]:
    suffix = os.path.splitext(rel)[1].lower()
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        yield from pdf_places(data, pages=pages)
    elif suffix == ".eml":
        yield from eml_places(data)
    elif suffix == ".mbox":
        yield from mbox_places(data)
    elif suffix in (".csv", ".json"):
        yield from table_places(data, suffix)
    else:
        text = data.decode("utf-8", "replace")
        if rel == MANIFEST:  # a file's sha256 is hex: its digit runs are not values (they change with every run)
            text = _DIGEST.sub("sha256", text)
        yield Place("text", text)


def _hits(matcher: Matcher, places: Iterable[Place]) -> Iterator[tuple[str, str]]:
    if not matcher:
        return
    for place in places:
        seen: set[tuple[int, int, str]] = set()
        for hit in matcher.search(place.text, place.binary):
            owners = (matcher.digit_forms if hit.digits else matcher.forms).get(hit.form, [])
            names = ", ".join(sorted({v.describe() for v in owners if isinstance(v, RedactedValue)}))
            if (hit.line, hit.column, names) in seen:
                continue  # the same value found as words and by its digits
            seen.add((hit.line, hit.column, names))
            if place.first_line:
                where = f"{place.where} line {place.first_line + hit.line - 1} col {hit.column}"
            else:
                where = f"{place.where} line {hit.line} col {hit.column}"
            where += " (by its digits)" if hit.digits else ""
            yield where, names
