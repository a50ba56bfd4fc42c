"""Provides reviewers' PII decisions (accept, reject, reset, by value everywhere, manual spans), each written
to the audit log in the same transaction; the CLI and the review UI both call these."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from discovery.errors import NotFound, UsageError
from discovery.pii.fields import load_fields
from discovery.pii.groups import value_group
from discovery.pii.suggestions import Suggestion, align_groups, apply_case_decisions, get_suggestion
from discovery.pii.types import ALL_TYPES, value_key
from discovery.store import Store, now_iso


def _audit(store: Store, actor: str, action: str, target: str, detail: dict[str, object], at: str) -> None:
    store.db.execute("INSERT INTO audit(at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                     (at, actor or "discovery", action, target,
                      json.dumps(detail, ensure_ascii=False, default=str)))


def _target(row: object) -> str:
    r = row  # sqlite3.Row
    return f"{r['message_id']}:{r['field']}:{r['start']}-{r['end']}"  # type: ignore[index]


SCOPES = ("case", "message", "place")
OWN_SCOPES = ("message", "place", "legacy")  # decisions of their own place: a case decision leaves them (see store 9)


def _group_rows(store: Store, ids: Iterable[int], scope: str = "case") -> list[tuple[sqlite3.Row, list[sqlite3.Row]]]:
    """(the row asked for, the spans a decision of that scope reaches) for each question the ids belong to, once
    each, in the order of the ids: 'case' every span of its question, 'message' its spans in the row's message,
    'place' the row alone. Unknown ids raise NotFound."""
    if scope not in SCOPES:
        raise UsageError(f"unknown scope {scope!r}", hint="Use case, message or place.")
    out: list[tuple[sqlite3.Row, list[sqlite3.Row]]] = []
    seen: set[tuple[str, ...]] = set()
    for i in dict.fromkeys(int(i) for i in ids):
        row = store.db.execute("SELECT * FROM pii_suggestions WHERE id=?", (i,)).fetchone()
        if row is None:
            raise NotFound(f"no PII suggestion {i} in this case", hint="Ids are shown by 'discovery pii list'.")
        question = row["question_key"]
        if not question or scope == "place":
            key: tuple[str, ...] = ("id", str(row["id"]))
        else:
            key = (question,) if scope == "case" else (question, row["message_id"])
        if key in seen:
            continue
        seen.add(key)
        if key[0] == "id":
            rows = [row]
        elif scope == "case":
            rows = store.db.execute("SELECT * FROM pii_suggestions WHERE question_key=? ORDER BY id",
                                    (question,)).fetchall()
        else:
            rows = store.db.execute("SELECT * FROM pii_suggestions WHERE question_key=? AND message_id=? ORDER BY id",
                                    (question, row["message_id"])).fetchall()
        out.append((row, rows))
    return out


def group_ids(store: Store, ids: Iterable[int], scope: str = "case") -> list[int]:
    """Every span id a decision of this scope on those ids decides (see decide_ids)."""
    return [r["id"] for asked, rows in _group_rows(store, ids, scope) for r in _reached(asked, rows, "accepted",
                                                                                         scope)]


@dataclass(slots=True)
class Decided:
    """What a decision by id changed: questions (one value or person across the case), the spans they cover and
    the messages those are in; kept: places whose own message or place decision the case decision left alone."""

    questions: int = 0
    places: int = 0
    messages: int = 0
    kept: int = 0


def _overridden(row: sqlite3.Row) -> bool:
    """A span decided for its message or its place alone (or per message before the case's questions): a case
    decision leaves it as it is."""
    return row["status"] != "pending" and row["decision_scope"] in OWN_SCOPES


def _reached(asked: sqlite3.Row, rows: Sequence[sqlite3.Row], status: str, scope: str) -> list[sqlite3.Row]:
    """The spans a decision changes: a case accept or reject keeps the message and place decisions (undo them,
    or decide them for their message, to change them); a case undo and any narrower decision reach them all."""
    if scope != "case" or status == "pending":
        return list(rows)
    return [r for r in rows if not _overridden(r)]


def decide_ids(store: Store, ids: Iterable[int], status: str, *, actor: str, note: str = "",
               scope: str = "case") -> Decided:
    """Set the status of the questions of these suggestion ids ('accepted', 'rejected', or 'pending' to undo),
    in one audit entry per question. scope 'case' (the default) decides every place of the question across the
    case, and the places scans find later, but not the places decided for their message or their place alone
    (an undo resets those too); 'message' decides the question's places in each id's message; 'place' the ids'
    spans alone (the per-place override: one occurrence of an accepted person kept readable). Undoing a message or
    place decision gives those places the question's case decision again, if it has one. Unknown ids raise
    NotFound and change nothing."""
    if status not in ("accepted", "rejected", "pending"):
        raise UsageError(f"unknown status {status!r}", hint="Use accepted, rejected or pending.")
    stamp = now_iso()
    result = Decided()
    messages: set[str] = set()
    with store.db:
        for asked, rows in _group_rows(store, ids, scope):
            reached = _reached(asked, rows, status, scope)
            result.kept += len(rows) - len(reached)
            changed = _set_rows(store, asked, reached, status, actor=actor, note=note, stamp=stamp, scope=scope)
            if status == "pending" and scope != "case" and asked["question_key"]:
                apply_case_decisions(store.db, [asked["question_key"]], stamp)  # back to the question's decision
            if changed:
                result.questions += 1
                result.places += len(changed)
                messages.update(r["message_id"] for r in changed)
    result.messages = len(messages)
    return result


def set_status(store: Store, ids: Iterable[int], status: str, *, actor: str, note: str = "",
               scope: str = "case") -> int:
    """decide_ids(), returning how many questions changed."""
    return decide_ids(store, ids, status, actor=actor, note=note, scope=scope).questions


def _set_rows(store: Store, asked: sqlite3.Row, rows: Sequence[sqlite3.Row], status: str, *, actor: str, note: str,
              stamp: str, scope: str) -> list[sqlite3.Row]:
    decided_by, decided_at = (actor, stamp) if status != "pending" else ("", None)
    given = scope if status != "pending" else ""
    changed = [row for row in rows if row["status"] != status or row["decision_scope"] != given or note]
    store.db.executemany(
        "UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, note=?, decision_scope=?, updated_at=? "
        "WHERE id=?", [(status, decided_by, decided_at, note or row["note"], given, stamp, row["id"])
                       for row in changed])
    if changed:
        action = {"accepted": "pii.accept", "rejected": "pii.reject", "pending": "pii.reset"}[status]
        _audit(store, actor, action, _target(asked), {
            "suggestion": asked["id"], "type": asked["entity_type"], "text": asked["text"], "field": asked["field"],
            "previous": asked["status"], "note": note, "question": asked["question_key"], "scope": scope,
            "messages": len({r["message_id"] for r in changed}),
            "places": [{"suggestion": r["id"], "message": r["message_id"], "field": r["field"], "start": r["start"],
                        "end": r["end"], "text": r["text"], "previous": r["status"]} for r in changed],
        }, stamp)
    return changed


def accept(store: Store, ids: Iterable[int], *, actor: str, note: str = "", scope: str = "case") -> int:
    """Accept suggestions: redaction will remove these spans (every place of their questions by default)."""
    return set_status(store, ids, "accepted", actor=actor, note=note, scope=scope)


def reject(store: Store, ids: Iterable[int], *, actor: str, note: str = "", scope: str = "case") -> int:
    """Reject suggestions: the text stays readable (rescans keep the rejection)."""
    return set_status(store, ids, "rejected", actor=actor, note=note, scope=scope)


def reset(store: Store, ids: Iterable[int], *, actor: str, note: str = "", scope: str = "case") -> int:
    """Undo a decision: back to pending."""
    return set_status(store, ids, "pending", actor=actor, note=note, scope=scope)


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
        cur = store.db.execute(  # the value's spans, and the other spans of their questions (a person's address),
            # except places decided for their message or place alone
            """UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, decision_scope='case', updated_at=?
               WHERE status != ? AND NOT (status != 'pending' AND decision_scope IN ('message', 'place', 'legacy'))
                   AND ((entity_type=? AND value_key=?) OR (question_key != '' AND
                   question_key IN (SELECT question_key FROM pii_suggestions
                                    WHERE entity_type=? AND value_key=? AND question_key != '')))""",
            (status, actor, stamp, stamp, status, entity_type, vkey, entity_type, vkey),
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


def _question_of(store: Store, message_id: str, entity_type: str, vkey: str) -> tuple[str, str]:
    """The (message group, case question) a new span of this value joins: the value's group in that message, else
    its own; the question that group is in, else the value's question elsewhere in the case, else its own."""
    found = store.db.execute("SELECT group_key, question_key FROM pii_suggestions WHERE message_id=? AND "
                             "entity_type=? AND value_key=? AND group_key != '' ORDER BY id LIMIT 1",
                             (message_id, entity_type, vkey)).fetchone()
    if found:
        return str(found[0]), str(found[1] or found[0])
    group = value_group(entity_type, vkey)
    elsewhere = store.db.execute("SELECT question_key FROM pii_suggestions WHERE entity_type=? AND value_key=? AND "
                                 "question_key != '' ORDER BY id LIMIT 1", (entity_type, vkey)).fetchone()
    return group, str(elsewhere[0]) if elsewhere else group


def _add_occurrences(store: Store, entity_type: str, text: str, vkey: str, actor: str, stamp: str) -> int:
    forms = _literal_forms(entity_type, text)
    patterns = [re.compile(r"(?<![\w@.-])" + re.escape(f).replace(r"\ ", r"\s+") + r"(?![\w@-]|\.\w)", re.IGNORECASE)
                for f in forms]
    created = 0
    for item in load_fields(store, sorted(_candidate_messages(store, forms))):
        taken = {(r[0], r[1], r[2]) for r in store.db.execute(
            "SELECT field, start, end FROM pii_suggestions WHERE message_id=? AND entity_type=?",
            (item.message_id, entity_type))}
        group, question = _question_of(store, item.message_id, entity_type, vkey)
        for f in item.fields:
            for pattern in patterns:
                for m in pattern.finditer(f.text):
                    if any(fld == f.key and s < m.end() and m.start() < e for fld, s, e in taken):
                        continue
                    store.db.execute(
                        """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type,
                               score, recognizer, explanation, origin, status, current, decided_by, decided_at,
                               created_at, updated_at, group_key, question_key, decision_scope)
                           VALUES (?,?,?,?,?,?,?, 1.0, 'ValueDecision', ?, 'value', 'accepted', 1, ?, ?, ?, ?, ?, ?,
                                   'case')
                           ON CONFLICT(message_id, field, start, end, entity_type) DO NOTHING""",
                        (item.message_id, f.key, m.start(), m.end(), m.group(0), vkey, entity_type,
                         json.dumps({"recognizer": "ValueDecision",
                                     "textual_explanation": f"'{text}' accepted everywhere by {actor}"}),
                         actor, stamp, stamp, stamp, group, question),
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
                             "decision_scope='message', updated_at=? WHERE id=?",
                             (actor, stamp, note, stamp, existing[0]))
            suggestion_id = int(existing[0])
        else:
            vkey = value_key(entity_type, span)
            cur = store.db.execute(
                """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, score,
                       recognizer, explanation, origin, status, current, decided_by, decided_at, note, created_at,
                       updated_at, group_key, question_key, decision_scope)
                   VALUES (?,?,?,?,?,?,?, 1.0, 'manual', ?, 'manual', 'accepted', 1, ?, ?, ?, ?, ?, ?, ?, 'message')""",
                (key, field, start, end, span, vkey, entity_type,
                 json.dumps({"recognizer": "manual", "textual_explanation": f"marked by {actor}"}), actor, stamp,
                 note, stamp, stamp, *_question_of(store, key, entity_type, vkey)),
            )
            suggestion_id = int(cur.lastrowid or 0)
        align_groups(store.db, key, stamp)  # the value's other pending spans in this message are redacted too
        _audit(store, actor, "pii.manual", f"{key}:{field}:{start}-{end}",
               {"suggestion": suggestion_id, "type": entity_type, "text": span, "note": note}, stamp)
    result = get_suggestion(store, suggestion_id)
    assert result is not None
    return result
