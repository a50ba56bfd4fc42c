"""Provides the search benchmark: indexing rate, index size and query latency on a generated case, each figure
next to SQLite FTS5 on the same documents in the same run, plus end to end ingest + index on an Enron subset.

    python bench/search.py                    # 100,000 messages (a few minutes on 2 cores)
    python bench/search.py --messages 20000 --json bench-search.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmachine import cpu_model, memory_gib
from benchmachine import machine as describe_machine

ROOT = Path(__file__).resolve().parents[1]
ENRON = ROOT.parent / "shared" / "corpora" / "enron-maildir" / "maildir"
ENRON_USERS = ("dean-c", "badeer-r", "cuilla-m", "beck-s", "dasovich-j")

# 20 representative queries on the generated corpus: (label, discovery query, FTS5 MATCH or None when FTS5 has
# no equivalent without joins). FTS5 columns: subject, body, attachment, names.
QUERIES: list[tuple[str, str, str | None]] = [
    ("common term", "storage", "storage"),
    ("person's name", "bellweather", "bellweather"),
    ("two terms", "vendor release", "vendor release"),
    ("OR", "outage OR migration", "outage OR migration"),
    ("NOT", "storage -training", "storage NOT training"),
    ("phrase", '"storage costs"', '"storage costs"'),
    ("long phrase", '"the storage costs came in lower"', '"storage costs came in lower"'),
    ("proximity", '"dropped frames"~3', "NEAR(dropped frames, 3)"),
    ("subject field", "subject:budget", "subject: budget"),
    ("subject phrase", 'subject:"camera upgrade"', 'subject: "camera upgrade"'),
    ("prefix wildcard", "procure*", "procure*"),
    ("fuzzy", "sollicitation~", None),
    ("sender domain", "from:cirrusweb.example", None),
    ("recipient address", "to:*@harlowcounty-or.example", None),
    ("bare domain", "lindellcounty.example", None),
    ("month", "date:2016-03", None),
    ("date range + term", "date:2016-01..2016-06 camera", None),
    ("has:attachment", "has:attachment", None),
    ("issue's example", 'from:cirrusweb.example to:harlowcounty-or.example date:2016-05..2017-06 '
                        '(real-time OR "body camera" OR cameras)', None),
    ("names", "from:castellano", "names: castellano"),
]
RUNS = 7


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    return {"machine": describe_machine(), "cpu": cpu_model(), "cores": os.cpu_count(),
            "memory_gib": round(memory_gib(), 1), "python": platform.python_version(),
            "platform": platform.platform(), "whoosh": version("whoosh-reloaded"), "sqlite": sqlite3.sqlite_version}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- corpus ---------------------------------------------------------------------------------------------
def generate(mbox: Path, messages: int) -> float:
    started = time.monotonic()
    try:
        from discovery.synthetic.bulk import generate_bulk

        generate_bulk(mbox, messages, 1)
    except ImportError:  # the generator is not there: a plain local one
        _local_generator(mbox, messages)
    return time.monotonic() - started


def _local_generator(mbox: Path, messages: int) -> None:
    import random
    from email.message import EmailMessage

    rng = random.Random(1)
    words = ("storage costs came in lower than the estimate vendor release fixes the timeout problem training "
             "budget invoice camera upgrade outage migration procurement solicitation dropped frames").split()
    with mbox.open("wb") as out:
        for i in range(messages):
            msg = EmailMessage()
            msg["From"] = f"person{rng.randrange(300)}@{rng.choice(['cirrusweb.example', 'lindellcounty.example'])}"
            msg["To"] = f"staff{rng.randrange(300)}@harlowcounty-or.example"
            msg["Subject"] = " ".join(rng.choice(words) for _ in range(4))
            msg["Date"] = f"Mon, {1 + i % 28:02d} May 2017 10:00:00 +0000"
            msg.set_content(" ".join(rng.choice(words) for _ in range(150)))
            out.write(b"From bench@example Mon May  1 10:00:00 2017\n" + bytes(msg).replace(b"\nFrom ", b"\n>From ")
                      + b"\n")


# -- measurements ---------------------------------------------------------------------------------------
def ingest(case_dir: Path, sources: list[Path], jobs: int) -> dict[str, Any]:
    """Store only (what 'discovery ingest' does before it indexes)."""
    from discovery.ingest.pipeline import Ingest
    from discovery.store import Store

    with Store(case_dir) as store:
        started = time.monotonic()
        report = Ingest(store, sources, jobs=jobs).run()
        seconds = time.monotonic() - started
    return {"copies": report.messages, "messages": report.new_messages, "seconds": round(seconds, 1),
            "copies_per_s": round(report.messages / seconds), "messages_per_s": round(report.new_messages / seconds)}


def index(case_dir: Path, jobs: int, *, rebuild: bool = True) -> dict[str, Any]:
    """A full rebuild, or (rebuild=False) the update 'discovery ingest' runs after storing new messages."""
    from discovery.search.indexer import index_dir, rebuild_index, update_index
    from discovery.store import Store

    with Store(case_dir) as store:
        started = time.monotonic()
        report = (rebuild_index if rebuild else update_index)(store, jobs=jobs)
        seconds = time.monotonic() - started
    return {"documents": report.documents, "seconds": round(seconds, 1), "per_s": round(report.indexed / seconds),
            "segments": report.segments, "bytes": folder_bytes(index_dir(case_dir))}


def fts5(case_dir: Path, target: Path) -> dict[str, Any]:
    """The same documents (subject, body, attachment names and text, participants), read from the store the
    same way, into an FTS5 table with the Porter stemmer."""
    from discovery.search.documents import iter_id_batches, load_messages

    target.unlink(missing_ok=True)
    store = sqlite3.connect(f"file:{case_dir / 'store.sqlite'}?mode=ro", uri=True)
    db = sqlite3.connect(target)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(subject, body, attachment, names, "
                "tokenize='porter unicode61')")
    started = time.monotonic()
    count = 0
    for ids in iter_id_batches(store, batch=1000):
        rows = []
        for doc in load_messages(store, ids):
            attachment = "\n".join(p for a in doc.attachments for p in (a[0], a[2]) if p)
            names = " ".join(f"{n} {e}" for people in doc.addresses.values() for n, e, _ in people)
            rows.append((doc.subject, doc.body, attachment, names))
        db.executemany("INSERT INTO docs(subject, body, attachment, names) VALUES (?, ?, ?, ?)", rows)
        count += len(rows)
    db.commit()
    seconds = time.monotonic() - started
    db.close()
    return {"documents": count, "seconds": round(seconds, 1), "per_s": round(count / seconds),
            "bytes": target.stat().st_size}


def time_runs(fn: Callable[[], Any], runs: int = RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def queries(case_dir: Path, fts_path: Path) -> dict[str, Any]:
    from discovery.search.searcher import Searcher
    from discovery.store import Store

    store = Store(case_dir, create=False)
    opened = time.perf_counter()
    searcher = Searcher(store, auto_update=False)
    open_ms = (time.perf_counter() - opened) * 1000
    fts = sqlite3.connect(fts_path)
    rows = []
    ours_all: list[float] = []
    fts_all: list[float] = []
    for label, query, match in QUERIES:
        first = time_runs(lambda q=query: searcher.search(q), 1)[0]  # cold caches for this query
        timings = time_runs(lambda q=query: searcher.search(q))
        total = searcher.search(query, limit=0).total
        ours_all += [first, *timings]
        row: dict[str, Any] = {"label": label, "query": query, "hits": total, "first_ms": round(first, 1),
                               "p50_ms": round(statistics.median(timings), 1)}
        if match is not None:
            def run_fts(m: str = match) -> None:
                fts.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (m,)).fetchone()
                fts.execute("SELECT rowid, snippet(docs, 1, '[', ']', '…', 20) FROM docs WHERE docs MATCH ? "
                            "ORDER BY rank LIMIT 20", (m,)).fetchall()
            fts_timings = time_runs(run_fts)
            fts_all += fts_timings
            row["fts5_hits"] = fts.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
            row["fts5_p50_ms"] = round(statistics.median(fts_timings), 1)
        rows.append(row)
    out = {
        "open_ms": round(open_ms, 1),
        "p50_ms": round(percentile(ours_all, 0.5), 1), "p95_ms": round(percentile(ours_all, 0.95), 1),
        "fts5_p50_ms": round(percentile(fts_all, 0.5), 1), "fts5_p95_ms": round(percentile(fts_all, 0.95), 1),
        "queries": rows,
    }
    out["big_query"] = big_query(searcher, fts)
    searcher.close()
    store.close()
    return out


def big_query(searcher: Any, fts: sqlite3.Connection) -> dict[str, Any]:
    """The first page of the query matching closest to 50,000 messages, every way it can be asked for."""
    candidates = ["storage", "training", "vendor", "endpoints", "storage OR training", "analysts", "procurement",
                  "deadline"]
    totals = {q: searcher.search(q, limit=0).total for q in candidates}
    query = min(totals, key=lambda q: abs(totals[q] - 50_000))
    out: dict[str, Any] = {"query": query, "hits": totals[query]}
    for name, options in (("relevance", {}), ("date", {"sort": "newest"}), ("threads", {"threads": True}),
                          ("facets", {"facets": True}), ("page 50", {"offset": 980})):
        searcher.search(query, **options)
        out[f"{name}_ms"] = round(statistics.median(time_runs(lambda o=options: searcher.search(query, **o), 5)), 1)
    match = query
    out["fts5_ms"] = round(statistics.median(time_runs(lambda: (
        fts.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone(),
        fts.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 20", (match,)).fetchall()), 5)), 1)
    return out


def one_off(case_dir: Path, workdir: Path) -> dict[str, Any]:
    """'discovery search QUERY --json' as a script would run it: a new process each time, through the installed
    'discovery' command (answered by the case's search server after the first, which starts it), and in-process
    (--no-server) for comparison. Python gets a bytecode cache (in the work folder; one --no-server run first
    fills it), as an installed copy would have, whatever PYTHONDONTWRITEBYTECODE this process has."""
    script = Path(sys.executable).parent / "discovery"
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "discovery.launcher"]
    command = [*base, "search", "storage costs", "--json", "--case", str(case_dir)]
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(workdir / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def runs(argv: list[str], count: int = 7) -> list[float]:
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False, env=env)
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    runs([*command, "--no-server"], 1)  # fills the bytecode cache; starts no server
    cold = runs(command, 1)  # no server yet: in-process, and it starts one as it exits
    status = [*base, "server", "status", "--case", str(case_dir)]
    deadline = time.monotonic() + 60
    while subprocess.run(status, capture_output=True, check=False, env=env).returncode != 0 and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    warm = runs(command)
    in_process = runs([*command, "--no-server"])
    subprocess.run([*base, "server", "stop", "--case", str(case_dir)], capture_output=True, check=False, env=env)
    return {"median_ms": round(statistics.median(warm)), "best_ms": round(min(warm)), "cold_ms": round(cold[0]),
            "in_process_median_ms": round(statistics.median(in_process)), "load": round(os.getloadavg()[0], 1)}


def enron(workdir: Path, jobs: int) -> dict[str, Any] | None:
    users = [ENRON / u for u in ENRON_USERS if (ENRON / u).is_dir()]
    if not users:
        return None
    case_dir = workdir / "enron"
    shutil.rmtree(case_dir, ignore_errors=True)
    stored = ingest(case_dir, users, jobs)
    indexed = index(case_dir, jobs, rebuild=False)
    seconds = stored["seconds"] + indexed["seconds"]
    fts = fts5(case_dir, workdir / "enron-fts.sqlite")
    return {"users": [u.name for u in users], "ingest": stored, "index": indexed, "fts5": fts,
            "end_to_end_copies_per_s": round(stored["copies"] / seconds),
            "end_to_end_messages_per_s": round(stored["messages"] / seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for ingest and indexing")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "search.json",
                        help="also write the figures here")
    parser.add_argument("--no-enron", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    workdir = args.workdir or Path(f"/tmp/discovery-bench-search-{args.messages}")
    workdir.mkdir(parents=True, exist_ok=True)
    case_dir = workdir / "case"
    mbox = workdir / "bulk.mbox"
    result: dict[str, Any] = {"machine": machine(), "messages": args.messages, "jobs": args.jobs}

    def step(name: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)

    if not mbox.exists():
        step(f"generating {args.messages:,} messages")
        result["generate_s"] = round(generate(mbox, args.messages), 1)
    shutil.rmtree(case_dir, ignore_errors=True)
    step("ingesting (store only)")
    result["ingest"] = ingest(case_dir, [mbox], args.jobs)
    step(f"indexing with {args.jobs} worker(s)")
    result["index"] = index(case_dir, args.jobs)
    step("indexing with 1 process")
    result["index_serial"] = index(case_dir, 1)
    step("FTS5 on the same documents")
    result["fts5"] = fts5(case_dir, workdir / "fts.sqlite")
    step("queries")
    result["search"] = queries(case_dir, workdir / "fts.sqlite")
    result["one_off_cli"] = one_off(case_dir, workdir)
    if not args.no_enron:
        step("Enron subset end to end")
        result["enron"] = enron(workdir, args.jobs)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(case_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
