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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

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
BLOCK = 1 << 20  # a streamed table is read this much at a time
_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")


def table_places(data: bytes, suffix: str, digests: bool = False) -> Iterator[Place]:
    """The table's text in overlapping runs of lines, each with its structure blanked (every pass works within a
    line, so running it per run is the same as over the whole file); hits are named 'text line N'. ``digests``:
    sha256 digests are blanked too (the manifest's: hex, whose digit runs are not values and change every run)."""
    return table_runs([data], table_blank(suffix, suffix == ".json" and _is_json(data), digests))


def table_blank(suffix: str, is_json: bool, digests: bool = False) -> Callable[[str], str] | None:
    """What blanks a run of a table's lines: CSV numbers, or JSON numbers and escapes when the file is JSON."""
    blank = _blank_csv if suffix == ".csv" else _blank_json if is_json else None  # not JSON: searched as it is
    if not digests:
        return blank
    return lambda text: _DIGEST.sub("sha256", blank(text) if blank else text)


def streams(suffix: str, size: int) -> bool:
    """Whether a table of this size is read from its file block by block (table_runs over file_blocks) rather than
    whole: every CSV, and JSON too big for a full parse (JSON is checked whole first, see _is_json)."""
    return suffix == ".csv" or size > FULL_CHECK_BYTES


def json_edges(path: Path) -> bool:
    """Whether a file starts and ends like JSON (its first and last non-blank bytes are brackets), read from its
    ends only: the check of JSON too big for a full parse."""
    with path.open("rb") as f:
        head = b""
        while not head.strip():
            block = f.read(BLOCK)
            if not block:
                return False
            head += block
        end = f.seek(0, 2)
        tail = b""
        while not tail.strip() and end > 0:
            start = max(0, end - BLOCK)
            f.seek(start)
            tail = f.read(end - start) + tail
            end = start
    return head.lstrip()[:1] in (b"{", b"[") and tail.rstrip()[-1:] in (b"}", b"]")


def _is_json(data: bytes) -> bool:
    if len(data) > FULL_CHECK_BYTES:
        first = len(data) - len(data.lstrip())  # offsets, not copies: strip() would copy the whole file
        last = len(data.rstrip()) - 1
        return last >= first and data[first:first + 1] in (b"{", b"[") and data[last:last + 1] in (b"}", b"]")
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


def table_runs(blocks: Iterable[bytes], blank: Callable[[str], str] | None) -> Iterator[Place]:
    """The runs of lines of a file given as consecutive blocks of its bytes (cut anywhere): a run never waits for
    more than its own lines, so a big file is never whole in memory."""
    buf = bytearray()
    first, newlines = 1, 0  # the line number buf starts at, and how many newlines it holds
    for block in blocks:
        buf += block
        newlines += block.count(b"\n")
        start = 0
        while newlines >= CHUNK_LINES + OVERLAP:
            end = _RUN_LINES.match(buf, start).end()  # type: ignore[union-attr]  # the newlines are there
            yield _run(bytes(buf[start:end]), first, blank)
            first += CHUNK_LINES
            start = _NEXT_RUN.match(buf, start).end()  # type: ignore[union-attr]  # within the run just found
            newlines -= CHUNK_LINES
        del buf[:start]
    lines = newlines + (0 if buf.endswith(b"\n") or not buf else 1)
    if lines > OVERLAP or first == 1:
        yield _run(bytes(buf), first, blank)


def file_blocks(path: Path, digest: Any) -> Iterator[bytes]:
    """A file's bytes in blocks of BLOCK, each also fed to ``digest`` (a hashlib object)."""
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            yield block


def _run(chunk: bytes, first: int, blank: Callable[[str], str] | None) -> Place:
    """A run of whole lines (decoded at once, as each line alone decodes: no UTF-8 sequence holds a newline), the
    last one's newline left out."""
    text = chunk.decode("utf-8", "replace")
    text = text[:-1] if text.endswith("\n") else text
    return Place("text", blank(text) if blank else text, first_line=first)


def _unescape(m: re.Match[str]) -> str:
    body = m.group()[1:]
    if body[0] == "u":
        char = chr(int(body[1:], 16))
        return " " if char in "\n\r\t" else char
    return _SIMPLE[body]
