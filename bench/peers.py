"""Provides the peers benchmark: discovery next to notmuch and mu on the same maildir, as scripts run them (one
process per command), in one run: ingest + index files/s and peak memory, each query's whole-process median
and its ratio to each peer, and the hit counts side by side with the reason for each difference.

    python bench/peers.py                          # the Enron maildir of ../shared/corpora, 7 runs a query
    python bench/peers.py --runs 5 --json bench/out/peers.json
    python bench/peers.py --maildir PATH --keep /tmp/peers   # keep the converted tree, cases and databases
    python bench/peers.py --ingest-only --ingest-runs 3      # ingest + index only, 3 interleaved runs a tool

The maildir is copied into a temporary Maildir++ tree (cur/new/tmp in every folder) that notmuch and mu both
index; discovery ingests the original folder (the same files). A peer that is not installed is skipped, saying
so. Runs are interleaved (discovery, notmuch, mu, discovery, ...) so that a change in the machine's load hits
every tool alike; report ratios, not absolute figures, when the machine is shared. Every process gets TZ=UTC so
that date ranges mean the same instants; discovery's Python gets a bytecode cache (in the temporary folder) and
one warm-up run per command, as an installed copy would have.

discovery runs as the installed 'discovery' command (the console script next to this Python, else
'python -m discovery.launcher'), so its searches go to each case's search server, which the first search starts
(warm figures). Each run also times, apart, a first search with no server running (cold: the search runs
in-process and starts the server; the bench then waits until it answers) and every query with --no-server
(in-process). discovery's CPU time includes the server's share of each search (read from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmachine import machine
from ingest import measured

ROOT = Path(__file__).resolve().parents[1]
ENRON = ROOT.parent / "shared" / "corpora" / "enron-maildir" / "maildir"
SAMPLES = ROOT / "samples"
JOBS = 2


@dataclass(frozen=True)
class Query:
    label: str
    discovery: str
    notmuch: str
    mu: str
    why: str  # what makes the counts differ, besides copies (see COPIES)


# Equivalent queries. Differences every query shares are in COPIES; each query names what else differs.
QUERIES = [
    Query("rare word", "sushi", "sushi", "sushi", "none expected"),
    Query("common word", "energy", "energy", "energy",
          "stemming: discovery and notmuch stem (energies), mu does not"),
    Query("two words (AND)", "energy AND california", "energy and california", "energy and california",
          "stemming"),
    Query("OR", "power OR electricity", "power or electricity", "power or electricity", "stemming"),
    Query("NOT", "energy -california", "energy and not california", "energy and not california", "stemming"),
    Query("phrase", '"natural gas"', '"natural gas"', '"natural gas"',
          "mu matches the words anywhere (no positions), discovery and notmuch in sequence"),
    Query("prefix wildcard", "negotiat*", "negotiat*", "negotiat*",
          "discovery matches the prefix in every field, notmuch in text and subject, mu in body and subject"),
    Query("sender address", "from:jeff.dasovich@enron.com", "from:jeff.dasovich@enron.com",
          "from:jeff.dasovich@enron.com", "none expected"),
    Query("subject word", "subject:meeting", "subject:meeting", "subject:meeting", "stemming (meetings)"),
    Query("date range", "date:2001-01..2001-03", "date:2001-01-01..2001-03-31", "date:20010101..20010331",
          "undated or misdated messages (each tool reads Date: its own way)"),
    Query("date range + word", "date:2001-01..2001-03 california",
          "date:2001-01-01..2001-03-31 and california", "date:20010101..20010331 and california", "stemming"),
]
COPIES = ("copies: discovery folds copies by content (sender, recipients, date, subject, body), notmuch by "
          "Message-ID (Enron's files have none: notmuch uses a hash of the file), mu lists every file")
SAMPLE_QUERY = "pilot"


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def convert(maildir: Path, target: Path) -> int:
    """Copy every file of maildir into a Maildir++ tree at target (one folder per folder, files in cur/)."""
    count = 0
    for folder, _dirs, files in os.walk(maildir):
        if not files:
            continue
        relative = Path(folder).relative_to(maildir)
        box = target / ".".join(relative.parts) if relative.parts else target / "root"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(Path(folder) / name, box / "cur" / f"{name}:2,")
            count += 1
    return count


def discovery_command() -> list[str]:
    """How a script runs discovery: the 'discovery' console script installed beside this Python, else the same
    entry point through -m."""
    script = Path(sys.executable).parent / "discovery"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "discovery.launcher"]


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds a running process (not our child) has used so far; 0 if it is gone."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """User + system time of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str], *, memory: bool = False) -> tuple[float, str, int]:
    """(seconds, stdout, peak memory of the process tree in bytes when asked) of one command."""
    seconds, status, out, err, peak = measured(cmd, env=env, memory=memory, interval=0.05)
    if status not in (0, 1) and not (cmd[0] == "mu" and status == 4):  # mu find: 4 is "no matches"
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({status}): {err.strip()[-400:]}")
    return seconds, out, peak


