"""Provides Matcher: every redacted value and its variants compiled into two patterns over normalised text.

Text is searched in two normal forms, each built with a few C-level regex passes (no per-character Python):

- the *word stream*: case-folded, accents stripped, every run of letters or of digits a word, words joined by
  one space. Case, whitespace, line breaks, ``> `` quote prefixes and punctuation between words all vanish,
  so ``Dana\\n> Whitfield``, ``DANA WHITFIELD`` and ``dana.whitfield`` are the same words.
- the *digit stream*: runs of digits joined only by number punctuation (spaces, ``-``, ``.``, ``()``, ``/``,
  ``+``, ``>``, line breaks), reduced to their digits, so a phone or ID number is found by its digits alone.

All values go into one trie-shaped regular expression per stream, so each text is scanned once whatever the
number of values. A hit is mapped back to a line and column of the text it came from.

*Binary* text (data no reader shows as text: an ICC colour profile, any stream of bytes that is not text, read as
Latin-1) is searched for every form of two or more words, every form with a digit in it and every digit form, but
not for one-word forms made only of letters: a surname or first name alone ('Gray', 'Cy') is an ordinary word
that binary data spells by chance ('Gray Gamma 2.2' names a colour profile; compressed bytes read 'cy'), while a
full name, an address or a number in such data is still found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A word is a run of letters and digits (so the digits inside a hash are never taken for a short number); ASCII
# text is split with str.translate (C speed), other text with the equivalent Unicode regex.
_WORD = re.compile(r"[^\W_]+")
_ASCII_SPACE = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# at least MIN_DIGITS digits, each after at most 6 characters of number punctuation (written digit-first, which the
# regex engine scans for three times faster than the same language written as a repeated group)
_RUN = re.compile(r"\d(?:[ \t\r\n\-.()/+>]{0,6}\d){5,}")
_NOT_DIGIT = re.compile(r"\D+")
_NOT_DIGIT_OR_BAR = re.compile(r"[^\d|]+")
MEMO_MIN, MEMO_MAX, MEMO_CHARS = 1024, 65536, 8 << 20  # texts searched once per process whatever their repeats

# Types whose values are also looked for by their digits alone, whatever the punctuation.
DIGIT_TYPES = frozenset({
    "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "US_BANK_NUMBER", "US_ITIN", "US_PASSPORT", "ACCOUNT_ID",
    "BOOKING_NUMBER", "CASE_NUMBER", "BADGE_NUMBER", "US_DRIVER_LICENSE", "IBAN_CODE", "LICENSE_PLATE",
})
MIN_DIGITS = 6  # shorter digit strings are looked for as words only (a 4-digit number is everywhere)


def fold(text: str) -> str:
    """Case-folded, with accents stripped; newlines are kept where they were."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return folded


def words(text: str) -> list[str]:
    """The words of a text in the word stream's sense."""
    return _split(fold(text))


def _split(folded: str) -> list[str]:
    if folded.isascii():
        return folded.translate(_ASCII_SPACE).split()
    return _WORD.findall(folded)


def digit_runs(text: str) -> list[tuple[int, str]]:
    """(offset, digits) of each run of at least MIN_DIGITS digits joined by number punctuation."""
    return [(m.start(), _NOT_DIGIT.sub("", m.group())) for m in _RUN.finditer(text)]


def value_variants(entity_type: str, text: str) -> tuple[set[str], set[str]]:
    """The word-stream forms and the digit forms a redacted value is looked for in.

    Names also in the other order ('Whitfield, Dana' <-> 'Dana Whitfield'); phone numbers with and without
    a leading country code 1; ID-like types by their digits.
    """
    forms: set[str] = set()
    digit_forms: set[str] = set()
    toks = words(text)
    if not toks:
        return forms, digit_forms
    forms.add(" ".join(toks))
    if entity_type in DIGIT_TYPES and len(toks) > 1:
        forms.add("".join(toks))  # 'HC-2024-0117' written 'HC20240117'
    if entity_type == "PERSON" and len(toks) >= 2:
        if text.count(",") == 1:  # 'Last, First [Middle]' -> 'First [Middle] Last'
            head = words(text.split(",")[0])
            tail = words(text.split(",")[1])
            if head and tail:
                forms.add(" ".join(tail + head))
        else:  # 'First [Middle] Last' -> 'Last First [Middle]'
            forms.add(" ".join([toks[-1], *toks[:-1]]))
    if entity_type in DIGIT_TYPES or entity_type == "PHONE_NUMBER":
        digits = _NOT_DIGIT.sub("", text)
        if len(digits) >= MIN_DIGITS:
            digit_forms.add(digits)
            if entity_type == "PHONE_NUMBER" and len(digits) == 11 and digits.startswith("1"):
                digit_forms.add(digits[1:])
    return forms, digit_forms


