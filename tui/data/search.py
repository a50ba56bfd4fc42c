"""Provides the TUI's one adapter to discovery.search: pages of hit ids, facets, highlights, saved searches.

Everything the TUI knows about the search API is in this module, so following changes to that API touches one
place. One discovery.search.Searcher is kept open for the app's life (on its own connection, used by one
thread at a time); it indexes pending changes (new tags) before each search, so `tag:` finds them at once.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from discovery.tui.data.session import ReviewSession

import discovery.search as search_api
from discovery.case import Case
from discovery.errors import DiscoveryError
from discovery.safe_text import safe_line

SORTS = ("relevance", "newest", "oldest")
FACET_TITLES: dict[str, str] = {"sender_domains": "Sender domains", "senders": "Senders", "tags": "Tags",
                                "months": "Months"}
FACET_SIZE = 25
TEXT_FIELDS = ("subject", "body", "attachment")
Span = tuple[int, int]
Notice = Callable[[str], None]


@dataclass(slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(slots=True)
class SavedSearch:
    name: str
    query: str


@dataclass(slots=True)
class ResultPage:
    """One page of hits: ids in order, the exact total, facet counts and notes for the user."""

    query: str
    sort: str
    offset: int
    limit: int
    total: int
    ids: list[str]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    highlighter: Callable[[str, str], list[Span]] | None = None  # (field, text) -> spans to highlight

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    @property
    def page_number(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1


def facet_clause(facet: str, value: str) -> str:
    """The query clause that narrows a search to one facet value, in the search language."""
    quoted = f'"{value}"' if any(c in value for c in ' "():') else value
    return {
        "sender_domains": f"from:@{value}",
        "senders": f"from:{quoted}",
        "tags": f"tag:{quoted}",
        "months": f"date:{value}",
    }.get(facet, quoted)


def narrow(query: str, clause: str) -> str:
    """The query with one more clause ANDed to it (grouping an OR so the clause applies to all of it)."""
    query = query.strip()
    if not query:
        return clause
    if clause in query.split():
        return query
    if " or " in f" {query.lower()} " or "||" in query:
        query = f"({query})"
    return f"{query} {clause}"


def effective(query: str, sort: str) -> tuple[str, str]:
    """An empty query lists every message, newest first unless another date order is asked for."""
    if query.strip():
        return query, sort
    return "*", "newest" if sort == "relevance" else sort


# -- highlighting ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Terms:
    """What to highlight in each text field: indexed (stemmed) terms and unstemmed wildcard patterns."""

    stems: dict[str, set[str]] = field(default_factory=dict)
    patterns: dict[str, list[str]] = field(default_factory=dict)


def _positive_leaves(node: Any, negated: bool = False) -> Iterator[Any]:
    items = getattr(node, "items", None)
    if items is not None:
        for item in items:
            yield from _positive_leaves(item, negated)
    elif hasattr(node, "item"):
        yield from _positive_leaves(node.item, not negated)
    elif not negated:
        yield node


def highlight_terms(query: str) -> _Terms:
    """The terms of a query's positive words and phrases, per text field (bare words: every text field)."""
    from discovery.search import parse
    from discovery.search.analysis import normalize, terms

    out = _Terms()
    try:
        tree = parse(query)
    except DiscoveryError:
        return out
    for leaf in _positive_leaves(tree):
        text = getattr(leaf, "text", None)
        fieldname = getattr(leaf, "field", None)
        if not text or (fieldname is not None and fieldname not in TEXT_FIELDS):
            continue
        targets = (fieldname,) if fieldname else TEXT_FIELDS
        if "*" in text or "?" in text:
            for f in targets:
                out.patterns.setdefault(f, []).append(normalize(text))
            continue
        for f in targets:
            out.stems.setdefault(f, set()).update(terms(text, stemmed=True))
    return out


def make_highlighter(query: str) -> Callable[[str, str], list[Span]] | None:
    if not query.strip():
        return None
    found = highlight_terms(query)
    if not found.stems and not found.patterns:
        return None

    def highlight(fieldname: str, text: str) -> list[Span]:
        from discovery.search.analysis import spans
        from discovery.search.highlight import highlight_spans

        result = list(highlight_spans(text, found.stems.get(fieldname, set())))
        patterns = found.patterns.get(fieldname)
        if patterns:
            result += [(s.start, s.end) for s in spans(text, stemmed=False)
                       if any(fnmatch.fnmatchcase(s.word, p) for p in patterns)]
        return sorted(set(result))

    return highlight


# -- the adapter ----------------------------------------------------------------------------------------------
class SearchAdapter:
    """Searches one case. Long-lived: keep one per app; call from worker threads (never the event loop)."""

    def __init__(self, session: ReviewSession, *, on_notice: Notice | None = None) -> None:
        self.session = session
        self.on_notice = on_notice
        self._case: Case | None = None
        self._searcher: search_api.Searcher | None = None
        self._lock = threading.RLock()

    def _engine(self) -> search_api.Searcher:
        """The open Searcher (opening it may build the index from the store: call from a worker)."""
        if self._searcher is None:
            self._case = Case(self.session.case_dir, create=False)
            self._searcher = search_api.Searcher(self._case.store, notify=self._notice)
        return self._searcher

    def _notice(self, text: str) -> None:
        if self.on_notice is not None:
            self.on_notice(text)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            if self._case is not None:
                self._case.close()
                self._case = None

    # -- searching ------------------------------------------------------------------------------------
    def search(self, query: str, *, sort: str = "relevance", offset: int = 0, limit: int = 100,
               facets: bool = True) -> ResultPage:
        """One page of hits. Raises QuerySyntaxError for a query that cannot be parsed."""
        text, sort = effective(query, sort)
        with self._lock:
            results = self._engine().search(text, sort=sort, offset=offset, limit=limit,
                                            facets=list(FACET_TITLES) if facets else False,
                                            facet_size=FACET_SIZE, snippets=False)
        notes = list(results.notes)
        if results.total == 0 and getattr(results, "suggestions", None):
            notes.append("No hits. Did you mean: " + ", ".join(results.suggestions) + "?")
        return ResultPage(
            query=query, sort=results.sort, offset=offset, limit=limit, total=results.total,
            ids=[h.id for h in results.hits],
            facets={name: [FacetCount(v.value, v.count) for v in values] for name, values in results.facets.items()},
            notes=[safe_line(n) for n in notes], elapsed_ms=results.elapsed_ms, highlighter=make_highlighter(query),
        )

    def all_ids(self, query: str, *, sort: str = "relevance") -> list[str]:
        """Every hit's id (for 'tag all hits')."""
        text, sort = effective(query, sort)
        with self._lock:
            return list(self._engine().ids(text, sort=sort))

    def changed(self) -> None:
        """The case changed (tags): index the change now, so the next search sees it."""
        with self._lock:
            self._engine().sync()

    # -- saved searches -------------------------------------------------------------------------------
    def saved_searches(self) -> list[SavedSearch]:
        with self.session.reading() as case:
            return [SavedSearch(s.name, s.query) for s in search_api.list_saved(case.store)]

    def save_search(self, name: str, query: str) -> None:
        """Save (or overwrite) a named query; the query must parse. Audited by discovery.search."""
        self.session.write(lambda c: search_api.save_search(c.store, name, query, replace=True,
                                                            actor=self.session.reviewer))
