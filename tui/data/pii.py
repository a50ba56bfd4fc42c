"""Provides the TUI's one adapter to discovery.pii: suggestions of a message and the reviewer's decisions.

Decisions go through discovery.pii.decisions (each one audited there, in the same transaction); this module
reads, converts and calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from discovery.tui.data.session import ReviewSession

from discovery.pii import decisions
from discovery.pii import suggestions as stored_suggestions
from discovery.pii.fields import load_fields
from discovery.pii.types import ALL_TYPES
from discovery.safe_text import safe_line, safe_text

BLOCK = "█"
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
_CHUNK = 400
Span = tuple[int, int]


@dataclass(slots=True)
class FieldText:
    """A text of a message that suggestions point into ('body', 'subject', 'address:to:0', 'attachment:2')."""

    key: str
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Reach:
    """How far a question goes across the case: its places, the messages they are in, and how many are pending."""

    places: int
    messages: int
    pending: int


@dataclass(slots=True)
class ValueResult:
    updated: int  # suggestions of that value whose status changed
    created: int  # new accepted spans where the value occurs without a suggestion


def redacted(text: str, spans: Sequence[Span]) -> str:
    """The text as it would be published: each span blacked out character for character, so offsets hold."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            if not chars[i].isspace():
                chars[i] = BLOCK
    return "".join(chars)


def explain(suggestion: Any) -> list[tuple[str, str]]:
    """Why a suggestion was made, as (label, value) lines: recognizer, score, origin and the engine's reasons."""
    lines = [("Type", suggestion.entity_type), ("Recognizer", suggestion.recognizer or "-"),
             ("Score", f"{suggestion.score:.2f}"), ("Origin", suggestion.origin)]
    if suggestion.status != PENDING:
        lines.append(("Decided", f"{suggestion.status} by {suggestion.decided_by or '?'} "
                                 f"{(suggestion.decided_at or '')[:16].replace('T', ' ')}"))
    if not suggestion.current:
        lines.append(("Note", "the latest scan no longer finds this span; the decision is kept"))
    if suggestion.note:
        lines.append(("Reviewer note", suggestion.note))
    explanation = suggestion.explanation or {}
    for key, value in explanation.items():
        if value in (None, "", [], {}) or key in ("recognizer", "score"):
            continue
        if key == "original_score" and value == suggestion.score or key == "score_context_improvement" and not value:
            continue
        label = key.replace("_", " ").capitalize()
        lines.append((label, value if isinstance(value, str) else repr(value)))
    return lines


def field_rank(key: str) -> tuple[int, int, str]:
    """Reading order of fields: subject, addresses (from, to, cc, bcc), body, attachments, other headers."""
    return stored_suggestions.reading_rank(key)


def questions_of(suggestions: Sequence[Any]) -> list[stored_suggestions.Question]:
    """A message's suggestions as the reviewer's questions (one per person or value of the case; here, their
    places in this message), in reading order of each question's first place."""
    found = stored_suggestions.as_questions(list(suggestions))
    return sorted(found, key=lambda q: min((field_rank(s.field), s.start, s.end) for s in q.spans))


def number_addresses(fields: list[FieldText]) -> list[FieldText]:
    """'Cc 1', 'Cc 2' where a header holds several addresses, so two Cc fields can be told apart."""
    roles = [f.key.split(":")[1] for f in fields if f.key.startswith("address:")]
    seen: dict[str, int] = {}
    for f in fields:
        role = f.key.split(":")[1] if f.key.startswith("address:") else ""
        if role and roles.count(role) > 1:
            seen[role] = seen.get(role, 0) + 1
            f.label = f"{f.label} {seen[role]}"
    return fields


def field_short(key: str, label: str) -> str:
    """A field's name for a narrow column: 'Body', 'Subject', 'Cc 2', 'Received', 'report.pdf'."""
    if key in ("body", "subject"):
        return key.capitalize()
    return label or key


