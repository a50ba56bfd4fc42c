"""Provides verify_production: the independent leak check of a production directory against its case."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from discovery.errors import CaseError, UsageError
from discovery.redact.verify.mailread import eml_places, mbox_places
from discovery.redact.verify.matcher import Matcher
from discovery.redact.verify.pdfread import (
    Place,
    Problem,
    eof_problem,
    joined_page_texts,
    page_places,
    page_text,
    pdf_objects,
    pdf_places,
    split_pages,
)
from discovery.redact.verify.tables import file_blocks, json_edges, streams, table_blank, table_places, table_runs
from discovery.redact.verify.values import RedactedValue, build_matcher, kept_forms, redacted_values

MANIFEST = "manifest.json"
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
    kept: int = 0  # hits of a value in a document where a reviewer rejected a place of it (kept readable there)

    @property
    def ok(self) -> bool:
        return not self.leaks

    def summary(self) -> str:
        """One line: the verdict and what was read."""
        verdict = "no leak found" if self.ok else f"{len(self.leaks) + self.more_leaks} leak(s)"
        kept = f", {self.kept} kept readable where a reviewer rejected them" if self.kept else ""
        return (f"{verdict}: {self.files} files, {self.places} places, {self.values} redacted values in "
                f"{self.forms} forms{kept}, {self.seconds:.2f} s")

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
            kept = _kept_by_file(manifest, kept_forms(db, documents))
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
    for _rel, size, places, found in _check_files(out, to_read, listed, values, matcher, jobs, kept):
        report.files += 1
        report.bytes += size
        report.places += places
        report.kept += sum(1 for leak in found if leak.kind == "kept")
        leaks.extend(leak for leak in found if leak.kind != "kept")
    report.more_leaks = max(0, len(leaks) - MAX_LEAKS)
    report.leaks = leaks[:MAX_LEAKS]
    report.seconds = round(time.perf_counter() - started, 3)
    return report


# What may stay readable where: file -> forms, and for the shared mbox its n-th message -> forms ('mbox:<n>').
Kept = dict[str, frozenset[str]]


def _kept_by_file(manifest: dict[str, Any], by_document: dict[str, frozenset[str]]) -> Kept:
    """The forms a reviewer kept readable (kept_forms), by the file holding the document: its own files, and its
    message in the shared mbox (the mbox holds the documents in the manifest's order)."""
    out: Kept = {}
    if not by_document:
        return out
    docs = [d for d in manifest.get("documents", []) if isinstance(d, dict)]
    for n, d in enumerate(docs, 1):
        forms = by_document.get(str(d.get("id", "")))
        if not forms:
            continue
        for rel in d.get("files", []) or []:
            out[str(rel)] = out.get(str(rel), frozenset()) | forms
        out[f"mbox:{n}"] = forms
    return out


def _kept_for(kept: Kept, rel: str, where: str) -> frozenset[str]:
    """The forms that may stay readable at one place of a file."""
    if not kept:
        return frozenset()
    if rel.endswith(".mbox") and where.startswith("message "):
        return kept.get("mbox:" + where.split(" ", 2)[1], frozenset())
    return kept.get(rel, frozenset())


PROCESS_MIN_FILES = 400  # below this, starting worker processes costs more than it saves
_CHUNK = 64
_WORKER: tuple[Path, dict[str, Any], Matcher, int, Kept] | None = None
FileResult = tuple[str, int, int, list[Leak]]
_T = TypeVar("_T")


def _check_files(out: Path, rels: list[str], listed: dict[str, Any], values: list[RedactedValue], matcher: Matcher,
                 jobs: int, kept: Kept | None = None) -> Iterator[FileResult]:
    """Check files in order: ``jobs`` at a time (0: two per core), in threads (PDF text extraction runs in pdftotext
    processes, which threads overlap), spread over one process per core when there are many files (the matching
    is Python work that threads of one process cannot share)."""
    cores = os.cpu_count() or 1
    at_once = jobs if jobs > 0 else min(8, 2 * cores)
    processes = min(cores, at_once)
    if processes < 2 or len(rels) < PROCESS_MIN_FILES:
        with ThreadPoolExecutor(at_once) as pool:
            for i in range(0, len(rels), _CHUNK):
                yield from _check_group(out, rels[i:i + _CHUNK], listed, matcher, pool, kept or {})
        return
    chunks = _chunks(out, rels)
    threads = max(1, at_once // processes)
    # spawn: a worker starts as a small fresh process, not as a copy of a caller that may hold a whole production
    # in memory (redact runs this check right after writing); it is this process's own child (its CPU time counts)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker,
                             initargs=(out, listed, values, threads, os.getpid(), kept or {})) as pool:
        # the biggest files first, each alone, so that the last minutes never leave one worker reading a log
        # while the others wait; results come back in the files' order
        order = sorted(range(len(chunks)), key=lambda i: -chunks[i][1])
        futures = {i: pool.submit(_check_chunk, chunks[i][0]) for i in order}
        for i in range(len(chunks)):
            yield from futures.pop(i).result()


BIG_FILE = 1 << 20  # a file this big (a log, the manifest, a long attachment) is a task of its own


def _chunks(out: Path, rels: list[str]) -> list[tuple[list[str], int]]:
    """The files in tasks of _CHUNK files, in order, each with its size when it is one big file (else 0)."""
    chunks: list[tuple[list[str], int]] = []
    small: list[str] = []
    for rel in rels:
        try:
            size = (out / rel).stat().st_size
        except OSError:
            size = 0  # unreadable: found so when read
        if size >= BIG_FILE:
            if small:
                chunks.append((small, 0))
                small = []
            chunks.append(([rel], size))
            continue
        small.append(rel)
        if len(small) == _CHUNK:
            chunks.append((small, 0))
            small = []
    if small:
        chunks.append((small, 0))
    return chunks


def _init_worker(out: Path, listed: dict[str, Any], values: list[RedactedValue], threads: int,
                 parent_pid: int | None, kept: Kept | None = None) -> None:
    """Pool initializer: end with the parent; compile this process's matcher once."""
    global _WORKER
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)
    _WORKER = (out, listed, build_matcher(values), threads, kept or {})


