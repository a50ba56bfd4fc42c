"""Ctrl-C during 'discovery pii scan': exit 130 with what was scanned kept; running it again finishes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from discovery import Case
from discovery.synthetic.bulk import generate_bulk


def _scanned(case_dir: Path) -> int:
    with Case(case_dir, create=False) as case:
        return int(case.store.rows("SELECT count(*) FROM pii_scans")[0][0])


def test_ctrl_c_stops_the_scan_and_the_next_run_finishes_it(tmp_path: Path) -> None:
    mbox = tmp_path / "bulk.mbox"
    generate_bulk(mbox, 1500, 7)
    case_dir = tmp_path / "case"
    with Case(case_dir) as case:
        assert case.ingest([mbox]).ok
        total = int(case.store.rows("SELECT count(*) FROM messages")[0][0])
    (case_dir / "pii-policy.toml").write_text('[engine]\nmode = "offline"\n')
    cmd = [sys.executable, "-m", "discovery.cli", "pii", "scan", "--case", str(case_dir), "--jobs", "1", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while _scanned(case_dir) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # wait until the first batch is saved
    assert proc.poll() is None, "the scan finished before it could be interrupted: give it more messages"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert report["interrupted"]
    done = _scanned(case_dir)
    assert 0 < done < total
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["scanned"] == total - done
    assert _scanned(case_dir) == total
