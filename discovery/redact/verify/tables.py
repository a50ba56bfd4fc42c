"""Provides table_places: a CSV or JSON file (the log, withheld.csv, the manifest) as one searchable text.

The file is searched as written (hits are named by line), after blanking what is the file's structure rather
than text, with a few regex passes: integers that are whole CSV cells shorter than a phone or ID number,
JSON numbers (offsets, counts, pages), and decision ids ('suggestion:17'), so an offset '1187' is not taken for
the badge number 1187. JSON string escapes are undone (a '\\n' inside a value is a line break, '\\u00e9' an
'é'). Nothing else is removed: every text cell and every key is searched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from discovery.redact.verify.matcher import MIN_DIGITS
from discovery.redact.verify.pdfread import Place

_CSV_NUMBER = re.compile(rf"(?m)(?<![^,\n])(?:\d{{1,{MIN_DIGITS - 1}}}|(?:suggestion|manual|span):\d+)(?=,|\r?$)")
_JSON_NUMBER = re.compile(r"(?m)(?:(?<=\": )|^(?=\s*-?\d))\s*-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=,?$)")
_JSON_DECISION = re.compile(r'"(?:suggestion|manual|span):\d+"')
_ESCAPE = re.compile(r'\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])')
_SIMPLE = {"n": " ", "r": " ", "t": " ", "b": " ", "f": " ", '"': '"', "\\": "\\", "/": "/"}


CHUNK_LINES = 4000  # a big log is searched this many lines at a time (the matcher's word lists stay small)
OVERLAP = 3  # lines each chunk repeats from the one before, so a value across a chunk's edge is still found


def table_places(data: bytes, suffix: str) -> Iterator[Place]:
    text = data.decode("utf-8", "replace")
    if suffix == ".csv":
        yield from _chunks(_CSV_NUMBER.sub("", text))
        return
    try:  # well-formed? (objects are dropped as they are read: a 100 MB log never becomes Python objects)
        json.loads(text, object_pairs_hook=_drop)
    except ValueError:
        yield from _chunks(text)  # not JSON: searched as it is
        return
    text = _JSON_DECISION.sub('""', _JSON_NUMBER.sub("", text))
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    yield from _chunks(text)


def _drop(pairs: object) -> None:
    return None


def _chunks(text: str) -> Iterator[Place]:
    """The text as one place, or in overlapping runs of lines when it is long; hits are named 'text line N'."""
    if text.count("\n", 0, 1 << 20) < CHUNK_LINES and len(text) < 1 << 20:
        yield Place("text", text)
        return
    lines = text.split("\n")
    for first in range(0, len(lines), CHUNK_LINES):
        start = max(0, first - OVERLAP)
        part = lines[start:first + CHUNK_LINES]
        yield Place("text", "\n".join(part), tuple(f"text line {start + i + 1}" for i in range(len(part))))


def _unescape(m: re.Match[str]) -> str:
    body = m.group()[1:]
    if body[0] == "u":
        char = chr(int(body[1:], 16))
        return " " if char in "\n\r\t" else char
    return _SIMPLE[body]