class PiiAdapter:
    """Suggestions and decisions for one case, for one reviewer. Call from worker threads."""

    def __init__(self, session: ReviewSession) -> None:
        self.session = session

    @property
    def entity_types(self) -> tuple[str, ...]:
        return tuple(ALL_TYPES)

    # -- reading --------------------------------------------------------------------------------------
    def fields(self, message_id: str) -> list[FieldText]:
        """The texts of a message exactly as the PII scan read them (suggestion offsets point into these)."""
        with self.session.reading() as case:
            found = load_fields(case.store, [message_id])
        if not found:
            return []
        # Shown safely, one character for one, so the suggestions' offsets still point into these texts.
        out = [FieldText(f.key, safe_line(f.label or f.key), safe_text(f.text)) for f in found[0].fields]
        return number_addresses(out)

    def suggestions(self, message_id: str) -> list[Any]:
        """Every suggestion of a message (pending and decided), by field and position."""
        with self.session.reading() as case:
            found = list(stored_suggestions.message_suggestions(case.store, message_id))
        return sorted(found, key=lambda s: (field_rank(s.field), s.start, s.end))

    def pending_counts(self, ids: Sequence[str]) -> dict[str, int]:
        """Pending questions per message (none where nothing was scanned)."""
        out: dict[str, int] = {}
        group = stored_suggestions.GROUP_SQL
        with self.session.reading() as case:
            for i in range(0, len(ids), _CHUNK):
                part = list(ids[i : i + _CHUNK])
                for row in case.store.rows(
                    f"""SELECT s.message_id, count(DISTINCT {group}) FROM pii_suggestions s WHERE s.status='pending'
                        AND s.message_id IN ({",".join("?" * len(part))}) GROUP BY s.message_id""", part):
                    out[row[0]] = int(row[1])
        return out

    def pending_questions(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """The pending questions of each message (none where nothing is pending)."""
        out: dict[str, set[str]] = {}
        group = stored_suggestions.GROUP_SQL
        with self.session.reading() as case:
            for i in range(0, len(ids), _CHUNK):
                part = list(ids[i : i + _CHUNK])
                for row in case.store.rows(
                    f"""SELECT DISTINCT s.message_id, {group} FROM pii_suggestions s WHERE s.status='pending'
                        AND s.message_id IN ({",".join("?" * len(part))})""", part):
                    out.setdefault(row[0], set()).add(str(row[1]))
        return out

    def reach(self, keys: Sequence[str]) -> dict[str, Reach]:
        """How far each of these questions goes across the case (see Reach)."""
        out: dict[str, Reach] = {}
        named = [k for k in dict.fromkeys(keys) if not k.startswith("id:")]
        with self.session.reading() as case:
            for i in range(0, len(named), _CHUNK):
                part = named[i : i + _CHUNK]
                for key, places, messages, pending in case.store.rows(
                    f"""SELECT question_key, count(*), count(DISTINCT message_id), sum(status = 'pending')
                        FROM pii_suggestions WHERE question_key IN ({",".join("?" * len(part))})
                        GROUP BY question_key""", part):
                    out[str(key)] = Reach(int(places), int(messages), int(pending or 0))
        return out

    def value_count(self, suggestion: Any) -> Reach:
        """How far accepting this value everywhere goes: the places of its questions across the case that are not
        accepted yet, the messages they are in, and (as 'pending') how many questions those places belong to."""
        group = stored_suggestions.GROUP_SQL
        with self.session.reading() as case:
            row = case.store.rows(
                f"""SELECT count(*), count(DISTINCT s.message_id), count(DISTINCT {group}) FROM pii_suggestions s
                    WHERE s.status != 'accepted' AND {group} IN (SELECT {group} FROM pii_suggestions s
                                                              WHERE s.entity_type=? AND s.value_key=?)""",
                (suggestion.entity_type, suggestion.value_key))[0]
        return Reach(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))

    # -- decisions (audited by discovery.pii.decisions) -----------------------------------------------
    def accept(self, suggestion: Any, scope: str = "case") -> int:
        """Accept the suggestion's question: every place across the case (scope 'message': in its message)."""
        return int(self.session.write(lambda c: decisions.accept(c.store, [suggestion.id],
                                                                 actor=self.session.reviewer, scope=scope)))

    def reject(self, suggestion: Any, scope: str = "case") -> int:
        return int(self.session.write(lambda c: decisions.reject(c.store, [suggestion.id],
                                                                 actor=self.session.reviewer, scope=scope)))

    def reset(self, suggestion: Any, scope: str = "case") -> int:
        """Undo a decision: back to pending (a message decision undone: back to the question's own)."""
        return int(self.session.write(lambda c: decisions.reset(c.store, [suggestion.id],
                                                                actor=self.session.reviewer, scope=scope)))

    def accept_everywhere(self, suggestion: Any) -> ValueResult:
        """Accept this value across the case (and in future scans)."""
        result = self.session.write(lambda c: decisions.accept_value_everywhere(
            c.store, suggestion.entity_type, suggestion.text, actor=self.session.reviewer))
        return ValueResult(int(result.updated), int(result.created))

    def add_manual(self, message_id: str, field_key: str, start: int, end: int, entity_type: str) -> Any:
        """Redact a span the scan missed (stored accepted, origin 'manual')."""
        return self.session.write(lambda c: decisions.add_manual_span(
            c.store, message_id, field_key, start, end, entity_type, actor=self.session.reviewer))
