"""Provides reviewers' PII decisions (accept, reject, reset, by value everywhere, manual spans), each written
to the audit log in the same transaction; the CLI and the review UI both call these."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from discovery.errors import NotFound, UsageError
from discovery.pii.fields import load_fields
from discovery.pii.suggestions import Suggestion, get_suggestion
from discovery.pii.types import ALL_TYPES, value_key
from discovery.store import Store, now_iso


def _audit(store: Store, actor: str, action: str, target: str, detail: dict[str, object], at: str) -> None:
    store.db.execute("INSERT INTO audit(at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                     (at, actor or "discovery", action, target,
                      json.dumps(detail, ensure_ascii=False, default=str)))


def _target(row: object) -> str:
    r = row  # sqlite3.Row
    return f"{r['message_id']}:{r['field']}:{r['start']}-{r['end']}"  # type: ignore[index]


def set_status(store: Store, ids: Iterable[int], status: str, *, actor: str, note: str = "") -> int:
    """Set the status of suggestions by id ('accepted', 'rejected', or 'pending' to undo). Returns how many
    changed. Unknown ids raise NotFound and change nothing."""
    if status not in ("accepted", "rejected", "pending"):
        raise UsageError(f"unknown status {status!r}", hint="Use accepted, rejected or pending.")
    id_list = list(dict.fromkeys(int(i) for i in ids))
    stamp = now_iso()
    changed = 0
    with store.db:
        rows = []
        for i in id_list:
            row = store.db.execute("SELECT * FROM pii_suggestions WHERE id=?", (i,)).fetchone()
            if row is None:
                raise NotFound(f"no PII suggestion {i} in this case",
                               hint="Ids are shown by 'discovery pii list'.")
            rows.append(row)
        for row in rows:
            if row["status"] == status and not note:
                continue
            decided_by, decided_at = (actor, stamp) if status != "pending" else ("", None)
            store.db.execute(
                "UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, note=?, updated_at=? WHERE id=?",
                (status, decided_by, decided_at, note or row["note"], stamp, row["id"]),
            )
            action = {"accepted": "pii.accept", "rejected": "pii.reject", "pending": "pii.reset"}[status]
            _audit(store, actor, action, _target(row), {
                "suggestion": row["id"], "type": row["entity_type"], "text": row["text"], "field": row["field"],
                "previous": row["status"], "note": note,
            }, stamp)
            changed += 1
    return changed


def accept(store: Store, ids: Iterable[int], *, actor: str, note: str = "") -> int:
    """Accept suggestions: redaction will remove these spans."""
    return set_status(store, ids, "accepted", actor=actor, note=note)


def reject(store: Store, ids: Iterable[int], *, actor: str, note: str = "") -> int:
    """Reject suggestions: the text stays readable (rescans keep the rejection)."""
    return set_status(store, ids, "rejected", actor=actor, note=note)


def reset(store: Store, ids: Iterable[int], *, actor: str, note: str = "") -> int:
    """Undo a decision: back to pending."""
    return set_status(store, ids, "pending", actor=actor, note=note)


@dataclass(slots=True)
class ValueDecision:
    entity_type: str
    text: str
    value_key: str
    status: str
    updated: int  # existing suggestions whose status changed
    created: int  # new accepted spans where the value occurs without a suggestion

    def to_dict(self) -> dict[str, object]:
        return {"type": self.entity_type, "text": self.text, "value_key": self.value_key, "status": self.status,
                "updated": self.updated, "created": self.created}


def decide_value(store: Store, entity_type: str, text: str, status: str, *, actor: str, note: str = "",
                 create_spans: bool = True) -> ValueDecision:
    """Accept or reject one value everywhere: every suggestion with the same normalized value, now and in future
    scans. Accepting also adds accepted spans wherever the text occurs (whole words, any case; for a person
    'Last, First' too) in fields no suggestion covers yet."""
    if entity_type not in ALL_TYPES:
        raise UsageError(f"unknown entity type {entity_type!r}", hint=f"Known types: {', '.join(ALL_TYPES)}.")
    if status not in ("accepted", "rejected"):
        raise UsageError(f"unknown status {status!r}", hint="Use accepted or rejected.")
    text = text.strip()
    if not text:
        raise UsageError("the value to decide is empty")
    vkey = value_key(entity_type, text)
    stamp = now_iso()
    created = 0
    with store.db:
        store.db.execute(
            """INSERT INTO pii_value_decisions(entity_type, value_key, text, status, decided_by, decided_at, note)
               VALUES (?,?,?,?,?,?,?) ON CONFLICT(entity_type, value_key) DO UPDATE SET text=excluded.text,
                   status=excluded.status, decided_by=excluded.decided_by, decided_at=excluded.decided_at,
                   note=excluded.note""",
            (entity_type, vkey, text, status, actor, stamp, note),
        )
        cur = store.db.execute(
            """UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, updated_at=?
               WHERE entity_type=? AND value_key=? AND status != ?""",
            (status, actor, stamp, stamp, entity_type, vkey, status),
        )
        updated = cur.rowcount
        if create_spans and status == "accepted":
            created = _add_occurrences(store, entity_type, text, vkey, actor, stamp)
        _audit(store, actor, "pii.accept_value" if status == "accepted" else "pii.reject_value",
               f"{entity_type}:{vkey}", {"type": entity_type, "text": text, "updated": updated, "created": created,
                                         "note": note}, stamp)
    return ValueDecision(entity_type, text, vkey, status, updated, created)


def accept_value_everywhere(store: Store, entity_type: str, text: str, *, actor: str, note: str = "") -> ValueDecision:
    return decide_value(store, entity_type, text, "accepted", actor=actor, note=note)


def reject_value_everywhere(store: Store, entity_type: str, text: str, *, actor: str, note: str = "") -> ValueDecision:
    return decide_value(store, entity_type, text, "rejected", actor=actor, note=note)


def _literal_forms(entity_type: str, text: str) -> list[str]:
    forms = [text]
    parts = text.split()
    if entity_type == "PERSON" and "," not in text and len(parts) >= 2:
        forms.append(f"{parts[-1]}, {' '.join(parts[:-1])}")
    return forms


def _candidate_messages(store: Store, forms: Sequence[str]) -> set[str]:
    ids: set[str] = set()
    for form in forms:
        low = form.lower()
        for sql, n in (
            ("SELECT id FROM messages WHERE instr(lower(body_text), ?) > 0 OR instr(lower(subject), ?) > 0 "
             "OR instr(lower(headers), ?) > 0", 3),
            ("SELECT message_id FROM addresses WHERE instr(lower(name), ?) > 0 OR instr(lower(email), ?) > 0", 2),
            ("SELECT message_id FROM attachments WHERE instr(lower(coalesce(text, '')), ?) > 0 "
             "OR instr(lower(filename), ?) > 0", 2),
        ):
            ids.update(r[0] for r in store.rows(sql, (low,) * n))
    return ids


def _add_occurrences(store: Store, entity_type: str, text: str, vkey: str, actor: str, stamp: str) -> int:
    forms = _literal_forms(entity_type, text)
    patterns = [re.compile(r"(?<![\w@.-])" + re.escape(f).replace(r"\ ", r"\s+") + r"(?![\w@-]|\.\w)", re.IGNORECASE)
                for f in forms]
    created = 0
    for item in load_fields(store, sorted(_candidate_messages(store, forms))):
        taken = {(r[0], r[1], r[2]) for r in store.db.execute(
            "SELECT field, start, end FROM pii_suggestions WHERE message_id=? AND entity_type=?",
            (item.message_id, entity_type))}
        for f in item.fields:
            for pattern in patterns:
                for m in pattern.finditer(f.text):
                    if any(fld == f.key and s < m.end() and m.start() < e for fld, s, e in taken):
                        continue
                    store.db.execute(
                        """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type,
                               score, recognizer, explanation, origin, status, current, decided_by, decided_at,
                               created_at, updated_at)
                           VALUES (?,?,?,?,?,?,?, 1.0, 'ValueDecision', ?, 'value', 'accepted', 1, ?, ?, ?, ?)
                           ON CONFLICT(message_id, field, start, end, entity_type) DO NOTHING""",
                        (item.message_id, f.key, m.start(), m.end(), m.group(0), vkey, entity_type,
                         json.dumps({"recognizer": "ValueDecision",
                                     "textual_explanation": f"'{text}' accepted everywhere by {actor}"}),
                         actor, stamp, stamp, stamp),
                    )
                    taken.add((f.key, m.start(), m.end()))
                    created += 1
    return created


def add_manual_span(store: Store, message_id: str, field: str, start: int, end: int, entity_type: str, *,
                    actor: str, note: str = "") -> Suggestion:
    """A span the scan missed, marked by a reviewer: stored accepted, origin 'manual', never touched by scans."""
    if entity_type not in ALL_TYPES:
        raise UsageError(f"unknown entity type {entity_type!r}", hint=f"Known types: {', '.join(ALL_TYPES)}.")
    row = store.message_row(message_id)
    if row is None:
        raise NotFound(f"no message {message_id!r} in this case")
    key = row["id"]
    texts = {f.key: f.text for item in load_fields(store, [key]) for f in item.fields}
    if field not in texts:
        raise UsageError(f"message {key} has no field {field!r}",
                         hint=f"Its fields: {', '.join(sorted(texts)) or 'none'}.")
    text = texts[field]
    if not 0 <= start < end <= len(text):
        raise UsageError(f"span {start}-{end} is outside the field (0-{len(text)})")
    stamp = now_iso()
    span = text[start:end]
    with store.db:
        existing = store.db.execute(
            "SELECT id FROM pii_suggestions WHERE message_id=? AND field=? AND start=? AND end=? AND entity_type=?",
            (key, field, start, end, entity_type)).fetchone()
        if existing:
            store.db.execute("UPDATE pii_suggestions SET status='accepted', decided_by=?, decided_at=?, note=?, "
                             "updated_at=? WHERE id=?", (actor, stamp, note, stamp, existing[0]))
            suggestion_id = int(existing[0])
        else:
            cur = store.db.execute(
                """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, score,
                       recognizer, explanation, origin, status, current, decided_by, decided_at, note, created_at,
                       updated_at)
                   VALUES (?,?,?,?,?,?,?, 1.0, 'manual', ?, 'manual', 'accepted', 1, ?, ?, ?, ?, ?)""",
                (key, field, start, end, span, value_key(entity_type, span), entity_type,
                 json.dumps({"recognizer": "manual", "textual_explanation": f"marked by {actor}"}), actor, stamp,
                 note, stamp, stamp),
            )
            suggestion_id = int(cur.lastrowid or 0)
        _audit(store, actor, "pii.manual", f"{key}:{field}:{start}-{end}",
               {"suggestion": suggestion_id, "type": entity_type, "text": span, "note": note}, stamp)
    result = get_suggestion(store, suggestion_id)
    assert result is not None
    return result
