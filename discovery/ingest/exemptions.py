"""Provides the marks a release stamps on its pages: exemption labels ((b)(6), B5, [REDACTED]) and Bates numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

# (b)(6), (b) (7)(C), (b)(7)(c); the FOIA exemptions are 1-9, exemption 7 has sub-parts A-F.
_FOIA = re.compile(r"\(\s*b\s*\)\s*\(\s*([1-9])\s*\)(?:\s*\(\s*([A-Fa-f])\s*\))?")
# The State Department's releases print bare codes at the margin: "B6", "B5 B6", "B7(C)".
_BARE = re.compile(r"(?<![\w(/.-])B([1-9])(?:\(([A-F])\))?(?![\w/.-])")
_WORD = re.compile(r"\[\s*REDACTED\s*\]|(?<![A-Za-z])_?Redacted(?![a-z])|\bREDACTED\b|\bWITHHELD\b")
# Bates numbers: a prefix of capitals (with optional dashed parts) and a number of at least four digits, alone on
# a line or at its end after a wide gap. Only looked for near the top and bottom of a page.
_BATES = re.compile(
    r"(?:^|\s{2,})((?:[A-Z]{2,12})(?:[-_][A-Z]{1,12})*[-_ ]?(?=[0-9A-Z]*\d{4})[0-9A-Z]{5,12})\s*$"
)
_BATES_ALONE = re.compile(r"^\s*((?:[A-Z]{2,12})(?:[-_][A-Z]{1,12})*[-_ ]?(?=[0-9A-Z]*\d{4})[0-9A-Z]{5,12})\s*$")


@dataclass(frozen=True, slots=True)
class LabelHit:
    """One exemption label or redaction word in a text: where it is, as printed, and its code (``b6``, ``b7c``)."""

    start: int
    end: int
    text: str
    code: str  # b1..b9, b7a..b7f, or "redacted" for a label without an exemption


def find_labels(text: str) -> list[LabelHit]:
    """Exemption labels and redaction words in a text, in order."""
    hits: list[LabelHit] = []
    taken: list[tuple[int, int]] = []
    for m in _FOIA.finditer(text):
        code = "b" + m.group(1) + (m.group(2) or "").lower()
        hits.append(LabelHit(m.start(), m.end(), m.group(0), code))
        taken.append((m.start(), m.end()))
    for m in _BARE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        hits.append(LabelHit(m.start(), m.end(), m.group(0), "b" + m.group(1) + (m.group(2) or "").lower()))
    for m in _WORD.finditer(text):
        hits.append(LabelHit(m.start(), m.end(), m.group(0), "redacted"))
    hits.sort(key=lambda h: h.start)
    return hits


def find_bates(lines: list[str]) -> str:
    """The Bates number stamped on a page (given its lines), '' when none: the last one in the bottom lines,
    else one in the top lines."""
    filled = [line for line in lines if line.strip()]
    for line in reversed(filled[-3:]):
        m = _BATES.search(line) or _BATES_ALONE.match(line)
        if m and _plausible(m.group(1)):
            return m.group(1).strip()
    for line in filled[:3]:
        m = _BATES.search(line) or _BATES_ALONE.match(line)
        if m and _plausible(m.group(1)):
            return m.group(1).strip()
    return ""


def _plausible(token: str) -> bool:
    digits = sum(ch.isdigit() for ch in token)
    return digits >= 4 and not re.fullmatch(r"(19|20)\d\d", token[-4:] if len(token) == 4 else "x")
