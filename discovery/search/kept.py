"""Provides searchers kept open between commands, for the search server: 'discovery search' asks here for its
Searcher and gives it back after. In every other process nothing is kept (a searcher lives for one command)."""

from __future__ import annotations

import os

from discovery.search.searcher import Notify, Searcher
from discovery.store import Store

_LIMIT = 4  # cases whose searchers one process keeps open
_kept: dict[str, Searcher] | None = None  # None: not a server


def keep_searchers() -> None:
    """From now on keep searchers open between commands (the search server calls this once)."""
    global _kept
    if _kept is None:
        _kept = {}


def open_searcher(store: Store, *, auto_update: bool, notify: Notify | None) -> Searcher:
    """A searcher over the store's case, in the state a new Searcher(store, ...) would be in: a kept one (its
    index reopened if it changed since, pending changes indexed) where searchers are kept, else a new one."""
    if _kept is None:
        return Searcher(store, auto_update=auto_update, notify=notify)
    key = os.path.realpath(store.case_dir)
    searcher = _kept.pop(key, None)
    if searcher is None:
        searcher = Searcher(store, auto_update=auto_update, notify=notify)
    else:
        try:
            searcher.rebind(store, auto_update=auto_update, notify=notify)
        except BaseException:
            searcher.close(collect=False)
            raise
    _kept[key] = searcher  # most recently used last
    while len(_kept) > _LIMIT:
        _kept.pop(next(iter(_kept))).close(collect=False)
    return searcher


def release(searcher: Searcher, *, failed: bool = False) -> None:
    """Done with a searcher from open_searcher(): kept for the next command, or closed (also when the command
    failed on it, so that the next starts afresh)."""
    if _kept is not None and not failed and searcher in _kept.values():
        return
    if _kept is not None:
        for key in [k for k, s in _kept.items() if s is searcher]:
            del _kept[key]
    searcher.close(collect=False)  # the process ends next (or the server collects when idle)


def close_all() -> None:
    if _kept is None:
        return
    while _kept:
        _kept.popitem()[1].close(collect=False)
