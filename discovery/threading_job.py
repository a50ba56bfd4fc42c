"""Provides rethread: recompute the threads of a whole case from the store and save what changed."""

from __future__ import annotations

import json

from discovery.store import Store


def rethread(store: Store) -> int:
    """Thread every message of the case (JWZ with subject fallback, printed emails under the message their
    quoted header names); returns how many changed."""
    from discovery.threads import ThreadInput, assign_threads

    rows = list(store.iter_rows(
        "SELECT id, message_id, in_reply_to, refs, subject, date_utc, from_name, from_email FROM messages ORDER BY id"
    ))
    parents = _quoted_parents(store, rows)
    own_ids = {row[0]: row[1] or (f"<{row[0]}@quoted.discovery>" if row[0] in set(parents.values()) else "")
               for row in rows}
    items = (
        ThreadInput(
            id=row[0],
            message_id=own_ids[row[0]],
            in_reply_to=row[2] or (own_ids[parents[row[0]]] if row[0] in parents else ""),
            references=tuple(json.loads(row[3] or "[]")),
            subject=row[4],
            date=row[5] or "",
        )
        for row in rows
    )
    links = assign_threads(list(items))
    return store.set_threads({key: (link.thread_id, link.parent_id) for key, link in links.items()})


def _quoted_parents(store: Store, rows: list) -> dict[str, str]:
    """Printed emails (no Message-ID, no In-Reply-To) matched to the message their first quoted header names."""
    from discovery.ingest.printed import quoted_headers
    from discovery.quoted_links import Candidate, Quoting, quoted_parents

    quoting = []
    for mid, date, body in store.iter_rows(
        "SELECT id, date_utc, body_text FROM messages WHERE raw_format = 'printed' AND in_reply_to = '' "
        "AND item_kind = 'email' ORDER BY id"
    ):
        quoted = quoted_headers(body or "")
        if quoted:
            quoting.append(Quoting(mid, date or "", quoted[0]))
    if not quoting:
        return {}
    candidates = (Candidate(r[0], r[4] or "", r[5] or "", r[6] or "", r[7] or "") for r in rows)
    return quoted_parents(quoting, candidates)
