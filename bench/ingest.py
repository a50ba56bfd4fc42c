"""Provides the ingest benchmark: messages/s and peak memory on a generated mbox and on the Enron subset.

    python bench/ingest.py [--messages 100000] [--jobs 2] [--enron PATH] [--out bench/out/ingest.json]

Each corpus is ingested into a fresh case by the real CLI in a subprocess, which also brings the search index
up to date: the ingest rate (from the command's own report) and the end-to-end rate (the whole command) are
both given. The process tree's memory (main process plus workers, proportional set size so that pages shared
with forked workers count once) is sampled every 0.1 s for the peak. Figures are printed with the machine
they ran on, and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmachine import machine

ROOT = Path(__file__).resolve().parents[1]
ENRON = ROOT.parent / "shared" / "corpora" / "enron-maildir" / "maildir"




def _process_memory(pid: int, page: int) -> int:
    """A process's proportional set size (PSS: shared pages divided among the processes sharing them, so a
    tree's sum is what it really holds; forked workers share much with their parent), else its RSS."""
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * page
    except OSError:
        return 0


def measured(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
             memory: bool = True, interval: float = 0.1) -> tuple[float, int, str, str, int]:
    """Run a command: (seconds, exit status, stdout, stderr, peak memory of its process tree in bytes, 0 when
    memory is not sampled). The one way every bench times a whole process."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    peak = 0
    if memory:
        while proc.poll() is None:
            peak = max(peak, tree_memory(proc.pid))
            time.sleep(interval)
    out, err = proc.communicate()
    return time.monotonic() - started, proc.returncode, out, err, peak


def tree_memory(pid: int) -> int:
    """Memory held by a process and all its descendants (Linux /proc; PSS where available)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        total += _process_memory(current, page)
        stack.extend(children.get(current, []))
    return total


def run_ingest(paths: list[Path], case: Path, jobs: int) -> dict[str, object]:
    cmd = [sys.executable, "-m", "discovery.cli", "ingest", *map(str, paths), "--case", str(case), "--jobs",
           str(jobs), "--json", "-q"]
    seconds, status, out, err, peak = measured(cmd)
    if status not in (0, 1):
        raise SystemExit(f"ingest failed ({status}): {err}")
    report = json.loads(out)["report"]
    copies = int(report["messages"])
    ingest_seconds = float(report["seconds"])  # reading and storing, before the search index is updated
    return {
        "copies": copies,
        "distinct": int(report["new_messages"]),
        "ingest_seconds": round(ingest_seconds, 2),
        "ingest_messages_per_s": round(copies / ingest_seconds, 1),
        "seconds": round(seconds, 2),  # the whole command: start-up, ingest and search index update
        "messages_per_s": round(copies / seconds, 1),
        "peak_memory_mb": round(peak / 1024**2, 1),
        "failures": report["failures"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--enron", type=Path, default=ENRON)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "ingest.json")
    parser.add_argument("--keep", action="store_true", help="keep the generated mbox and cases")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="discovery-bench-"))
    results: dict[str, object] = {"machine": machine(), "jobs": args.jobs}
    try:
        mbox = work / "bulk.mbox"
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "discovery.synthetic", "bulk", "--messages", str(args.messages),
                        "--out", str(mbox)], check=True)
        print(f"generated {args.messages:,} messages ({mbox.stat().st_size / 1024**2:.0f} MB) "
              f"in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        results["generated_mbox"] = {"messages": args.messages, "mb": round(mbox.stat().st_size / 1024**2, 1),
                                     **run_ingest([mbox], work / "case-bulk", args.jobs)}
        if args.jobs != 1:
            results["generated_mbox_jobs1"] = run_ingest([mbox], work / "case-bulk-1", 1)
        if args.enron.exists():
            results["enron"] = run_ingest([args.enron], work / "case-enron", args.jobs)
        else:
            results["enron"] = f"skipped: {args.enron} not present"
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
