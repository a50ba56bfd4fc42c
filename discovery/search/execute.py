"""Provides Execution: runs a search plan over the index one segment at a time, on whole posting lists read in
bulk (sets for boolean logic, positions only for phrase candidates), and ranks with BM25F or by date.

Whoosh's matcher objects cost several microseconds per document in Python, so a first page over 50,000 hits
took over 200 ms with them; working on plain lists keeps it within the latency budget. Scores follow Whoosh's
BM25F (B=0.75, K1=1.2, idf = log(N / (df + 1)) + 1, quantized field lengths), with query-time field boosts.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from discovery.search import engine
from discovery.search import plan as p

# local docnums, weights (term frequencies), and for phrase terms each document's positions
Postings = tuple["array[int]", "array[float]", dict[int, tuple[int, ...]]]
K1 = 1.2
B = 0.75
_SCORABLE = set(engine.scorable_fields())


@dataclass(slots=True)
class Segment:
    key: str
    offset: int
    leaf: Any
    size: int
    deleted: frozenset[int]


class SegmentCache:
    """Per-segment arrays (dates, threads, field lengths) kept while a segment exists; segments never change
    once written, and documents deleted since are filtered out of every result."""

    POSTINGS_BUDGET = 4_000_000  # postings kept across searches (about 40 MB), least recently used dropped first

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], Any] = {}
        self._postings: dict[tuple[str, str, str, bool], Postings] = {}
        self._held = 0
        self._decoded: dict[bytes, tuple[int, ...]] = {}

    def _positions(self, value: bytes) -> tuple[int, ...]:
        """Decoded positions, memoized: most postings hold one position and share a handful of encodings."""
        found = self._decoded.get(value)
        if found is None:
            found = tuple(engine.decode_positions(value))
            if len(self._decoded) < 200_000:
                self._decoded[value] = found
        return found

    def postings(self, segment: Segment, fieldname: str, text: str, values: bool) -> Postings:
        """A term's postings in a segment, kept for later searches (paging, refining a query, the next user)."""
        key = (segment.key, fieldname, text, values)
        found = self._postings.pop(key, None)  # re-inserted below: the dict's order is the LRU order
        if found is None:
            ids, weights, raw = engine.term_postings(segment.leaf, fieldname, text, values=values)
            decode = self._positions
            where = {d: decode(v) for d, v in zip(ids, raw, strict=True)} if values else {}
            found = (array("I", ids), array("f", weights), where)
            self._held += len(ids)
            while self._held > self.POSTINGS_BUDGET and self._postings:
                oldest = next(iter(self._postings))
                self._held -= len(self._postings.pop(oldest)[0])
        self._postings[key] = found
        return found

    def get(self, segment: Segment, name: str, build: Callable[[], Any]) -> Any:
        key = (segment.key, name)
        value = self._data.get(key)
        if value is None:
            value = self._data[key] = build()
        return value

    def put(self, segment: Segment, name: str, value: Any) -> None:
        self._data[(segment.key, name)] = value

    def forget_except(self, keys: set[str]) -> None:
        for key in [k for k in self._data if k[0] not in keys]:
            del self._data[key]
        for pkey in [k for k in self._postings if k[0] not in keys]:
            self._held -= len(self._postings.pop(pkey)[0])


@dataclass(slots=True)
class Ranked:
    """One page of global docnums with their scores (None when sorted by date), every match, and per-thread
    hit counts when collapsed to one row per thread."""

    docnums: list[int]
    scores: list[float | None]
    all_docnums: list[int]
    threads: Counter[str] | None = None
    thread_of: dict[int, str] = field(default_factory=dict)


class Execution:
    """One plan on one open searcher (postings read once and shared by matching and scoring)."""

    def __init__(self, searcher: engine.Searcher, cache: SegmentCache) -> None:
        self.searcher = searcher
        self.cache = cache
        self.segments = [
            Segment(key, offset, leaf, engine.segment_size(leaf), engine.segment_deleted(leaf))
            for key, offset, leaf in engine.leaf_segments(searcher)
        ]
        self._phrase_tf: dict[tuple[str, p.Phrase], dict[int, int]] = {}
        self._stats: dict[tuple[str, str], engine.TermStats] = {}

    # -- matching -----------------------------------------------------------------------------------
    def docs(self, node: p.Node) -> list[int]:
        """Every live document matching the plan, as sorted global docnums."""
        return [seg.offset + d for seg, local in self._matches(node) for d in sorted(local)]

    def _matches(self, node: p.Node) -> list[tuple[Segment, set[int]]]:
        out = []
        for seg in self.segments:
            local = self._docs(node, seg)
            if seg.deleted:
                local -= seg.deleted
            out.append((seg, local))
        return out

    def _postings_of(self, seg: Segment, fieldname: str, text: str, values: bool = False) -> Postings:
        return self.cache.postings(seg, fieldname, text, values)

    def _docs(self, node: p.Node, seg: Segment) -> set[int]:
        if isinstance(node, p.Term):
            return set(self._postings_of(seg, node.field, node.text)[0])
        if isinstance(node, p.Phrase):
            return set(self._phrase_counts(node, seg))
        if isinstance(node, p.And):
            result: set[int] | None = None
            for item in node.items:
                docs = self._docs(item, seg)
                result = docs if result is None else result & docs
                if not result:
                    return set()
            return result or set()
        if isinstance(node, p.Or):
            union: set[int] = set()
            for item in node.items:
                union |= self._docs(item, seg)
            return union
        if isinstance(node, p.AndNot):
            positive = self._docs(node.positive, seg)
            return positive - self._docs(node.negative, seg) if positive else positive
        if isinstance(node, p.DateIn):
            return self._dated(node, seg)
        if isinstance(node, p.All):
            return set(range(seg.size))
        return set()

    def _dated(self, node: p.DateIn, seg: Segment) -> set[int]:
        dates = self.cache.get(seg, "date", lambda: engine.date_values(seg.leaf))
        low = engine.date_value(node.start) if node.start is not None else 1
        high = engine.date_value(node.end) if node.end is not None else None
        if high is None:
            return {d for d, v in enumerate(dates) if v >= low}
        return {d for d, v in enumerate(dates) if low <= v < high}

    def _phrase_counts(self, node: p.Phrase, seg: Segment) -> dict[int, int]:
        """Documents where the phrase (or the near group) occurs, with how many times."""
        key = (seg.key, node)
        found = self._phrase_tf.get(key)
        if found is not None:
            return found
        lists = [self._postings_of(seg, node.field, t, values=True) for t in node.terms]
        candidates: set[int] | None = None
        for ids, _, _ in lists:
            candidates = set(ids) if candidates is None else candidates & set(ids)
            if not candidates:
                self._phrase_tf[key] = {}
                return {}
        maps = [where for _, _, where in lists]
        counts: dict[int, int] = {}
        if len(maps) == 2 and node.near is None:  # the common case, without the general machinery
            first, second = maps
            for doc in candidates or ():
                after = second[doc]
                n = sum(1 for x in first[doc] if x + 1 in after)
                if n:
                    counts[doc] = n
        else:
            for doc in candidates or ():
                found = [m[doc] for m in maps]
                n = _near_count(found, node.near) if node.near is not None else _phrase_count(found)
                if n:
                    counts[doc] = n
        self._phrase_tf[key] = counts
        return counts

    def tally(self, node: p.Node, *, threads: bool) -> Ranked:
        """Every match and, with ``threads``, the hits per thread, without ranking (an empty page)."""
        docs = self.docs(node)
        if not threads:
            return Ranked([], [], docs)
        thread_of = self._global(docs, "thread", lambda seg: engine.thread_values(seg.leaf))
        return Ranked([], [], docs, Counter(thread_of.values()), thread_of)

    # -- ranking ------------------------------------------------------------------------------------
    def rank(self, node: p.Node, *, sort: str, offset: int, limit: int | None, threads: bool) -> Ranked:
        matches = self._matches(node)
        docs = [seg.offset + d for seg, local in matches for d in sorted(local)]
        if not docs:
            return Ranked([], [], [], Counter() if threads else None)
        top = None if limit is None or threads else offset + limit
        partial = top is not None and top < len(docs) // 4
        scores: dict[int, float] | None = None
        if sort == "relevance":
            scores = self._scores(node, matches)
            # Equal scores (every hit of a filter-only query) go newest first, so that the order does not depend
            # on how the index happened to be built (segments, merges, incremental or rebuilt).
            # Only the documents that can reach the page need their dates: those scoring at least the top-th score.
            candidates = docs
            if partial and top and len(scores) >= top:
                floor = heapq.nlargest(top, scores.values())[-1]
                if floor > 0:  # else documents matched only through filters (score 0) may tie with it
                    candidates = [d for d, v in scores.items() if v >= floor]
            dates = self._global(candidates, "date", lambda seg: engine.date_values(seg.leaf))
            score_of = scores.get
            keyed = [(-round(score_of(d, 0.0), 9), 0 if dates[d] else 1, -(dates[d] or 0), d) for d in candidates]
            chosen = heapq.nsmallest(top, keyed) if partial and top is not None else sorted(keyed)
            ordered = [k[3] for k in chosen]
        else:
            dates = self._global(docs, "date", lambda seg: engine.date_values(seg.leaf))
            sign = -1 if sort == "newest" else 1
            keyed = [(0 if dates[d] else 1, sign * dates[d], d) for d in docs]  # undated last either way
            chosen = heapq.nsmallest(top, keyed) if partial and top is not None else sorted(keyed)
            ordered = [d for _, _, d in chosen]
        thread_counts = None
        thread_of: dict[int, str] = {}
        if threads:
            thread_of = self._global(docs, "thread", lambda seg: engine.thread_values(seg.leaf))
            thread_counts = Counter(thread_of.values())
            seen: set[str] = set()
            collapsed = []
            for doc in ordered:
                if thread_of[doc] not in seen:
                    seen.add(thread_of[doc])
                    collapsed.append(doc)
            ordered = collapsed
        end = None if limit is None else offset + limit
        page = ordered[offset:end]
        page_scores: list[float | None] = [scores.get(d, 0.0) if scores is not None else None for d in page]
        return Ranked(page, page_scores, docs, thread_counts, thread_of)

    def _global(self, docs: list[int], name: str, build: Callable[[Segment], list[Any]]) -> dict[int, Any]:
        """A per-segment column, as global docnum -> value for these documents."""
        out: dict[int, Any] = {}
        bounds = [seg.offset + seg.size for seg in self.segments]
        index = 0
        for doc in docs:  # docs are sorted, segments in offset order
            while doc >= bounds[index]:
                index += 1
            seg = self.segments[index]
            values = self.cache.get(seg, name, lambda seg=seg: build(seg))
            out[doc] = values[doc - seg.offset]
        return out

    def _scores(self, node: p.Node, matches: list[tuple[Segment, set[int]]]) -> dict[int, float]:
        """Relevance of every match (global docnum -> score, in docnum order): the sum over the query's terms
        and phrases (not those under a negation) of their BM25F score."""
        positive = [leaf for leaf, counts in p.leaves(node) if counts]
        plain = isinstance(node, p.Term | p.Phrase) or (
            isinstance(node, p.Or) and all(isinstance(i, p.Term | p.Phrase) for i in node.items))
        scores: dict[int, float] = {}
        for seg, local in matches:
            if not local:
                continue
            # when the plan is a term or an OR of terms, every posting is a match: no need to check
            keep = None if plain and not seg.deleted else local
            parts = [part for part in (self._leaf_scores(leaf, seg, keep) for leaf in positive) if part[0]]
            base = seg.offset
            if len(parts) == 1:
                ids, values = parts[0]
                scores.update(zip((base + d for d in ids), values, strict=True))
                continue
            summed: dict[int, float] = {}
            for ids, values in parts:
                get = summed.get
                for d, v in zip(ids, values, strict=True):
                    summed[d] = get(d, 0.0) + v
            for d in sorted(summed):
                scores[base + d] = summed[d]
        return scores

    def _leaf_scores(self, leaf: p.Term | p.Phrase, seg: Segment, keep: set[int] | None
                     ) -> tuple[Any, list[float]]:
        """(local docnums, scores) of one term or phrase in one segment, for the documents in ``keep``."""
        if isinstance(leaf, p.Term):
            ids, weights, _ = self._postings_of(seg, leaf.field, leaf.text)
            idf = self._idf(leaf.field, leaf.text)
        else:
            counts = self._phrase_counts(leaf, seg)
            ids = sorted(counts)
            weights = [float(counts[d]) for d in ids]
            idf = sum(self._idf(leaf.field, t) for t in leaf.terms)
        if keep is not None:
            pairs = [(d, w) for d, w in zip(ids, weights, strict=True) if d in keep]
            ids, weights = [d for d, _ in pairs], [w for _, w in pairs]
        if not len(ids):
            return [], []
        if leaf.field not in _SCORABLE:
            return ids, [w * leaf.boost for w in weights]
        average = self._stat(leaf.field, leaf.terms[0] if isinstance(leaf, p.Phrase) else leaf.text).average_length
        norm = self._norms(seg, leaf.field, average)
        scale = idf * (K1 + 1) * leaf.boost
        return ids, [scale * w / (w + norm[d]) for d, w in zip(ids, weights, strict=True)]

    def _norms(self, seg: Segment, fieldname: str, average: float) -> list[float]:
        """BM25's length normalization per document, K1 * (1 - B + B * length / average length)."""
        cached = self.cache.get(seg, f"norm:{fieldname}", lambda: (None, []))
        if cached[0] != average:
            lengths = self.cache.get(seg, f"len:{fieldname}", lambda: engine.field_lengths(seg.leaf, fieldname))
            base, per_length = K1 * (1 - B), K1 * B / average
            cached = (average, [base + per_length * n for n in lengths])
            self.cache.put(seg, f"norm:{fieldname}", cached)
        return cached[1]

    def _stat(self, fieldname: str, text: str) -> engine.TermStats:
        key = (fieldname, text)
        found = self._stats.get(key)
        if found is None:
            found = self._stats[key] = engine.term_stats(self.searcher, fieldname, text)
        return found

    def _idf(self, fieldname: str, text: str) -> float:
        stats = self._stat(fieldname, text)
        return math.log(stats.documents / (stats.doc_frequency + 1)) + 1


def _phrase_count(positions: list[tuple[int, ...]]) -> int:
    """How many times the terms occur at consecutive positions."""
    first, rest = positions[0], positions[1:]
    return sum(1 for start in first if all(start + i in ps for i, ps in enumerate(rest, 1)))


def _near_count(positions: list[tuple[int, ...]], near: int) -> int:
    """How many windows hold every term with at most ``near`` other words between them (any order)."""
    events = sorted((pos, i) for i, ps in enumerate(positions) for pos in ps)
    k = len(positions)
    width = near + k - 1  # max(position) - min(position) allowed
    count = 0
    last: dict[int, int] = {}
    for pos, i in events:
        last[i] = pos
        if len(last) == k and pos - min(last.values()) <= width:
            count += 1
    return count
