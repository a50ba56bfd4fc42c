"""Provides the PII suggestions in the case store: merging a scan's findings without losing decisions, and
reading them back (list, filters, counts) for the CLI, the review UI and redaction."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from discovery.errors import UsageError
from discovery.pii.groups import group_keys
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
    group_key: str = ""  # the reviewer's question this span belongs to, within its message (see pii.groups)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _row(r: sqlite3.Row) -> Suggestion:
    try:
        explanation = json.loads(r["explanation"] or "{}")
    except ValueError:
        explanation = {}
    return Suggestion(r["id"], r["message_id"], r["field"], r["start"], r["end"], r["text"], r["entity_type"],
                      r["score"], r["recognizer"], r["status"], r["origin"], bool(r["current"]), r["decided_by"],
                      r["decided_at"], r["note"], explanation, r["value_key"], r["group_key"])


@dataclass(slots=True)
class MergeStats:
    inserted: int = 0
    updated: int = 0
    moved: int = 0  # decided suggestions carried to the same value at new offsets
    removed: int = 0  # pending suggestions the scan no longer makes
    kept: int = 0  # decided suggestions the scan no longer makes (kept, current=0)
    questions: int = 0  # what the findings ask the reviewer: one per value or person and message (pii.groups)

    def add(self, other: MergeStats) -> None:
        for name in ("inserted", "updated", "moved", "removed", "kept", "questions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def address_owners(store: Store) -> dict[str, frozenset[str]]:
    """The case's address book for grouping: address (lower case) -> the value keys of the names shown with it."""
    found: dict[str, set[str]] = {}
    for email, name in store.rows("SELECT DISTINCT lower(email), name FROM addresses WHERE email != '' AND name != ''"):
        key = value_key("PERSON", name)
        if key and "@" not in key:
            found.setdefault(email, set()).add(key)
    return {email: frozenset(keys) for email, keys in found.items()}


def value_rules(store: Store) -> dict[tuple[str, str], str]:
    """Decisions by value: (entity type, value key) -> 'accepted' | 'rejected'."""
    return {(r[0], r[1]): r[2] for r in store.rows("SELECT entity_type, value_key, status FROM pii_value_decisions")}


def merge_message(db: sqlite3.Connection, message_id: str, findings: Sequence[Finding], *, scan_version: str,
                  policy_version: str, rules: dict[tuple[str, str], str], stamp: str | None = None,
                  owners: Mapping[str, frozenset[str]] | None = None) -> MergeStats:
    """Replace one message's scan suggestions by a new scan's findings, keeping every decision.

    A finding matches an existing suggestion at the same (field, start, end, type): it is updated in place.
    Otherwise a decided suggestion of the same field, type and value moves to the new offsets. New findings
    are pending unless a decision by value says otherwise. Pending scan suggestions no longer found are deleted;
    decided ones are kept with current = 0. Manual suggestions are never touched. Findings are grouped into the
    reviewer's questions by pii.groups (owners: the case's address -> name keys). No commit."""
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
    groups = group_keys(findings, owners)
    stats.questions = len(set(groups))
    manual_spans = {(r[0], r[1], r[2], r[3]) for r in db.execute(
        "SELECT field, start, end, entity_type FROM pii_suggestions WHERE message_id=? AND origin='manual'",
        (message_id,))}
    inserts: list[tuple[object, ...]] = []
    for f, group in zip(findings, groups, strict=True):
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
                       scan_version=?, policy_version=?, updated_at=?, group_key=? WHERE id=?""",
                (f.text, vkey, f.score, f.recognizer, explanation, scan_version, policy_version, stamp, group,
                 row[0]),
            )
            stats.updated += 1
            continue
        movable = [r for r in by_value.get((f.field, f.entity_type, vkey), []) if r[0] not in matched]
        if movable:
            target = min(movable, key=lambda r: abs(r[2] - f.start))
            matched.add(target[0])
            db.execute(
                """UPDATE pii_suggestions SET start=?, end=?, text=?, score=?, recognizer=?, explanation=?, current=1,
                       scan_version=?, policy_version=?, updated_at=?, group_key=? WHERE id=?""",
                (f.start, f.end, f.text, f.score, f.recognizer, explanation, scan_version, policy_version, stamp,
                 group, target[0]),
            )
            stats.moved += 1
            continue
        status = rules.get((f.entity_type, vkey), "pending")
        inserts.append(
            (message_id, f.field, f.start, f.end, f.text, vkey, f.entity_type, f.score, f.recognizer, explanation,
             status, "value-decision" if status != "pending" else "", stamp if status != "pending" else None,
             scan_version, policy_version, stamp, stamp, group))
        stats.inserted += 1
    if inserts:  # one statement for the new rows (most of a first scan)
        db.executemany(
            """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, score,
                   recognizer, explanation, origin, status, current, decided_by, decided_at, scan_version,
                   policy_version, created_at, updated_at, group_key)
               VALUES (?,?,?,?,?,?,?,?,?,?, 'scan', ?, 1, ?, ?, ?, ?, ?, ?, ?)""", inserts)
    for r in existing:
        if r[0] in matched:
            continue
        if r[6] == "pending":
            db.execute("DELETE FROM pii_suggestions WHERE id=?", (r[0],))
            stats.removed += 1
        else:
            db.execute("UPDATE pii_suggestions SET current=0, updated_at=? WHERE id=? AND current=1", (stamp, r[0]))
            stats.kept += 1
    if findings:
        align_groups(db, message_id, stamp)
    return stats


def align_groups(db: sqlite3.Connection, message_id: str, stamp: str) -> int:
    """Give the pending spans of a question in one message the decision its other spans carry (accepted over
    rejected where both are found), so a question's status moves together. Returns the spans changed. No commit."""
    changed = 0
    for group, status, decided_by, decided_at in db.execute(
        """SELECT group_key, CASE WHEN max(status = 'accepted') THEN 'accepted' ELSE 'rejected' END,
                  max(decided_by), max(decided_at)
           FROM pii_suggestions WHERE message_id=? AND group_key != '' GROUP BY group_key
           HAVING max(status = 'pending') AND max(status != 'pending')""", (message_id,)
    ).fetchall():
        changed += db.execute(
            "UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, updated_at=? "
            "WHERE message_id=? AND group_key=? AND status='pending'",
            (status, decided_by or "group", decided_at or stamp, stamp, message_id, group)).rowcount
    return changed


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


