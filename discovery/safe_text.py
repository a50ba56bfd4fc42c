"""Provides pure functions that make text from a source harmless for a terminal, a spreadsheet or a JSON reader.

Mail is adversarial: a subject, a sender name, a file name or a body can carry terminal control sequences
(``ESC ] 52`` clipboard writes, ``ESC ] 0`` window titles, ``ESC [ 2J``, OSC 8 links), bidi overrides that
disguise a name (``invoice\u202egpj.exe``), or a spreadsheet formula. Everything shown to a person passes
through :func:`safe_line` (one-line fields) or :func:`safe_text` (bodies). Both replace one character with
one character, so spans (search hits, PII suggestions, redactions) computed on the original stay valid:

- C0 controls become the Unicode control pictures (ESC is ``␛``, BEL ``␇``), DEL ``␡``, so an escape
  sequence is shown, never obeyed; a lone CR is ``␍``;
- C1 controls (U+0080-U+009F, which some terminals obey as ESC sequences) and lone surrogates (undecodable
  bytes of a file name kept by surrogateescape) become ``�``;
- bidi controls (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM) become ``⇄``, so ``invoice⇄gpj.exe`` shows
  what it is.

:func:`json_safe` escapes the same characters inside JSON text (the decoded value stays exact), and
:func:`csv_cell` defuses formulas as OWASP advises. No dependencies, no I/O.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "FORMULA_STARTS", "csv_cell", "csv_row", "has_unsafe", "json_safe", "safe_line",
           "safe_text"]

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_SYMBOL = "\u21c4"  # ⇄
REPLACEMENT = "\ufffd"  # �
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_RANGES = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[\x00-\x1f{_RANGES}]")
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_RANGES}]")  # newline and tab are kept in text
_JSON_UNSAFE = re.compile(f"[{_RANGES}]")  # JSON escapes C0 itself


def _symbol(char: str, *, multiline: bool) -> str:
    """The visible stand-in for one unsafe character (always exactly one character)."""
    code = ord(char)
    if code < 0x20:
        return " " if char == "\t" else chr(0x2400 + code)  # the control pictures ␀ ... ␛ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if char in BIDI_CONTROLS:
        return BIDI_SYMBOL
    if char in "\u2028\u2029":  # line and paragraph separators
        return "\n" if multiline else "\u2424"  # ␤
    return REPLACEMENT  # C1 controls, lone surrogates


def safe_line(value: object) -> str:
    """One line for a terminal: every control (newlines and tabs too) shown as one visible character."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE_LINE.search(text):
        return text
    return _UNSAFE_LINE.sub(lambda m: _symbol(m.group(), multiline=False), text)


def safe_text(value: object) -> str:
    """Text of many lines for a terminal: newlines and tabs kept, a CR before LF made a space, every other
    control shown as one visible character."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE_TEXT.search(text):
        return text
    text = text.replace("\r\n", " \n")
    return _UNSAFE_TEXT.sub(lambda m: _symbol(m.group(), multiline=True), text)


def has_unsafe(text: str, *, multiline: bool = True) -> bool:
    """True when the text holds a character that safe_text (or, with multiline=False, safe_line) replaces."""
    return bool((_UNSAFE_TEXT if multiline else _UNSAFE_LINE).search(text))


def json_safe(json_text: str) -> str:
    """JSON text (from json.dumps) with DEL, C1, bidi, separators and lone surrogates written as \\u escapes.

    JSON itself escapes C0; outside strings JSON has only ASCII, so the decoded value is unchanged (exact),
    while the text can go to a terminal and be written as UTF-8 (a surrogate-escaped file name included).
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def csv_cell(value: object) -> object:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a leading ``'``, and
    controls other than newline and tab are shown as symbols. Numbers pass unchanged."""
    if not isinstance(value, str):
        return value
    text = value
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return safe_text(text)


def csv_row(values: list[object]) -> list[object]:
    """csv_cell applied to every cell of a row."""
    return [csv_cell(v) for v in values]
