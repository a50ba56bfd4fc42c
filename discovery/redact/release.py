"""Provides bad_redactions: the text a release left readable under its own black boxes (issue 11's bad
redactions), which a production of those messages redacts again as a rule of its own, under the release's
exemption code, so that a release's mistake is never repeated."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from discovery.store import Store

RULE = "release:bad-redaction"
ENTITY_TYPE = "RELEASE_REDACTION"
_CODE_LABEL = re.compile(r"\(b\)\(\d\)(?:\([A-Z]\))?")
_CODE = re.compile(r"b(\d)([a-z]?)")
_PHONE_LIKE = re.compile(r"[+(]?\d[\d\s().\-]{5,}\d")


@dataclass(frozen=True, slots=True)
class BadRedaction:
    """One text a release boxed without removing it: the text, the exemption code the box carried ('' when it
    carried none that is a code), and the messages (with the pages) where the release drew it."""

    text: str
    exemption: str
    places: tuple[tuple[str, int], ...]  # (message id, page)


def exemption_of(label: str, code: str) -> str:
    """The FOIA code of a release's box: its printed label when that is a code ('(b)(6)'), else its normalised
    code ('b7c' -> '(b)(7)(C)'), else '' (the caller's default)."""
    label = label.strip()
    if _CODE_LABEL.fullmatch(label):
        return label
    m = _CODE.fullmatch(code.strip().lower())
    if m:
        return f"(b)({m.group(1)})" + (f"({m.group(2).upper()})" if m.group(2) else "")
    return ""


def variant_type(text: str) -> str:
    """The entity type whose variants the text is followed under: a phone-like number as a phone (so '1-503-...'
    and '(503) ...' forms go too), anything else as the text itself."""
    digits = sum(c.isdigit() for c in text)
    return "PHONE_NUMBER" if _PHONE_LIKE.fullmatch(text.strip()) and 10 <= digits <= 11 else ENTITY_TYPE


def bad_redactions(store: Store, message_ids: Sequence[str]) -> list[BadRedaction]:
    """The texts under the bad redactions of these messages, one record per distinct text (first code wins),
    in (message, position) order. Texts with fewer than two letters or digits are left out (nothing to follow)."""
    chosen = set(message_ids)
    found: dict[str, tuple[str, list[tuple[str, int]]]] = {}
    for r in store.rows("""SELECT message_id, position, page, label, code, hidden_text FROM existing_redactions
                           WHERE over_text=1 AND hidden_text != '' ORDER BY message_id, position"""):
        if r["message_id"] not in chosen:
            continue
        text = " ".join(str(r["hidden_text"]).split())
        if sum(c.isalnum() for c in text) < 2:
            continue
        entry = found.setdefault(text, (exemption_of(str(r["label"]), str(r["code"])), []))
        entry[1].append((str(r["message_id"]), int(r["page"])))
    return [BadRedaction(text, code, tuple(places)) for text, (code, places) in found.items()]
