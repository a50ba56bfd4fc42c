"""Provides snippets: the best passage of a text for a set of indexed terms, with highlight spans (pure)."""

from __future__ import annotations

import re

from discovery.search.analysis import matches as term_matches
from discovery.search.results import Snippet, Span

WIDTH = 220
_SPACE = re.compile(r"\s+")


def highlight_spans(text: str, terms: set[str], *, stemmed: bool = True) -> tuple[Span, ...]:
    """Character spans of the tokens of text that are indexed as one of terms."""
    if not terms or not text:
        return ()
    return tuple((start, end) for start, end, _ in term_matches(text, terms, stemmed=stemmed))


def make_snippet(field: str, text: str, terms: set[str], *, stemmed: bool = True, width: int = WIDTH) -> Snippet:
    """The window of about ``width`` characters holding the most distinct matched terms (earliest wins),
    whitespace collapsed, with highlight spans relative to the snippet."""
    matches = term_matches(text, terms, stemmed=stemmed) if terms and text else []
    if not matches:
        return _window(field, text, 0, width, [])
    best_start, best_key = 0, (-1, -1)
    for i, (first_start, _, _) in enumerate(matches):
        start = max(0, first_start - width // 5)
        inside = [m for m in matches[i:] if m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best_key:
            best_key, best_start = key, start
    return _window(field, text, best_start, width, [(m[0], m[1]) for m in matches])


def _window(field: str, text: str, start: int, width: int, found: list[Span]) -> Snippet:
    end = min(len(text), start + width)
    if start > 0:  # begin at a word boundary
        space = text.rfind(" ", max(0, start - 15), start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.find(" ", end, end + 15)
        end = space if space >= 0 else end
    spans_in = [(s - start, e - start) for s, e in found if s >= start and e <= end]
    piece, mapped = _collapse(text[start:end], spans_in)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return Snippet(field, prefix + piece + suffix, tuple((s + shift, e + shift) for s, e in mapped))


def _collapse(piece: str, found: list[Span]) -> tuple[str, list[Span]]:
    """Collapse runs of whitespace to one space (and strip), moving the spans along."""
    out: list[str] = []
    new_index = [0] * (len(piece) + 1)
    pos = 0
    last = 0
    for match in _SPACE.finditer(piece):
        for k in range(last, match.start()):
            new_index[k] = pos
            pos += 1
        out.append(piece[last:match.start()])
        for k in range(match.start(), match.end()):
            new_index[k] = pos
        out.append(" ")
        pos += 1
        last = match.end()
    for k in range(last, len(piece)):
        new_index[k] = pos
        pos += 1
    out.append(piece[last:])
    new_index[len(piece)] = pos
    joined = "".join(out)
    lead = len(joined) - len(joined.lstrip())
    stripped = joined.strip()
    mapped = [(new_index[s] - lead, new_index[e] - lead) for s, e in found]
    return stripped, [(s, e) for s, e in mapped if 0 <= s < e <= len(stripped)]
