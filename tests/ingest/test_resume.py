"""Tests that re-running adds nothing and that an ingest killed with SIGKILL resumes without loss."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mailmaker import make_message, mbox_of

from discovery import Case


def snapshot(case_dir: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    db = sqlite3.connect(case_dir / "store.sqlite")
    messages = db.execute("SELECT content_hash FROM messages ORDER BY 1").fetchall()
    prov = db.execute(
        "SELECT m.content_hash, p.inner_path, p.locator FROM provenance p JOIN messages m ON m.id=p.message_id "
        "ORDER BY 1, 2, 3").fetchall()
    db.close()
    return messages, prov


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_rerun_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "box.mbox").write_bytes(mbox_of([make_message(i) for i in range(20)]))
    case = Case(tmp_path / "case")
    first = case.ingest([tmp_path])
    again = case.ingest([tmp_path])
    assert first.new_messages == 20
    assert again.new_messages == 0 and again.messages == 0 and again.sources_unchanged == 1


def test_kill_9_then_resume_equals_clean_run(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n in range(40):  # many files so the kill lands mid-way
        (src / f"part{n:02}.mbox").write_bytes(
            mbox_of([make_message(n * 100 + i, body=f"text {n} {i}\n" * 50) for i in range(60)]))
    killed = tmp_path / "killed"
    env = dict(os.environ, DISCOVERY_COMMIT_EVERY_S="0.01")  # commit often, so the kill lands mid-way
    proc = subprocess.Popen([sys.executable, "-m", "discovery.cli", "ingest", str(src), "--case", str(killed),
                             "-q", "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    seen = 0
    while time.monotonic() < deadline:
        try:
            db = sqlite3.connect(f"file:{killed / 'store.sqlite'}?mode=ro", uri=True, timeout=1)
            seen = db.execute("SELECT count(*) FROM messages").fetchone()[0]
            db.close()
        except sqlite3.Error:
            seen = 0
        if seen >= 300:
            break
        time.sleep(0.02)
    workers = _children(proc.pid)
    assert workers, "the ingest runs its worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)], "workers must not outlive a killed ingest"
    assert 0 < seen < 2400, "the kill should land mid-ingest"
    resumed = Case(killed).ingest([src])
    assert resumed.sources_unchanged < 40  # some were finished before the kill and skipped
    clean = tmp_path / "clean"
    Case(clean).ingest([src])
    assert snapshot(killed) == snapshot(clean)
    assert len(snapshot(clean)[0]) == 2400


def test_ctrl_c_stops_cleanly_with_exit_130_and_resumes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n in range(40):
        (src / f"part{n:02}.mbox").write_bytes(
            mbox_of([make_message(n * 100 + i, body=f"text {n} {i}\n" * 50) for i in range(60)]))
    case_dir = tmp_path / "case"
    env = dict(os.environ, DISCOVERY_COMMIT_EVERY_S="0.01")
    proc = subprocess.Popen([sys.executable, "-m", "discovery.cli", "ingest", str(src), "--case", str(case_dir),
                             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            db = sqlite3.connect(f"file:{case_dir / 'store.sqlite'}?mode=ro", uri=True, timeout=1)
            seen = db.execute("SELECT count(*) FROM messages").fetchone()[0]
            db.close()
        except sqlite3.Error:
            seen = 0
        if seen >= 300:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again" in err.lower()
    Case(case_dir).ingest([src])
    clean = tmp_path / "clean"
    Case(clean).ingest([src])
    assert snapshot(case_dir) == snapshot(clean)
