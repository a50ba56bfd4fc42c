"""Provides rethread: recompute the threads of a whole case from the store and save what changed."""

from __future__ import annotations

import json

from discovery.store import Store


def rethread(store: Store) -> int:
    """Thread every message of the case (JWZ with subject fallback); returns how many changed."""
    from discovery.threads import ThreadInput, assign_threads

    items = (
        ThreadInput(
            id=row[0],
            message_id=row[1],
            in_reply_to=row[2],
            references=tuple(json.loads(row[3] or "[]")),
            subject=row[4],
            date=row[5] or "",
        )
        for row in store.iter_rows(
            "SELECT id, message_id, in_reply_to, refs, subject, date_utc FROM messages ORDER BY id"
        )
    )
    links = assign_threads(list(items))
    return store.set_threads({key: (link.thread_id, link.parent_id) for key, link in links.items()})
