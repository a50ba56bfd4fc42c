"""Provides the publication benchmark: production rates (txt+eml, pdf), the leak check's rate and peak memory.

    python bench/redact.py [--messages 10000] [--jobs 2] [--out bench/out/redact.json] [--keep] [--case DIR]

A generated case (discovery.synthetic bulk, ingested and PII-scanned in offline mode by the real CLI) is
produced with every suggestion redacted (``--pending redact``: the heaviest redaction load), once as txt+eml
and once as pdf, each by the real ``discovery redact`` command in a subprocess; then ``discovery verify`` checks
each production again on its own. The production rate leaves out the leak check that ``redact`` runs at its
end (its time is in its report), so the two rates compare writing with checking; ``verify_over_production`` is
their ratio in the same run (wall clock, and per CPU-second), the figure that survives a shared machine. The
process tree's memory (PSS) is sampled every 0.1 s for the peak. Figures are printed with the machine they ran
on, and as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmachine import machine
from ingest import measured

ROOT = Path(__file__).resolve().parents[1]


LAST_CPU: dict[str, float] = {}


def run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[dict[str, object], float, float]:
    """Run a discovery command; (its --json output, seconds, peak memory of its process tree in MB). The CPU
    seconds of its whole process tree (workers and pdftotext included: every descendant is waited for) and the
    load average before and after go into LAST_CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    seconds, status, out, err, peak = measured([sys.executable, "-m", "discovery.cli", *cmd], cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU.update(cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                    load_before=load_before, load_after=os.getloadavg()[0])
    if status not in ok:
        raise SystemExit(f"{' '.join(cmd[:2])} failed ({status}): {err[-2000:]}")
    try:
        data = json.loads(out) if out.strip() else {}
    except ValueError:
        data = {"output": out[-500:]}
    return data, seconds, peak / 1024**2


def produce(case: Path, out: Path, formats: str, jobs: int, messages: int) -> dict[str, object]:
    report, seconds, peak = run(["redact", "--all", "--case", str(case), "--out", str(out), "--format", formats,
                                 "--pending", "redact", "--bates", "BENCH-", "--jobs", str(jobs), "--json"])
    data = report.get("report", report)
    assert isinstance(data, dict)
    summary = str(data.get("verify_summary", ""))
    match = re.search(r"([\d.]+) s$", summary)
    check_in_produce = float(match.group(1)) if match else 0.0
    writing = max(seconds - check_in_produce, 1e-9)
    produce_cpu = dict(LAST_CPU)
    verify, verify_seconds, verify_peak = run(["verify", str(out), "--case", str(case), "--json"])
    verify_cpu = dict(LAST_CPU)
    return {
        "formats": formats,
        "documents": data.get("documents"),
        "pages": data.get("pages"),
        "files": data.get("files"),
        "redactions": data.get("redactions"),
        "seconds": round(seconds, 2),  # the whole command, leak check included
        "seconds_without_check": round(writing, 2),
        "messages_per_s": round(messages / writing, 1),
        "peak_memory_mb": round(peak, 1),
        "verified": data.get("verified"),
        "verify_seconds": round(verify_seconds, 2),
        "verify_messages_per_s": round(messages / verify_seconds, 1),
        "verify_peak_memory_mb": round(verify_peak, 1),
        "cpu_seconds": round(produce_cpu["cpu"], 2),  # the whole command's process tree, leak check included
        "messages_per_cpu_s": round(messages / max(produce_cpu["cpu"], 1e-9), 1),
        "load_average": [round(produce_cpu["load_before"], 2), round(produce_cpu["load_after"], 2)],
        "verify_cpu_seconds": round(verify_cpu["cpu"], 2),
        "verify_messages_per_cpu_s": round(messages / max(verify_cpu["cpu"], 1e-9), 1),
        "verify_load_average": [round(verify_cpu["load_before"], 2), round(verify_cpu["load_after"], 2)],
        "verify_ok": verify.get("ok"),
        "verify_places": verify.get("places"),
        # the check's rate over the production's, both of this run (the target: at least 1), on the wall clock and
        # per CPU-second; the production's CPU without its own check is taken as the command's less the CPU of
        # the same check run again by 'verify' (the check does the same work both times)
        "verify_over_production": round(writing / verify_seconds, 2),
        "production_cpu_seconds_without_check": round(max(produce_cpu["cpu"] - verify_cpu["cpu"], 1e-9), 2),
        "verify_over_production_per_cpu_s": round(max(produce_cpu["cpu"] - verify_cpu["cpu"], 1e-9)
                                                  / max(verify_cpu["cpu"], 1e-9), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "redact.json")
    parser.add_argument("--keep", action="store_true", help="keep the generated case and productions")
    parser.add_argument("--case", type=Path, default=None,
                        help="reuse a case an earlier --keep run generated, ingested and scanned (skips those steps)")
    parser.add_argument("--formats", default="txt,eml;pdf", help="the productions to time, ';' between them")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="discovery-bench-redact-"))
    results: dict[str, object] = {"machine": machine(), "jobs": args.jobs, "messages": args.messages}
    try:
        if args.case is not None:
            reuse(args, work, results)
            return
        mbox, case = work / "bulk.mbox", work / "case"
        subprocess.run([sys.executable, "-m", "discovery.synthetic", "bulk", "--messages", str(args.messages),
                        "--out", str(mbox)], check=True, cwd=ROOT)
        ingest, seconds, _ = run(["ingest", str(mbox), "--case", str(case), "--jobs", str(args.jobs), "--json", "-q"],
                                 ok=(0, 1))
        distinct = int(dict(ingest.get("report", {})).get("new_messages", args.messages))  # type: ignore[arg-type]
        print(f"ingested {distinct:,} distinct messages in {seconds:.0f} s", file=sys.stderr)
        _, seconds, _ = run(["pii", "scan", "--case", str(case), "--mode", "offline", "--jobs", str(args.jobs),
                             "--json"])
        print(f"scanned in {seconds:.0f} s", file=sys.stderr)
        results["distinct_messages"] = distinct
        time_productions(args, case, work, distinct, results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    write_results(args, results)


def time_productions(args: argparse.Namespace, case: Path, work: Path, distinct: int,
                     results: dict[str, object]) -> None:
    for formats in args.formats.split(";"):
        name = formats.replace(",", "_")
        results[name] = produce(case, work / f"prod-{name}", formats, args.jobs, distinct)
        print(json.dumps(results[name]), file=sys.stderr)


def reuse(args: argparse.Namespace, work: Path, results: dict[str, object]) -> None:
    """Time the productions only, on a case an earlier run kept."""
    import sqlite3

    with sqlite3.connect(f"file:{args.case / 'store.sqlite'}?mode=ro", uri=True) as db:
        distinct = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    results["distinct_messages"] = distinct
    results["reused_case"] = True
    try:
        time_productions(args, args.case, work, distinct, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_results(args, results)


def write_results(args: argparse.Namespace, results: dict[str, object]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
