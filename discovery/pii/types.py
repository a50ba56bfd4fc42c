"""Provides the plain data of PII detection: entity types, field texts, findings and value keys."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from functools import lru_cache

# The types the gold format and the policy know, in the order reports list them.
GOLD_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
    "US_SSN",
    "US_DRIVER_LICENSE",
    "LICENSE_PLATE",
    "BOOKING_NUMBER",
    "CASE_NUMBER",
    "BADGE_NUMBER",
    "IP_ADDRESS",
)
# Found too, but not part of the gold format (so not scored by 'pii eval').
EXTRA_TYPES: tuple[str, ...] = (
    "ACCOUNT_ID",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_BANK_NUMBER",
    "US_ITIN",
    "US_PASSPORT",
)
ALL_TYPES: tuple[str, ...] = GOLD_TYPES + EXTRA_TYPES

# What each field key looks like; 'address:to:2' is the third To address, shown as 'Name <email>'.
FIELD_KINDS = ("subject", "body", "address", "header", "attachment", "attachment_name")


@dataclass(frozen=True, slots=True)
class FieldText:
    """One scannable text of a message: its key (e.g. 'body', 'address:cc:0', 'attachment:2'), kind and text."""

    key: str
    kind: str
    text: str
    label: str = ""  # what a person would call it: 'To', 'Received', 'price.pdf'


@dataclass(slots=True)
class Finding:
    """A span a detector (or a reviewer rule) proposes: where, what type, how sure, and why."""

    field: str
    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    text: str = ""
    explanation: dict[str, object] = dc_field(default_factory=dict)

    def key(self) -> tuple[str, int, int, str]:
        return (self.field, self.start, self.end, self.entity_type)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class Problem:
    """Something about a message's text the scan noticed and worked around (never fatal)."""

    field: str
    kind: str  # empty, chunked, binary, non_english, error
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "kind": self.kind, "detail": self.detail}


_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


@lru_cache(maxsize=131072)
def fold_word(word: str) -> str:
    """fold() for single words, cached (detectors ask about the same words again and again)."""
    return fold(word).strip(".")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text ('José  Ibáñez' -> 'jose ibanez')."""
    if text.isascii():  # most text: nothing to decompose, and casefold() is lower() on ASCII
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def value_key(entity_type: str, text: str) -> str:
    """The normalized value used to find the same PII elsewhere ('accept everywhere', rescans)."""
    if entity_type == "EMAIL_ADDRESS":
        return text.strip().lower()
    if entity_type == "PHONE_NUMBER":
        digits = _NOT_DIGIT.sub("", text)
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    if entity_type == "PERSON":
        name = fold(text.replace(".", " "))
        if name.count(",") == 1:  # 'Whitfield, Dana' is 'dana whitfield'
            last, first = (part.strip() for part in name.split(","))
            name = f"{first} {last}".strip()
        return _SPACES.sub(" ", name).strip()
    if entity_type in ("STREET_ADDRESS", "DATE_OF_BIRTH"):
        return fold(text.replace(",", " "))
    return _NOT_ALNUM.sub("", text).upper()
