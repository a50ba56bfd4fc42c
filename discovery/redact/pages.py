"""Provides paginate: the published text of a document cut into fixed-width, fixed-length pages (one Bates
number each), the same pages in every format."""

from __future__ import annotations

import re

from discovery.redact.labels import LABEL_PATTERN
from discovery.redact.production import PAGE_LINES, PAGE_WIDTH

_QUOTE = re.compile(r"^(?:> ?)+")


def _cut(line: str, width: int) -> int:
    """Where to break a line longer than width: the last space, else width, never inside a label."""
    space = line.rfind(" ", 1, width + 1)
    cut = space if space > 0 else width
    for m in LABEL_PATTERN.finditer(line, 0, cut + 30):
        if m.start() < cut < m.end():
            cut = m.start() if m.start() > 0 else m.end()
            break
    return cut


def wrap_line(line: str, width: int = PAGE_WIDTH) -> list[str]:
    """One logical line as printed lines of at most ``width`` characters (a label longer than the width
    excepted)."""
    line = line.rstrip()
    quote = _QUOTE.match(line)
    prefix = quote.group(0) if quote and len(quote.group(0)) < width // 2 else ""  # a quoted line stays quoted
    out: list[str] = []
    while len(line) > width:
        cut = _cut(line, width)
        if cut <= len(prefix):  # no space to break at after the quote prefix: cut the word
            cut = width
        out.append(line[:cut].rstrip())
        rest = line[cut:].lstrip(" ")
        line = prefix + rest if prefix and rest else rest
    out.append(line)
    return out


def paginate(text: str, width: int = PAGE_WIDTH, lines: int = PAGE_LINES) -> tuple[str, ...]:
    """The text as pages of at most ``lines`` lines of at most ``width`` characters; form feeds start a new
    page; tabs become spaces. Always at least one page. Pure and deterministic."""
    pages: list[str] = []
    for chunk in text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\f"):
        printed: list[str] = []
        for logical in chunk.split("\n"):
            printed.extend(wrap_line(logical, width))
        while printed and not printed[-1]:
            printed.pop()
        if not printed:
            printed = [""]
        for i in range(0, len(printed), lines):
            pages.append("\n".join(printed[i:i + lines]))
    return tuple(pages) or ("",)


def label_positions(page: str) -> list[tuple[int, int, str]]:
    """(line, column, label) of every label printed on a page, for drawing boxes."""
    out: list[tuple[int, int, str]] = []
    for n, line in enumerate(page.split("\n")):
        out.extend((n, m.start(), m.group(0)) for m in LABEL_PATTERN.finditer(line))
    return out