def _check_chunk(rels: list[str]) -> list[FileResult]:
    assert _WORKER is not None, "_init_worker was not called in this process"
    out, listed, matcher, threads, kept = _WORKER
    if threads < 2:
        return _check_group(out, rels, listed, matcher, None, kept)
    with ThreadPoolExecutor(threads) as pool:
        return _check_group(out, rels, listed, matcher, pool, kept)


def _check_group(out: Path, rels: list[str], listed: dict[str, Any], matcher: Matcher,
                 pool: ThreadPoolExecutor | None, kept: Kept | None = None) -> list[FileResult]:
    """Check a group of files in order. The page texts of its PDFs are read in one batch by poppler, in a thread,
    while Python walks each PDF's objects (pypdf, which also counts its pages); then the batch's pages go back to
    their files by those counts. When a batch-read page holds a value, every PDF of the group has its pages read
    again on its own, so that every hit is named by the file it is in whatever poppler and pypdf made of the
    page counts."""
    pdfs = [r for r in rels if r.lower().endswith(".pdf")]
    if len(pdfs) < 2:
        return _map(pool, lambda r: _check_file(out, r, listed, matcher, None, kept), rels)
    is_pdf = set(pdfs)

    def first(rel: str) -> FileResult | _PdfRead:
        if rel in is_pdf:
            return _check_pdf_objects(out, rel, listed, matcher, kept)
        return _check_file(out, rel, listed, matcher, None, kept)

    with ThreadPoolExecutor(1) as poppler:
        joined = poppler.submit(joined_page_texts, [out / r for r in pdfs])
        done = _map(pool, first, rels)
        texts = joined.result()
    read = {d.rel: d for d in done if isinstance(d, _PdfRead)}
    batched = dict(zip(pdfs, split_pages(texts, [read[r].count for r in pdfs]), strict=True))
    pages = {r: _page_leaks(out, read[r], matcher, batched[r], kept) for r in pdfs}
    if any(batched[r] is not None and any(leak.kind == "value" for leak in pages[r][1]) for r in pdfs):
        pages = dict(zip(pdfs, _map(pool, lambda r: _page_leaks(out, read[r], matcher, None, kept), pdfs),
                         strict=True))
    results: list[FileResult] = []
    for item in done:
        if isinstance(item, _PdfRead):
            places, leaks = pages[item.rel]
            results.append((item.rel, item.size, item.places + places,
                            list(dict.fromkeys(item.head + leaks + item.tail))))
        else:
            results.append(item)
    return results


