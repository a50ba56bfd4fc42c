"""Provides cases and searchers kept open between commands, for the search server: 'discovery search' asks here
for its case and Searcher and gives them back after. In every other process nothing is kept (each lives for one
command)."""

from __future__ import annotations

import os
from pathlib import Path

from discovery.case import Case
from discovery.privacy import make_private, private_umask
from discovery.search.searcher import Notify, Searcher
from discovery.store import SCHEMA_VERSION, STORE_NAME, Store

_LIMIT = 4  # cases whose searchers (and stores) one process keeps open
_kept: dict[str, Searcher] | None = None  # None: not a server
_cases: dict[str, tuple[Case, tuple[int, int]]] = {}  # realpath -> (case open for writing, its store's file id)


def keep_searchers() -> None:
    """From now on keep searchers open between commands (the search server calls this once)."""
    global _kept
    if _kept is None:
        _kept = {}


def open_case(case_dir: Path) -> Case:
    """The case at case_dir opened for writing, as Case(case_dir, create=False) opens it (raising the same
    errors): where cases are kept, the one kept open since an earlier command (an SQLite connection costs about
    as much to open, with its WAL, as the rest of a small search), if its store is still the same file of the
    same schema. Either way the umask, the privacy of the case folder and its notice are as a new open's."""
    if _kept is None:
        return Case(case_dir, create=False)
    key = os.path.realpath(case_dir)
    entry = _cases.pop(key, None)
    if entry is not None:
        case, identity = entry
        try:
            st = os.stat(os.path.join(key, STORE_NAME))
            same = (st.st_dev, st.st_ino) == identity and case.store.schema_version == SCHEMA_VERSION
        except Exception:
            same = False
        if same:
            private_umask()
            case.path = Path(case_dir)  # as this command names it (a relative path is the client's)
            case.store.case_dir, case.store.path = case.path, case.path / STORE_NAME
            case.store.tightened = make_private(case.path)
            _cases[key] = entry
            return case
        case.close()
    case = Case(case_dir, create=False)
    try:
        st = os.stat(os.path.join(key, STORE_NAME))
    except OSError:
        return case  # not kept: closed after the command
    _cases[key] = (case, (st.st_dev, st.st_ino))
    while len(_cases) > _LIMIT:
        _cases.pop(next(iter(_cases)))[0].close()
    return case


def release_case(case: Case, *, failed: bool = False) -> None:
    """Done with a case from open_case(): kept for the next command, or closed (also when the command failed
    on it)."""
    for key in [k for k, (c, _) in _cases.items() if c is case]:
        if not failed:
            return
        del _cases[key]
    case.close()


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
    while _kept:
        _kept.popitem()[1].close(collect=False)
    while _cases:
        _cases.popitem()[1][0].close()
