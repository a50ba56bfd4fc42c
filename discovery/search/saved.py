"""Provides saved searches: named queries (with their options) kept in the case's saved_searches table."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from discovery.errors import NotFound, UsageError
from discovery.search.query import parse
from discovery.store import Store, now_iso

_NAME = re.compile(r"^[^\t\r\n]{1,100}$")
OPTION_KEYS = ("sort", "threads")


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str
    options: dict[str, object] = field(default_factory=dict)
    created_at: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise UsageError(f"invalid saved-search name {name!r}", hint="Use 1-100 characters, no tabs or newlines.")
    return name


def save_search(store: Store, name: str, query: str, options: dict[str, object] | None = None, *,
                replace: bool = False, actor: str = "") -> SavedSearch:
    """Save (or with ``replace``, overwrite) a named query; the query must parse."""
    name = _check_name(name)
    parse(query)
    opts = {k: v for k, v in (options or {}).items() if k in OPTION_KEYS and v is not None}
    if not replace and get_saved(store, name, missing_ok=True) is not None:
        raise UsageError(f"there is already a saved search named {name!r}",
                         hint="Pick another name, remove it with 'discovery saved rm', or pass --replace.")
    stamp = now_iso()
    with store.db:
        store.db.execute(
            """INSERT INTO saved_searches(name, query, options, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET query=excluded.query, options=excluded.options,
                   created_at=excluded.created_at""",
            (name, query, json.dumps(opts), stamp),
        )
    store.audit(actor or "discovery", "saved.add", name, {"query": query, "options": opts})
    return SavedSearch(name, query, opts, stamp)


def list_saved(store: Store) -> list[SavedSearch]:
    return [_row(r) for r in store.rows("SELECT name, query, options, created_at FROM saved_searches ORDER BY name")]


def get_saved(store: Store, name: str, *, missing_ok: bool = False) -> SavedSearch | None:
    rows = store.rows("SELECT name, query, options, created_at FROM saved_searches WHERE name=?", (name.strip(),))
    if not rows:
        if missing_ok:
            return None
        raise NotFound(f"no saved search named {name!r}", hint="'discovery saved list' shows the saved searches.")
    return _row(rows[0])


def remove_saved(store: Store, name: str, *, actor: str = "") -> None:
    saved = get_saved(store, name)
    assert saved is not None
    with store.db:
        store.db.execute("DELETE FROM saved_searches WHERE name=?", (saved.name,))
    store.audit(actor or "discovery", "saved.remove", saved.name, {"query": saved.query})


def _row(row: object) -> SavedSearch:
    name, query, options, created = row[0], row[1], row[2], row[3]  # type: ignore[index]
    try:
        opts = json.loads(options or "{}")
    except ValueError:
        opts = {}
    return SavedSearch(name, query, opts if isinstance(opts, dict) else {}, created)
