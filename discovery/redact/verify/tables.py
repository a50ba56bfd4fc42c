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
from collections.abc import Callable, Iterator

from discovery.redact.verify.matcher import MIN_DIGITS
from discovery.redact.verify.pdfread import Place

_CSV_NUMBER = re.compile(rf"(?m)(?<![^,\n])(?:\d{{1,{MIN_DIGITS - 1}}}|(?:suggestion|manual|span):\d+)(?=,|\r?$)")
# a JSON number ending its line: after '": ' (kept), or alone on its line (two passes: a literal start is found by
# the regex engine four times faster than an alternation with a look-behind)
_NUMBER = r"\s*-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=,?$)"
_JSON_VALUE_NUMBER = re.compile(r'(?m)(": )' + _NUMBER)
_JSON_LINE_NUMBER = re.compile(r"(?m)^" + _NUMBER)
_JSON_DECISION = re.compile(r'"(?:suggestion|manual|span):\d+"')
_ESCAPE = re.compile(r'\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])')
_SIMPLE = {"n": " ", "r": " ", "t": " ", "b": " ", "f": " ", '"': '"', "\\": "\\", "/": "/"}


CHUNK_LINES = 4000  # a table is searched this many lines at a time (the matcher's word lists stay small)
OVERLAP = 3  # lines each run repeats from the one before, so a value across a run's edge is still found
FULL_CHECK_BYTES = 32 << 20  # bigger JSON is checked for its outer brackets only (a full parse costs its size x10)


def table_places(data: bytes, suffix: str) -> Iterator[Place]:
    """The table's text in overlapping runs of lines, each with its structure blanked (every pass works within a
    line, so running it per run is the same as over the whole file); hits are named 'text line N'."""
    if suffix == ".csv":
        yield from _runs(data, _blank_csv)
    elif _is_json(data):
        yield from _runs(data, _blank_json)
    else:
        yield from _runs(data, None)  # not JSON: searched as it is


def _is_json(data: bytes) -> bool:
    if len(data) > FULL_CHECK_BYTES:
        stripped = data.strip()
        return stripped[:1] in (b"{", b"[") and stripped[-1:] in (b"}", b"]")
    try:  # objects are dropped as they are read
        json.loads(data.decode("utf-8", "replace"), object_pairs_hook=_drop)
    except ValueError:
        return False
    return True


def _drop(pairs: object) -> None:
    return None


def _blank_csv(text: str) -> str:
    return _CSV_NUMBER.sub("", text)


def _blank_json(text: str) -> str:
    text = _JSON_DECISION.sub('""', _JSON_LINE_NUMBER.sub("", _JSON_VALUE_NUMBER.sub(r"\1", text)))
    return _ESCAPE.sub(_unescape, text) if "\\" in text else text


_RUN_LINES = re.compile(rb"(?:[^\n]*\n){%d}" % (CHUNK_LINES + OVERLAP))  # a run's whole lines, found in C
_NEXT_RUN = re.compile(rb"(?:[^\n]*\n){%d}" % CHUNK_LINES)


def _runs(data: bytes, blank: Callable[[str], str] | None) -> Iterator[Place]:
    if data.count(b"\n") < CHUNK_LINES:
        text = data.decode("utf-8", "replace")
        yield Place("text", blank(text) if blank else text)
        return
    first, start = 1, 0  # the line number and byte offset a run starts at
    while True:
        full = _RUN_LINES.match(data, start)
        if full is None:  # the rest of the file
            rest = data.count(b"\n", start) + (0 if data.endswith(b"\n") or start == len(data) else 1)
            if rest > OVERLAP or first == 1:
                yield _run(data[start:], first, blank)
            return
        yield _run(data[start:full.end()], first, blank)
        first += CHUNK_LINES
        start = _NEXT_RUN.match(data, start).end()  # type: ignore[union-attr]  # within the run just found


def _run(chunk: bytes, first: int, blank: Callable[[str], str] | None) -> Place:
    """A run of whole lines (decoded at once, as each line alone decodes: no UTF-8 sequence holds a newline)."""
    text = chunk.decode("utf-8", "replace")
    text = text[:-1] if text.endswith("\n") else text
    return Place("text", blank(text) if blank else text, first_line=first)


def _unescape(m: re.Match[str]) -> str:
    body = m.group()[1:]
    if body[0] == "u":
        char = chr(int(body[1:], 16))
        return " " if char in "\n\r\t" else char
    return _SIMPLE[body]