# A suggestion's question (group) within its message: a row written without a group (by older code) is its own.
GROUP_SQL = "coalesce(nullif(s.group_key, ''), 'id:' || s.id)"
# The question's type: the type its group is named after (a person's address belongs to a PERSON question).
GROUP_TYPE_SQL = ("CASE WHEN s.group_key = '' OR instr(s.group_key, ':') = 0 THEN s.entity_type "
                  "ELSE substr(s.group_key, 1, instr(s.group_key, ':') - 1) END")
# The question's status: pending while any of its spans is, else accepted where any is, else rejected.
GROUP_STATUS_SQL = ("CASE WHEN max(s.status = 'pending') THEN 'pending' WHEN max(s.status = 'accepted') "
                    "THEN 'accepted' ELSE 'rejected' END")


@dataclass(slots=True)
class Question:
    """One question to the reviewer: the spans of one value, or of one person (a name and the address written
    with it), in one message. Deciding it decides every span (see decisions.set_status)."""

    lead: Suggestion  # the span shown for it: the named type's first span in reading order
    spans: list[Suggestion]

    @property
    def id(self) -> int:
        return self.lead.id

    @property
    def places(self) -> int:
        return len(self.spans)

    @property
    def status(self) -> str:
        found = {s.status for s in self.spans}
        return "pending" if "pending" in found else "accepted" if "accepted" in found else "rejected"

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(s.field for s in self.spans))

    def to_dict(self) -> dict[str, object]:
        return self.lead.to_dict() | {"status": self.status, "places": self.places,
                                      "ids": [s.id for s in self.spans], "fields": self.fields}


_FIELD_ORDER = {"subject": 0, "address": 1, "body": 2, "attachment": 3, "header": 4}
_ROLE_ORDER = {"from": 0, "to": 1, "cc": 2, "bcc": 3, "reply-to": 4}


def reading_rank(field_key: str) -> tuple[int, int, str]:
    """Reading order of fields: subject, addresses (from, to, cc, bcc), body, attachments, other headers."""
    kind, _, rest = field_key.partition(":")
    role = _ROLE_ORDER.get(rest.split(":")[0], 9) if kind == "address" else 0
    return _FIELD_ORDER.get(kind, 9), role, rest


def group_of(s: Suggestion) -> str:
    """The question a suggestion belongs to within its message (as GROUP_SQL)."""
    return s.group_key or f"id:{s.id}"


