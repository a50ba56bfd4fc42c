"""Provides the detector interface every recognizer implements, and helpers for context words and lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from discovery.pii.names import CorpusNames, PersonName
from discovery.pii.types import FieldText


class Hit(NamedTuple):
    """One span a detector proposes, with the reason a reviewer will read."""

    start: int
    end: int
    entity_type: str
    score: float
    reason: str
    pattern: str = ""
    context: str = ""


@dataclass(slots=True)
class MessageContext:
    """What detectors may know beyond the text: the case's people and this message's correspondents."""

    names: CorpusNames = field(default_factory=CorpusNames)
    people: tuple[PersonName, ...] = ()


class Detector(Protocol):
    """A recognizer without Presidio: engine.py wraps each one in a Presidio EntityRecognizer."""

    name: str
    entities: tuple[str, ...]

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]: ...


class Phrases:
    """Context phrases matched as whole words in any case ('d.o.b', 'date of birth', 'dl#'). Matching runs on a
    lower-cased copy without IGNORECASE, about six times faster on long texts."""

    def __init__(self, phrases: Iterable[str]) -> None:
        parts = sorted({re.escape(p.lower()).replace(r"\ ", r"[\s_-]+") for p in phrases}, key=len, reverse=True)
        body = "(?:" + "|".join(parts) + ")"
        self._lower = re.compile(body + r"(?![a-z])")
        self._any_case = re.compile(r"(?<![\w])" + body + r"(?![a-z])", re.IGNORECASE)
        self.pattern = self._any_case.pattern

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match[str]]:
        """Matches in text (low: text.lower(), when the caller has it already)."""
        if low is None:
            low = text.lower()
        if len(low) != len(text):  # a few characters change length when lower-cased ('İ')
            yield from self._any_case.finditer(text)
            return
        for m in self._lower.finditer(low):
            before = low[m.start() - 1] if m.start() else " "
            if not (before.isalnum() or before == "_"):
                yield m

    def findall(self, text: str) -> list[str]:
        return [m.group(0) for m in self.finditer(text)]


def phrase_regex(phrases: Iterable[str]) -> Phrases:
    """Whole-word, any-case matcher for context phrases."""
    return Phrases(phrases)


def context_before(text: str, start: int, pattern: Phrases, window: int = 40,
                   stop: str = "\n") -> str:
    """The last context phrase ending within `window` characters before start (not across `stop`), or ''."""
    lo = max(0, start - window)
    segment = text[lo:start]
    cut = segment.rfind(stop) if stop else -1
    if cut >= 0:
        segment = segment[cut + 1 :]
    found = ""
    for m in pattern.finditer(segment):
        found = m.group(0)
    return found


_DIGIT = re.compile(r"\d")


def digit_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of consecutive lines that hold a digit (end at the last one's line break)."""
    out: list[tuple[int, int]] = []
    m = _DIGIT.search(text)
    while m is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        if out and start == out[-1][1] + 1:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        m = _DIGIT.search(text, end)
    return out


_BLANK = re.compile(r"\s")


def words_holding(text: str, char: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word (a run without blanks) that holds char, in order: where a pattern whose matches
    hold char and no blank can match (run it with pos and endpos: its look-arounds still see the text around)."""
    at = text.find(char)
    while at >= 0:
        start = at
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        blank = _BLANK.search(text, at)
        end = blank.start() if blank else len(text)
        yield start, end
        at = text.find(char, end)


def line_at(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the line holding pos."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*")


def strip_quote(line: str) -> tuple[int, str]:
    """(prefix length, rest) of a line without its '> ' reply markers."""
    m = _QUOTE_PREFIX.match(line)
    n = m.end() if m else 0
    return n, line[n:]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
