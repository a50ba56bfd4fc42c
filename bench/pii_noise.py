"""Provides the PII noise breakdown of a scanned case: where its suggestions come from.

    python bench/pii_noise.py CASE_DIR [--top 15] [--json]

First what the reviewer is asked: the case's questions (one per person or value across the case, the unit 'pii
list', 'pii status' and the review UI count and decide) per message; then the questions met message by message
(a person's name and address are one), per message, by the question's type and by where its places are, and
the questions new in their thread. Then the places (spans) they cover,
by kind of field (body, address:to, header:X-From, ...), entity type, recognizer, and how many are repeats: the
same value (type + value key) again within one message, or within one thread (already suggested in an earlier
message of the thread), and how many distinct values the whole case holds (what a reviewer deciding by value,
'discovery pii accept-value' or 'reject-value', decides). Reads the case store only; run 'discovery pii scan'
on the case first.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path


def field_kind(field: str) -> str:
    """'address:to:3' -> 'address:to', 'header:Received:2' -> 'header:Received', 'body' -> 'body'."""
    parts = field.split(":")
    if parts[0] in ("address", "header"):
        return ":".join(parts[:2])
    if parts[0] == "attachment":
        return "attachment:name" if parts[-1] == "name" else "attachment"
    return parts[0]


def breakdown(db: sqlite3.Connection, top: int = 15) -> dict[str, object]:
    """Counts of a case's current scan suggestions by field kind, type, recognizer and repeat class."""
    messages = int(db.execute("SELECT count(*) FROM pii_scans").fetchone()[0])
    rows = db.execute(
        """SELECT s.message_id, s.field, s.entity_type, s.recognizer, s.value_key, s.text,
                  coalesce(m.thread_id, s.message_id), m.date_utc, coalesce(nullif(s.group_key, ''), 'id:' || s.id)
           FROM pii_suggestions s JOIN messages m ON m.id = s.message_id
           WHERE s.origin = 'scan' AND s.current = 1 ORDER BY m.date_utc, s.message_id, s.field, s.start""").fetchall()
    questions = _questions(rows, top)
    try:  # the same people and values joined across the case (pii.groups.case_questions): what the reviewer decides
        case_questions = int(db.execute(
            "SELECT count(DISTINCT coalesce(nullif(question_key, ''), 'id:' || id)) FROM pii_suggestions "
            "WHERE origin = 'scan' AND current = 1").fetchone()[0])
    except sqlite3.OperationalError:  # a store from before the case's questions
        case_questions = int(questions["questions"])  # type: ignore[call-overload]
    by_field: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_recognizer: Counter[str] = Counter()
    by_type_field: Counter[str] = Counter()
    values: Counter[tuple[str, str]] = Counter()
    in_message: set[tuple[str, str, str]] = set()
    in_thread: dict[tuple[str, str, str], str] = {}
    repeat_message = repeat_thread = 0
    for message_id, field, entity, recognizer, vkey, text, thread, _, _ in rows:
        kind = field_kind(field)
        by_field[kind] += 1
        by_type[entity] += 1
        by_recognizer[recognizer] += 1
        by_type_field[f"{entity} in {kind}"] += 1
        values[(entity, text)] += 1
        key = (message_id, entity, vkey)
        if key in in_message:
            repeat_message += 1
        else:
            in_message.add(key)
            first = in_thread.setdefault((thread, entity, vkey), message_id)
            if first != message_id:
                repeat_thread += 1
    total = len(rows)
    case_values = len({(entity, vkey) for _, _, entity, _, vkey, _, _, _, _ in rows})
    per = (lambda n: round(n / messages, 2)) if messages else (lambda n: 0.0)
    return {
        "messages": messages, "case_questions": case_questions, "case_questions_per_message": per(case_questions),
        "questions": questions["questions"],
        "questions_per_message": per(int(questions["questions"])),  # type: ignore[call-overload]
        "questions_new_in_thread_per_message": per(int(questions["new_in_thread"])),  # type: ignore[call-overload]
        "questions_by_type": questions["by_type"], "questions_by_places": questions["by_places"],
        "top_questions": questions["top"],
        "suggestions": total, "per_message": per(total),
        "repeats_in_message": repeat_message, "repeats_in_thread": repeat_thread,
        "distinct_per_message": per(total - repeat_message),
        "new_in_thread_per_message": per(total - repeat_message - repeat_thread),
        "case_values": case_values, "case_values_per_message": per(case_values),
        "by_field": dict(by_field.most_common(top)), "by_type": dict(by_type.most_common(top)),
        "by_recognizer": dict(by_recognizer.most_common(top)),
        "by_type_and_field": dict(by_type_field.most_common(top)),
        "top_values": [{"type": t, "text": x, "count": n} for (t, x), n in values.most_common(top)],
    }


def _questions(rows: list[tuple[object, ...]], top: int) -> dict[str, object]:
    """The questions the rows make: one per (message, group); their type (what the group is named after), the kinds
    of field their places are in ('address' only, 'address+body', ...), how many were asked already in an earlier
    message of the thread, and the values asked about in most messages."""
    places: dict[tuple[str, str], set[str]] = {}
    thread_of: dict[str, str] = {}
    for message_id, field, _, _, _, _, thread, _, group in rows:
        places.setdefault((str(message_id), str(group)), set()).add(str(field).split(":")[0])
        thread_of[str(message_id)] = str(thread)
    by_type: Counter[str] = Counter()
    by_places: Counter[str] = Counter()
    values: Counter[str] = Counter()
    asked: set[tuple[str, str]] = set()
    new_in_thread = 0
    for (message_id, group), kinds in places.items():  # rows come by date: earlier messages first
        by_type[group.split(":")[0]] += 1
        by_places["+".join(sorted(kinds))] += 1
        values[group] += 1
        key = (thread_of[message_id], group)
        if key not in asked:
            asked.add(key)
            new_in_thread += 1
    return {"questions": len(places), "new_in_thread": new_in_thread, "by_type": dict(by_type.most_common(top)),
            "by_places": dict(by_places.most_common(top)),
            "top": [{"type": g.split(":")[0], "text": g.partition(":")[2], "count": n}
                    for g, n in values.most_common(top)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = args.case / "store.sqlite"
    if not path.exists():
        sys.exit(f"{path}: no case store here")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    result = breakdown(db, args.top)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, n in value.items():
                print(f"  {n:8,}  {k!r}")
        elif isinstance(value, list):
            print(f"{key}:")
            for item in value:
                print(f"  {item['count']:8,}  {item['type']:<14} {item['text']!r}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