class Tool(ABC):
    """One search tool: how to index the tree, how to list and count a query's hits."""

    name = ""

    def __init__(self, work: Path, tree: Path, maildir: Path, env: dict[str, str]) -> None:
        self.work, self.tree, self.maildir, self.env = work, tree, maildir, env

    @abstractmethod
    def index(self) -> dict[str, Any]:
        """Index the files; {"seconds", "peak" (bytes), "messages" (as the tool counts them)}."""

    @abstractmethod
    def reset(self) -> None:
        """Remove what index() built, so that it can run again from scratch."""

    @abstractmethod
    def ids(self, query: str) -> list[str]:
        """The command that lists the query's hits, one per line."""

    def count(self, query: str) -> list[str] | None:
        """The command that prints the query's count, or None when the tool has none (mu)."""
        return None


class Discovery(Tool):
    name = "discovery"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.case = self.work / "discovery-case"
        self.env = {**self.env, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(self.work / "pycache")}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def cli(self, *args: str) -> list[str]:
        return [*discovery_command(), *args]

    def index(self) -> dict[str, Any]:
        seconds, out, peak = timed(self.cli("ingest", str(self.maildir), "--case", str(self.case), "--jobs",
                                            str(JOBS), "--json", "-q"), self.env, memory=True)
        report = json.loads(out)
        return {"seconds": seconds, "peak": peak, "messages": report["totals"]["messages"]}

    def reset(self) -> None:
        shutil.rmtree(self.case)

    def ids(self, query: str) -> list[str]:
        return self.cli("search", "--case", str(self.case), "--ids", "--", query)

    def count(self, query: str) -> list[str]:
        return self.cli("search", "--case", str(self.case), "--count", "--", query)

    def in_process(self, query: str) -> list[str]:
        return self.cli("search", "--case", str(self.case), "--ids", "--no-server", "--", query)

    def server_pid(self, case: Path) -> int | None:
        _, out, _ = timed(self.cli("server", "status", "--case", str(case), "--json"), self.env)
        return json.loads(out).get("pid")

    def stop_server(self, case: Path) -> None:
        timed(self.cli("server", "stop", "--case", str(case)), self.env)

    def wait_for_server(self, case: Path, timeout: float = 60.0) -> int | None:
        """The pid of the case's search server once it answers (None if none came up within timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.server_pid(case)
            if pid:
                return pid
            time.sleep(0.1)
        return None


class Notmuch(Tool):
    name = "notmuch"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        config = self.work / "notmuch-config"
        config.write_text(f"[database]\npath={self.tree}\n[new]\ntags=inbox\n[search]\nexclude_tags=\n"
                          "[maildir]\nsynchronize_flags=false\n", encoding="utf-8")
        self.env = {**self.env, "NOTMUCH_CONFIG": str(config)}

    def index(self) -> dict[str, Any]:
        seconds, _, peak = timed(["notmuch", "new", "--quiet"], self.env, memory=True)
        _, out, _ = timed(["notmuch", "count", "*"], self.env)
        return {"seconds": seconds, "peak": peak, "messages": int(out.strip() or 0)}

    def reset(self) -> None:
        shutil.rmtree(self.tree / ".notmuch")

    def ids(self, query: str) -> list[str]:
        return ["notmuch", "search", "--output=messages", query]

    def count(self, query: str) -> list[str]:
        return ["notmuch", "count", query]


class Mu(Tool):
    name = "mu"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.home = self.work / "mu-home"

    def index(self) -> dict[str, Any]:
        subprocess.run(["mu", "init", f"--muhome={self.home}", f"--maildir={self.tree}"], env=self.env,
                       capture_output=True, check=True)
        seconds, _, peak = timed(["mu", "index", f"--muhome={self.home}", "--quiet"], self.env, memory=True)
        _, out, _ = timed(["mu", "find", f"--muhome={self.home}", "--fields=i", "--", '""'], self.env)
        return {"seconds": seconds, "peak": peak, "messages": len(out.splitlines())}

    def reset(self) -> None:
        shutil.rmtree(self.home)

    def ids(self, query: str) -> list[str]:
        return ["mu", "find", f"--muhome={self.home}", "--fields=i", "--", query]


def run(maildir: Path, work: Path, runs: int, log: Callable[[str], None], *, ingest_only: bool = False,
        ingest_runs: int = 1) -> dict[str, Any]:
    env = {**os.environ, "TZ": "UTC"}
    tree = work / "maildir"
    files = convert(maildir, tree)
    log(f"converted {files:,} files of {maildir} into a Maildir++ tree for the peers")
    tools: list[Tool] = [Discovery(work, tree, maildir, env)]
    skipped: dict[str, str] = {}
    for kind in (Notmuch, Mu):
        if shutil.which(kind.name) is None:
            skipped[kind.name] = f"{kind.name} is not installed (Debian: apt install " \
                                 f"{'notmuch' if kind is Notmuch else 'maildir-utils'})"
            log(f"skipping {kind.name}: not installed")
            continue
        tools.append(kind(work, tree, maildir, env))

    ingest: dict[str, dict[str, Any]] = {}
    measured_runs: dict[str, list[tuple[float, float, int, int]]] = {t.name: [] for t in tools}
    for round_ in range(ingest_runs):  # interleaved, as the searches are: a change of load hits every tool alike
        for tool in tools:
            log(f"indexing with {tool.name} ({round_ + 1}/{ingest_runs})...")
            if round_:
                tool.reset()
            before = cpu_seconds()
            found = tool.index()
            measured_runs[tool.name].append(
                (found["seconds"], cpu_seconds() - before, found["peak"], found["messages"]))
    for tool in tools:
        rows = measured_runs[tool.name]
        seconds = statistics.median(r[0] for r in rows)
        ingest[tool.name] = {"seconds": round(seconds, 2), "files_per_s": round(files / seconds, 1),
                             "cpu_seconds": round(statistics.median(r[1] for r in rows), 2),  # user + system, tree
                             "peak_memory_mb": round(max(r[2] for r in rows) / 1024**2, 1),  # the highest run's
                             "messages": rows[-1][3], "runs": len(rows),
                             "seconds_each": [round(r[0], 2) for r in rows]}
    ingest_ratio = {t.name: round(ingest["discovery"]["files_per_s"] / ingest[t.name]["files_per_s"], 2)
                    for t in tools[1:]}
    if ingest_only:
        return {"machine": machine(), "load_average": os.getloadavg(), "maildir": str(maildir), "files": files,
                "skipped": skipped, "ingest": ingest, "ingest_ratio": ingest_ratio}

    disc = tools[0]
    assert isinstance(disc, Discovery)
    commands: list[tuple[str, str, list[str]]] = []  # (query label, tool, argv)
    for query in QUERIES:
        for tool in tools:
            commands.append((query.label, tool.name, tool.ids(getattr(query, tool.name))))
            counted = tool.count(getattr(query, tool.name))
            if counted is not None:
                commands.append((query.label + " (count)", tool.name, counted))
        commands.append((query.label + " (in-process)", "discovery", disc.in_process(query.discovery)))
    samples_case = work / "samples-case"
    timed(disc.cli("ingest", *(str(SAMPLES / part) for part in ("mbox", "maildir", "eml", "archive")), "--case",
                   str(samples_case), "-q", "--json"), disc.env)
    commands.append(("samples: search --json", "discovery",
                     disc.cli("search", "--case", str(samples_case), "--json", "--", SAMPLE_QUERY)))
    cold_query = QUERIES[0]

    outputs: dict[tuple[str, str], str] = {}
    last: dict[tuple[str, str], str] = {}  # outputs of the last run (discovery's from its servers)
    times: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}  # CPU time: what the machine's load changes least
    log(f"timing {len(commands) + 1} commands, {runs} runs each (plus one warm-up)...")
    for round_ in range(runs + 1):
        if round_ > 0:  # cold: the first search of a case, no server running yet
            disc.stop_server(disc.case)
            before = cpu_seconds()
            seconds, _, _ = timed(disc.ids(cold_query.discovery), disc.env)
            times.setdefault(("cold", "discovery"), []).append(seconds)
            cpu.setdefault(("cold", "discovery"), []).append(cpu_seconds() - before)
        pids = {case: disc.wait_for_server(case) for case in (disc.case, samples_case)} if round_ > 0 else {}
        for label, name, argv in commands:
            pid = pids.get(samples_case if "samples" in label else disc.case) if name == "discovery" else None
            before = cpu_seconds() + process_cpu(pid)
            seconds, out, _ = timed(argv, next(t.env for t in tools if t.name == name))
            if round_ == 0:
                outputs[(label, name)] = out
            else:
                last[(label, name)] = out
                times.setdefault((label, name), []).append(seconds)
                cpu.setdefault((label, name), []).append(cpu_seconds() + process_cpu(pid) - before)
    for case in (disc.case, samples_case):
        disc.stop_server(case)
    mismatched = [label for (label, name), out in last.items() if name == "discovery" and "(in-process)" not in label
                  and label != "samples: search --json" and out != outputs[(label, name)]]
    mismatched += [q.label for q in QUERIES if last[(q.label, "discovery")] != last[(q.label + " (in-process)",
                                                                                       "discovery")]]

    rows = []
    for query in QUERIES:
        for suffix in ("", " (count)", " (in-process)"):
            label = query.label + suffix
            row: dict[str, Any] = {"query": label, "discovery_query": query.discovery}
            for tool in tools:
                if (label, tool.name) not in times:
                    continue
                row[f"{tool.name}_ms"] = median_ms(times[(label, tool.name)])
                row[f"{tool.name}_cpu_ms"] = median_ms(cpu[(label, tool.name)])
                out = outputs[(label, tool.name)]
                row[f"{tool.name}_hits"] = int(out.strip() or 0) if suffix == " (count)" else len(out.splitlines())
            for tool in tools[1:]:
                if f"{tool.name}_ms" in row:
                    row[f"ratio_{tool.name}"] = round(row["discovery_ms"] / max(row[f"{tool.name}_ms"], 0.1), 2)
                    row[f"cpu_ratio_{tool.name}"] = round(
                        row["discovery_cpu_ms"] / max(row[f"{tool.name}_cpu_ms"], 1.0), 2)
            if not suffix:
                row["why_counts_differ"] = query.why
            rows.append(row)
    sample = median_ms(times[("samples: search --json", "discovery")])
    sample_cpu = median_ms(cpu[("samples: search --json", "discovery")])
    return {
        "machine": machine(), "load_average": os.getloadavg(), "maildir": str(maildir), "files": files,
        "runs": runs, "skipped": skipped, "ingest": ingest, "queries": rows, "copies": COPIES,
        "samples_search_json_ms": sample, "samples_search_json_cpu_ms": sample_cpu,
        "cold_first_search_ms": median_ms(times[("cold", "discovery")]),
        "cold_first_search_cpu_ms": median_ms(cpu[("cold", "discovery")]), "cold_query": cold_query.discovery,
        "discovery_command": " ".join(discovery_command()), "outputs_differ": mismatched,
        "ingest_ratio": ingest_ratio,
    }


def print_report(result: dict[str, Any]) -> None:
    peers = [name for name in ("notmuch", "mu") if name in result["ingest"]]
    print(f"{result['machine']}; load average {', '.join(f'{x:.1f}' for x in result['load_average'])}")
    print(f"{result['maildir']}: {result['files']:,} files" + (
        f"; {result['runs']} runs a command, medians of whole processes" if "runs" in result else ""))
    for name, why in result["skipped"].items():
        print(f"skipped {name}: {why}")
    runs = next(iter(result["ingest"].values())).get("runs", 1)
    print(f"\n| ingest + index{f' (median of {runs} interleaved runs)' if runs > 1 else ''} | s | files/s | CPU s | "
          "peak MB | messages |\n|---|---:|---:|---:|---:|---:|")
    for name, row in result["ingest"].items():
        print(f"| {name} | {row['seconds']} | {row['files_per_s']:,} | {row.get('cpu_seconds', '-')} | "
              f"{row['peak_memory_mb']} | {row['messages']:,} |")
    for name, ratio in result["ingest_ratio"].items():
        print(f"discovery files/s ÷ {name}'s: {ratio}")
    if "queries" not in result:  # --ingest-only
        return
    head = "| query | discovery ms (cpu) | " + " | ".join(f"{p} ms (cpu) | ÷{p} (cpu)" for p in peers) + \
        " | hits d/" + "/".join(p[0] for p in peers) + " | why counts differ |"
    print("\n" + head + "\n|" + "---|" * (head.count("|") - 1))
    for row in result["queries"]:
        cells = [row["query"], f"{row['discovery_ms']} ({row['discovery_cpu_ms']})"]
        for p in peers:
            if f"{p}_ms" not in row:
                cells += ["-", "-"]
                continue
            cells += [f"{row[f'{p}_ms']} ({row[f'{p}_cpu_ms']})", f"{row[f'ratio_{p}']} ({row[f'cpu_ratio_{p}']})"]
        cells.append("/".join(str(row.get(f"{t}_hits", "-")) for t in ("discovery", *peers)))
        cells.append(row.get("why_counts_differ", ""))
        print("| " + " | ".join(cells) + " |")
    print(f"\nEvery query: {result['copies']}.")
    print(f"discovery ran as {result['discovery_command']!r}: searches answered by each case's search server (warm); "
          "'(in-process)' rows: --no-server")
    print(f"cold first search (no server yet: in-process, starts the server), discovery search "
          f"{result['cold_query']!r} --ids: {result['cold_first_search_ms']} ms median "
          f"({result['cold_first_search_cpu_ms']} ms CPU)")
    print("server and in-process outputs: " + ("identical" if not result["outputs_differ"]
                                               else "DIFFER for " + ", ".join(result["outputs_differ"])))
    print(f"samples case, discovery search {SAMPLE_QUERY!r} --json: {result['samples_search_json_ms']} ms median "
          f"({result['samples_search_json_cpu_ms']} ms CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--maildir", type=Path, default=ENRON)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", dest="json_out", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="work in this (new) folder and keep it")
    parser.add_argument("--ingest-only", action="store_true", help="measure ingest + index only (no queries)")
    parser.add_argument("--ingest-runs", type=int, default=1, help="index with every tool this many times, "
                        "interleaved; medians (peak memory: the highest run's)")
    args = parser.parse_args()
    if not args.maildir.is_dir():
        raise SystemExit(f"no maildir at {args.maildir} (see ../shared/corpora/README.md)")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.keep is not None:
        args.keep.mkdir(parents=True)
        result = run(args.maildir, args.keep, args.runs, log, ingest_only=args.ingest_only,
                     ingest_runs=args.ingest_runs)
    else:
        with tempfile.TemporaryDirectory(prefix="discovery-peers-") as work:
            result = run(args.maildir, Path(work), args.runs, log, ingest_only=args.ingest_only,
                         ingest_runs=args.ingest_runs)
    print_report(result)
    if args.json_out is not None:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
