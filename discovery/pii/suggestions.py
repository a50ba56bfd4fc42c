"""Provides the PII suggestions in the case store: merging a scan's findings without losing decisions, and
reading them back (list, filters, counts) for the CLI, the review UI and redaction."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from discovery.errors import UsageError
from discovery.pii.types import Finding, Problem, value_key
from discovery.store import Store, now_iso

STATUSES = ("pending", "accepted", "rejected")


@dataclass(slots=True)
class Suggestion:
    """One row of pii_suggestions."""

    id: int
    message_id: str
    field: str
    start: int
    end: int
    text: str
    entity_type: str
    score: float
    recognizer: str
    status: str
    origin: str
    current: bool
    decided_by: str
    decided_at: str | None
    note: str
    explanation: dict[str, object]
    value_key: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _row(r: sqlite3.Row) -> Suggestion:
    try:
        explanation = json.loads(r["explanation"] or "{}")
    except ValueError:
        explanation = {}
    return Suggestion(r["id"], r["message_id"], r["field"], r["start"], r["end"], r["text"], r["entity_type"],
                      r["score"], r["recognizer"], r["status"], r["origin"], bool(r["current"]), r["decided_by"],
                      r["decided_at"], r["note"], explanation, r["value_key"])


@dataclass(slots=True)
class MergeStats:
    inserted: int = 0
    updated: int = 0
    moved: int = 0  # decided suggestions carried to the same value at new offsets
    removed: int = 0  # pending suggestions the scan no longer makes
    kept: int = 0  # decided suggestions the scan no longer makes (kept, current=0)

    def add(self, other: MergeStats) -> None:
        for name in ("inserted", "updated", "moved", "removed", "kept"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def value_rules(store: Store) -> dict[tuple[str, str], str]:
    """Decisions by value: (entity type, value key) -> 'accepted' | 'rejected'."""
    return {(r[0], r[1]): r[2] for r in store.rows("SELECT entity_type, value_key, status FROM pii_value_decisions")}


def merge_message(db: sqlite3.Connection, message_id: str, findings: Sequence[Finding], *, scan_version: str,
                  policy_version: str, rules: dict[tuple[str, str], str], stamp: str | None = None) -> MergeStats:
    """Replace one message's scan suggestions by a new scan's findings, keeping every decision.

    A finding matches an existing suggestion at the same (field, start, end, type): it is updated in place.
    Otherwise a decided suggestion of the same field, type and value moves to the new offsets. New findings
    are pending unless a decision by value says otherwise. Pending scan suggestions no longer found are deleted;
    decided ones are kept with current = 0. Manual suggestions are never touched. No commit."""
    stamp = stamp or now_iso()
    stats = MergeStats()
    existing = db.execute(
        "SELECT id, field, start, end, entity_type, value_key, status, origin FROM pii_suggestions "
        "WHERE message_id=? AND origin != 'manual'", (message_id,)
    ).fetchall()
    by_span = {(r[1], r[2], r[3], r[4]): r for r in existing}
    by_value: dict[tuple[str, str, str], list[sqlite3.Row]] = {}
    for r in existing:
        if r[6] != "pending":
            by_value.setdefault((r[1], r[4], r[5]), []).append(r)
    matched: set[int] = set()
    manual_spans = {(r[0], r[1], r[2], r[3]) for r in db.execute(
        "SELECT field, start, end, entity_type FROM pii_suggestions WHERE message_id=? AND origin='manual'",
        (message_id,))}
    for f in findings:
        key = f.key()
        if key in manual_spans:
            continue
        vkey = value_key(f.entity_type, f.text)
        explanation = json.dumps(f.explanation, ensure_ascii=False, default=str)
        row = by_span.get(key)
        if row is not None and row[0] not in matched:
            matched.add(row[0])
            db.execute(
                """UPDATE pii_suggestions SET text=?, value_key=?, score=?, recognizer=?, explanation=?, current=1,
                       scan_version=?, policy_version=?, updated_at=? WHERE id=?""",
                (f.text, vkey, f.score, f.recognizer, explanation, scan_version, policy_version, stamp, row[0]),
            )
            stats.updated += 1
            continue
        movable = [r for r in by_value.get((f.field, f.entity_type, vkey), []) if r[0] not in matched]
        if movable:
            target = min(movable, key=lambda r: abs(r[2] - f.start))
            matched.add(target[0])
            db.execute(
                """UPDATE pii_suggestions SET start=?, end=?, text=?, score=?, recognizer=?, explanation=?, current=1,
                       scan_version=?, policy_version=?, updated_at=? WHERE id=?""",
                (f.start, f.end, f.text, f.score, f.recognizer, explanation, scan_version, policy_version, stamp,
                 target[0]),
            )
            stats.moved += 1
            continue
        status = rules.get((f.entity_type, vkey), "pending")
        db.execute(
            """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, score,
                   recognizer, explanation, origin, status, current, decided_by, decided_at, scan_version,
                   policy_version, created_at, updated_at)
               VALUES (?,?,?,?,?,?,?,?,?,?, 'scan', ?, 1, ?, ?, ?, ?, ?, ?)""",
            (message_id, f.field, f.start, f.end, f.text, vkey, f.entity_type, f.score, f.recognizer, explanation,
             status, "value-decision" if status != "pending" else "", stamp if status != "pending" else None,
             scan_version, policy_version, stamp, stamp),
        )
        stats.inserted += 1
    for r in existing:
        if r[0] in matched:
            continue
        if r[6] == "pending":
            db.execute("DELETE FROM pii_suggestions WHERE id=?", (r[0],))
            stats.removed += 1
        else:
            db.execute("UPDATE pii_suggestions SET current=0, updated_at=? WHERE id=? AND current=1", (stamp, r[0]))
            stats.kept += 1
    return stats


def record_scan(db: sqlite3.Connection, message_id: str, rev: int, mode: str, scan_version: str, findings: int,
                problems: Sequence[Problem], stamp: str | None = None) -> None:
    """Remember that this message was scanned at this revision with this scan version. No commit."""
    db.execute(
        """INSERT INTO pii_scans(message_id, scanned_rev, scanned_at, engine_mode, scan_version, findings, problems)
           VALUES (?,?,?,?,?,?,?) ON CONFLICT(message_id) DO UPDATE SET scanned_rev=excluded.scanned_rev,
               scanned_at=excluded.scanned_at, engine_mode=excluded.engine_mode, scan_version=excluded.scan_version,
               findings=excluded.findings, problems=excluded.problems""",
        (message_id, rev, stamp or now_iso(), mode, scan_version, findings,
         json.dumps([p.to_dict() for p in problems], ensure_ascii=False)),
    )


# -- reading --------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Query:
    """Filters for list_suggestions; parse_query builds one from 'type:PERSON status:pending whitfield'."""

    text: str = ""  # substring of the suggested text, any case
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    field_prefix: str = ""
    message: str = ""  # message id or prefix
    recognizer: str = ""
    origin: str = ""
    current_only: bool = False
    min_score: float | None = None
    limit: int | None = 200
    offset: int = 0


_TERM = re.compile(r'(\w+):("[^"]*"|\S+)|"([^"]*)"|(\S+)')


def parse_query(query: str) -> Query:
    """'type:PERSON status:pending field:body msg:3fa2 recognizer:Phone score:0.8 "dana w"' -> Query."""
    q = Query()
    words: list[str] = []
    for m in _TERM.finditer(query or ""):
        key, value, quoted, word = m.groups()
        if key:
            value = value.strip('"')
            k = key.lower()
            if k == "type":
                q.types.extend(v.upper() for v in value.split(","))
            elif k == "status":
                bad = [v for v in value.split(",") if v.lower() not in STATUSES]
                if bad:
                    raise UsageError(f"unknown status {bad[0]!r}", hint="Use pending, accepted or rejected.")
                q.statuses.extend(v.lower() for v in value.split(","))
            elif k == "field":
                q.field_prefix = value
            elif k in ("msg", "message"):
                q.message = value.lower()
            elif k == "recognizer":
                q.recognizer = value
            elif k == "origin":
                q.origin = value.lower()
            elif k == "score":
                try:
                    q.min_score = float(value)
                except ValueError as exc:
                    raise UsageError(f"score:{value} is not a number", hint="e.g. score:0.8") from exc
            else:
                raise UsageError(f"unknown filter {key}:", hint="Filters: type: status: field: msg: recognizer: "
                                 "origin: score:, and words to find in the suggested text.")
        else:
            words.append(quoted if quoted is not None else word)
    q.text = " ".join(words)
    return q


def _where(q: Query) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if q.text:
        clauses.append("instr(lower(s.text), lower(?)) > 0")
        params.append(q.text)
    if q.types:
        clauses.append(f"s.entity_type IN ({','.join('?' * len(q.types))})")
        params.extend(q.types)
    if q.statuses:
        clauses.append(f"s.status IN ({','.join('?' * len(q.statuses))})")
        params.extend(q.statuses)
    if q.field_prefix:
        clauses.append("substr(s.field, 1, length(?)) = ?")  # literal prefixes: '%' and '_' match themselves
        params.extend([q.field_prefix, q.field_prefix])
    if q.message:
        clauses.append("substr(s.message_id, 1, length(?)) = ?")
        params.extend([q.message, q.message])
    if q.recognizer:
        clauses.append("instr(lower(s.recognizer), lower(?)) > 0")
        params.append(q.recognizer)
    if q.origin:
        clauses.append("s.origin = ?")
        params.append(q.origin)
    if q.current_only:
        clauses.append("s.current = 1")
    if q.min_score is not None:
        clauses.append("s.score >= ?")
        params.append(q.min_score)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_suggestions(store: Store, query: Query | None = None) -> list[Suggestion]:
    """Suggestions matching the query, by message date then position."""
    q = query or Query()
    where, params = _where(q)
    sql = (f"""SELECT s.* FROM pii_suggestions s LEFT JOIN messages m ON m.id = s.message_id {where}
               ORDER BY m.date_utc, s.message_id, s.field, s.start""")
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    return [_row(r) for r in store.rows(sql, params)]


def count_suggestions(store: Store, query: Query | None = None) -> int:
    where, params = _where(query or Query())
    return _count(store.scalar(f"SELECT count(*) FROM pii_suggestions s {where}", params))


def get_suggestion(store: Store, suggestion_id: int) -> Suggestion | None:
    rows = store.rows("SELECT * FROM pii_suggestions WHERE id=?", (suggestion_id,))
    return _row(rows[0]) if rows else None


def message_suggestions(store: Store, message_id: str) -> list[Suggestion]:
    """Every suggestion of one message (the review UI's view of it), by field and position."""
    return [_row(r) for r in store.rows(
        "SELECT * FROM pii_suggestions WHERE message_id=? ORDER BY field, start, end", (message_id,))]


def accepted_spans(store: Store, message_id: str) -> dict[str, list[tuple[int, int, str, str]]]:
    """What redaction removes from one message: field -> [(start, end, entity type, text when decided)]."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for r in store.rows(
        "SELECT field, start, end, entity_type, text FROM pii_suggestions WHERE message_id=? AND status='accepted' "
        "ORDER BY field, start", (message_id,)
    ):
        out.setdefault(r[0], []).append((r[1], r[2], r[3], r[4]))
    return out


def suggestion_stats(store: Store, top: int = 10) -> dict[str, object]:
    """Counts by type and status, by recognizer and by kind of field, and the most frequent values."""
    by_type: dict[str, dict[str, int]] = {}
    for t, status, n in store.rows("SELECT entity_type, status, count(*) FROM pii_suggestions GROUP BY 1, 2"):
        row = by_type.setdefault(t, {"pending": 0, "accepted": 0, "rejected": 0, "total": 0})
        row[status] = int(n)
        row["total"] += int(n)
    by_type = dict(sorted(by_type.items(), key=lambda kv: -kv[1]["total"]))
    by_recognizer = {r[0]: int(r[1]) for r in store.rows(
        "SELECT recognizer, count(*) FROM pii_suggestions GROUP BY 1 ORDER BY 2 DESC")}
    by_field = {r[0]: int(r[1]) for r in store.rows(
        """SELECT CASE WHEN instr(field, ':') > 0 THEN substr(field, 1, instr(field, ':') - 1) ELSE field END,
                  count(*) FROM pii_suggestions GROUP BY 1 ORDER BY 2 DESC""")}
    top_values = [{"type": r[0], "text": r[1], "count": int(r[2]), "messages": int(r[3])} for r in store.rows(
        """SELECT entity_type, max(text), count(*), count(DISTINCT message_id) FROM pii_suggestions
           GROUP BY entity_type, value_key ORDER BY 3 DESC LIMIT ?""", (top,))]
    return {"by_type": by_type, "by_recognizer": by_recognizer, "by_field": by_field, "top_values": top_values,
            "messages_with_suggestions": _count(store.scalar(
                "SELECT count(DISTINCT message_id) FROM pii_suggestions")),
            "value_decisions": _count(store.scalar("SELECT count(*) FROM pii_value_decisions"))}


def _count(value: object) -> int:
    """A COUNT(*) result as an int (0 for NULL)."""
    return int(value) if isinstance(value, int | float | str) and value != "" else 0