def _map(pool: ThreadPoolExecutor | None, fn: Callable[[str], _T], rels: list[str]) -> list[_T]:
    return list(pool.map(fn, rels)) if pool else [fn(r) for r in rels]


@dataclass(slots=True)
class _PdfRead:
    """A PDF of a group checked but for its page text: the findings before the pages (file name, manifest,
    %%EOF) and after them (the objects), the places searched, and the page count pypdf read (None if none)."""

    rel: str
    size: int
    places: int
    head: list[Leak]
    tail: list[Leak]
    count: int | None
    readable: bool = True


def _check_pdf_objects(out: Path, rel: str, listed: dict[str, Any], matcher: Matcher,
                       kept: Kept | None = None) -> _PdfRead:
    data, head = _read_file(out, rel, listed, matcher)
    if data is None:
        return _PdfRead(rel, 0, 0, head, [], None, readable=False)
    problem = eof_problem(data)
    if problem is not None:
        head.append(Leak(rel, problem.where, problem.kind, detail=problem.detail))
    count: list[int] = []
    places, tail = _search(rel, pdf_objects(data, 0, count), matcher, kept)
    return _PdfRead(rel, len(data), places, head, tail, count[0] if count else None)


def _page_leaks(out: Path, pdf: _PdfRead, matcher: Matcher, pages: tuple[str, ...] | None,
                kept: Kept | None = None) -> tuple[int, list[Leak]]:
    """The places and findings of a PDF's page text: the batch's pages, or (None) pdftotext's of this file."""
    if not pdf.readable:
        return 0, []
    if pages is not None:
        return _search(pdf.rel, page_places(pages), matcher, kept)
    try:
        data = (out / pdf.rel).read_bytes()
    except OSError as exc:
        return 0, [Leak(pdf.rel, "file", "unreadable", detail=str(exc.strerror or exc))]
    return _search(pdf.rel, page_text(data), matcher, kept)


def _search(rel: str, items: Iterable[Place | Problem], matcher: Matcher,
            kept: Kept | None = None) -> tuple[int, list[Leak]]:
    """Search each place as it is read (a big table is never whole in memory): (places, findings); a hit of a
    form a reviewer kept readable in that document is a finding of kind 'kept' (counted, not a leak)."""
    leaks: list[Leak] = []
    places = 0
    for item in items:
        if isinstance(item, Problem):
            leaks.append(Leak(rel, item.where, item.kind, detail=item.detail))
            continue
        places += 1
        allowed = _kept_for(kept or {}, rel, item.where)
        for hit_place, value in _hits(matcher, [item], allowed):
            leaks.append(Leak(rel, hit_place, "kept" if value is None else "value", value or ""))
    return places, leaks


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
                pages: tuple[str, ...] | None = None, kept: Kept | None = None) -> FileResult:
    suffix = os.path.splitext(rel)[1].lower()
    if suffix in (".csv", ".json"):
        try:
            size = (out / rel).stat().st_size
        except OSError:
            size = 0  # found unreadable below
        if size > BIG_FILE and streams(suffix, size):
            return _check_table(out, rel, listed, matcher, kept)
    data, leaks = _read_file(out, rel, listed, matcher)
    if data is None:
        return rel, 0, 0, leaks
    places, found = _search(rel, _read(rel, data, pages), matcher, kept)
    return rel, len(data), places, list(dict.fromkeys(leaks + found))  # a long table's chunks overlap by a few lines


