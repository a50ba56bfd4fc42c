"""Provides ValueFinder: one Aho-Corasick automaton over every compact form of every redacted value, built once
per production, that finds all of them in a document's fields in one pass (instead of one search per value).

A field is compared on its compact form (discovery.redact.variants): letters and digits only, folded. Every
occurrence of every form is reported, overlapping ones included, then kept only when it starts and ends on a
word boundary of the original text and spans no mark the value itself lacks (see ``_plausible``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import ahocorasick

from discovery.redact.variants import CompactText

_QUOTE_BREAK = re.compile(r"\n[ \t>]*")
NEVER_INSIDE = "<>@[]{}|/\\:;=\"\x00"  # marks that end a value: a match spanning one is not that value
Match = tuple[int, int, int, int]  # (field index, start, end, value index)


def _plausible(segment: str, own: str) -> bool:
    """Whether an original text segment can be the value: no mark inside that the value itself lacks ('Kasprzak
    <brent' is not 'Brent Kasprzak'; '15:02' is not badge 1502); '>' only as a quoting mark after a line break."""
    if "\n" in segment:
        segment = _QUOTE_BREAK.sub(" ", segment)
    return not any(c in NEVER_INSIDE and c not in own for c in segment)


class ValueFinder:
    """Finds every needle (compact form, value index) in fields; ``marks[value index]`` is the punctuation the
    value's own texts contain. Plain data in and out, so a worker process can build its own copy."""

    def __init__(self, needles: Sequence[tuple[str, int]], marks: Sequence[str] = ()) -> None:
        self.marks = list(marks)
        owners: dict[str, list[int]] = {}
        for needle, vindex in needles:
            if needle and "\x00" not in needle:
                owners.setdefault(needle, []).append(vindex)
        self._automaton: ahocorasick.Automaton | None = None
        if owners:
            automaton = ahocorasick.Automaton()
            for needle, vindexes in owners.items():
                automaton.add_word(needle, (len(needle), tuple(dict.fromkeys(vindexes))))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, fields: Sequence[tuple[str, str]]) -> list[Match]:
        """(field index, start, end, value index) of every plausible occurrence in the fields' texts, sorted."""
        if self._automaton is None or not fields:
            return []
        compacts = [CompactText.of(text) for _, text in fields]
        joined = "\x00".join(c.folded for c in compacts)
        if not joined:
            return []
        starts: list[int] = []
        pos = 0
        for c in compacts:
            starts.append(pos)
            pos += len(c.folded) + 1
        marks = self.marks
        found: set[Match] = set()
        for last, (length, vindexes) in self._automaton.iter(joined):
            at = last - length + 1
            fi = bisect.bisect_right(starts, at) - 1
            c = compacts[fi]
            local = at - starts[fi]
            start = c.origin[local]
            end = c.origin[local + length - 1] + 1
            if not c._boundary(start, end):
                continue
            segment = c.text[start:end]
            for vindex in vindexes:
                if _plausible(segment, marks[vindex] if marks else ""):
                    found.add((fi, start, end, vindex))
        return sorted(found)


def find_values(fields: Sequence[tuple[str, str]], needles: Sequence[tuple[str, int]],
                marks: Sequence[str] = ()) -> list[Match]:
    """One-off search (tests, small cases): every occurrence of every needle in the fields, sorted."""
    return ValueFinder(needles, marks).find(fields)
