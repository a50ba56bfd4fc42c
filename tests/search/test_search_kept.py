"""What the search server keeps open between commands (discovery.search.kept): a case whose store is still the
same file is reused, as a fresh open would be (umask, privacy, the path as named); a replaced store, a failed
command or too many cases close it; outside a server nothing is kept."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_search_server import _copy, _same, _start, _stop

from discovery.cli import main
from discovery.search import client, kept


@pytest.fixture()
def keeping(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process keeps cases and searchers as the server does (undone after the test)."""
    monkeypatch.setattr(kept, "_kept", {})
    monkeypatch.setattr(kept, "_cases", {})
    yield
    kept.close_all()


def test_nothing_is_kept_outside_a_server(search_case: Path, tmp_path: Path) -> None:
    case_dir = _copy(search_case, tmp_path / "case")
    first = kept.open_case(case_dir)
    kept.release_case(first)
    second = kept.open_case(case_dir)
    assert second is not first and second.store.db is not first.store.db
    kept.release_case(second)
    assert kept._cases == {}  # noqa: SLF001


def test_a_kept_case_is_reused_while_its_store_is_the_same(keeping: None, search_case: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    case_dir = _copy(search_case, tmp_path / "case")
    first = kept.open_case(case_dir)
    count = first.store.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    kept.release_case(first)
    monkeypatch.chdir(tmp_path)
    again = kept.open_case(Path("case"))  # the same folder, named as another command names it
    assert again is first and again.path == Path("case") and again.store.case_dir == Path("case")
    assert again.store.db.execute("SELECT count(*) FROM messages").fetchone()[0] == count
    kept.release_case(again)

    os.chmod(case_dir / "store.sqlite", 0o644)  # exposed since: the reused case is made private again, and says so
    tightened = kept.open_case(case_dir)
    assert tightened is first and tightened.store.tightened == [case_dir / "store.sqlite"]
    assert (case_dir / "store.sqlite").stat().st_mode & 0o777 == 0o600
    kept.release_case(tightened)

    replaced = tmp_path / "store-copy.sqlite"  # the store replaced by another file: opened afresh
    shutil.copy(case_dir / "store.sqlite", replaced)
    os.replace(replaced, case_dir / "store.sqlite")
    fresh = kept.open_case(case_dir)
    assert fresh is not first and fresh.store.tightened == []
    kept.release_case(fresh, failed=True)  # a command failed on it: closed, not kept
    assert kept.open_case(case_dir) is not fresh


def test_a_served_search_notes_a_case_made_private_as_in_process(search_case: Path, tmp_path: Path) -> None:
    """The server's kept case tightens a file opened up between two searches and prints the same note."""
    case_dir = _copy(search_case, tmp_path / "case")
    argv = ["search", "--case", str(case_dir), "--count", "pilot"]
    server = _start(case_dir)
    try:
        _same(case_dir, "--count", "pilot")  # the server has the case open from now on
        os.chmod(case_dir / "store.sqlite", 0o644)
        answer = client.ask(argv, prog="discovery")
        assert answer is not None
        served = (b"".join(p for k, p in answer[0] if k == b"1"), b"".join(p for k, p in answer[0] if k == b"2"))
        assert (case_dir / "store.sqlite").stat().st_mode & 0o777 == 0o600
        os.chmod(case_dir / "store.sqlite", 0o644)
        here = CliRunner().invoke(main, argv, prog_name="discovery")
        assert b"made it private" in served[1]
        assert served == (here.stdout_bytes, here.stderr_bytes) and answer[1] == here.exit_code
    finally:
        _stop(server, case_dir)
