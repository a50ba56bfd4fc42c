"""Provides the labels that replace redacted values: exemption codes, pseudonyms or a blackout, fixed width."""

from __future__ import annotations

import re
from collections.abc import Iterable

LABEL_STYLES = ("code", "pseudonym", "blackout")
BLACKOUT = "\u2588" * 10

SHORT_TYPES: dict[str, str] = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "STREET_ADDRESS": "ADDRESS",
    "DATE_OF_BIRTH": "DOB",
    "US_SSN": "SSN",
    "US_DRIVER_LICENSE": "DL",
    "LICENSE_PLATE": "PLATE",
    "BOOKING_NUMBER": "BOOKING",
    "CASE_NUMBER": "CASE",
    "BADGE_NUMBER": "BADGE",
    "IP_ADDRESS": "IP",
    "ACCOUNT_ID": "ACCOUNT",
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "US_BANK_NUMBER": "BANK",
    "US_ITIN": "ITIN",
    "US_PASSPORT": "PASSPORT",
    "WITHHELD": "WITHHELD",
    "RELEASE_REDACTION": "RELEASE",
}

# What a label looks like in published text (pagination never splits one; the PDF writer boxes them).
LABEL_PATTERN = re.compile(r"\[\(b\)\(\d\)(?:\([A-Z]\))?\]|\[[A-Z]+-\d{3,}\]|\u2588{10}|\[WITHHELD [^\]\n]{1,24}\]")


def code_label(exemption: str) -> str:
    """'(b)(6)' -> '[(b)(6)]': the same for every value of a type, so its width tells nothing."""
    return f"[{exemption}]"


class Labeler:
    """Gives each redacted value its label. Pseudonyms are numbered per type in order of first appearance
    (call ``see`` in production order first), with one digit width for the whole production."""

    def __init__(self, style: str) -> None:
        self.style = style
        self._numbers: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}

    def see(self, entity_type: str, value: str) -> None:
        """Note a value's appearance (entity type, normalized value), in production order."""
        key = (entity_type, value)
        if key not in self._numbers:
            short = SHORT_TYPES.get(entity_type, entity_type.split("_")[0])
            self._counts[short] = self._counts.get(short, 0) + 1
            self._numbers[key] = self._counts[short]

    def seen(self) -> Iterable[tuple[str, str]]:
        return self._numbers.keys()

    @property
    def width(self) -> int:
        return max(3, len(str(max(self._counts.values(), default=0))))

    def label(self, entity_type: str, value: str, exemption: str) -> str:
        if self.style == "blackout":
            return BLACKOUT
        if self.style == "code":
            return code_label(exemption)
        self.see(entity_type, value)
        short = SHORT_TYPES.get(entity_type, entity_type.split("_")[0])
        return f"[{short}-{self._numbers[(entity_type, value)]:0{self.width}d}]"
