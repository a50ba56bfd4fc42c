"""Tests that no command prints a source's control sequences to a person (real subprocesses, output scanned),
while --json stays exact, --raw byte-exact, CSV spreadsheet-safe unless --csv-raw, and pipes close quietly."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import sqlite3
import stat
import subprocess
import sys

import pytest
from hostile_cli import ROOT, run_cli, unsafe_in
from hostile_corpus import HOSTILE_BODY, HOSTILE_SUBJECT, OSC52

HOSTILE_NOTE = f"reviewer note {OSC52} \x1b[2J done"


def _id(hostile_case, subject: str) -> str:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(f"file:{hostile_case.case / 'store.sqlite'}?mode=ro", uri=True)
    with db:
        return str(db.execute("SELECT id FROM messages WHERE subject=?", (subject,)).fetchone()[0])


def _ok(result: subprocess.CompletedProcess[bytes], *codes: int) -> None:
    assert result.returncode in (codes or (0,)), result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr


def test_text_outputs_carry_no_control_bytes(hostile_case) -> None:  # type: ignore[no-untyped-def]
    case = str(hostile_case.case)
    evil = _id(hostile_case, HOSTILE_SUBJECT)
    _ok(run_cli("note", evil, HOSTILE_NOTE, "--case", case))
    _ok(run_cli("tag", "add", "hot", evil, "--case", case))
    commands = [
        ["show", evil], ["show", evil, "--headers"], ["show", evil, "--attachment", "0"],
        ["search", "*", "--facets"], ["search", "evil", "--threads"], ["search", "pwned"], ["note", evil],
        ["tag", "list"], ["stats"], ["audit"], ["search", "\x1b]0;title\x07"],
    ]
    for args in commands:
        result = run_cli(*args, "--case", case)
        _ok(result, 0, 1)
        assert unsafe_in(result.stdout) == [], (args, result.stdout[:2000])
        assert unsafe_in(result.stderr) == [], (args, result.stderr[:2000])
    shown = run_cli("show", evil, "--case", case).stdout.decode()
    assert "\u241b]0;pwned\u2407" in shown and "\u241b[2J" in shown  # visible, not obeyed
    assert "\u21c4" in shown  # the RLO in the body, marked
    listing = run_cli("search", "*", "--case", case).stdout.decode()
    assert "Evil \u241b]52" in listing


def test_json_is_exact(hostile_case) -> None:  # type: ignore[no-untyped-def]
    evil = _id(hostile_case, HOSTILE_SUBJECT)
    result = run_cli("show", evil, "--json", "--case", str(hostile_case.case))
    _ok(result)
    assert unsafe_in(result.stdout) == []  # C0 escaped by JSON, C1 and bidi by json_safe
    data = json.loads(result.stdout)
    assert data["subject"] == HOSTILE_SUBJECT
    assert OSC52 in data["body_text"] and HOSTILE_BODY.splitlines()[2] in data["body_text"]
    assert data["attachments"][0]["filename"] == "invoice\u202egpj.exe"
    hits = json.loads(run_cli("search", "evil", "--json", "--case", str(hostile_case.case)).stdout)
    assert any(h["subject"] == HOSTILE_SUBJECT for h in hits["hits"])


def test_csv_is_spreadsheet_safe_unless_raw(hostile_case) -> None:  # type: ignore[no-untyped-def]
    case = str(hostile_case.case)
    safe = run_cli("search", "*", "--csv", "--case", case)
    _ok(safe)
    assert unsafe_in(safe.stdout, csv=True) == []
    rows = list(csv.reader(io.StringIO(safe.stdout.decode(), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    column = rows[0].index("subject")
    subjects = {row[column] for row in rows[1:]}
    assert {"'=1+1", "'+1+1", "'-2+3", "'@SUM(A1:A9)"} <= subjects
    raw = run_cli("search", "*", "--csv-raw", "--case", case)
    _ok(raw)
    raw_rows = list(csv.reader(io.StringIO(raw.stdout.decode(), newline="")))
    raw_subjects = {row[raw_rows[0].index("subject")] for row in raw_rows[1:]}
    assert {"=1+1", HOSTILE_SUBJECT} <= raw_subjects


def test_batch_csv_is_spreadsheet_safe(hostile_case, tmp_path) -> None:  # type: ignore[no-untyped-def]
    batch = tmp_path / "watch.tsv"
    batch.write_text("all\t*\n", encoding="utf-8")
    out = tmp_path / "hits.csv"
    _ok(run_cli("search", "--batch", str(batch), "--out", str(out), "--case", str(hostile_case.case)))
    data = out.read_bytes()
    assert b"\x1b" not in data and b"'=1+1" in data


def test_raw_is_byte_exact_and_refuses_a_terminal(hostile_case) -> None:  # type: ignore[no-untyped-def]
    evil = _id(hostile_case, HOSTILE_SUBJECT)
    case = str(hostile_case.case)
    piped = run_cli("show", evil, "--raw", "--case", case)
    _ok(piped)
    assert piped.stdout == (hostile_case.tree.root / "escapes.eml").read_bytes()
    for extra, code, expect_bytes in (([], 2, False), (["--raw-to-terminal"], 0, True)):
        leader, follower = pty.openpty()
        try:
            env = dict(os.environ, PYTHONPATH=str(ROOT))
            proc = subprocess.run([sys.executable, "-m", "discovery.cli", "show", evil, "--raw", *extra, "--case",
                                   case], stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120)
            os.set_blocking(leader, False)
            try:
                written = os.read(leader, 65536)
            except BlockingIOError:
                written = b""
        finally:
            os.close(leader)
            os.close(follower)
        assert proc.returncode == code, proc.stderr.decode()
        assert (b"pwned" in written) is expect_bytes
        if not expect_bytes:
            assert b"refus" in proc.stderr or b"does not write to a terminal" in proc.stderr


def test_broken_pipe_exits_quietly(hostile_case) -> None:  # type: ignore[no-untyped-def]
    long_id = _id(hostile_case, "A long message")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "discovery.cli", "show", long_id, "--case",
                             str(hostile_case.case)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)  # like 'head -c 100'
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, stderr.decode()
    assert b"Traceback" not in stderr and b"Broken pipe" not in stderr and b"BrokenPipe" not in stderr


def test_id_prefixes_are_literal(hostile_case) -> None:  # type: ignore[no-untyped-def]
    case = str(hostile_case.case)
    evil = _id(hostile_case, HOSTILE_SUBJECT)
    _ok(run_cli("show", evil[:8], "--json", "--case", case))
    for pattern in ("______", "%%%%%%", evil[:6] + "%"):
        result = run_cli("show", pattern, "--case", case)
        assert result.returncode != 0 and b"Not found" in result.stderr, pattern
        assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("query", ["(" * 10_000 + "a" + ")" * 10_000, "NOT " * 3000 + "a",
                                   " OR ".join(f"w{i}" for i in range(3000))])
def test_query_limits_give_a_usage_error(hostile_case, query: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("search", query, "--case", str(hostile_case.case))
    assert result.returncode == 2, result.stderr.decode()
    assert b"Traceback" not in result.stderr and b"Query syntax error" in result.stderr


def _modes(case) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {".": stat.S_IMODE(case.stat().st_mode)}
    for path in case.rglob("*"):
        out[str(path.relative_to(case))] = stat.S_IMODE(path.lstat().st_mode)
    return out


def test_case_folders_are_private_whatever_the_umask(tmp_path, hostile_case) -> None:  # type: ignore[no-untyped-def]
    case = tmp_path / "case"
    _ok(run_cli("ingest", str(hostile_case.tree.root / "normal.eml"), "--case", str(case), umask=0o000))
    modes = _modes(case)
    assert (case / "whoosh").is_dir() and len(modes) > 3
    for name, mode in modes.items():
        assert mode & 0o077 == 0, (name, oct(mode))
    os.chmod(case, 0o755)
    os.chmod(case / "store.sqlite", 0o644)
    stats = run_cli("stats", "--case", str(case))
    _ok(stats)
    assert b"readable by other users" in stats.stderr
    assert json.loads(run_cli("stats", "--json", "--case", str(case)).stdout)["private"] is False
    tightened = run_cli("reindex", "--pending", "--case", str(case))
    _ok(tightened)
    assert b"made it private" in tightened.stderr
    assert all(mode & 0o077 == 0 for mode in _modes(case).values())
    assert json.loads(run_cli("stats", "--json", "--case", str(case)).stdout)["private"] is True
