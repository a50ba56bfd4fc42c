"""Provides Searcher: a long-lived handle on a case's index for the CLI, the TUI and scripts. It reopens the
index only when it changed (never Whoosh's refresh(), which can return stale or doubled hits), closes what
it opens, keeps facet maps between searches, and rebuilds a damaged index from the store."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from discovery.errors import CaseError, DiscoveryError, IndexBusy
from discovery.search import engine
from discovery.search.execute import Execution, Ranked, SegmentCache
from discovery.search.facets import FacetCache, count_facets
from discovery.search.fields import FACETS
from discovery.search.highlight import highlight_spans, make_snippet
from discovery.search.indexer import (
    check_index,
    has_pending,
    index_dir,
    open_error_reason,
    rebuild_index,
    update_index,
)
from discovery.search.query import parse
from discovery.search.results import Hit, SearchResults
from discovery.search.translate import Compiled, compile_query, suggest
from discovery.search.wordlists import WordLists
from discovery.store import Store

SORTS = ("relevance", "newest", "oldest")
_KEPT_IDS = 500_000  # message ids a searcher keeps in memory (about 60 MB at most)
Notify = Callable[[str], None]


def normalize_sort(sort: str) -> str:
    value = {"date": "newest", "date-desc": "newest", "date-asc": "oldest", "score": "relevance"}.get(sort, sort)
    if value not in SORTS:
        raise DiscoveryError(f"unknown sort {sort!r}", hint="Use relevance, date (newest first), newest or oldest.")
    return value


class Searcher:
    """Search one case. Use as a context manager or call close().

    ``auto_update``: before a search, index what the store's queue lists (new messages, tag changes),
    unless another process is writing the index (then the search runs on what is indexed, with a notice).
    """

    def __init__(self, store: Store, *, auto_update: bool = True, jobs: int = 1, notify: Notify | None = None,
                 wait: float = 0.0) -> None:
        self.store = store
        self.case_dir = Path(store.case_dir)
        self.auto_update = auto_update
        self.jobs = jobs
        self.wait = wait
        self.notices: list[str] = []
        self._notify = notify
        self._ix: Any = None
        self._searcher: Any = None
        self._identity: tuple[int, int] | None = None
        self._facets = FacetCache()
        self._segments = SegmentCache()
        self._words = WordLists()
        self._pages: dict[tuple[str, str, bool], tuple[Compiled, Ranked]] = {}
        self._ids: dict[int, str] = {}  # docnum -> message id, read from the open index once (stored fields)
        self._ensure()

    # -- lifecycle ----------------------------------------------------------------------------------
    def _notice(self, text: str) -> None:
        self.notices.append(text)
        if self._notify is not None:
            self._notify(text)

    def _ensure(self) -> None:
        reason = check_index(self.case_dir)
        if reason:
            self._rebuild(reason)
        elif self.auto_update:
            self.sync()
        self._open()

    def _rebuild(self, reason: str) -> None:
        self._notice(f"{reason}; rebuilding it from the case store...")
        try:
            report = rebuild_index(self.store, jobs=self.jobs, reason=reason, timeout=max(self.wait, 30.0))
        except (sqlite3.OperationalError, PermissionError) as exc:
            raise CaseError(f"{reason}, and this case is read-only here ({exc})",
                            hint="Run 'discovery reindex --case DIR' where the case can be written.") from exc
        self._notice(f"search index rebuilt: {report.documents} messages in {report.seconds:.1f} s")

    def sync(self) -> bool:
        """Index pending changes now (if any and if no one else is writing). True if the index changed."""
        try:
            if not has_pending(self.store):
                return False
            report = update_index(self.store, jobs=self.jobs, timeout=self.wait)
        except IndexBusy:
            self._notice("another process is updating the search index; results may miss its latest changes")
            return False
        except sqlite3.OperationalError:
            return False  # a read-only case: search what is indexed
        if report.reason:
            self._notice(f"{report.reason}; rebuilt it from the case store ({report.documents} messages)")
        return report.action != "none"

    def _open(self) -> None:
        self._close_searcher()
        folder = index_dir(self.case_dir)
        self._ix = engine.open_index(folder)
        self._searcher = engine.open_searcher(self._ix)
        self._identity = _identity(folder)
        keys = {key for key, _, _ in engine.leaf_segments(self._searcher)}
        self._facets.forget_except(keys)
        self._segments.forget_except(keys)
        self._words.forget_except(keys)
        self._pages.clear()
        self._ids.clear()

    def rebind(self, store: Store, *, auto_update: bool = True, notify: Notify | None = None) -> None:
        """Serve another command over a fresh handle on the same case's store (the search server keeps its
        searchers between commands): afterwards it is as a new Searcher(store, ...) would be, with the caches of
        the segments it still reads."""
        self.store = store
        self.case_dir = Path(store.case_dir)
        self.auto_update = auto_update
        self._notify = notify
        self.notices = []
        if self.up_to_date():
            if auto_update:
                self.sync()
        else:
            self._ensure()

    def up_to_date(self) -> bool:
        """True if the open searcher sees the latest committed index (same folder, same generation)."""
        if self._searcher is None:
            return False
        folder = index_dir(self.case_dir)
        try:
            return _identity(folder) == self._identity and engine.searcher_up_to_date(self._searcher)
        except Exception:
            return False

    def refresh(self) -> bool:
        """Reopen if the index changed since it was opened; True if it did."""
        if self.up_to_date():
            return False
        try:
            self._open()
        except engine.IndexOpenError as exc:
            self._rebuild(open_error_reason(exc))
            self._open()
        return True

    def _close_searcher(self, collect: bool = True) -> None:
        """Close the open searcher and free its files now: Whoosh's readers sit in reference cycles that keep
        segment files (and their mmaps) open after close() until the garbage collector runs."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            if collect:
                gc.collect()

    def close(self, *, collect: bool = True) -> None:
        """Close the index. ``collect=False`` skips the full garbage collection that frees the segment files at
        once: for a process that exits next (a CLI command), where it would only cost time."""
        self._close_searcher(collect)
        self._ix = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def doc_count(self) -> int:
        self.refresh()
        return engine.doc_count(self._searcher)

    # -- searching ----------------------------------------------------------------------------------
    def search(self, query: str, *, sort: str = "relevance", offset: int = 0, limit: int | None = 20,
               threads: bool = False, facets: bool | Sequence[str] = False, facet_size: int = 10,
               snippets: bool = True) -> SearchResults:
        """Run a query (see the README's query language). Raises QuerySyntaxError for a bad query."""
        started = time.perf_counter()
        node = parse(query)
        sort = normalize_sort(sort)
        compiled, ranked = self._prepare(query, sort, offset, limit, threads, node)
        searcher = self._searcher
        ids = self._stored_ids(ranked.docnums)
        hits = self._hits(ids, ranked, offset, compiled, snippets)
        names = self._facet_names(facets)
        total = len(ranked.all_docnums)
        suggestions = suggest(node, searcher, self._words) if total == 0 else []
        return SearchResults(
            query=query, total=total, offset=offset, limit=limit, sort=sort, hits=hits,
            threads=len(ranked.threads) if ranked.threads is not None else None,
            facets=count_facets(self._facets, searcher, ranked.all_docnums, names, facet_size) if names else {},
            notes=list(compiled.notes), suggestions=suggestions,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def ids(self, query: str, *, sort: str = "relevance", threads: bool = False, offset: int = 0,
            limit: int | None = None) -> list[str]:
        """The matching message ids, in order (one per thread with ``threads``): every one unless ``limit``.
        Nothing else is read for them (no dates, scores or rows of the store beyond whether they still exist)."""
        _compiled, ranked = self._prepare(query, sort, offset, limit, threads)
        ids = self._stored_ids(ranked.docnums)
        present = _present(self.store.db, ids)
        return [key for key in ids if key in present]

    def _stored_ids(self, docnums: Sequence[int]) -> list[str]:
        """The message ids of documents of the open index, each read from its stored fields once while the
        index stays open (a long-lived searcher, the search server's, answers the next search from memory)."""
        known = self._ids
        missing = [d for d in docnums if d not in known]
        if not missing:
            return [known[d] for d in docnums]
        found = dict(zip(missing, engine.stored_ids(self._searcher, missing), strict=True))
        if len(known) + len(found) <= _KEPT_IDS:
            known.update(found)
        return [found[d] if d in found else known[d] for d in docnums]

    def count(self, query: str, *, threads: bool = False) -> int:
        """How many messages match (threads with ``threads``), without ranking or reading any hit."""
        found = self.tally(query, threads=threads)
        return found.threads if threads and found.threads is not None else found.total

    def tally(self, query: str, *, threads: bool = False, facets: bool | Sequence[str] = False,
              facet_size: int = 10) -> SearchResults:
        """Counts without hits: the total (and threads with ``threads``) and facets when asked; nothing is
        ranked and no hit is read (``hits`` is empty)."""
        started = time.perf_counter()
        node = parse(query)
        names = self._facet_names(facets)
        if self.auto_update:
            self.sync()
        self.refresh()

        def work() -> tuple[Compiled, Ranked]:
            compiled = compile_query(node, self._searcher, self._words)
            return compiled, Execution(self._searcher, self._segments).tally(compiled.query, threads=threads)

        compiled, matched = self._recovering(work)
        searcher = self._searcher
        total = len(matched.all_docnums)
        return SearchResults(
            query=query, total=total, offset=0, limit=0, sort="relevance", hits=[],
            threads=len(matched.threads) if matched.threads is not None else None,
            facets=count_facets(self._facets, searcher, matched.all_docnums, names, facet_size) if names else {},
            notes=list(compiled.notes), suggestions=suggest(node, searcher, self._words) if total == 0 else [],
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _facet_names(facets: bool | Sequence[str]) -> list[str]:
        names = list(FACETS) if facets is True else list(facets or [])
        unknown = [n for n in names if n not in FACETS]
        if unknown:
            raise DiscoveryError(f"unknown facet {unknown[0]!r}", hint="Facets: " + ", ".join(FACETS))
        return names

    def _prepare(self, query: str, sort: str, offset: int, limit: int | None, threads: bool, node: Any = None
                 ) -> tuple[Compiled, Ranked]:
        """Parse (unless given the parsed node), bring the index up to date and rank one page."""
        node = parse(query) if node is None else node
        sort = normalize_sort(sort)
        if self.auto_update:
            self.sync()
        self.refresh()
        return self._recovering(lambda: self._run(query, node, sort, offset, limit, threads))

    def _recovering(self, work: Callable[[], Any]) -> Any:
        """Run work on the open index; when it fails because the index became unreadable after it was opened,
        rebuild the index from the store and run it again."""
        try:
            return work()
        except DiscoveryError:
            raise
        except Exception:  # a segment that became unreadable after opening? (else a bug: let it through)
            damage = engine.verify_index(index_dir(self.case_dir))
            if not damage:
                raise
            self._rebuild(f"the search index is damaged ({damage})")
            self._open()
            return work()

    def _run(self, query: str, node: Any, sort: str, offset: int, limit: int | None, threads: bool
             ) -> tuple[Compiled, Ranked]:
        """The first page is ranked with a partial sort; asking for a later page (or everything) ranks every
        hit once and keeps the order, so paging through the same query afterwards costs only the slicing."""
        key = (query, sort, threads)
        cached = self._pages.get(key)
        if cached is None and offset == 0 and limit is not None:
            compiled = compile_query(node, self._searcher, self._words)
            ranked = Execution(self._searcher, self._segments).rank(compiled.query, sort=sort, offset=0,
                                                                    limit=limit, threads=threads)
            return compiled, ranked
        if cached is None:
            compiled = compile_query(node, self._searcher, self._words)
            full = Execution(self._searcher, self._segments).rank(compiled.query, sort=sort, offset=0, limit=None,
                                                                  threads=threads)
            cached = self._pages[key] = (compiled, full)
            while len(self._pages) > 8:
                self._pages.pop(next(iter(self._pages)))
        compiled, full = cached
        end = None if limit is None else offset + limit
        return compiled, Ranked(full.docnums[offset:end], full.scores[offset:end], full.all_docnums, full.threads,
                                full.thread_of)

    def _hits(self, ids: list[str], ranked: Ranked, offset: int, compiled: Compiled, snippets: bool) -> list[Hit]:
        if not ids:
            return []
        rows = _message_rows(self.store.db, ids, with_text=snippets)
        hits = []
        for rank, (key, docnum, score) in enumerate(zip(ids, ranked.docnums, ranked.scores, strict=True),
                                                    start=offset + 1):
            row = rows.get(key)
            if row is None:  # indexed but since removed from the store
                continue
            subject = row["subject"]
            hit = Hit(
                rank=rank, id=key, score=round(score, 4) if score is not None else None, date=row["date"],
                sender=_person(row["from_name"], row["from_email"]), sender_email=row["from_email"],
                recipients=row["recipients"], subject=subject, thread_id=row["thread_id"],
                tags=row["tags"], attachments=row["attachments"], to=row["to"], cc=row["cc"],
                custodians=row["custodians"], sources=row["sources"],
            )
            if ranked.threads is not None:
                hit.thread_hits = ranked.threads.get(ranked.thread_of.get(docnum, ""), 1)
            if snippets:
                hit.subject_highlights = highlight_spans(subject, compiled.highlights.get("subject", set()))
                hit.snippet = _snippet(row, compiled.highlights)
            hits.append(hit)
        return hits


def _identity(folder: Path) -> tuple[int, int]:
    st = os.stat(folder)
    return st.st_dev, st.st_ino


def _person(name: str, email: str) -> str:
    if name and email:
        return f"{name} <{email}>"
    return name or email


def _snippet(row: dict[str, Any], highlights: dict[str, set[str]]) -> Any:
    body_terms = highlights.get("body", set())
    if body_terms:
        found = make_snippet("body", row["body"], body_terms)
        if found.highlights:
            return found
    attachment_terms = highlights.get("attachment", set())
    if attachment_terms and row["attachment_text"]:
        found = make_snippet("attachment", row["attachment_text"], attachment_terms)
        if found.highlights:
            return found
    return make_snippet("body", row["body"], body_terms)


def _present(db: sqlite3.Connection, ids: list[str]) -> set[str]:
    """Which of these message ids the store still holds (an index can lag behind a removal)."""
    if not ids:
        return set()
    return {r[0] for r in db.execute("SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                                     (json.dumps(ids),))}


def _message_rows(db: sqlite3.Connection, ids: Iterable[str], *, with_text: bool) -> dict[str, dict[str, Any]]:
    """Display fields of messages from the store (text for snippets only when asked)."""
    param = (json.dumps(list(ids)),)
    body = "body_text" if with_text else "''"
    rows: dict[str, dict[str, Any]] = {}
    for r in db.execute(
        f"""SELECT id, date_utc, from_name, from_email, subject, {body}, thread_id, attachment_count
            FROM messages WHERE id IN (SELECT value FROM json_each(?))""", param):
        rows[r[0]] = {"date": r[1], "from_name": r[2], "from_email": r[3], "subject": r[4], "body": r[5] or "",
                      "thread_id": r[6], "attachments": int(r[7] or 0), "recipients": [], "tags": [],
                      "attachment_text": "", "to": [], "cc": [], "custodians": [], "sources": []}
    for key, role, email, name in db.execute(
        """SELECT message_id, role, email, name FROM addresses WHERE role IN ('to', 'cc', 'bcc')
           AND message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, role DESC, position""", param):
        who = email or name  # Outlook exports name recipients without an address
        if key in rows and who:
            rows[key]["recipients"].append(who)
            if role in ("to", "cc"):
                rows[key][role].append(who)
    for key, path, inner, custodian in db.execute(
        """SELECT p.message_id, s.path, p.inner_path, p.custodian FROM provenance p JOIN sources s ON s.id = p.source_id
           WHERE p.message_id IN (SELECT value FROM json_each(?)) ORDER BY p.message_id, p.id""", param):
        if key in rows:
            where = path + (f"!{inner}" if inner else "")
            if where not in rows[key]["sources"]:
                rows[key]["sources"].append(where)
            if custodian and custodian not in rows[key]["custodians"]:
                rows[key]["custodians"].append(custodian)
    for key, name in db.execute(
        """SELECT mt.message_id, t.name FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
           WHERE mt.message_id IN (SELECT value FROM json_each(?)) ORDER BY t.position, t.name""", param):
        if key in rows:
            rows[key]["tags"].append(name)
    if with_text:
        for key, filename, text in db.execute(
            """SELECT message_id, filename, text FROM attachments
               WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, position""", param):
            if key in rows:
                part = "\n".join(p for p in (filename, text) if p)
                rows[key]["attachment_text"] = "\n".join(p for p in (rows[key]["attachment_text"], part) if p)
    return rows


__all__ = ["SORTS", "Searcher", "normalize_sort"]
