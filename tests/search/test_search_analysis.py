"""The fast analysis path produces exactly what the schema's Whoosh analyzers produce; snippets and highlights."""

from __future__ import annotations

import pickle
import struct

import pytest
from search_expect import Corpus

from discovery.search import engine
from discovery.search.analysis import FieldAnalyzer, terms
from discovery.search.highlight import highlight_spans, make_snippet

TEXTS = [
    "The Face Recognition pilot — Cámaras de reconocimiento facial, São Paulo's CAFÉ 3.5 e-mail x",
    "a an the of", "", "under_score real-time 2017-004512 İstanbul ﬁle Straße",
    "Hi Dana,\n\nThe pilot (phase 1) ends June 15. Thanks!\n> quoted text here\n" * 3,
]


def _whoosh_items(analyzer: object, text: str) -> list[tuple[bytes, int, float, bytes]]:
    poses: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True):  # type: ignore[operator]
        poses.setdefault(token.text, []).append(token.pos)
    out = []
    for word, plist in poses.items():
        deltas = [b - a for a, b in zip([0, *plist], plist, strict=False)]
        out.append((word.encode("utf-8"), len(plist), float(len(plist)),
                    struct.pack("!I", len(plist)) + pickle.dumps(deltas, 2)))
    return sorted(out)


@pytest.mark.parametrize("stemmed", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_fast_postings_equal_whoosh_analyzer(text: str, stemmed: bool) -> None:
    analyzer = engine.text_analyzer() if stemmed else engine.name_analyzer()
    items, length = FieldAnalyzer(stemmed=stemmed).postings(text, 0)
    assert sorted(items) == _whoosh_items(analyzer, text)
    assert length == sum(i[1] for i in items)
    assert terms(text, stemmed=stemmed) == [t.text for t in analyzer(text)]


def test_fast_postings_on_every_sample_text(corpus: Corpus) -> None:
    stemmed, plain = FieldAnalyzer(stemmed=True), FieldAnalyzer(stemmed=False)
    text_analyzer, name_analyzer = engine.text_analyzer(), engine.name_analyzer()
    for key, row in corpus.rows.items():
        for text in (row[1] or "", row[2] or ""):
            assert sorted(stemmed.postings(text, 0)[0]) == _whoosh_items(text_analyzer, text), key
            assert sorted(plain.postings(text, 0)[0]) == _whoosh_items(name_analyzer, text), key


def test_vocabulary_keeps_unstemmed_words_with_their_first_document() -> None:
    analyzer = FieldAnalyzer(stemmed=True)
    analyzer.postings("Recognition works", 0)
    analyzer.postings("recognize the recognition", 1)
    assert analyzer.vocabulary == {"recognition": 0, "works": 0, "recognize": 1}


def test_snippet_picks_the_densest_window_and_maps_highlights() -> None:
    text = ("Intro words " * 40) + "the face\n\n  recognition pilot starts " + ("filler " * 40) + "face again"
    snippet = make_snippet("body", text, {"face", "recognit"})
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    marked = snippet.marked()
    assert "[face] [recognition] pilot" in marked
    for start, end in snippet.highlights:
        assert snippet.text[start:end].lower() in ("face", "recognition")
    assert "  " not in snippet.text and "\n" not in snippet.text


def test_snippet_without_matches_is_the_start_of_the_text() -> None:
    snippet = make_snippet("body", "Hello there. " * 50, set())
    assert snippet.text.startswith("Hello there.") and not snippet.highlights
    assert make_snippet("body", "", {"x"}).text == ""


def test_highlight_spans_match_inflections_and_accents() -> None:
    text = "Cameras, CAMERA and camera-ready; Cámaras"
    spans = highlight_spans(text, {"camera"})
    assert [text[s:e] for s, e in spans] == ["Cameras", "CAMERA", "camera"]
    assert [text[s:e] for s, e in highlight_spans(text, {"camara"})] == ["Cámaras"]
