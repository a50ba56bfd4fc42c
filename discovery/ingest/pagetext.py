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
    group: int = -1  # the OCR engine's line, when known (for deskewing)


def deskew(words: list[Word]) -> list[Word]:
    """Words of a slightly rotated scan moved so that each OCR line is level: the median slope of the OCR
    engine's own lines is taken out (y' = y - slope * x), so lines_from_words can group by height again."""
    groups: dict[int, list[Word]] = {}
    for word in words:
        if word.group >= 0:
            groups.setdefault(word.group, []).append(word)
    slopes: list[float] = []
    for group in groups.values():
        if len(group) < 3:
            continue
        xs = [(w.x0 + w.x1) / 2 for w in group]
        ys = [(w.y0 + w.y1) / 2 for w in group]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        if var > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var)
    if not slopes:
        return words
    slope = sorted(slopes)[len(slopes) // 2]
    if abs(slope) < 1e-4 or abs(slope) > 0.1:
        return words
    return [Word(w.x0, w.y0 - slope * (w.x0 + w.x1) / 2, w.x1, w.y1 - slope * (w.x0 + w.x1) / 2, w.text, w.group)
            for w in words]


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
            char = max((left.x1 - left.x0) / max(len(left.text), 1), height * 0.4, 1.0)
            parts.append("    " if right.x0 - left.x1 > 2.2 * char else " ")
            parts.append(right.text)
        lines.append("".join(parts))
    return lines
