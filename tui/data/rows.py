"""Provides the read-only summaries the results table and the thread tree show (one page at a time)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from discovery.store import Store

_CHUNK = 400


@dataclass(slots=True)
class RowSummary:
    """One line of the results table."""

    id: str
    date: str | None  # ISO 8601 UTC
    sender: str  # display name, else address
    sender_email: str
    to: str  # first recipient, with '+N' for the others
    subject: str
    attachments: int
    thread_id: str | None
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ThreadNode:
    """One message of a thread, with its parent (None for the root or an orphan)."""

    id: str
    parent: str | None
    date: str | None
    sender: str
    subject: str


def _marks(n: int) -> str:
    return ",".join("?" * n)


def summaries(store: Store, ids: Sequence[str]) -> list[RowSummary]:
    """Summaries of these messages, in the order given (unknown ids are skipped)."""
    found: dict[str, RowSummary] = {}
    for i in range(0, len(ids), _CHUNK):
        part = list(ids[i : i + _CHUNK])
        marks = _marks(len(part))
        for r in store.rows(
            f"""SELECT id, date_utc, from_name, from_email, subject, attachment_count, thread_id
                FROM messages WHERE id IN ({marks})""", part
        ):
            found[r["id"]] = RowSummary(r["id"], r["date_utc"], r["from_name"] or r["from_email"], r["from_email"],
                                        "", r["subject"], int(r["attachment_count"] or 0), r["thread_id"])
        recipients: dict[str, list[str]] = defaultdict(list)
        for r in store.rows(
            f"""SELECT message_id, name, email FROM addresses WHERE message_id IN ({marks}) AND role IN ('to', 'cc')
                ORDER BY message_id, role DESC, position""", part
        ):
            recipients[r["message_id"]].append(r["name"] or r["email"])
        for key, people in recipients.items():
            if key in found:
                found[key].to = people[0] + (f" +{len(people) - 1}" if len(people) > 1 else "")
        for r in store.rows(
            f"""SELECT mt.message_id, t.name FROM message_tags mt JOIN tags t ON t.id=mt.tag_id
                WHERE mt.message_id IN ({marks}) ORDER BY t.position, t.id""", part
        ):
            if r["message_id"] in found:
                found[r["message_id"]].tags.append(r["name"])
    return [found[k] for k in ids if k in found]


def thread_nodes(store: Store, thread_id: str, limit: int = 2000) -> list[ThreadNode]:
    """The messages of a thread in date order (at most ``limit``)."""
    return [
        ThreadNode(r["id"], r["thread_parent"], r["date_utc"], r["from_name"] or r["from_email"], r["subject"])
        for r in store.rows(
            """SELECT id, thread_parent, date_utc, from_name, from_email, subject FROM messages
               WHERE thread_id=? ORDER BY date_utc IS NULL, date_utc, id LIMIT ?""", (thread_id, limit))
    ]
