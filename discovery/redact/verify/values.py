"""Provides redacted_values: what a production must not contain, computed from the case (never the production).

The rule (shared with the pipeline, implemented here independently): for the production's documents, every
current suggestion that is accepted (reviewers' decisions and manual spans), or pending when the production's
pending mode is 'redact', or pending and on the policy's deny-list, or pending with a type and score the
policy's ``[redact] auto`` table always redacts; plus every accepted decision by value; minus the values the
policy allow-lists; plus the text a release left readable under its own boxes in the production's documents
(bad redactions), which no allow-list exempts. Each value counts everywhere in the production, in all its variants
(see matcher), except in a document where a reviewer rejected a place of it (the per-place override: a value
redacted everywhere else, kept readable there on purpose): see kept_forms.
"""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from discovery.errors import PolicyError
from discovery.pii.policy import POLICY_FILE, PolicyFilter, parse_policy
from discovery.pii.types import Finding
from discovery.redact.verify.matcher import Matcher, value_variants

_PII_SECTIONS = ("engine", "entities", "thresholds", "allow", "deny")


@dataclass(frozen=True, slots=True)
class RedactedValue:
    """One value to look for: its type and where the rule got it ('suggestion 17', 'value decision')."""

    entity_type: str
    text: str
    source: str

    def describe(self) -> str:
        """Names the value without quoting it."""
        return f"{self.entity_type} ({self.source})"


def load_rules(case_dir: Path) -> tuple[PolicyFilter | None, dict[str, float]]:
    """The case's allow-list filter and its ``[redact] auto`` table (type -> minimum score)."""
    path = Path(case_dir) / POLICY_FILE
    if not path.exists():
        return None, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path} cannot be read: {exc}", hint="Fix the policy, then verify again.") from exc
    policy = parse_policy({k: v for k, v in data.items() if k in _PII_SECTIONS}, str(path))
    redact = data.get("redact", {})
    auto_table = redact.get("auto", {}) if isinstance(redact, dict) else {}
    auto: dict[str, float] = {}
    if isinstance(auto_table, dict):
        for key, value in auto_table.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                auto[str(key)] = float(value)
    return policy, auto


def redacted_values(db: sqlite3.Connection, case_dir: Path, documents: Iterable[str],
                    pending_mode: str) -> list[RedactedValue]:
    """Every value the production must not contain (see the module docstring)."""
    policy, auto = load_rules(case_dir)
    allow = None
    if policy is not None:
        people = db.execute("SELECT DISTINCT name, email FROM addresses WHERE name != '' AND email != ''")
        allow = PolicyFilter.build(policy, [(r[0], r[1]) for r in people])
    docs = set(documents)
    out: list[RedactedValue] = []
    seen: set[tuple[str, str]] = set()

    def add(entity_type: str, text: str, source: str, score: float = 1.0, allowable: bool = True) -> None:
        key = (entity_type, text)
        if not text.strip() or key in seen:
            return
        if allowable and allow is not None and allow.allowed(
                Finding("", 0, len(text), entity_type, score, "", text)):
            return
        seen.add(key)
        out.append(RedactedValue(entity_type, text, source))

    rows = db.execute(
        "SELECT id, message_id, text, entity_type, score, recognizer, status FROM pii_suggestions "
        "WHERE current = 1 AND status != 'rejected' ORDER BY id")
    for sid, message_id, text, entity_type, score, recognizer, status in rows:
        if message_id not in docs:
            continue
        if status == "accepted" or (status == "pending" and (
                pending_mode == "redact" or recognizer == "PolicyDenyList"
                or (entity_type in auto and float(score) >= auto[entity_type]))):
            add(entity_type, text, f"suggestion {sid}", float(score))
    for entity_type, text in db.execute(
            "SELECT entity_type, text FROM pii_value_decisions WHERE status = 'accepted' ORDER BY entity_type, text"):
        add(entity_type, text, "value decision")
    for message_id, page, hidden in _bad_redactions(db):
        if message_id in docs and sum(c.isalnum() for c in hidden) >= 2:
            add(_release_type(hidden), hidden, f"text under a release's box, page {page}", allowable=False)
    return out


def kept_forms(db: sqlite3.Connection, documents: Iterable[str]) -> dict[str, frozenset[str]]:
    """document id -> the forms (word and digit forms, as the matcher's) of the values a reviewer rejected at a
    place of it, which may stay readable in that document's files and in the documents that embed it (a
    forwarded message inside its parent). Rejections made before the case's questions (scope 'legacy') keep
    nothing readable that is redacted elsewhere, as then."""
    docs = set(documents)
    own: dict[str, set[str]] = {}
    try:
        rows = db.execute("SELECT message_id, entity_type, text FROM pii_suggestions WHERE current = 1 AND "
                          "status = 'rejected' AND decision_scope != 'legacy' ORDER BY id").fetchall()
        parents = {str(m): str(p) for m, p in db.execute(
            "SELECT id, parent_id FROM messages WHERE parent_id IS NOT NULL AND parent_id != ''")}
    except sqlite3.OperationalError:  # an old case
        return {}
    for message_id, entity_type, text in rows:
        word_forms, digits = value_variants(str(entity_type), str(text))
        forms = set(word_forms) | set(digits)
        doc, hops = str(message_id), 0
        while doc and hops < 50:  # the document itself and every document that embeds it
            if doc in docs:
                own.setdefault(doc, set()).update(forms)
            doc, hops = parents.get(doc, ""), hops + 1
    return {doc: frozenset(forms) for doc, forms in own.items()}


_PHONE_LIKE = re.compile(r"[+(]?\d[\d\s().\-]{5,}\d")


def _bad_redactions(db: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(message id, page, text) of every box a release drew over text it left readable: the release withheld
    that text, so no production may show it (whatever the allow-list says)."""
    try:
        rows = db.execute("SELECT message_id, page, hidden_text FROM existing_redactions WHERE over_text = 1 "
                          "AND hidden_text != '' ORDER BY message_id, position").fetchall()
    except sqlite3.OperationalError:  # a case from before releases were read
        return []
    return [(str(m), int(p), " ".join(str(t).split())) for m, p, t in rows]


def _release_type(text: str) -> str:
    """The type whose variants a release's hidden text is looked for in: a phone-like number as a phone."""
    digits = sum(c.isdigit() for c in text)
    return "PHONE_NUMBER" if _PHONE_LIKE.fullmatch(text.strip()) and 10 <= digits <= 11 else "RELEASE_REDACTION"


def build_matcher(values: Iterable[RedactedValue]) -> Matcher:
    """One matcher over every value's variants; each form remembers the values it stands for."""
    forms: dict[str, list[object]] = {}
    digit_forms: dict[str, list[object]] = {}
    for value in values:
        word_forms, digits = value_variants(value.entity_type, value.text)
        for form in word_forms:
            forms.setdefault(form, []).append(value)
        for form in digits:
            digit_forms.setdefault(form, []).append(value)
    return Matcher(forms, digit_forms)
