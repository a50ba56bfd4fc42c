"""Provides chunks(): a field's text in pieces the engine can analyse, with what is odd about it reported
(empty body, binary junk, non-English text, longer than a chunk or than a model reads)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from discovery.pii.types import FieldText, Problem

MODEL_MAX = 1_000_000  # characters of one field given to a model's NER; offline detection covers the rest
CHUNK = 100_000  # characters analysed at once; longer texts are split at line ends, overlapping
OVERLAP = 2_000
FREE_TEXT = ("body", "attachment", "subject")
FILLER = "~"  # not a space: runs of spaces make the quoted-header patterns backtrack
JUNK_MIN = 4_000  # characters: shorter texts are not searched for encoded blocks
# A line of base64 (MIME parts, PGP blocks, inline images): 60+ characters of the alphabet, no spaces.
_ENCODED_LINE = re.compile(r"^[ \t>]*[A-Za-z0-9+/]{60,}={0,2}[ \t]*$", re.MULTILINE)


def chunks(f: FieldText, problems: list[Problem], model: bool = False) -> Iterable[tuple[int, str]]:
    """(offset, text) pieces of a field: the whole text when short, else CHUNK-sized pieces cut at line ends and
    overlapping by OVERLAP characters (findings in the overlap are merged later). Problems are appended."""
    text = f.text
    if not text.strip():
        if f.kind == "body":
            problems.append(Problem(f.key, "empty", "the message has no text body"))
        return
    junk = _junk_ratio(text)
    if junk > 0.1:
        problems.append(Problem(f.key, "binary", f"{junk:.0%} of the first characters are control or replacement "
                                "characters (binary data in a text part?); scanned anyway"))
    if f.kind == "body" and _looks_non_english(text):
        problems.append(Problem(f.key, "non_english", "the text does not look English: patterns and the case's "
                                "names still apply, English context words and the model help less"))
    if f.kind in FREE_TEXT and len(text) > JUNK_MIN:
        text, blanked = blank_encoded(text)
        if blanked:
            problems.append(Problem(f.key, "encoded", f"{blanked:,} lines of base64 or similar encoded data (MIME "
                                    "source or an inline attachment?) skipped"))
    if len(text) <= CHUNK:
        yield 0, text
        return
    problems.append(Problem(f.key, "chunked", f"{len(text):,} characters, analysed in pieces of {CHUNK:,}"))
    if model and f.kind in FREE_TEXT and len(text) > MODEL_MAX:
        problems.append(Problem(f.key, "ner_limited", f"the model's NER read the first {MODEL_MAX:,} characters; "
                                "patterns, case names and census names cover all of it"))
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", start + CHUNK // 2, end)
            end = cut + 1 if cut > 0 else end
        yield start, text[start:end]
        if end >= len(text):
            break
        start = max(end - OVERLAP, start + 1)
        nl = text.find("\n", start, end)
        start = nl + 1 if 0 <= nl < end else start


def blank_encoded(text: str) -> tuple[str, int]:
    """The text with lines of base64 replaced by FILLER (offsets unchanged), and how many lines that was.
    Such lines hold no readable personal data, and scanning them is most of the cost of a junk body."""
    count = 0

    def blank(m: re.Match[str]) -> str:
        nonlocal count
        line = m.group(0)
        if not any(c.isdigit() for c in line) or not any(c.isupper() for c in line) or not any(
                c.islower() for c in line):
            return line  # a long word or a row of dashes, not base64
        count += 1
        return FILLER * len(line)

    out = _ENCODED_LINE.sub(blank, text)
    return out, count


_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ue000-\uf8ff\ud800-\udfff]")


def _junk_ratio(text: str) -> float:
    """Share of control, replacement, private-use and lone-surrogate characters in the first 20,000."""
    sample = text[:20000]
    return len(_JUNK.findall(sample)) / len(sample) if sample else 0.0


_ENGLISH = frozenset("the and to of a in is that for it you we on with be this have are as at will your not "
                     "i me my if can please thanks our from by or but was".split())
_WORD = re.compile(r"[^\W\d_]{2,}")


def _looks_non_english(text: str) -> bool:
    words = _WORD.findall(text[:5000].lower())
    if len(words) < 40:
        return False
    return sum(map(_ENGLISH.__contains__, words)) / len(words) < 0.04
