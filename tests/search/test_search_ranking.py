"""Relevance ranking of equal scores does not depend on how the index was built: they go newest first.

(Scored queries can move slightly between an incremental index and a rebuilt one: like every Lucene-style
engine, Whoosh keeps deleted documents in its length statistics until segments merge.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import discovery.search.indexer as indexer
from discovery.search.indexer import rebuild_index
from discovery.search.searcher import Searcher
from discovery.store import Store

FILTER_ONLY = "from:@cirrusweb.example"  # no scored term: every hit has the same score


def _order(store: Store, query: str) -> list[tuple[str, str | None]]:
    with Searcher(store, auto_update=False) as searcher:
        results = searcher.search(query, sort="relevance", limit=None)
    return [(hit.id, hit.date) for hit in results.hits]


def test_equal_scores_go_newest_first(searcher: Searcher) -> None:
    hits = searcher.search(FILTER_ONLY, sort="relevance", limit=None).hits
    assert len(hits) > 20
    dates = [hit.date or "" for hit in hits]
    assert dates == sorted(dates, reverse=True)


def test_order_is_the_same_however_the_index_was_built(case_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(case_copy) as store:
        before = {q: _order(store, q) for q in (FILTER_ONLY, "has:attachment", "date:2018")}
        monkeypatch.setattr(indexer, "PARALLEL_MIN", 10)
        monkeypatch.setattr(indexer, "SEGMENT_DOCS", 50)  # a different segment layout and docnum order
        report = rebuild_index(store, jobs=2)
        assert report.segments >= 3
        after = {q: _order(store, q) for q in before}
    assert after == before
