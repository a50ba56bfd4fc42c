"""Provides facet counts (sender domains, senders, recipients' domains, tags, months, years, custodians) over
every hit, from per-segment doc-to-values lists that are built once per segment and kept while it lives."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from discovery.search import engine
from discovery.search.fields import FACETS
from discovery.search.results import FacetValue

# per segment and field: the field's terms, and for each local docnum the indexes of its terms (or None)
_Map = tuple[list[str], list[tuple[int, ...] | None]]


class FacetCache:
    """Segments never change once written (deletions only hide documents, and hits never include deleted
    ones), so a segment's maps stay valid until it is merged away."""

    def __init__(self) -> None:
        self._maps: dict[tuple[str, str], _Map] = {}

    def split(self, searcher: engine.Searcher, docnums: Sequence[int]) -> list[tuple[str, Any, Sequence[int]]]:
        """(segment key, leaf reader, local docnums) for sorted global docnums."""
        out = []
        for key, offset, leaf in engine.leaf_segments(searcher):
            end = offset + engine.segment_size(leaf)
            lo, hi = bisect_left(docnums, offset), bisect_left(docnums, end)
            if hi > lo:
                out.append((key, leaf, [d - offset for d in docnums[lo:hi]]))
        return out

    def map(self, key: str, leaf: Any, fieldname: str) -> _Map:
        cached = self._maps.get((key, fieldname))
        if cached is None:
            cached = self._maps[(key, fieldname)] = _uninvert(leaf, fieldname)
        return cached

    def forget_except(self, keys: set[str]) -> None:
        """Drop maps of segments that are no longer in the index."""
        for cache_key in [k for k in self._maps if k[0] not in keys]:
            del self._maps[cache_key]


def _uninvert(leaf: Any, fieldname: str) -> _Map:
    terms, docs = engine.uninvert(leaf, fieldname)
    per_doc: list[tuple[int, ...] | None] = [None] * engine.segment_size(leaf)
    for docnum, indexes in docs.items():
        per_doc[docnum] = tuple(indexes)
    return terms, per_doc


def count_facets(cache: FacetCache, searcher: engine.Searcher, docnums: Sequence[int],
                 names: Iterable[str], size: int = 10) -> dict[str, list[FacetValue]]:
    """The ``size`` most frequent values of each facet among the documents (months and years: all, in time
    order). A message counts once per value, even when the value is in several of its fields."""
    parts = cache.split(searcher, docnums)
    out: dict[str, list[FacetValue]] = {}
    for name in names:
        fields = FACETS[name]
        counter: Counter[str] = Counter()
        for key, leaf, local in parts:
            maps = [cache.map(key, leaf, f) for f in fields]
            if len(maps) == 1:
                terms, per_doc = maps[0]
                counts = Counter(i for d in local for i in (per_doc[d] or ()))  # counted in C
                for index, n in counts.items():
                    counter[terms[index]] += n
            else:
                for d in local:
                    values = {terms[i] for terms, per_doc in maps for i in (per_doc[d] or ())}
                    counter.update(values)
        if name == "years":
            years: Counter[str] = Counter()
            for month, n in counter.items():
                years[month[:4]] += n
            counter = years
        if name in ("months", "years"):  # a histogram: every value, in time order
            ordered = sorted(counter.items())
        else:
            ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:size or None]
        out[name] = [FacetValue(v, c) for v, c in ordered]
    return out
