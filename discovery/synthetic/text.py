"""Provides marked text: strings with inline PII markers, parsed into plain text and typed gold spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Marker codes used inside templates and the span types they stand for.
TYPES: dict[str, str] = {
    "P": "PERSON",
    "EM": "EMAIL_ADDRESS",
    "PH": "PHONE_NUMBER",
    "ADDR": "STREET_ADDRESS",
    "DOB": "DATE_OF_BIRTH",
    "SSN": "US_SSN",
    "DL": "US_DRIVER_LICENSE",
    "PLATE": "LICENSE_PLATE",
    "BK": "BOOKING_NUMBER",
    "CASE": "CASE_NUMBER",
    "BADGE": "BADGE_NUMBER",
    "IP": "IP_ADDRESS",
}

_MARK = re.compile(r"\[\[([A-Z]+)\|([^\[\]|\n]*)\]\]")


@dataclass(frozen=True, slots=True)
class Span:
    """One gold PII span: offsets into a field's text, its type and the covered text."""

    start: int
    end: int
    type: str
    text: str

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta, self.type, self.text)


def mark(code: str, text: str) -> str:
    """Wrap ``text`` in a marker of type ``code`` (a key of TYPES)."""
    if code not in TYPES:
        raise ValueError(f"unknown marker code {code!r}")
    if not text or "\n" in text or "[" in text or "]" in text or "|" in text:
        raise ValueError(f"cannot mark {text!r}")
    return f"[[{code}|{text}]]"


def P(text: str) -> str:  # noqa: N802 - short template helpers read best in capitals
    return mark("P", text)


def EM(text: str) -> str:  # noqa: N802
    return mark("EM", text)


def PH(text: str) -> str:  # noqa: N802
    return mark("PH", text)


def ADDR(text: str) -> str:  # noqa: N802
    return mark("ADDR", text)


def DOB(text: str) -> str:  # noqa: N802
    return mark("DOB", text)


def SSN(text: str) -> str:  # noqa: N802
    return mark("SSN", text)


def DL(text: str) -> str:  # noqa: N802
    return mark("DL", text)


def PLATE(text: str) -> str:  # noqa: N802
    return mark("PLATE", text)


def BK(text: str) -> str:  # noqa: N802
    return mark("BK", text)


def CASE(text: str) -> str:  # noqa: N802
    return mark("CASE", text)


def BADGE(text: str) -> str:  # noqa: N802
    return mark("BADGE", text)


def IP(text: str) -> str:  # noqa: N802
    return mark("IP", text)


def parse(marked: str) -> tuple[str, list[Span]]:
    """Strip the markers from ``marked``; return the plain text and the spans they described."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        code, value = m.group(1), m.group(2)
        if code not in TYPES:
            raise ValueError(f"unknown marker code {code!r} in {marked[:60]!r}")
        spans.append(Span(length, length + len(value), TYPES[code], value))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError(f"malformed marker in {marked[:80]!r}")
    for span in spans:
        if text[span.start : span.end] != span.text:
            raise AssertionError(f"span {span} does not match its text")
    return text, spans


def plain(marked: str) -> str:
    """The text of ``marked`` without markers."""
    return parse(marked)[0]


def quote(marked: str, prefix: str = ">") -> str:
    """Quote every line the way mail clients do: ``> text``, and a bare ``>`` for empty lines."""
    lines = marked.split("\n")
    return "\n".join(
        f"{prefix} {line}" if line and not line.startswith(">") else f"{prefix}{line}" for line in lines
    )
