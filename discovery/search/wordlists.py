"""Provides WordLists: each segment's words of a field, bucketed by length with a letter mask, for fast and exact
fuzzy lookup (a transposition counts as one edit). Whoosh's own lookup builds an automaton per segment and
word variant, which took seconds on a 100k-message case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from discovery.search import engine
from discovery.search.fuzzy import osa_distance

_Buckets = dict[int, list[tuple[str, int]]]


def letter_mask(word: str) -> int:
    """A bit per distinct character (hashed into 62 bits): cheap to compare, never too strict."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) % 62)
    return mask


class WordLists:
    """Kept by a long-lived Searcher; segments never change, so their lists stay valid until merged away."""

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str], _Buckets] = {}

    def within(self, searcher: engine.Searcher, fieldname: str, word: str, distance: int) -> set[str]:
        """Words of the field within ``distance`` edits of word (every word of a close length is considered;
        a letter-set test skips most of them before the exact distance is computed)."""
        if not word:
            return set()
        found: set[str] = set()
        mask = letter_mask(word)
        size = len(word)
        for key, _, leaf in engine.leaf_segments(searcher):
            buckets = self._buckets(key, leaf, fieldname)
            for length in range(max(1, size - distance), size + distance + 1):
                for candidate, cmask in buckets.get(length, ()):
                    if (mask & ~cmask).bit_count() > distance or (cmask & ~mask).bit_count() > distance:
                        continue
                    if osa_distance(word, candidate, distance) <= distance:
                        found.add(candidate)
        return found

    def _buckets(self, key: str, leaf: Any, fieldname: str) -> _Buckets:
        cached = self._lists.get((key, fieldname))
        if cached is None:
            cached = self._lists[(key, fieldname)] = _bucket(engine.leaf_terms(leaf, fieldname))
        return cached

    def forget_except(self, keys: set[str]) -> None:
        for cache_key in [k for k in self._lists if k[0] not in keys]:
            del self._lists[cache_key]


def _bucket(words: Iterable[str]) -> _Buckets:
    buckets: _Buckets = {}
    for word in words:
        buckets.setdefault(len(word), []).append((word, letter_mask(word)))
    return buckets