def _read_file(out: Path, rel: str, listed: dict[str, Any], matcher: Matcher) -> tuple[bytes | None, list[Leak]]:
    """The file's bytes (None when it cannot be read), and the findings of its name and of the manifest."""
    leaks: list[Leak] = []
    for hit_place, value in _hits(matcher, [Place("file name", rel)]):
        leaks.append(Leak(rel, hit_place, "value", value or ""))
    try:
        data = (out / rel).read_bytes()
    except OSError as exc:
        return None, [Leak(rel, "file", "unreadable", detail=str(exc.strerror or exc))]
    if rel != MANIFEST:
        if rel not in listed:
            leaks.append(Leak(rel, "file", "unlisted-file", detail="not listed in the manifest"))
        elif hashlib.sha256(data).hexdigest() != str(listed[rel]).lower():
            leaks.append(Leak(rel, "file", "sha256-mismatch", detail="differs from the manifest's sha256"))
    return data, leaks


def _read(rel: str, data: bytes, pages: tuple[str, ...] | None = None) -> Iterator[Place | Problem]:
    suffix = os.path.splitext(rel)[1].lower()
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        yield from pdf_places(data, pages=pages)
    elif suffix == ".eml":
        yield from eml_places(data)
    elif suffix == ".mbox":
        yield from mbox_places(data)
    elif suffix in (".csv", ".json"):
        # a file's sha256 is hex: the manifest's digit runs are not values (they change with every run)
        yield from table_places(data, suffix, digests=rel == MANIFEST)
    else:
        yield Place("text", data.decode("utf-8", "replace"))


def _check_table(out: Path, rel: str, listed: dict[str, Any], matcher: Matcher,
                 kept: Kept | None = None) -> FileResult:
    """A big table (the log) checked as _check_file would, read block by block (never whole in memory) and its
    sha256 taken on the way."""
    path = out / rel
    suffix = os.path.splitext(rel)[1].lower()
    leaks = [Leak(rel, where, "value", value or "") for where, value in _hits(matcher, [Place("file name", rel)])]
    digest = hashlib.sha256()
    try:
        size = path.stat().st_size
        blank = table_blank(suffix, suffix == ".json" and json_edges(path), rel == MANIFEST)
        places, found = _search(rel, table_runs(file_blocks(path, digest), blank), matcher, kept)
    except OSError as exc:
        return rel, 0, 0, [Leak(rel, "file", "unreadable", detail=str(exc.strerror or exc))]
    if rel != MANIFEST:
        if rel not in listed:
            leaks.append(Leak(rel, "file", "unlisted-file", detail="not listed in the manifest"))
        elif digest.hexdigest() != str(listed[rel]).lower():
            leaks.append(Leak(rel, "file", "sha256-mismatch", detail="differs from the manifest's sha256"))
    return rel, size, places, list(dict.fromkeys(leaks + found))


def _hits(matcher: Matcher, places: Iterable[Place], allowed: frozenset[str] = frozenset()
          ) -> Iterator[tuple[str, str | None]]:
    """(where, the values found) of every hit; (where, None) for a hit of a form a reviewer kept readable there."""
    if not matcher:
        return
    for place in places:
        seen: set[tuple[int, int, str]] = set()
        for hit in matcher.search(place.text, place.binary):
            line = place.first_line + hit.line - 1 if place.first_line else hit.line
            if hit.form in allowed:
                yield f"{place.where} line {line} col {hit.column}", None
                continue
            owners = (matcher.digit_forms if hit.digits else matcher.forms).get(hit.form, [])
            names = ", ".join(sorted({v.describe() for v in owners if isinstance(v, RedactedValue)}))
            if (hit.line, hit.column, names) in seen:
                continue  # the same value found as words and by its digits
            seen.add((hit.line, hit.column, names))
            where = f"{place.where} line {line} col {hit.column}"
            where += " (by its digits)" if hit.digits else ""
            yield where, names
