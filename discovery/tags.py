"""Provides tagging and notes over the case store; every change is written to the audit log at once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from discovery.errors import NotFound, UsageError
from discovery.store import Store, now_iso

_NAME = re.compile(r"^[\w][\w .:/&+-]{0,62}$", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    name: str
    color: str
    position: int
    count: int = 0


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not _NAME.match(name):
        raise UsageError(
            f"invalid tag name {name!r}",
            hint="Use letters, digits, spaces and . : / & + - (up to 63 characters), starting with a letter "
            "or digit.",
        )
    return name


def list_tags(store: Store) -> list[Tag]:
    """Every tag with how many messages carry it, in quick-key order."""
    return [
        Tag(r["id"], r["name"], r["color"], r["position"], r["n"])
        for r in store.rows(
            """SELECT t.id, t.name, t.color, t.position, count(mt.message_id) AS n FROM tags t
               LEFT JOIN message_tags mt ON mt.tag_id=t.id GROUP BY t.id ORDER BY t.position, t.id"""
        )
    ]


def get_tag(store: Store, name: str) -> Tag | None:
    row = store.rows("SELECT id, name, color, position FROM tags WHERE name=? COLLATE NOCASE", (name.strip(),))
    return Tag(row[0]["id"], row[0]["name"], row[0]["color"], row[0]["position"]) if row else None


def create_tag(store: Store, name: str, *, color: str = "", actor: str = "") -> Tag:
    """Create a tag (or return the existing one with that name)."""
    name = _check_name(name)
    existing = get_tag(store, name)
    if existing:
        return existing
    position = int(store.scalar("SELECT coalesce(max(position), 0) + 1 FROM tags") or 1)
    with store.db:
        store.db.execute("INSERT INTO tags(name, color, position, created_at) VALUES (?,?,?,?)",
                         (name, color, position, now_iso()))
    store.audit(actor or "discovery", "tag.create", name, {"color": color})
    tag = get_tag(store, name)
    assert tag is not None
    return tag


def rename_tag(store: Store, old: str, new: str, *, actor: str = "") -> Tag:
    tag = _require(store, old)
    new = _check_name(new)
    with store.db:
        store.db.execute("UPDATE tags SET name=? WHERE id=?", (new, tag.id))
    store.audit(actor or "discovery", "tag.rename", tag.name, {"new_name": new})
    return _require(store, new)


def color_tag(store: Store, name: str, color: str, *, actor: str = "") -> Tag:
    tag = _require(store, name)
    with store.db:
        store.db.execute("UPDATE tags SET color=? WHERE id=?", (color, tag.id))
    store.audit(actor or "discovery", "tag.color", tag.name, {"color": color})
    return _require(store, name)


def delete_tag(store: Store, name: str, *, actor: str = "") -> int:
    """Delete a tag; returns how many messages lost it."""
    tag = _require(store, name)
    count = int(store.scalar("SELECT count(*) FROM message_tags WHERE tag_id=?", (tag.id,)) or 0)
    with store.db:
        store.db.execute("DELETE FROM tags WHERE id=?", (tag.id,))
    store.audit(actor or "discovery", "tag.delete", tag.name, {"messages": count})
    return count


def tag_messages(store: Store, name: str, message_ids: Iterable[str], *, actor: str = "",
                 create: bool = True) -> int:
    """Put a tag on messages; returns how many newly got it. One transaction, one audit entry."""
    tag = create_tag(store, name, actor=actor) if create else _require(store, name)
    ids = _existing_ids(store, message_ids)
    stamp = now_iso()
    with store.db:  # counted in rows of message_tags: total_changes would count the index triggers too
        before = _tagged(store, tag.id)
        store.db.executemany(
            "INSERT OR IGNORE INTO message_tags(message_id, tag_id, actor, at) VALUES (?,?,?,?)",
            [(m, tag.id, actor, stamp) for m in ids],
        )
        added = _tagged(store, tag.id) - before
    store.audit(actor or "discovery", "tag.add", tag.name, {"messages": ids[:1000], "count": len(ids),
                                                           "added": added})
    return added


def untag_messages(store: Store, name: str, message_ids: Iterable[str], *, actor: str = "") -> int:
    tag = _require(store, name)
    ids = _existing_ids(store, message_ids)
    with store.db:
        before = _tagged(store, tag.id)
        store.db.executemany("DELETE FROM message_tags WHERE message_id=? AND tag_id=?", [(m, tag.id) for m in ids])
        removed = before - _tagged(store, tag.id)
    store.audit(actor or "discovery", "tag.remove", tag.name, {"messages": ids[:1000], "count": len(ids),
                                                              "removed": removed})
    return removed


def message_tags(store: Store, message_id: str) -> list[str]:
    return [r[0] for r in store.rows(
        """SELECT t.name FROM message_tags mt JOIN tags t ON t.id=mt.tag_id WHERE mt.message_id=?
           ORDER BY t.position""", (message_id,))]


def add_note(store: Store, message_id: str, text: str, *, actor: str = "") -> int:
    ids = _existing_ids(store, [message_id])
    if not ids:
        raise NotFound(f"no message {message_id!r} in this case")
    if not text.strip():
        raise UsageError("a note cannot be empty")
    with store.db:
        cur = store.db.execute("INSERT INTO notes(message_id, actor, at, text) VALUES (?,?,?,?)",
                               (ids[0], actor, now_iso(), text))
    store.audit(actor or "discovery", "note.add", ids[0], {"text": text})
    return int(cur.lastrowid or 0)


def notes(store: Store, message_id: str) -> list[dict[str, str]]:
    return [dict(r) for r in store.rows(
        "SELECT id, actor, at, text FROM notes WHERE message_id=? ORDER BY id", (message_id,))]


def _require(store: Store, name: str) -> Tag:
    tag = get_tag(store, name)
    if tag is None:
        raise NotFound(f"no tag {name!r} in this case", hint="'discovery tag list' shows the case's tags.")
    return tag


def _tagged(store: Store, tag_id: int) -> int:
    return int(store.scalar("SELECT count(*) FROM message_tags WHERE tag_id=?", (tag_id,)) or 0)


def _existing_ids(store: Store, message_ids: Iterable[str]) -> list[str]:
    out: list[str] = []
    for key in message_ids:
        row = store.message_row(key)
        if row is None:
            raise NotFound(f"no message {key!r} in this case")
        out.append(row["id"])
    return list(dict.fromkeys(out))


def resolve_ids(store: Store, message_ids: Iterable[str]) -> list[str]:
    """The case's ids for these ids or prefixes, each once, in order; NotFound for one that is not there."""
    return _existing_ids(store, message_ids)
