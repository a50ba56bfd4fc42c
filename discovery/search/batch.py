"""Provides batch searches: a file of named queries (``name<TAB>query`` per line) run at once, with a count
per query and every hit written to one CSV, the way a newsroom runs a watch-list over a new dump."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from discovery.errors import QuerySyntaxError, UsageError
from discovery.safe_text import csv_row
from discovery.search.query import parse
from discovery.search.results import Hit
from discovery.search.searcher import Searcher

HIT_COLUMNS = ["rank", "id", "date", "from", "to", "cc", "subject", "score", "thread_id", "thread_hits", "tags",
               "attachments", "snippet", "custodian", "sources"]
BATCH_COLUMNS = ["name", "query", *HIT_COLUMNS]


@dataclass(frozen=True, slots=True)
class BatchQuery:
    name: str
    query: str
    line: int


@dataclass(frozen=True, slots=True)
class BatchCount:
    name: str
    query: str
    total: int
    threads: int | None = None


def read_batch(text: str) -> list[BatchQuery]:
    """Parse a batch file; every query is checked before any runs. Blank lines and # comments are skipped."""
    queries: list[BatchQuery] = []
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" not in line:
            raise UsageError(f"line {number} of the batch file has no tab between name and query",
                             hint="Write one search per line as NAME<TAB>QUERY.")
        name, query = (part.strip() for part in line.split("\t", 1))
        if not name or not query:
            raise UsageError(f"line {number} of the batch file needs both a name and a query")
        if name in names:
            raise UsageError(f"line {number}: the name {name!r} is used twice", hint="Give each search its own name.")
        try:
            parse(query)
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"line {number} ({name}): {exc.message}", query=query, position=exc.position,
                                   hint=exc.hint) from None
        names.add(name)
        queries.append(BatchQuery(name, query, number))
    if not queries:
        raise UsageError("the batch file has no searches", hint="Write one search per line as NAME<TAB>QUERY.")
    return queries


def hit_row(hit: Hit) -> list[object]:
    snippet = hit.snippet.text if hit.snippet is not None else ""
    return [hit.rank, hit.id, hit.date or "", hit.sender, "; ".join(hit.to), "; ".join(hit.cc), hit.subject,
            "" if hit.score is None else hit.score, hit.thread_id or "",
            "" if hit.thread_hits is None else hit.thread_hits, "; ".join(hit.tags), hit.attachments, snippet,
            "; ".join(hit.custodians), "; ".join(hit.sources)]


def run_batch(searcher: Searcher, queries: Iterable[BatchQuery], out: TextIO | None, *, sort: str = "relevance",
              threads: bool = False, snippets: bool = True, raw: bool = False) -> list[BatchCount]:
    """Run every query; write all hits (one CSV row per query and hit) to ``out``; return the counts.

    Cells are spreadsheet-safe (formulas defused, controls shown) unless ``raw``."""
    writer = csv.writer(out) if out is not None else None
    if writer is not None:
        writer.writerow(BATCH_COLUMNS)
    counts = []
    for item in queries:
        results = searcher.search(item.query, sort=sort, limit=None, threads=threads, snippets=snippets)
        counts.append(BatchCount(item.name, item.query, results.total, results.threads))
        if writer is not None:
            for hit in results.hits:
                row = [item.name, item.query, *hit_row(hit)]
                writer.writerow(row if raw else csv_row(row))
    return counts
