"""Ranking, date order, pagination, one row per thread, facet counts and snippets on the samples case."""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from search_expect import Corpus, hit_ids
from search_mail import filler, write_eml

from discovery.case import Case
from discovery.search.output import indented_json, write_json
from discovery.search.results import Hit
from discovery.search.searcher import Searcher


def test_relevance_weights_subject_above_body(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_eml(source, "a.eml", subject="Zeppelin procurement", body=filler(60, 1))
    write_eml(source, "b.eml", subject=filler(2, 2), body=filler(29, 2) + " zeppelin procurement " + filler(29, 3))
    with Case(tmp_path / "case") as case:
        case.ingest([source])
        results = case.search("zeppelin")
    assert [h.subject for h in results.hits][0] == "Zeppelin procurement"
    assert results.hits[0].score > results.hits[1].score > 0  # type: ignore[operator]


def test_date_sort_both_ways(searcher: Searcher) -> None:
    newest = searcher.search("pilot", sort="date", limit=None, snippets=False)
    dates = [h.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True) and newest.hits[0].score is None
    oldest = searcher.search("pilot", sort="oldest", limit=None, snippets=False)
    assert [h.date for h in oldest.hits] == sorted(dates)
    assert {h.id for h in oldest.hits} == {h.id for h in newest.hits}


def test_pages_concatenate_to_the_full_list(searcher: Searcher) -> None:
    for sort in ("relevance", "newest"):
        full = [h.id for h in searcher.search("camera", sort=sort, limit=None, snippets=False).hits]
        assert len(full) > 25
        pages = []
        for offset in range(0, len(full), 10):
            page = searcher.search("camera", sort=sort, offset=offset, limit=10, snippets=False)
            assert page.total == len(full) and [h.rank for h in page.hits] == list(range(offset + 1,
                                                                                          offset + 1 + len(page.hits)))
            pages += [h.id for h in page.hits]
        assert pages == full


def test_one_row_per_thread(searcher: Searcher, corpus: Corpus) -> None:
    hits = hit_ids(searcher, "pilot")
    threads = Counter((corpus.rows[k][4] or k).lower() for k in hits)
    for sort in ("relevance", "newest"):
        collapsed = searcher.search("pilot", sort=sort, limit=None, threads=True, snippets=False)
        assert collapsed.total == len(hits)
        assert collapsed.threads == len(threads) == len(collapsed.hits)
        seen = [(h.thread_id or h.id).lower() for h in collapsed.hits]
        assert len(seen) == len(set(seen)) and set(seen) == set(threads)
        assert {(h.thread_id or h.id).lower(): h.thread_hits for h in collapsed.hits} == dict(threads)
        assert all(h.id in hits for h in collapsed.hits)
    page = searcher.search("pilot", threads=True, limit=5, offset=5, snippets=False)
    assert len(page.hits) == 5 and page.threads == len(threads)


def test_facet_counts_match_the_store(searcher: Searcher, corpus: Corpus) -> None:
    query = "pilot OR camera"
    hits = hit_ids(searcher, query)
    results = searcher.search(query, limit=1, facets=True, facet_size=0, snippets=False)
    facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
    db = corpus.db

    def count(sql: str) -> dict[str, int]:
        counter: Counter[str] = Counter()
        for key, value in db.execute(sql):
            if key in hits and value:
                counter[value.lower()] += 1
        return dict(counter)

    assert facets["sender_domains"] == count("SELECT id, from_domain FROM messages")
    assert facets["senders"] == count("SELECT id, from_email FROM messages")
    assert facets["recipient_domains"] == count(
        "SELECT DISTINCT message_id, domain FROM addresses WHERE role IN ('to', 'cc', 'bcc')")
    assert facets["tags"] == count("SELECT mt.message_id, t.name FROM message_tags mt JOIN tags t ON t.id = mt.tag_id")
    assert facets["months"] == count("SELECT id, substr(date_utc, 1, 7) FROM messages")
    assert list(facets["months"]) == sorted(facets["months"])
    assert facets["years"] == count("SELECT id, substr(date_utc, 1, 4) FROM messages")
    assert facets["custodians"] == count("SELECT DISTINCT message_id, custodian FROM provenance")
    top = searcher.search(query, limit=0, facets=["senders"], facet_size=3).facets["senders"]
    assert [v.count for v in top] == sorted(facets["senders"].values(), reverse=True)[:3]


def test_snippets_highlight_what_matched(searcher: Searcher) -> None:
    results = searcher.search('"face recognition" pilot', limit=10)
    assert results.hits
    for hit in results.hits:
        assert hit.snippet is not None
        words = {hit.snippet.text[s:e].lower() for s, e in hit.snippet.highlights}
        words |= {hit.subject[s:e].lower() for s, e in hit.subject_highlights}
        assert words and words <= {"face", "faces", "recognition", "pilot", "pilots", "piloting", "piloted"}, words


def test_attachment_only_matches_get_an_attachment_snippet(searcher: Searcher) -> None:
    results = searcher.search("attachment:volunteers -body:volunteers -subject:volunteers", limit=5)
    for hit in results.hits:
        assert hit.snippet is not None and hit.snippet.field == "attachment"
        assert hit.snippet.highlights


def test_results_serialize(searcher: Searcher) -> None:
    data = searcher.search("pilot", limit=2, facets=["months"]).to_dict()
    assert set(data) == {"query", "total", "threads", "offset", "limit", "sort", "hits", "facets", "notes",
                         "suggestions", "elapsed_ms"}
    hit = data["hits"][0]  # type: ignore[index]
    assert set(hit) == {"rank", "id", "score", "date", "sender", "sender_email", "recipients", "subject",
                        "subject_highlights", "snippet", "thread_id", "thread_hits", "tags", "attachments",
                        "to", "cc", "custodians", "sources"}
    assert hit["sources"] and all(Path(s.split("!")[0]).is_absolute() for s in hit["sources"])


def _as_dataclasses_give_it(hit: Hit) -> dict[str, object]:
    """Hit.to_dict as it was built from dataclasses.asdict (spans as lists)."""
    data = asdict(hit)
    data["subject_highlights"] = [list(s) for s in hit.subject_highlights]
    if hit.snippet is not None:
        data["snippet"] = {"field": hit.snippet.field, "text": hit.snippet.text,
                           "highlights": [list(s) for s in hit.snippet.highlights]}
    return data


@pytest.mark.parametrize("query", ["pilot", "attachment:volunteers", "*", "from:@cirrusweb.example", "zzxqnothing"])
def test_json_output_is_json_dumps_indented(searcher: Searcher, query: str) -> None:
    """The JSON printed (built per value with the C encoder) is byte for byte json.dumps(indent=2)'s, and each
    hit's dict is the one dataclasses.asdict gave, key order included."""
    for options in ({"facets": True}, {"threads": True, "limit": None}, {"sort": "newest", "snippets": False}):
        results = searcher.search(query, **options)  # type: ignore[arg-type]
        for hit in results.hits:
            assert list(hit.to_dict().items()) == list(_as_dataclasses_give_it(hit).items())
        data = results.to_dict()
        assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)
        out = io.StringIO()
        write_json(results, out)
        assert json.loads(out.getvalue()) == json.loads(json.dumps(data))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none(), inner,
                      max_size=4),
    max_leaves=20)


@given(_JSON)
def test_indented_json_is_json_dumps_indented(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)
