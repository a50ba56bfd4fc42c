"""Provides PhoneDetector: US and international phone numbers in every common form, and short extensions."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from discovery.pii.recognizers.base import Hit, MessageContext, context_before, digit_lines, phrase_regex
from discovery.pii.types import FieldText

_DIGIT = re.compile(r"\d")

# North American numbers: (503) 555-0131, 503-555-0142, 503.555.0142, 503 555 0142, +1 404 555 0134, 1-800-...
NANP = re.compile(
    r"(?<![\w+.\-/:])"
    r"((?:\+\s?1[\s.\-]?|1[\s.\-])?(?:\(\s?[2-9]\d{2}\s?\)[\s.\-]?|[2-9]\d{2}[\s.\-/])[2-9]\d{2}[\s.\-]\d{4})"
    r"(?![\w]|[.\-/:]\d)"
)
# Ten digits run together: only with a phone word before them.
COMPACT = re.compile(r"(?<![\w+.\-/])((?:\+?1)?[2-9]\d{2}[2-9]\d{6})(?![\w]|[.\-/]\d)")
# Seven-digit local numbers (555-0142): only with a phone word before them.
LOCAL = re.compile(r"(?<![\w+.\-/])([2-9]\d{2}[\-.]\d{4})(?![\w]|[.\-/]\d)")
# International numbers with a + country code: +44 20 7946 0958, +49 (0)30 1234567, +33 1 23 45 67 89.
INTERNATIONAL = re.compile(
    r"(?<![\w+])(\+(?:[02-9]\d{0,2})[\s.\-]?(?:\(0\)\s?)?(?:\(?\d{1,5}\)?[\s.\-]?){1,5}\d{2,6})(?![\w]|[.\-]\d)"
)
# National numbers with a trunk 0 (UK, Germany, ...): 020 7946 0958, 030 12345678 -- only with a phone word.
TRUNK = re.compile(r"(?<![\w+.\-/])(0\d{2,4}[\s\-/]?\d{3,4}[\s\-]?\d{3,4})(?![\w]|[.\-/]\d)")
# Internal extensions written as one token: x3-1769, x31769.
EXTENSION = re.compile(r"(?<![\w\-/.])(x\d{1,2}-\d{4}|x\d{4,5})(?![\w\-])", re.IGNORECASE)
# An extension after a number is not part of the span (the gold convention), but is noted.
TRAILING_EXT = re.compile(r"^\s*,?\s*(?:ext\.?|extension|x)\s*(\d{1,6})", re.IGNORECASE)

# What every match of each pattern holds: four digits in a row (NANP, LOCAL, EXTENSION), a '+' (INTERNATIONAL),
# ten digits (COMPACT), '0dd' (TRUNK).
_FOUR = re.compile(r"\d{4}")
_NEEDS = {NANP: _FOUR, LOCAL: _FOUR, EXTENSION: _FOUR, INTERNATIONAL: re.compile(r"\+"),
          COMPACT: re.compile(r"\d{10}"), TRUNK: re.compile(r"0\d{2}")}

PHONE_WORDS = phrase_regex([
    "phone", "telephone", "tel", "ph", "cell", "cellphone", "cell phone", "mobile", "mob", "fax", "office", "desk",
    "direct", "work", "home", "landline", "call", "text", "reach me", "pager", "voicemail", "vm", "hotline",
    "dial-in", "bridge", "conference line", "telefon", "tél", "téléphone", "teléfono", "celular", "handy", "mobil",
    "m:", "o:", "c:", "t:", "p:", "h:", "w:", "d:", "f:", "(m)", "(o)", "(c)", "(h)", "(w)",
])


class PhoneDetector:
    """Phone numbers in bodies, signatures and attachments.

    Replaces Presidio's PhoneRecognizer, which misses spaced forms ('+1 404 555 0134'), takes booking numbers
    ('2017-004512') for phones, swallows extensions, and is slow; and Presidio's UK NHS recognizer, whose
    checksum fires on ten-digit US numbers, is not loaded at all."""

    name = "PhoneDetector"
    entities: tuple[str, ...] = ("PHONE_NUMBER",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, score: float, reason: str, pattern: str, context: str = "") -> None:
            if any(start < e and s < end for s, e in taken):
                return
            taken.append((start, end))
            hits.append(Hit(start, end, "PHONE_NUMBER", score, reason, pattern, context))

        if not _DIGIT.search(text):
            return hits  # every pattern below holds a digit
        # Every line a number touches holds one of its digits (its separators are single characters), but for a
        # '+' or '(' and one blank before a line break: the patterns run over the runs of lines holding a digit,
        # from two characters before each (the look-behinds still see the text before, as in the whole text).
        segments = [(max(0, start - 2), end) for start, end in digit_lines(text)]
        holding: dict[re.Pattern[str], list[tuple[int, int]]] = {}

        def matches(regex: re.Pattern[str]) -> Iterator[re.Match[str]]:
            need = _NEEDS[regex]  # and only those holding what each of its matches holds
            if need not in holding:
                holding[need] = [(start, end) for start, end in segments if need.search(text, start, end)]
            for start, end in holding[need]:
                yield from regex.finditer(text, start, end)

        for m in matches(NANP):
            context = context_before(text, m.start(1), PHONE_WORDS, 24)
            ext = TRAILING_EXT.match(text, m.end(1))
            reason = "North American phone number" + (f" (extension {ext.group(1)} left out)" if ext else "")
            add(m.start(1), m.end(1), 0.95 if context else 0.85, reason, "nanp", context)
        for m in matches(INTERNATIONAL):
            if _possible(m.group(1)):
                add(m.start(1), m.end(1), 0.85, "international phone number (+country code)", "international")
        for m in matches(EXTENSION):
            add(m.start(1), m.end(1), 0.75, "internal phone extension", "extension")
        for pattern, regex, score, reason in (
            ("compact", COMPACT, 0.75, "ten-digit phone number after a phone word"),
            ("local", LOCAL, 0.65, "seven-digit local phone number after a phone word"),
            ("trunk", TRUNK, 0.7, "national phone number (trunk 0) after a phone word"),
        ):
            for m in matches(regex):
                context = context_before(text, m.start(1), PHONE_WORDS, 20)
                if context:
                    add(m.start(1), m.end(1), score, reason, pattern, context)
        return hits


def _possible(candidate: str) -> bool:
    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)
