"""Provides pure functions that make text from a source harmless for a terminal, a spreadsheet or a JSON reader.

Mail is adversarial: a subject, a sender name, a file name or a body can carry terminal control sequences
(``ESC ] 52`` clipboard writes, ``ESC ] 0`` window titles, ``ESC [ 2J``, OSC 8 links), bidi overrides that
disguise a name (``invoice\u202egpj.exe``), or a spreadsheet formula. Everything shown to a person passes
through :func:`safe_line` (one-line fields) or :func:`safe_text` (bodies), which replace every C0/C1 control
with a visible symbol (ESC becomes ``␛``), so an escape sequence is shown, never obeyed; bidi controls become
visible tags (``⟨RLO⟩``); and lone surrogates (the undecodable bytes of a file name) become ``⟨FF⟩``.
:func:`json_safe` escapes the same characters inside JSON text (the decoded value stays exact), and
:func:`csv_cell` defuses formulas as OWASP advises. No dependencies, no I/O.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "csv_cell", "csv_row", "has_unsafe", "json_safe", "safe_line", "safe_text"]

BIDI_CONTROLS: dict[str, str] = {
    "\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
}
_SEPARATORS = {"\u2028": "LS", "\u2029": "PS", "\x85": "NEL"}

# Every character a terminal may act on, or that cannot be written out as UTF-8 at all.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _symbol(char: str) -> str:
    """The visible stand-in for one unsafe character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ ... ␛ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if char in BIDI_CONTROLS:
        return f"\u27e8{BIDI_CONTROLS[char]}\u27e9"
    if char in _SEPARATORS:
        return f"\u27e8{_SEPARATORS[char]}\u27e9"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\u27e8{code - 0xDC00:02X}\u27e9"
    return f"\u27e8U+{code:04X}\u27e9"  # C1 controls (0x80-0x9f) and other lone surrogates


def _visible(match: re.Match[str]) -> str:
    return _symbol(match.group())


def safe_line(value: object) -> str:
    """One line for a terminal: every control (newlines and tabs too) shown as a visible symbol."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_visible, text.replace("\t", " "))


_MULTILINE_UNSAFE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))


def safe_text(value: object) -> str:
    """Text of many lines for a terminal: newlines and tabs kept, CR LF made LF, every other control shown."""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE.search(text.replace("\n", "").replace("\t", "")):
        return text
    text = text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _MULTILINE_UNSAFE.sub(_visible, text)


def has_unsafe(text: str, *, multiline: bool = True) -> bool:
    """True when the text holds a character that safe_text (or safe_line) would replace."""
    return bool((_MULTILINE_UNSAFE if multiline else _UNSAFE).search(text))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


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
