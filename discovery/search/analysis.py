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
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import sub

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
    exactly as Whoosh's ``Positions`` format would produce them; ``add_postings`` appends the same values straight
    to a segment writer's per-term lists (the indexing path). Both record the first document each normalized
    word was seen in (``vocabulary``), so wildcard and fuzzy queries can expand unstemmed words.
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

    def positions(self, text: str, docnum: int) -> tuple[dict[bytes, list[int]], int]:
        """Each term of the text with its positions (ascending), and the number of tokens kept (the field
        length). Positions are numbered over the kept tokens, from the first kept token's place in the text, as
        Whoosh's StopFilter numbers them."""
        tokens = WORD.findall(text)
        mapped = list(map(self._cache.get, tokens, repeat(_MISS)))  # in C: most tokens are known
        if _MISS in mapped:  # analyse each new distinct token once, then map again in C
            cache, term = self._cache, self._term
            for token in set(tokens).difference(cache):
                term(token, docnum)
            mapped = list(map(cache.__getitem__, tokens))
        first = 0
        if None in mapped:
            for first, term in enumerate(mapped):  # noqa: B007 - Whoosh numbers from the first kept token
                if term is not None:
                    break
            kept = [term for term in mapped if term is not None]
        else:
            kept = mapped
        positions: dict[bytes, list[int]] = {}
        add = positions.setdefault
        for pos, term in enumerate(kept, first):
            add(term, []).append(pos)  # type: ignore[arg-type]
        return positions, len(kept)

    def value(self, plist: list[int]) -> bytes:
        """The Positions-format value of one posting: the frequency, then the pickled position deltas."""
        if len(plist) == 1:
            key = plist[0]
            value = self._encoded.get(key)
            if value is None:
                value = _PACK_UINT(1) + pickle.dumps(plist, 2)
                if len(self._encoded) < 200_000:
                    self._encoded[key] = value
            return value
        return _PACK_UINT(len(plist)) + pickle.dumps([plist[0], *map(sub, plist[1:], plist)], 2)

    def add_postings(self, text: str, docnum: int, fterms: dict[bytes, tuple[array[int], list[bytes]]]) -> int:
        """Append the text's postings for document ``docnum`` to a segment writer's per-term lists (term ->
        (document numbers, values)) and return the field length: no intermediate posting tuples."""
        positions, length = self.positions(text, docnum)
        encoded = self._encoded
        get = fterms.get
        for term, plist in positions.items():
            value = encoded.get(plist[0]) if len(plist) == 1 else None
            if value is None:
                value = self.value(plist)
            entry = get(term)
            if entry is None:
                fterms[term] = (array("I", (docnum,)), [value])
            else:
                entry[0].append(docnum)
                entry[1].append(value)
        return length

    def postings(self, text: str, docnum: int) -> tuple[list[tuple[bytes, int, float, bytes]], int]:
        positions, length = self.positions(text, docnum)
        return [(term, len(plist), float(len(plist)), self.value(plist)) for term, plist in positions.items()], length
