"""Provides lines_from_words: a page's text rebuilt from positioned words, wide gaps kept as wide gaps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    """One word on a page and its box (x0, y0, x1, y1; y grows downwards)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def lines_from_words(words: list[Word]) -> list[str]:
    """Text lines in reading order. Words whose vertical centres agree form one line; a gap wider than about
    two characters becomes four spaces, so a table layout (label column, value column) stays recognisable."""
    if not words:
        return []
    heights = sorted(w.y1 - w.y0 for w in words)
    height = max(heights[len(heights) // 2], 1.0)
    ordered = sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0))
    rows: list[list[Word]] = []
    centre = None
    for word in ordered:
        mid = (word.y0 + word.y1) / 2
        if centre is None or abs(mid - centre) > height * 0.5:
            rows.append([word])
            centre = mid
        else:
            rows[-1].append(word)
    lines: list[str] = []
    previous_bottom = None
    for row in rows:
        row.sort(key=lambda w: w.x0)
        top = min(w.y0 for w in row)
        if previous_bottom is not None and top - previous_bottom > height * 1.2:
            lines.append("")  # a blank line where the page has vertical space
        previous_bottom = max(w.y1 for w in row)
        parts = [row[0].text]
        for left, right in zip(row, row[1:], strict=False):
            char = max((left.x1 - left.x0) / max(len(left.text), 1), 1.0)
            parts.append("    " if right.x0 - left.x1 > 2.2 * char else " ")
            parts.append(right.text)
        lines.append("".join(parts))
    return lines