def as_questions(items: Sequence[Suggestion]) -> list[Question]:
    """Suggestions (of any messages) as questions, in the order of each question's first suggestion."""
    grouped: dict[tuple[str, str], list[Suggestion]] = {}
    for item in items:
        grouped.setdefault((item.message_id, group_of(item)), []).append(item)
    out = []
    for (_, group), spans in grouped.items():
        named = group.partition(":")[0]
        ordered = sorted(spans, key=lambda s: (s.entity_type != named, reading_rank(s.field), s.start, s.end))
        out.append(Question(ordered[0], spans))
    return out


def list_questions(store: Store, query: Query | None = None) -> list[Question]:
    """The questions with a suggestion matching the query (each with all its spans), by message date then the
    position of its first span; the limit and offset count questions."""
    q = query or Query()
    where, params = _where(q)
    sql = f"""SELECT s.message_id AS mid, {GROUP_SQL} AS gk, min(m.date_utc) AS d, min(s.field) AS f,
                     min(s.start) AS st FROM pii_suggestions s LEFT JOIN messages m ON m.id = s.message_id {where}
              GROUP BY 1, 2 ORDER BY d, mid, f, st"""
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    chosen = [(r[0], r[1]) for r in store.rows(sql, params)]
    by_message: dict[str, set[str]] = {}
    for mid, gk in chosen:
        by_message.setdefault(mid, set()).add(gk)
    members: dict[tuple[str, str], list[Suggestion]] = {}
    for mid, keys in by_message.items():
        for r in store.rows(f"SELECT s.*, {GROUP_SQL} AS gk FROM pii_suggestions s WHERE s.message_id=? "
                            "ORDER BY s.field, s.start", (mid,)):
            if r["gk"] in keys:
                members.setdefault((mid, r["gk"]), []).append(_row(r))
    return [question for key in chosen if key in members for question in as_questions(members[key])]


def count_questions(store: Store, query: Query | None = None) -> tuple[int, int]:
    """(questions, spans) with a suggestion matching the query; the spans are every span of those questions."""
    where, params = _where(query or Query())
    row = store.rows(f"""WITH g AS (SELECT DISTINCT s.message_id AS mid, {GROUP_SQL} AS gk FROM pii_suggestions s
                                    {where})
                         SELECT count(DISTINCT g.mid || char(31) || g.gk), count(s.id) FROM g
                         JOIN pii_suggestions s ON s.message_id = g.mid AND {GROUP_SQL} = g.gk""", params)[0]
    return _count(row[0]), _count(row[1])


def question_counts(store: Store) -> dict[str, dict[str, int]]:
    """The case's questions and the spans they cover, by the question's status:
    {'pending': {'questions': n, 'places': m}, ...}."""
    out = {status: {"questions": 0, "places": 0} for status in STATUSES}
    for status, questions, places in store.rows(
        f"""SELECT status, count(*), sum(n) FROM (SELECT {GROUP_STATUS_SQL} AS status, count(*) AS n
                FROM pii_suggestions s GROUP BY s.message_id, {GROUP_SQL}) GROUP BY status"""):
        out[status] = {"questions": int(questions), "places": int(places or 0)}
    return out


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
    """Questions by type and status (with the spans they cover), spans by recognizer and by kind of field, and the
    most frequent values."""
    by_type: dict[str, dict[str, int]] = {}
    for t, status, n, places in store.rows(
        f"""SELECT t, status, count(*), sum(n) FROM (SELECT max({GROUP_TYPE_SQL}) AS t, {GROUP_STATUS_SQL} AS status,
                   count(*) AS n FROM pii_suggestions s GROUP BY s.message_id, {GROUP_SQL}) GROUP BY 1, 2"""):
        row = by_type.setdefault(t, {"pending": 0, "accepted": 0, "rejected": 0, "total": 0, "places": 0})
        row[status] = int(n)
        row["total"] += int(n)
        row["places"] += int(places or 0)
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
            "questions": question_counts(store),
            "messages_with_suggestions": _count(store.scalar(
                "SELECT count(DISTINCT message_id) FROM pii_suggestions")),
            "value_decisions": _count(store.scalar("SELECT count(*) FROM pii_value_decisions"))}


def _count(value: object) -> int:
    """A COUNT(*) result as an int (0 for NULL)."""
    return int(value) if isinstance(value, int | float | str) and value != "" else 0
