"""Tests that a crafted dump ingests with exit 0 or 1, never a traceback or a hang, and everything else is read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from hostile_cli import run_cli
from hostile_corpus import BAD_NAME, FORMULA_SUBJECTS, HOSTILE_SUBJECT, NORMAL_SUBJECT, build_hostile_tree

from discovery.case import Case


def _db(case: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{case / 'store.sqlite'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    db.text_factory = lambda b: b.decode("utf-8", "replace")
    return db


def _source(db: sqlite3.Connection, path: Path) -> sqlite3.Row:
    row = db.execute("SELECT * FROM sources WHERE path=?", (str(path),)).fetchone()
    assert row is not None, f"{path} not recorded"
    return row


def test_hostile_dump_ingests_without_traceback_and_reads_every_other_file(hostile_case) -> None:  # type: ignore[no-untyped-def]
    result = hostile_case.ingest
    stderr = result.stderr.decode("utf-8")
    assert result.returncode in (0, 1), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    with _db(hostile_case.case) as db:
        subjects = {r[0] for r in db.execute("SELECT subject FROM messages")}
    expected = {NORMAL_SUBJECT, HOSTILE_SUBJECT, *FORMULA_SUBJECTS, "A long message", "UndAfined", "nul charset",
                "Badly named file"}
    assert expected <= subjects
    assert not {"My own private mail", "Private folder"} & subjects  # links out of the tree not followed


def test_special_files_are_skipped_and_reported(hostile_case) -> None:  # type: ignore[no-untyped-def]
    special = hostile_case.tree.special
    with _db(hostile_case.case) as db:
        fifo = _source(db, special["fifo"])
        assert (fifo["status"], fifo["reason"]) == ("skipped", "not a regular file (FIFO): not read")
        if "socket" in special:
            assert "socket" in _source(db, special["socket"])["reason"]
        zero = _source(db, special["dev_zero_link"])
        assert zero["status"] == "skipped" and "/dev/zero" in zero["reason"]
        for key in ("outside_link", "outside_dir_link"):
            row = _source(db, special[key])
            assert row["status"] == "skipped" and "--follow-links" in row["reason"]
        assert _source(db, special["inside_link"])["status"] == "done"  # a link inside the tree is read
    stderr = hostile_case.ingest.stderr.decode()
    assert "pipe.eml: not a regular file (FIFO)" in stderr


def test_file_name_that_is_not_utf8_is_kept_losslessly(hostile_case) -> None:  # type: ignore[no-untyped-def]
    exact = os.path.join(os.fsencode(hostile_case.tree.root), BAD_NAME)
    with _db(hostile_case.case) as db:
        row = db.execute("SELECT * FROM sources JOIN source_path_bytes ON source_id = sources.id").fetchone()
    assert row is not None and bytes(row["path_bytes"]) == exact and row["status"] == "done"
    assert row["path"].endswith("caf\\xe9-\\xff.eml")  # valid text, bytes written \xNN


def test_hostile_charsets_are_decoded_with_a_note(hostile_case) -> None:  # type: ignore[no-untyped-def]
    with Case(hostile_case.case, create=False, readonly=True) as case:
        rows = case.store.rows("SELECT id FROM messages WHERE subject IN ('UndAfined', 'nul charset')")
        assert len(rows) == 2
        for row in rows:
            message = case.message(row["id"])
            assert "café" in message.body_text
            assert any("charset" in e for e in message.errors), message.errors


def test_nested_archive_bomb_is_stopped_with_one_problem_row(hostile_case) -> None:  # type: ignore[no-untyped-def]
    with _db(hostile_case.case) as db:
        source = _source(db, hostile_case.tree.special["bomb"])
        failures = db.execute("SELECT reason FROM failures WHERE source_id=?", (source["id"],)).fetchall()
    assert source["status"] == "failed"
    assert len(failures) == 1
    assert "the rest of this source was not read" in failures[0][0]


def test_follow_links_reads_outside_files_but_never_a_device(tmp_path: Path) -> None:
    tree = build_hostile_tree(tmp_path, bomb=False)
    result = run_cli("ingest", str(tree.root), "--case", str(tmp_path / "case"), "--follow-links", timeout=300)
    assert result.returncode in (0, 1), result.stderr.decode()
    with _db(tmp_path / "case") as db:
        subjects = {r[0] for r in db.execute("SELECT subject FROM messages")}
        zero = _source(db, tree.special["dev_zero_link"])
    assert {"My own private mail", "Private folder", NORMAL_SUBJECT} <= subjects
    assert (zero["status"], zero["reason"]) == ("skipped", "not a regular file (device): not read")
