"""Provides value-following: every place a redacted value occurs in a text, in the forms it takes there.

A text and a value are compared on their *compact* forms: letters and digits only, case- and accent-folded.
So 'Dana  Whitfield', 'DANA\\n> Whitfield', 'dana.whit\\n> field@x.example' (an address split over a quoted
line), '(503) 555-0100' and '503.555.0100' all meet their value. A match must start and end on a word
boundary of the original text (so 'Dana' never hits 'Danaher'). Names also match as 'Last, First' and
'Last First'; phone numbers with or without the leading country code 1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from discovery.pii.names import parse_person

_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=65536)
def _fold_char(c: str) -> str:
    if c.isascii():
        return c.lower() if c.isalnum() else ""
    decomposed = unicodedata.normalize("NFKD", c)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum()).casefold()


def compact(text: str) -> str:
    """Letters and digits of a text, folded ('Dana W.-Reyes' -> 'danawreyes')."""
    return "".join(_fold_char(c) for c in text)


@dataclass(slots=True)
class CompactText:
    """A text's compact form and, for each compact character, the index of the original character."""

    text: str
    folded: str
    origin: list[int]

    @classmethod
    def of(cls, text: str) -> CompactText:
        if text.isascii():  # the common case, without a Python step per character
            runs = _ASCII_RUN.findall(text)
            origin: list[int] = []
            for m in _ASCII_RUN.finditer(text):
                origin.extend(range(m.start(), m.end()))
            return cls(text, "".join(runs).lower(), origin)
        return cls._slow(text)

    @classmethod
    def _slow(cls, text: str) -> CompactText:
        out: list[str] = []
        origin: list[int] = []
        for i, c in enumerate(text):
            f = _fold_char(c)
            if f:
                out.append(f)
                origin.extend([i] * len(f))
        return cls(text, "".join(out), origin)

    def _boundary(self, start: int, end: int) -> bool:
        text = self.text
        return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())

    def find(self, needle: str) -> Iterable[tuple[int, int]]:
        """(start, end) in the original text of every whole-word occurrence of a compact needle."""
        if not needle:
            return
        pos = self.folded.find(needle)
        while pos != -1:
            start = self.origin[pos]
            end = self.origin[pos + len(needle) - 1] + 1
            if self._boundary(start, end):
                yield start, end
            pos = self.folded.find(needle, pos + 1)


def value_forms(entity_type: str, text: str) -> list[str]:
    """The compact needles under which a value is searched, longest first."""
    forms = {compact(text)}
    if entity_type == "PERSON":
        if text.count(",") == 1:
            last, first = (p.strip() for p in text.split(","))
            forms.add(compact(f"{first} {last}"))
        person = parse_person(text, require_evidence=False)
        if person is not None and person.first and person.last:
            forms.add(compact(f"{person.last} {person.first}"))
            forms.add(compact(f"{person.first} {person.last}"))
    elif entity_type == "PHONE_NUMBER":
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) == 11 and digits.startswith("1"):
            forms.add(digits[1:])
        elif len(digits) == 10:
            forms.add("1" + digits)
        if digits:
            forms.add(digits)
    return sorted((f for f in forms if f), key=lambda f: (-len(f), f))
