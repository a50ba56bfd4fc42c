"""Whoosh pitfalls reproduced on whoosh-reloaded 2.7.5 (through engine's stock_* helpers), each next to the
guard that keeps discovery's results right. (Stale searchers and file handles: test_search_index.py.)"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from search_expect import hit_ids
from search_mail import write_eml

from discovery.case import Case
from discovery.search import engine
from discovery.search.indexer import index_dir
from discovery.search.query import DateRange, parse
from discovery.search.searcher import Searcher


@pytest.fixture
def small(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    write_eml(source, "a.eml", subject="Budget", body="beta only here", date="Mon, 04 Feb 2019 10:00:00 +0000")
    write_eml(source, "b.eml", subject="Update", body="alpha and beta", date="Tue, 05 Feb 2019 10:00:00 +0000")
    write_eml(source, "c.eml", subject="Talks", body="alpha: the merger talks", date="Sun, 01 Sep 2019 10:00:00 +0000")
    with Case(tmp_path / "case") as case:
        case.ingest([source])
    return tmp_path / "case"


def test_date_parser_plugin_reads_a_half_year_as_the_whole_year(small: Path) -> None:
    start, end = engine.stock_date_parser("date:[2019-01-01 to 2019-06-30]")
    assert start == datetime(2019, 1, 1) and end is not None and end >= datetime(2019, 12, 31)  # the pitfall
    node = parse("date:2019-01-01..2019-06-30")
    assert isinstance(node, DateRange) and (node.start, node.end) == (datetime(2019, 1, 1), datetime(2019, 7, 1))
    with Case(small) as case, case.searcher() as searcher:
        assert {h.subject for h in searcher.search("date:2019-01-01..2019-06-30").hits} == {"Budget", "Update"}


def test_fuzzy_transposition_is_one_edit(small: Path) -> None:
    with Case(small) as case, case.searcher() as searcher:
        raw = engine.open_searcher(engine.open_index(index_dir(small)))
        try:
            assert engine.stock_fuzzy_docs(raw, "body", "mreger", 1) == set()  # the pitfall
            assert engine.stock_fuzzy_docs(raw, "body", "merger", 1)
        finally:
            raw.close()
        assert [h.subject for h in searcher.search("mreger~1").hits] == ["Talks"]
        assert [h.subject for h in searcher.search("body:mreger~").hits] == ["Talks"]
        results = searcher.search("mreger~1")
        assert any("merger" in note for note in results.notes)


def test_writer_raises_lock_error_at_once_without_timeout(small: Path) -> None:
    ix = engine.open_index(index_dir(small))
    first = engine.stock_writer(ix)
    try:
        started = time.monotonic()
        with pytest.raises(engine.IndexLocked):
            engine.stock_writer(ix)  # the pitfall: no waiting at all
        assert time.monotonic() - started < 0.5
        started = time.monotonic()
        with pytest.raises(engine.IndexLocked):
            engine.FastWriter(ix, lock=True, timeout=0.4)  # ours waits for the given time
        assert time.monotonic() - started >= 0.35
    finally:
        first.cancel()


def test_and_not_does_not_leak_its_first_document(small: Path) -> None:
    """Whoosh's AndNotMatcher let 'alpha -beta' return the 'alpha and beta' message when the excluded term's
    postings started before the required term's (fixed by engine._AndNotMatcher)."""
    with Case(small) as case, case.searcher() as searcher:
        assert {h.subject for h in searcher.search("alpha -beta").hits} == {"Talks"}
        assert searcher.count("alpha -beta") == 1
        assert hit_ids(searcher, "alpha NOT beta") == hit_ids(searcher, "alpha -beta")


def test_suggestions_are_words_not_stems(small: Path, searcher: Searcher) -> None:
    with Case(small) as case, case.searcher() as own:
        assert own.search("mergre").suggestions == ["merger"]
    results = searcher.search("recogniton")
    assert results.total == 0 and "recognition" in results.suggestions
    assert all(engine.stem(s) != s or s.isalpha() for s in results.suggestions)
    assert "recognit" not in results.suggestions
