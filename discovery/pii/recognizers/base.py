"""Provides the detector interface every recognizer implements, and helpers for context words and lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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
        lowered = {p.lower() for p in phrases if p}
        parts = sorted(lowered, key=lambda p: (-len(_phrase_regex(p)), p))  # longest pattern first
        self.phrases = tuple(parts)
        body = _by_first_character(parts)
        self._lower = re.compile(body + r"(?![a-z])")
        self._any_case = re.compile(r"(?<![\w])" + body + r"(?![a-z])", re.IGNORECASE)
        self.pattern = r"(?<![\w])(?:" + "|".join(_phrase_regex(p) for p in parts) + r")(?![a-z])"

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

    def may_match(self, text: str, low: str) -> bool:
        """Whether finditer(text, low) can yield anything: a match of the phrases anywhere, even inside a word (a
        matcher of more phrases, as one for several rules, says so for each of them)."""
        if len(low) != len(text):
            return self._any_case.search(text) is not None
        return self._lower.search(low) is not None

    def findall(self, text: str) -> list[str]:
        return [m.group(0) for m in self.finditer(text)]


def _phrase_regex(phrase: str) -> str:
    """One phrase as a pattern: its words joined by blanks, '_' or '-'."""
    return re.escape(phrase).replace(r"\ ", r"[\s_-]+")


def _by_first_character(phrases: list[str]) -> str:
    """'(?:p1|p2|...)' for these phrases in this order, written as one alternative per first character that holds
    the rest of the phrases starting with it, in the same order: it matches what the flat alternation matches (at
    any place only the phrases starting with the character there can match, tried in the same order), and the
    regex engine tries one first character per place instead of every phrase."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(phrase[1:])
    out = []
    for first, rests in groups.items():
        head = _phrase_regex(first)
        out.append(head + "(?:" + "|".join(_phrase_regex(r) for r in rests) + ")")
    return "(?:" + "|".join(out) + ")"


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
    return lines_holding(text, _DIGIT, gap=1)  # the next line starts one past a run's line break


def lines_holding(text: str, need: re.Pattern[str], gap: int = 256) -> list[tuple[int, int]]:
    """(start, end) of the runs of whole lines that hold a match of need (which never holds a line break), runs
    closer than gap characters joined: where a pattern can match whose matches stay on one line and hold one. Run
    the pattern with pos and endpos over each run: its look-arounds see a line break or the text's end at the
    edges, as in the whole text, and every match of the whole text lies in one run, found there in the same
    order."""
    runs: list[tuple[int, int]] = []
    m = need.search(text)
    while m is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        if runs and start - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
        m = need.search(text, end)  # the next line holding one
    return runs


def finditer_in(pattern: re.Pattern[str], text: str, runs: Iterable[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """pattern.finditer over each (start, end) run of text, in order."""
    for start, end in runs:
        yield from pattern.finditer(text, start, end)


_BLANK = re.compile(r"\s")


def _word_around(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the word (a run without blanks) holding index at."""
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    blank = _BLANK.search(text, at)
    return start, blank.start() if blank else len(text)


def words_holding(text: str, char: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word (a run without blanks) that holds char, in order: where a pattern whose matches
    hold char and no blank can match (run it with pos and endpos: its look-arounds still see the text around)."""
    at = text.find(char)
    while at >= 0:
        start, end = _word_around(text, at)
        yield start, end
        at = text.find(char, end)


def words_where(text: str, char: str, holds: Callable[[str, int], bool]) -> Iterator[tuple[int, int]]:
    """(start, end) of each word (a run without blanks) with an occurrence of char at which holds(text, index) is
    true, in order: where a pattern whose matches hold such an occurrence and no blank can match (run it with pos
    and endpos). char is found by str.find, far faster than a pattern search."""
    at = text.find(char)
    while at >= 0:
        if not holds(text, at):
            at = text.find(char, at + 1)
            continue
        start, end = _word_around(text, at)
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
