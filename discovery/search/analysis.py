"""Provides text analysis for search: the one tokenizer/normalizer used for indexing, queries and highlights.

The rules mirror the Whoosh analyzers declared in the index schema (see ``engine.text_analyzer``): tokens
are runs of word characters, lowercased and accent-folded; for stemmed fields, stop words and one-letter
tokens are dropped (positions renumbered over what is kept, as Whoosh's StopFilter does) and the rest
Porter-stemmed. Doing it here in plain Python, with a per-writer cache, is several times faster than
Whoosh's token pipeline, and lets worker processes produce postings ready to write.
"""

from __future__ import annotations

import pickle
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from discovery.search.engine import ACCENT_MAP, STOP_WORDS, stem

WORD = re.compile(r"\w+")
_PACK_UINT = struct.Struct("!I").pack
_MISS = b"\x00miss"


def normalize(token: str) -> str:
    """Lowercase and accent-fold one token (no stemming)."""
    word = token.lower()
    return word if word.isascii() else word.translate(ACCENT_MAP)


def stem_word(word: str) -> str | None:
    """The indexed form of a normalized word in a stemmed field, or None for a stop word."""
    if len(word) < 2 or word in STOP_WORDS:
        return None
    return stem(word)


def terms(text: str, *, stemmed: bool = True) -> list[str]:
    """The terms a text is indexed as, in order (stop words removed from stemmed fields)."""
    out: list[str] = []
    for token in WORD.findall(text):
        word = normalize(token)
        term = stem_word(word) if stemmed else word
        if term is not None:
            out.append(term)
    return out


@dataclass(frozen=True, slots=True)
class Span:
    """One token of a text: where it is (characters), what it is indexed as, and its normalized word."""

    start: int
    end: int
    term: str
    word: str


def spans(text: str, *, stemmed: bool = True) -> Iterator[Span]:
    """Tokens with character offsets, for highlighting (stop words skipped in stemmed fields)."""
    for match in WORD.finditer(text):
        word = normalize(match.group())
        term = stem_word(word) if stemmed else word
        if term is not None:
            yield Span(match.start(), match.end(), term, word)


_TERMS: tuple[dict[str, str | None], dict[str, str | None]] = ({}, {})  # raw token -> term (unstemmed, stemmed)
_KEPT_TERMS = 200_000  # tokens each of those memos keeps (a long-lived process: the search server)


def matches(text: str, terms: set[str], *, stemmed: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, term) of the tokens of text indexed as one of terms, in order: spans() without building a
    Span for every token, each distinct token normalized and stemmed once (highlighting's hot loop)."""
    memo = _TERMS[stemmed]
    out = []
    for match in WORD.finditer(text):
        token = match.group()
        try:
            term = memo[token]
        except KeyError:
            word = normalize(token)
            term = stem_word(word) if stemmed else word
            if len(memo) < _KEPT_TERMS:
                memo[token] = term
        if term in terms:
            out.append((match.start(), match.end(), term))  # type: ignore[arg-type]
    return out


class FieldAnalyzer:
    """Turns field texts into Whoosh postings, caching per raw token (one instance per segment writer).

    ``postings(text)`` returns ``(items, length)`` where items are ``(term_bytes, freq, weight, value_bytes)``
    exactly as Whoosh's ``Positions`` format would produce them, and records the first document each
    normalized word was seen in (``vocabulary``), so wildcard and fuzzy queries can expand unstemmed words.
    """

    def __init__(self, *, stemmed: bool) -> None:
        self.stemmed = stemmed
        self._cache: dict[str, bytes | None] = {}
        self._encoded: dict[int | tuple[int, ...], bytes] = {}
        self.vocabulary: dict[str, int] = {}

    def _term(self, token: str, docnum: int) -> bytes | None:
        word = normalize(token)
        if self.stemmed:
            term = stem_word(word)
            if term is not None and word not in self.vocabulary:
                self.vocabulary[word] = docnum
        else:
            term = word
        value = term.encode("utf-8") if term is not None else None
        self._cache[token] = value
        return value

    def postings(self, text: str, docnum: int) -> tuple[list[tuple[bytes, int, float, bytes]], int]:
        get = self._cache.get
        mapped = [get(token, _MISS) for token in WORD.findall(text)]
        if _MISS in mapped:
            mapped = [self._term(t, docnum) if m is _MISS else m for t, m in zip(WORD.findall(text), mapped,
                                                                                  strict=True)]
        first = 0
        if None in mapped:
            for first, term in enumerate(mapped):  # noqa: B007 - Whoosh numbers from the first kept token
                if term is not None:
                    break
            kept = [term for term in mapped if term is not None]
        else:
            kept = mapped
        positions: dict[bytes, list[int]] = {}
        for pos, term in enumerate(kept, first):
            found = positions.get(term)  # type: ignore[arg-type]
            if found is None:
                positions[term] = [pos]  # type: ignore[index]
            else:
                found.append(pos)
        encoded = self._encoded
        items = []
        for term, plist in positions.items():
            freq = len(plist)
            if freq == 1:
                key: int | tuple[int, ...] = plist[0]
                value = encoded.get(key)
                if value is None:
                    value = _PACK_UINT(1) + pickle.dumps(plist, 2)
                    if len(encoded) < 200_000:
                        encoded[key] = value
            else:
                deltas = [plist[0]] + [b - a for a, b in zip(plist, plist[1:], strict=False)]
                value = _PACK_UINT(freq) + pickle.dumps(deltas, 2)
            items.append((term, freq, float(freq), value))
        return items, len(kept)