def is_common_word(form: str) -> bool:
    """Whether a word-stream form is one word of letters alone (not looked for in binary data)."""
    return " " not in form and form.isalpha()


def trie_regex(strings: Iterable[str]) -> str:
    """One regular expression (no anchors) matching any of the strings, longest first at each position."""
    trie: dict[str, dict] = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_regex(trie) if trie else "(?!)"


def _node_regex(node: dict[str, dict]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _node_regex(child) for ch, child in sorted(node.items()) if ch != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?"
    return body


@dataclass(frozen=True, slots=True)
class Hit:
    """A value found in a text: which value form, and where (1-based line and column of the text)."""

    form: str
    line: int
    column: int
    digits: bool


class Matcher:
    """Finds any of a set of value forms in texts; ``owners`` maps each form to what it stands for."""

    def __init__(self, forms: dict[str, list[object]], digit_forms: dict[str, list[object]]) -> None:
        self.forms = forms
        self.digit_forms = digit_forms
        self._words = re.compile(" (" + trie_regex(forms) + ")(?= )") if forms else None
        binary_forms = [f for f in forms if not is_common_word(f)]
        self._binary_words = re.compile(" (" + trie_regex(binary_forms) + ")(?= )") if binary_forms else None
        self._digits = re.compile(trie_regex(digit_forms)) if digit_forms else None
        self._memo: dict[tuple[str, bool], list[Hit]] = {}
        self._memo_chars = 0
        self._seen: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.forms or self.digit_forms)

    def search(self, text: str, binary: bool = False) -> Iterator[Hit]:
        """Every hit in the text (word forms, then digit forms); usually none. ``binary``: the text is data no
        reader shows as text, where one-word forms of letters alone are not looked for (see the module).

        A text of MEMO_MIN to MEMO_MAX characters met a second time (the font's character map every PDF of a
        production embeds) is kept with its hits, up to MEMO_CHARS characters: a third time, its hits are those
        found before, without a search."""
        if not MEMO_MIN <= len(text) <= MEMO_MAX:
            return self._search(text, binary)
        key = (text, binary)
        hits = self._memo.get(key)
        if hits is not None:
            return iter(hits)
        if hash(key) not in self._seen:
            if len(self._seen) > 100_000:
                self._seen.clear()
            self._seen.add(hash(key))
            return self._search(text, binary)
        hits = list(self._search(text, binary))
        if self._memo_chars + len(text) <= MEMO_CHARS:
            self._memo[key] = hits
            self._memo_chars += len(text)
        return iter(hits)

    def _search(self, text: str, binary: bool) -> Iterator[Hit]:
        if not text:
            return
        words_re = self._binary_words if binary else self._words
        if words_re is not None:
            folded = fold(text)
            stream = " " + " ".join(_split(folded)) + " "
            for m in words_re.finditer(stream):
                index = stream.count(" ", 0, m.start(1)) - 1  # the word the hit starts at
                offset = _nth_word_offset(folded, index)
                yield Hit(m.group(1), *_line_col(folded, offset), False)
        if self._digits is not None:
            found = _RUN.findall(text)  # the runs' digits in one C pass; their offsets only when one holds a hit
            if found:
                stream = "|" + _NOT_DIGIT_OR_BAR.sub("", "|".join(found)) + "|"
                starts: list[int] = []
                for m in self._digits.finditer(stream):
                    starts = starts or [r.start() for r in _RUN.finditer(text)]
                    index = stream.count("|", 0, m.start()) - 1
                    yield Hit(m.group(), *_line_col(text, starts[index]), True)


def _nth_word_offset(text: str, index: int) -> int:
    for n, m in enumerate(_WORD.finditer(text)):
        if n == index:
            return m.start()
    return 0


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
