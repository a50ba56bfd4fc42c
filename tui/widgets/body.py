"""Provides MarkedText: a read-only, selectable, virtualized text view with styled spans (hits, PII)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

# Exactly the separators str.splitlines() (and so TextArea's document) splits on.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Mark:
    """A styled span of the original text, in character offsets."""

    start: int
    end: int
    style: Style


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of text and the offset where each starts in text (so any separator maps back exactly)."""
    lines: list[str] = []
    starts: list[int] = []
    last = 0
    for match in _LINE_BREAK.finditer(text):
        starts.append(last)
        lines.append(text[last : match.start()])
        last = match.end()
    starts.append(last)
    lines.append(text[last:])
    return lines, starts


class MarkedText(TextArea):
    """Shows a text with marks; a reviewer can move a cursor and select a span (shift+arrows or the mouse)."""

    DEFAULT_CSS = """
    MarkedText { border: none; padding: 0 1; }
    MarkedText:focus { border: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False, id=id, classes=classes,
                         highlight_cursor_line=False)
        self._starts: list[int] = [0]
        self._lines: list[str] = [""]
        self._line_marks: dict[int, list[tuple[int, int, Style]]] = {}
        self.original = ""

    def show(self, text: str, marks: Sequence[Mark] = ()) -> None:
        """Replace the text and its marks; the view goes back to the top."""
        self.original = text
        self._lines, self._starts = split_lines(text)
        self._line_marks = self._by_line(marks)
        self.load_text("\n".join(self._lines))
        self.scroll_home(animate=False)

    def set_marks(self, marks: Sequence[Mark]) -> None:
        """Change the marks only (the view keeps its place and selection)."""
        self._line_marks = self._by_line(marks)
        cache = getattr(self, "_line_cache", None)
        if cache is not None:
            cache.clear()
        self.refresh()

    def _by_line(self, marks: Sequence[Mark]) -> dict[int, list[tuple[int, int, Style]]]:
        out: dict[int, list[tuple[int, int, Style]]] = defaultdict(list)
        for mark in marks:
            if mark.end <= mark.start:
                continue
            first = bisect_right(self._starts, mark.start) - 1
            last = bisect_right(self._starts, max(mark.start, mark.end - 1)) - 1
            for row in range(max(first, 0), last + 1):
                begin = max(mark.start - self._starts[row], 0)
                end = min(mark.end - self._starts[row], len(self._lines[row]))
                if end > begin:
                    out[row].append((begin, end, mark.style))
        return dict(out)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end, style in self._line_marks.get(line_index, ()):
            line.stylize(style, start, end)
        return line

    # -- offsets --------------------------------------------------------------------------------------
    def offset_of(self, location: tuple[int, int]) -> int:
        row, column = location
        row = min(max(row, 0), len(self._starts) - 1)
        return self._starts[row] + min(column, len(self._lines[row]))

    def location_of(self, offset: int) -> tuple[int, int]:
        row = max(bisect_right(self._starts, offset) - 1, 0)
        return row, min(offset - self._starts[row], len(self._lines[row]))

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as (start, end) offsets into the original text, or None when nothing is selected."""
        start, end = sorted((self.selection.start, self.selection.end))
        a, b = self.offset_of(start), self.offset_of(end)
        return (a, b) if b > a else None

    def reveal(self, offset: int, end: int | None = None) -> None:
        """Scroll so an offset is in view and select up to end (or put the cursor there)."""
        start_loc = self.location_of(offset)
        end_loc = self.location_of(end) if end is not None else start_loc
        self.selection = Selection(start_loc, end_loc)
        self.scroll_cursor_visible(center=True, animate=False)
