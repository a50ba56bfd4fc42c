"""Tests that workers die with their parent: kill -9 of 'reindex' leaves no orphan, no lock and no half-built
folder, and the next reindex and ingest succeed with the index current; a stale lock is broken with a notice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_cli import ROOT, run_cli
from hostile_corpus import eml


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _kill_reindex_midway(case: Path) -> list[int]:
    """Start 'reindex --jobs 2', kill -9 it once its workers run; the workers' pids (empty: it was too quick)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), DISCOVERY_INDEX_PARALLEL_MIN="10")
    proc = subprocess.Popen([sys.executable, "-m", "discovery.cli", "reindex", "--jobs", "2", "--case", str(case)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        if len(workers) >= 2:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait(timeout=60)
    return workers if proc.returncode == -signal.SIGKILL else []


def test_kill_9_of_reindex_then_reindex_and_ingest_succeed(samples_case: Path, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(samples_case, case)
    for _ in range(4):
        workers = _kill_reindex_midway(case)
        if workers:
            break
    else:
        pytest.skip("reindex finished before it could be killed with its workers running")
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers), "reindex workers outlived their parent"
    again = run_cli("reindex", "--case", str(case))
    assert again.returncode == 0, again.stderr.decode()
    assert not list(case.glob("whoosh.new-*"))
    fresh = tmp_path / "fresh.eml"
    fresh.write_bytes(eml("Zanzibar quarterly after the crash", "new text", msgid="<fresh@x>"))
    ingest = run_cli("ingest", str(fresh), "--case", str(case))
    assert ingest.returncode == 0, ingest.stderr.decode()
    found = run_cli("search", "zanzibar", "--ids", "--no-update", "--case", str(case))
    assert found.returncode == 0 and len(found.stdout.split()) == 1, found.stderr.decode()


def test_a_stale_lock_from_a_dead_owner_is_broken_with_a_notice(samples_case: Path, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(samples_case, case)
    (case / "whoosh.new-leftover").mkdir()
    (case / "whoosh.new-leftover" / "seg.tmp").write_bytes(b"x" * 1000)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    # An orphan of that dead process, as an older discovery left them: it holds the lock and never lets go.
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(case / 'whoosh.lock')!r}, os.O_CREAT | os.O_WRONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        f"open({str(case / 'whoosh.lock.pid')!r}, 'w').write({dead.stdout.strip()!r})\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        fresh = tmp_path / "fresh.eml"
        fresh.write_bytes(eml("Zanzibar after a stale lock", "new text", msgid="<stale@x>"))
        started = time.monotonic()
        ingest = run_cli("ingest", str(fresh), "--case", str(case))
        stderr = ingest.stderr.decode()
        assert ingest.returncode == 0, stderr
        assert "broke a stale search-index lock" in stderr and "whoosh.new-leftover" in stderr
        assert time.monotonic() - started < 60
        assert not (case / "whoosh.new-leftover").exists()
        found = run_cli("search", "zanzibar", "--ids", "--no-update", "--case", str(case))
        assert found.returncode == 0 and len(found.stdout.split()) == 1
    finally:
        holder.kill()
        holder.wait()


def test_ingest_says_so_and_fails_when_the_index_cannot_be_updated(samples_case: Path, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(samples_case, case)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, time\n"
        f"fd = os.open({str(case / 'whoosh.lock')!r}, os.O_CREAT | os.O_WRONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        f"open({str(case / 'whoosh.lock.pid')!r}, 'w').write(str(os.getpid()))\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        fresh = tmp_path / "fresh.eml"
        fresh.write_bytes(eml("Index busy meanwhile", "new text", msgid="<busy@x>"))
        ingest = run_cli("ingest", str(fresh), "--case", str(case), "--json")
        assert ingest.returncode == 1, ingest.stderr.decode()
        import json

        report = json.loads(ingest.stdout)["report"]
        assert report["ok"] is False and "search index" in report["index_error"] + report["problems"][-1]["reason"]
    finally:
        holder.kill()
        holder.wait()


def test_a_worker_dies_with_its_parent_even_by_kill_9() -> None:
    """The mechanism every pool uses (ingest, reindex, PII scan): a worker that would run for minutes ends
    within a second or two of its parent's kill -9."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", (
        "import multiprocessing as mp, os, sys, time\n"
        "from discovery.workers import die_with_parent\n"
        "def work(parent):\n"
        "    die_with_parent(parent)\n"
        "    time.sleep(300)\n"
        "if __name__ == '__main__':\n"
        "    p = mp.get_context('fork').Process(target=work, args=(os.getpid(),))\n"
        "    p.start()\n"
        "    print(p.pid, flush=True)\n"
        "    time.sleep(300)\n")], stdout=subprocess.PIPE, text=True, env=env)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    time.sleep(0.3)  # let the worker arm its death signal
    assert _alive(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(worker)
