"""Tests of the TUI's plain helpers: line offsets, the published preview, facet clauses, highlights, rows."""

from __future__ import annotations

from pathlib import Path

from discovery.tui.data.pii import BLOCK, field_rank, redacted
from discovery.tui.data.rows import summaries, thread_nodes
from discovery.tui.data.search import facet_clause, make_highlighter, narrow
from discovery.tui.widgets.body import split_lines

from discovery.case import Case
from discovery.search import Searcher


def test_split_lines_maps_every_separator_back_to_the_original() -> None:
    text = "one\r\ntwo\rthree\nfour\u2028five\x0csix\n"
    lines, starts = split_lines(text)
    assert lines == text.splitlines() + [""]
    for line, start in zip(lines, starts, strict=True):
        assert text[start : start + len(line)] == line


def test_redacted_keeps_length_and_whitespace() -> None:
    text = "Call Dana Whitfield\nat 503-555-0100."
    out = redacted(text, [(5, 19), (23, 35)])
    assert len(out) == len(text)
    assert out[5:19] == BLOCK * 4 + " " + BLOCK * 9 and out[19] == "\n"
    assert out[:5] == "Call " and out[-1] == "."


def test_facet_clauses_use_the_search_language() -> None:
    assert facet_clause("sender_domains", "cirrusweb.example") == "from:@cirrusweb.example"
    assert facet_clause("tags", "hot lead") == 'tag:"hot lead"'
    assert facet_clause("months", "2018-05") == "date:2018-05"
    assert narrow("", "tag:x") == "tag:x"
    assert narrow("camera OR drone", "tag:x") == "(camera OR drone) tag:x"
    assert narrow("camera tag:x", "tag:x") == "camera tag:x"


def test_highlighter_finds_stemmed_words_and_wildcards() -> None:
    highlight = make_highlighter('body:cameras "face recognition" -drone sub*')
    assert highlight is not None
    text = "The camera and face recognition; no drone. Subpoena."
    spans = highlight("body", text)
    words = [text[s:e] for s, e in spans]
    assert "camera" in words and "face" in words and "recognition" in words and "Subpoena" in words
    assert "drone" not in words
    assert highlight("subject", "camera") == []  # body: only
    assert make_highlighter("") is None and make_highlighter("from:someone@example.org") is None


def test_field_rank_reads_like_a_message() -> None:
    keys = ["header:Received", "body", "attachment:0", "address:cc:0", "subject", "address:from:0"]
    assert sorted(keys, key=field_rank) == ["subject", "address:from:0", "address:cc:0", "body", "attachment:0",
                                            "header:Received"]


def test_summaries_and_thread_nodes_match_the_store(indexed_case: Path) -> None:
    with Case(indexed_case, create=False) as case, Searcher(case.store) as searcher:
        ids = searcher.ids("*", sort="newest")[:50]
        rows = summaries(case.store, ids)
        assert [r.id for r in rows] == ids
        for row in rows[:5]:
            message = case.message(row.id)
            assert row.subject == message.subject and row.attachments == len(message.attachments)
        thread = rows[0].thread_id
        assert thread is not None
        nodes = thread_nodes(case.store, thread)
        assert rows[0].id in {n.id for n in nodes}
