"""Provides the PII suggestions in the case store: merging a scan's findings without losing decisions, and
reading them back (list, filters, counts) for the CLI, the review UI and redaction."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from discovery.errors import UsageError
from discovery.pii.groups import case_questions, group_keys
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
    group_key: str = ""  # the person or value this span belongs to within its message (see pii.groups)
    question_key: str = ""  # the reviewer's question: that person or value across the case (pii.groups.case_questions)
    decision_scope: str = ""  # how far its decision was meant: 'case', 'message', 'place', 'legacy' ('' pending)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _row(r: sqlite3.Row) -> Suggestion:
    try:
        explanation = json.loads(r["explanation"] or "{}")
    except ValueError:
        explanation = {}
    return Suggestion(r["id"], r["message_id"], r["field"], r["start"], r["end"], r["text"], r["entity_type"],
                      r["score"], r["recognizer"], r["status"], r["origin"], bool(r["current"]), r["decided_by"],
                      r["decided_at"], r["note"], explanation, r["value_key"], r["group_key"], r["question_key"],
                      r["decision_scope"])


@dataclass(slots=True)
class MergeStats:
    inserted: int = 0
    updated: int = 0
    moved: int = 0  # decided suggestions carried to the same value at new offsets
    removed: int = 0  # pending suggestions the scan no longer makes
    kept: int = 0  # decided suggestions the scan no longer makes (kept, current=0)
    questions: int = 0  # the findings' people and values counted message by message (pii.groups; the case's
    # questions join them across messages: see question_figures)

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


def question_map(store: Store) -> dict[str, str]:
    """The case's message groups -> their questions, as the last join left them (for a scan's new rows)."""
    return {r[0]: r[1] for r in store.rows(
        "SELECT group_key, min(question_key) FROM pii_suggestions WHERE group_key != '' AND question_key != '' "
        "GROUP BY group_key")}


def merge_message(db: sqlite3.Connection, message_id: str, findings: Sequence[Finding], *, scan_version: str,
                  policy_version: str, rules: dict[tuple[str, str], str], stamp: str | None = None,
                  owners: Mapping[str, frozenset[str]] | None = None,
                  questions: Mapping[str, str] | None = None) -> MergeStats:
    """Replace one message's scan suggestions by a new scan's findings, keeping every decision.

    A finding matches an existing suggestion at the same (field, start, end, type): it is updated in place.
    Otherwise a decided suggestion of the same field, type and value moves to the new offsets. New findings
    are pending unless a decision by value says otherwise. Pending scan suggestions no longer found are deleted;
    decided ones are kept with current = 0. Manual suggestions are never touched. Findings are grouped by person
    and value by pii.groups (owners: the case's address -> name keys); a group's question is questions.get(group,
    group) until join_questions() joins them across the case. No commit."""
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
    asked = questions or {}
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
                       scan_version=?, policy_version=?, updated_at=?, group_key=?, question_key=? WHERE id=?""",
                (f.text, vkey, f.score, f.recognizer, explanation, scan_version, policy_version, stamp, group,
                 asked.get(group, group), row[0]),
            )
            stats.updated += 1
            continue
        movable = [r for r in by_value.get((f.field, f.entity_type, vkey), []) if r[0] not in matched]
        if movable:
            target = min(movable, key=lambda r: abs(r[2] - f.start))
            matched.add(target[0])
            db.execute(
                """UPDATE pii_suggestions SET start=?, end=?, text=?, score=?, recognizer=?, explanation=?, current=1,
                       scan_version=?, policy_version=?, updated_at=?, group_key=?, question_key=? WHERE id=?""",
                (f.start, f.end, f.text, f.score, f.recognizer, explanation, scan_version, policy_version, stamp,
                 group, asked.get(group, group), target[0]),
            )
            stats.moved += 1
            continue
        status = rules.get((f.entity_type, vkey), "pending")
        inserts.append(
            (message_id, f.field, f.start, f.end, f.text, vkey, f.entity_type, f.score, f.recognizer, explanation,
             status, "value-decision" if status != "pending" else "", stamp if status != "pending" else None,
             scan_version, policy_version, stamp, stamp, group, asked.get(group, group),
             "case" if status != "pending" else ""))
        stats.inserted += 1
    if inserts:  # one statement for the new rows (most of a first scan)
        db.executemany(
            """INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, score,
                   recognizer, explanation, origin, status, current, decided_by, decided_at, scan_version,
                   policy_version, created_at, updated_at, group_key, question_key, decision_scope)
               VALUES (?,?,?,?,?,?,?,?,?,?, 'scan', ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", inserts)
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
    """Give the pending spans of a person or value in one message the decision its other spans there carry for
    the message or the case (accepted over rejected where both are found; a decision of one place stays that
    place's), so its status moves together. Returns the spans changed. No commit."""
    changed = 0
    decided = "status != 'pending' AND decision_scope IN ('case', 'message', 'legacy')"
    for group, status, decided_by, decided_at, scope in db.execute(
        f"""SELECT group_key, CASE WHEN max(status = 'accepted' AND {decided}) THEN 'accepted' ELSE 'rejected' END,
                  max(CASE WHEN {decided} THEN decided_by END), max(CASE WHEN {decided} THEN decided_at END),
                  CASE WHEN max({decided} AND decision_scope = 'case') THEN 'case'
                       WHEN max({decided} AND decision_scope = 'message') THEN 'message' ELSE 'legacy' END
           FROM pii_suggestions WHERE message_id=? AND group_key != '' GROUP BY group_key
           HAVING max(status = 'pending') AND max({decided})""", (message_id,)
    ).fetchall():
        changed += db.execute(
            "UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, decision_scope=?, updated_at=? "
            "WHERE message_id=? AND group_key=? AND status='pending'",
            (status, decided_by or "group", decided_at or stamp, scope, stamp, message_id, group)).rowcount
    return changed


@dataclass(slots=True)
class Joined:
    """What join_questions changed: spans given another question, pending spans given their question's decision."""

    moved: int = 0
    decided: int = 0
    questions: int = 0


JOINED_META = "pii_questions_joined"


def join_questions(db: sqlite3.Connection, stamp: str | None = None) -> Joined:
    """Join the case's message groups into its questions (pii.groups.case_questions) and give each question's
    pending spans the decision it was given for the whole case (accepted over rejected where a join brought two
    together). A place or message decision is never changed. Commits."""
    stamp = stamp or now_iso()
    result = Joined()
    members = db.execute("SELECT group_key, entity_type || ':' || value_key, count(*) FROM pii_suggestions "
                         "WHERE group_key != '' GROUP BY 1, 2").fetchall()
    weights: dict[str, int] = {}
    for _, member, n in members:
        weights[str(member)] = weights.get(str(member), 0) + int(n)
    mapping = case_questions(((str(g), str(m)) for g, m, _ in members), weights)
    result.questions = len(set(mapping.values()))
    with db:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS question_map (group_key TEXT PRIMARY KEY, question_key TEXT)")
        db.execute("DELETE FROM temp.question_map")
        db.executemany("INSERT INTO temp.question_map VALUES (?, ?)", mapping.items())
        result.moved = db.execute(
            """UPDATE pii_suggestions SET question_key = q.question_key FROM temp.question_map q
               WHERE q.group_key = pii_suggestions.group_key AND pii_suggestions.question_key != q.question_key"""
        ).rowcount
        db.execute("UPDATE pii_suggestions SET question_key = entity_type || ':' || value_key "
                   "WHERE group_key = '' AND question_key = ''")
        db.execute("DELETE FROM temp.question_map")
        result.decided = apply_case_decisions(db, None, stamp)
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (JOINED_META,))
    return result


def apply_case_decisions(db: sqlite3.Connection, questions: Iterable[str] | None, stamp: str) -> int:
    """Give the pending spans of these questions (every question: None) the decision the question was given for
    the whole case, accepted over rejected where a join brought two together. Returns the spans changed. No
    commit."""
    decided = "status != 'pending' AND decision_scope = 'case'"
    select = f"""SELECT question_key, CASE WHEN max(status = 'accepted' AND {decided}) THEN 'accepted'
                        ELSE 'rejected' END, max(CASE WHEN {decided} THEN decided_by END),
                        max(CASE WHEN {decided} THEN decided_at END) FROM pii_suggestions"""
    having = f" GROUP BY question_key HAVING max(status = 'pending') AND max({decided})"
    if questions is None:
        found = db.execute(select + having).fetchall()
    else:
        found = [row for q in dict.fromkeys(questions)
                 for row in db.execute(select + " WHERE question_key=?" + having, (q,)).fetchall()]
    changed = 0
    for question, status, decided_by, decided_at in found:
        changed += db.execute(
            "UPDATE pii_suggestions SET status=?, decided_by=?, decided_at=?, decision_scope='case', "
            "updated_at=? WHERE question_key=? AND status='pending'",
            (status, decided_by or "question", decided_at or stamp, stamp, question)).rowcount
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


# A suggestion's question, across the case (a row written without one is its own).
GROUP_SQL = "coalesce(nullif(s.question_key, ''), 'id:' || s.id)"
# The question's type: the type it is named after (a person's address belongs to a PERSON question).
GROUP_TYPE_SQL = ("CASE WHEN s.question_key = '' OR instr(s.question_key, ':') = 0 THEN s.entity_type "
                  "ELSE substr(s.question_key, 1, instr(s.question_key, ':') - 1) END")
# The question's status: pending while any of its spans is, else accepted where any is, else rejected.
GROUP_STATUS_SQL = ("CASE WHEN max(s.status = 'pending') THEN 'pending' WHEN max(s.status = 'accepted') "
                    "THEN 'accepted' ELSE 'rejected' END")


@dataclass(slots=True)
class Question:
    """One question to the reviewer: the spans of one value, or of one person (their name forms and addresses),
    across the case. Deciding it decides every span (see decisions.decide_ids), a place or message decision
    excepted."""

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

    @property
    def messages(self) -> int:
        return len({s.message_id for s in self.spans})

    def to_dict(self) -> dict[str, object]:
        return self.lead.to_dict() | {"status": self.status, "places": self.places, "messages": self.messages,
                                      "ids": [s.id for s in self.spans], "fields": self.fields}


_FIELD_ORDER = {"subject": 0, "address": 1, "body": 2, "attachment": 3, "header": 4}
_ROLE_ORDER = {"from": 0, "to": 1, "cc": 2, "bcc": 3, "reply-to": 4}


def reading_rank(field_key: str) -> tuple[int, int, str]:
    """Reading order of fields: subject, addresses (from, to, cc, bcc), body, attachments, other headers."""
    kind, _, rest = field_key.partition(":")
    role = _ROLE_ORDER.get(rest.split(":")[0], 9) if kind == "address" else 0
    return _FIELD_ORDER.get(kind, 9), role, rest


def group_of(s: Suggestion) -> str:
    """The question a suggestion belongs to (as GROUP_SQL)."""
    return s.question_key or f"id:{s.id}"


def as_questions(items: Sequence[Suggestion], prefer: Iterable[int] = ()) -> list[Question]:
    """Suggestions as questions, in the order of each question's first suggestion. A question's lead is its
    named type's first span in reading order, among the preferred ids where it has some."""
    grouped: dict[str, list[Suggestion]] = {}
    for item in items:
        grouped.setdefault(group_of(item), []).append(item)
    chosen = set(prefer)
    out = []
    for group, spans in grouped.items():
        named = group.partition(":")[0]
        ordered = sorted(spans, key=lambda s: (s.id not in chosen, s.entity_type != named, reading_rank(s.field),
                                               s.start, s.end))
        out.append(Question(ordered[0], spans))
    return out


def question_spans(store: Store, keys: Iterable[str]) -> dict[str, list[Suggestion]]:
    """Every span of these questions, by question, in message date then field order."""
    out: dict[str, list[Suggestion]] = {}
    wanted = list(dict.fromkeys(keys))
    ids = [int(k[3:]) for k in wanted if k.startswith("id:")]
    named = [k for k in wanted if not k.startswith("id:")]
    for i in range(0, len(named), 500):
        part = named[i:i + 500]
        for r in store.rows(f"""SELECT s.* FROM pii_suggestions s LEFT JOIN messages m ON m.id = s.message_id
                                WHERE s.question_key IN ({','.join('?' * len(part))})
                                ORDER BY m.date_utc, s.message_id, s.field, s.start""", part):
            out.setdefault(r["question_key"], []).append(_row(r))
    for i in ids:
        found = get_suggestion(store, i)
        if found is not None:
            out[f"id:{i}"] = [found]
    return out


def list_questions(store: Store, query: Query | None = None) -> list[Question]:
    """The questions with a suggestion matching the query (each with all its spans across the case, led by a
    matching one), by the date of their first matching message; the limit and offset count questions."""
    q = query or Query()
    where, params = _where(q)
    sql = f"""SELECT {GROUP_SQL} AS gk, min(coalesce(m.date_utc, '') || char(31) || s.message_id) AS d,
                     min(s.id) AS first FROM pii_suggestions s LEFT JOIN messages m ON m.id = s.message_id {where}
              GROUP BY 1 ORDER BY d, first"""
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    chosen = [str(r[0]) for r in store.rows(sql, params)]
    members = question_spans(store, chosen)
    matching: set[int] = set()
    if where:
        for i in range(0, len(chosen), 500):
            part = chosen[i:i + 500]
            matching.update(int(r[0]) for r in store.rows(
                f"SELECT s.id FROM pii_suggestions s {where} AND {GROUP_SQL} IN ({','.join('?' * len(part))})",
                [*_where(q)[1], *part]))
    return [question for key in chosen if key in members
            for question in as_questions(members[key], matching)]


def count_questions(store: Store, query: Query | None = None) -> tuple[int, int]:
    """(questions, spans) with a suggestion matching the query; the spans are every span of those questions."""
    where, params = _where(query or Query())
    row = store.rows(f"""WITH g AS (SELECT DISTINCT {GROUP_SQL} AS gk FROM pii_suggestions s {where})
                         SELECT count(DISTINCT g.gk), count(s.id) FROM g
                         JOIN pii_suggestions s ON {GROUP_SQL} = g.gk""", params)[0]
    return _count(row[0]), _count(row[1])


def question_counts(store: Store) -> dict[str, dict[str, int]]:
    """The case's questions and the spans they cover, by the question's status:
    {'pending': {'questions': n, 'places': m}, ...}."""
    out = {status: {"questions": 0, "places": 0} for status in STATUSES}
    for status, questions, places in store.rows(
        f"""SELECT status, count(*), sum(n) FROM (SELECT {GROUP_STATUS_SQL} AS status, count(*) AS n
                FROM pii_suggestions s GROUP BY {GROUP_SQL}) GROUP BY status"""):
        out[status] = {"questions": int(questions), "places": int(places or 0)}
    return out


def question_figures(store: Store) -> dict[str, float | int]:
    """How much the reviewer is asked: the case's questions, the places they cover and the messages holding them,
    the messages of the case, questions per message (case questions / messages) and, for comparison, the
    questions a reviewer would meet reading message by message (a person counted once in every message)."""
    questions, places, with_pii, in_messages = store.rows(
        f"""SELECT count(DISTINCT {GROUP_SQL}), count(*), count(DISTINCT s.message_id),
                   (SELECT count(*) FROM (SELECT DISTINCT s2.message_id, coalesce(nullif(s2.question_key, ''),
                    'id:' || s2.id) FROM pii_suggestions s2))
            FROM pii_suggestions s""")[0]
    messages = _count(store.scalar("SELECT count(*) FROM messages"))
    return {"questions": _count(questions), "places": _count(places), "messages": messages,
            "messages_with_suggestions": _count(with_pii), "message_questions": _count(in_messages),
            "per_message": round(_count(questions) / messages, 2) if messages else 0.0,
            "message_questions_per_message": round(_count(in_messages) / messages, 2) if messages else 0.0}


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
                   count(*) AS n FROM pii_suggestions s GROUP BY {GROUP_SQL}) GROUP BY 1, 2"""):
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
            "questions": question_counts(store), "figures": question_figures(store),
            "messages_with_suggestions": _count(store.scalar(
                "SELECT count(DISTINCT message_id) FROM pii_suggestions")),
            "value_decisions": _count(store.scalar("SELECT count(*) FROM pii_value_decisions"))}


def _count(value: object) -> int:
    """A COUNT(*) result as an int (0 for NULL)."""
    return int(value) if isinstance(value, int | float | str) and value != "" else 0
