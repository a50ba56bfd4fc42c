"""Provides resolve(): one answer per stretch of text when recognizers overlap, and PERSON spans trimmed."""

from __future__ import annotations

import re

from discovery.pii.types import Finding

# When spans of different types overlap, the more specific type wins.
PRIORITY = {
    "EMAIL_ADDRESS": 100, "IP_ADDRESS": 95, "ACCOUNT_ID": 90, "US_SSN": 85, "CREDIT_CARD": 84, "IBAN_CODE": 83,
    "PHONE_NUMBER": 80, "US_DRIVER_LICENSE": 75, "LICENSE_PLATE": 70, "BOOKING_NUMBER": 68, "CASE_NUMBER": 66,
    "BADGE_NUMBER": 64, "DATE_OF_BIRTH": 60, "US_ITIN": 55, "US_PASSPORT": 50, "STREET_ADDRESS": 45,
    "US_BANK_NUMBER": 30, "PERSON": 20,
}
_PERSON_CUT = re.compile(r"[<@\[(/|\n\d]|\s{2,}|mailto:")


def trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A PERSON span without what a model glued to it: '<dana@x>', '/HOU/ECT', '(HCSO)', digits, newlines."""
    span = text[start:end]
    m = _PERSON_CUT.search(span)
    if m:
        span = span[: m.start()]
    stripped = span.rstrip(" \t,;:'\"-–.")
    if stripped.endswith(" ") or not stripped:
        return None
    lead = len(stripped) - len(stripped.lstrip(" \t'\"-–"))
    new_start, new_end = start + lead, start + len(stripped)
    if new_end - new_start < 2:
        return None
    # keep a final initial's full stop ('Phillip K.') but not a sentence's
    if text[new_end : new_end + 1] == "." and new_end - new_start >= 2 and text[new_end - 2 : new_end - 1] == " ":
        new_end += 1
    return new_start, new_end


def resolve(findings: list[Finding], text: str) -> list[Finding]:
    """Non-overlapping findings for one field: most specific type first, then highest score, then longest.
    Identical spans found by several recognizers are merged ('also_found_by' in the explanation)."""
    cleaned: list[Finding] = []
    emails = [(f.start, f.end) for f in findings if f.entity_type == "EMAIL_ADDRESS"]
    for f in findings:
        if f.entity_type == "PERSON":
            trimmed = trim_person(text, f.start, f.end)
            if trimmed is None:
                continue
            start, end = trimmed
            for es, ee in emails:
                if es < end and start < ee:
                    end = min(end, es)
            trimmed = trim_person(text, start, end) if end > start else None
            if trimmed is None:
                continue
            f.start, f.end = trimmed
            f.text = text[f.start : f.end]
        cleaned.append(f)
    cleaned.sort(key=lambda f: (-PRIORITY.get(f.entity_type, 10), -round(f.score, 3), -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in cleaned:
        clash = next((k for k in kept if k.start < f.end and f.start < k.end), None)
        if clash is None:
            kept.append(f)
        elif (clash.start, clash.end, clash.entity_type) == (f.start, f.end, f.entity_type):
            also = clash.explanation.setdefault("also_found_by", [])
            if isinstance(also, list) and f.recognizer not in also and f.recognizer != clash.recognizer:
                also.append(f.recognizer)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept
