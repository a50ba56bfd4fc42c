"""Provides the search commands: 'discovery search', 'discovery reindex' and 'discovery saved ...'."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

import click

from discovery.case import Case
from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import CaseError, DiscoveryError, QuerySyntaxError, UsageError
from discovery.exitcodes import ExitCode
from discovery.safe_text import safe_line, safe_text
from discovery.search import kept
from discovery.search.fields import FACETS
from discovery.search.query import format_error
from discovery.search.searcher import Searcher

_SORT_CHOICES = ["relevance", "date", "newest", "oldest"]


def _fail(exc: DiscoveryError, as_json: bool) -> NoReturn:
    """Errors of search commands exit 2 (grep-like: 0 hits, 1 none, 2 trouble); queries get a caret."""
    if isinstance(exc, QuerySyntaxError) and exc.position is not None:
        if not as_json:
            click.echo(safe_text(format_error(exc)), err=True)
        exc = QuerySyntaxError(f"{exc.message} (at character {exc.position + 1})", query=exc.query,
                               position=exc.position, hint=exc.hint)
    fail(exc, as_json, ExitCode.USAGE)
    raise SystemExit(int(ExitCode.USAGE))  # pragma: no cover - fail() exits


def _open_for_search(case_dir: Path, as_json: bool, *, keep: bool = False) -> Case:
    """Open the case for writing when possible (to index pending changes), else read-only. ``keep``: the search
    server may hand out the case it kept open (give it back with kept.release_case)."""
    from discovery.cli import note_tightened

    try:
        try:
            case = kept.open_case(case_dir) if keep else Case(case_dir, create=False)
            note_tightened(case)
            return case
        except CaseError as exc:
            if not (case_dir / "store.sqlite").exists():
                raise
            del exc
            return Case(case_dir, create=False, readonly=True)
    except DiscoveryError as exc:
        _fail(exc, as_json)


def _notify(as_json: bool, quiet: bool) -> Any:
    def notify(text: str) -> None:
        if not quiet:
            click.echo(safe_line(f"note: {text}"), err=True)
    return notify


@click.command()
@click.argument("query", nargs=-1)
@case_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per hit) for spreadsheets and scripts.")
@click.option("--csv-raw", "csv_raw", is_flag=True,
              help="CSV with every cell exactly as stored (no ' before =, +, -, @; controls kept): for scripts.")
@click.option("--ids", "as_ids", is_flag=True, help="Print only message ids, one per line.")
@click.option("--count", "as_count", is_flag=True,
              help="Print only how many messages match (with --threads: messages, a tab, threads); no hits are read.")
@click.option("--limit", "-n", type=click.IntRange(0), default=None,
              help="Hits to print; 0 means every hit. Default: 20, or every hit with --ids/--csv/--batch.")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True, help="Skip this many hits (paging).")
@click.option("--sort", type=click.Choice(_SORT_CHOICES), default="relevance", show_default=True,
              help="relevance (BM25F, subject above body), or date: newest first ('date'/'newest') or oldest.")
@click.option("--reverse", is_flag=True, help="With --sort date: oldest first.")
@click.option("--threads", is_flag=True, help="One row per thread (its best hit); totals count threads too.")
@click.option("--facets", "want_facets", is_flag=True, help="Count hits by " + ", ".join(FACETS) + ".")
@click.option("--facet", "facet_names", multiple=True, type=click.Choice(list(FACETS)), help="Only these facets.")
@click.option("--facets-only", is_flag=True, help="Print the total and the facets (all, or those of --facet), no hits.")
@click.option("--no-snippets", is_flag=True, help="Skip snippets (faster for very long lists).")
@click.option("--batch", "batch_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Run a file of searches, one NAME<TAB>QUERY per line; print counts, write hits to --out.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="CSV file for --batch hits (default: <batch file name>-hits.csv here; '-' for stdout).")
@click.option("--no-update", is_flag=True, help="Do not index pending changes first; search what is indexed.")
@click.option("--quiet", "-q", is_flag=True, help="No notes on stderr.")
@click.option("--no-server", is_flag=True, help="Run in this process: neither use nor start the case's search "
              "server (also: DISCOVERY_NO_SERVER=1). See 'discovery server'.")
def search(query: tuple[str, ...], case_dir: Path, as_json: bool, as_csv: bool, as_ids: bool, limit: int | None,
           offset: int, sort: str, reverse: bool, threads: bool, want_facets: bool, facet_names: tuple[str, ...],
           no_snippets: bool, batch_file: Path | None, out_path: str | None, no_update: bool, quiet: bool,
           csv_raw: bool = False, as_count: bool = False, facets_only: bool = False, no_server: bool = False) -> None:
    """Search the case. QUERY uses the query language (see the README), e.g.

    \b
      discovery search 'from:cirrusweb.example to:harlowcounty-or.example recognize'
      discovery search 'domain:cirrusweb.example date:2017-05..2018-06 (real-time OR "body camera")' --facets
      discovery search 'recgonize~ has:attachment' --sort date --json
      discovery search 'pii:ssn OR pii:dob' --facet pii     (after 'discovery pii scan')

    CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading '
    and control characters are shown as symbols; --csv-raw writes the stored text unchanged.

    Run as the 'discovery' command, a search goes to the case's search server (started by the first search,
    it keeps the index open; see 'discovery server'): the same output and exit status, sooner.

    Exit status: 0 something matched, 1 nothing matched, 2 error (bad query, no case, ...).
    """
    del no_server  # read by the 'discovery' entry point (discovery.launcher) before this runs
    as_csv = as_csv or (csv_raw and batch_file is None)
    if sum((as_json and not batch_file, as_csv, as_ids)) > 1:
        _fail(UsageError("choose one of --json, --csv and --ids"), as_json)
    if (as_count or facets_only) and (as_csv or as_ids or batch_file or (as_count and facets_only)):
        _fail(UsageError("--count and --facets-only print no hits: use them without --csv, --ids, --batch "
                         "or each other"), as_json)
    if batch_file is not None:
        if query:
            _fail(UsageError("give either a QUERY or --batch FILE, not both"), as_json)
        _run_batch_command(batch_file, out_path, case_dir, as_json, sort, reverse, threads, no_snippets,
                           no_update, quiet, raw=csv_raw)
        return
    text = " ".join(query).strip()
    if not text:
        _fail(UsageError("no query given", hint="e.g. discovery search 'face recognition' (or * for everything)"),
              as_json)
    if limit is None:
        limit = 0 if (as_ids or as_csv) else 20
    sort_key = _sort_key(sort, reverse)
    case = _open_for_search(case_dir, as_json, keep=True)
    searcher: Searcher | None = None
    failed = True
    try:
        searcher = kept.open_searcher(case.store, auto_update=not no_update, notify=_notify(as_json, quiet))
        if as_ids:  # ids only: nothing of the hits is read but their ids
            found = searcher.ids(text, sort=sort_key, offset=offset, limit=limit or None, threads=threads)
            matched = bool(found) or (offset > 0 and searcher.count(text) > 0)  # a page past the end still matched
        elif as_count or facets_only:
            results = searcher.tally(text, threads=threads, facets=(list(facet_names) or True) if facets_only
                                     else False)
        else:
            results = searcher.search(text, sort=sort_key, offset=offset, limit=limit or None, threads=threads,
                                      facets=list(facet_names) or want_facets, snippets=not no_snippets)
        failed = False
    except DiscoveryError as exc:
        _fail(exc, as_json)
    finally:
        if searcher is not None:
            kept.release(searcher, failed=failed)  # closed without a full collection: the process ends next
        kept.release_case(case, failed=failed)
    if as_ids:
        from discovery.search.output import write_id_lines

        write_id_lines(found, sys.stdout)
        sys.exit(int(ExitCode.OK if matched else ExitCode.NO_HITS))
    if as_count:
        _print_count(results, as_json, threads)
    else:
        _print_results(results, as_json, as_csv, False, raw=csv_raw)
    sys.exit(int(ExitCode.OK if results.total else ExitCode.NO_HITS))


def _print_count(results: Any, as_json: bool, threads: bool) -> None:
    if as_json:
        click.echo(json.dumps({"query": results.query, "total": results.total, "threads": results.threads,
                               "notes": results.notes}))
    else:
        click.echo(f"{results.total}\t{results.threads}" if threads else str(results.total))
        for note in results.notes:
            click.echo(f"note: {note}", err=True)


def _sort_key(sort: str, reverse: bool) -> str:
    if sort in ("date", "newest"):
        return "oldest" if reverse else "newest"
    if sort == "oldest":
        return "newest" if reverse else "oldest"
    return "relevance"


def _print_results(results: Any, as_json: bool, as_csv: bool, as_ids: bool, *, raw: bool = False) -> None:
    from discovery.search import output

    if as_json:
        output.write_json(results, sys.stdout)
    elif as_csv:
        output.write_csv(results, sys.stdout, raw=raw)
    elif as_ids:
        output.write_ids(results, sys.stdout)
    else:
        output.write_text(results, color=sys.stdout.isatty())


def _run_batch_command(batch_file: Path, out_path: str | None, case_dir: Path, as_json: bool, sort: str,
                       reverse: bool, threads: bool, no_snippets: bool, no_update: bool, quiet: bool, *,
                       raw: bool = False) -> None:
    from discovery.search import output
    from discovery.search.batch import read_batch, run_batch

    try:
        queries = read_batch(batch_file.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(UsageError(f"cannot read the batch file {batch_file}: {exc.strerror or exc}"), as_json)
    except DiscoveryError as exc:
        _fail(exc, as_json)
    target = out_path or f"{batch_file.stem}-hits.csv"
    case = _open_for_search(case_dir, as_json)
    try:
        handle = nullcontext(sys.stdout) if target == "-" else open(target, "w", newline="", encoding="utf-8")
    except OSError as exc:
        case.close()
        _fail(UsageError(f"cannot write {target}: {exc.strerror or exc}"), as_json)
    try:
        with handle as out, Searcher(case.store, auto_update=not no_update, notify=_notify(as_json, quiet)) as s:
            counts = run_batch(s, queries, out, sort=_sort_key(sort, reverse), threads=threads,
                               snippets=not no_snippets, raw=raw)
    except DiscoveryError as exc:
        _fail(exc, as_json)
    finally:
        case.close()
    if target == "-":
        sys.stdout.flush()
        with _stdout_to_stderr():
            output.write_counts(counts, target, as_json)
    else:
        output.write_counts(counts, target, as_json)
        if not quiet and not as_json:
            click.echo(f"hits written to {target}", err=True)
    sys.exit(int(ExitCode.OK if any(c.total for c in counts) else ExitCode.NO_HITS))


class _stdout_to_stderr:
    def __enter__(self) -> None:
        self._saved = sys.stdout
        sys.stdout = sys.stderr

    def __exit__(self, *exc: object) -> None:
        sys.stdout = self._saved


@click.command()
@case_option
@json_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: the number of CPUs, at most 4).")
@click.option("--pending", is_flag=True, help="Only index pending changes (new messages, tags) instead of "
              "rebuilding everything.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def reindex(case_dir: Path, as_json: bool, jobs: int | None, pending: bool, quiet: bool) -> None:
    """Rebuild the search index from the case store (safe at any time: the store keeps everything).

    Searches keep working on the old index until the new one is swapped in.
    """
    from discovery.ingest.pipeline import default_jobs
    from discovery.search.indexer import index_dir, rebuild_index, update_index

    case = open_case(case_dir, as_json=as_json)
    show = not quiet and not as_json and sys.stderr.isatty()
    last = {"shown": -1.0}

    def progress(done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if show and (now - last["shown"] > 0.2 or done == total):
            last["shown"] = now
            click.echo(f"\rindexing {done:,}/{total:,} messages", err=True, nl=done == total and total > 0)

    try:
        run = update_index if pending else rebuild_index
        report = run(case.store, jobs=jobs or default_jobs(), progress=progress)
    except DiscoveryError as exc:
        case.close()
        fail(exc, as_json)
        return
    except KeyboardInterrupt:
        case.close()
        click.echo("\nInterrupted: the index in use is unchanged; run the command again to finish.", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    size = sum(p.stat().st_size for p in index_dir(case_dir).iterdir() if p.is_file())
    case.close()
    data = report.to_dict()
    data["index_bytes"] = size
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    verb = "Indexed" if report.action != "none" else "Nothing to index;"
    click.echo(f"{verb} {report.indexed:,} messages in {report.seconds:.1f} s ({report.rate:,.0f}/s). "
               f"Index: {report.documents:,} messages, {report.segments} segment(s), {size / 1e6:.1f} MB.")


@click.group()
def saved() -> None:
    """Saved searches kept in the case: add, list, run, rm."""


@saved.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@case_option
@json_option
@click.option("--sort", type=click.Choice(_SORT_CHOICES), default=None, help="Sort to use when run.")
@click.option("--threads", is_flag=True, default=None, help="One row per thread when run.")
@click.option("--replace", is_flag=True, help="Overwrite a saved search of the same name.")
def saved_add(name: str, query: tuple[str, ...], case_dir: Path, as_json: bool, sort: str | None,
              threads: bool | None, replace: bool) -> None:
    """Save QUERY under NAME."""
    from discovery.search.saved import save_search

    case = open_case(case_dir, as_json=as_json)
    try:
        item = save_search(case.store, name, " ".join(query), {"sort": sort, "threads": threads or None},
                           replace=replace)
    except DiscoveryError as exc:
        case.close()
        _fail(exc, as_json)
    case.close()
    if as_json:
        click.echo(json.dumps(item.to_dict(), indent=2))
    else:
        click.echo(safe_line(f"saved {item.name!r}: {item.query}"))


@saved.command("list")
@case_option
@json_option
def saved_list(case_dir: Path, as_json: bool) -> None:
    """List saved searches."""
    from discovery.search.saved import list_saved

    case = open_case(case_dir, readonly=True, as_json=as_json)
    items = list_saved(case.store)
    case.close()
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in items], indent=2))
        return
    if not items:
        click.echo("No saved searches. Add one with: discovery saved add NAME QUERY", err=True)
    for item in items:
        opts = " ".join(f"--{k} {v}" if v is not True else f"--{k}" for k, v in item.options.items())
        click.echo("\t".join(safe_line(v) for v in (item.name, item.query, opts) if v))


@saved.command("run")
@click.argument("name")
@case_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--ids", "as_ids", is_flag=True, help="Print only message ids.")
@click.option("--limit", "-n", type=click.IntRange(0), default=None, help="Hits to print (0 = all).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits.")
@click.option("--facets", "want_facets", is_flag=True, help="Count hits by facet.")
@click.pass_context
def saved_run(ctx: click.Context, name: str, case_dir: Path, as_json: bool, as_csv: bool, as_ids: bool,
              limit: int | None, offset: int, want_facets: bool) -> None:
    """Run a saved search (same output and exit status as 'discovery search')."""
    from discovery.search.saved import get_saved

    case = _open_for_search(case_dir, as_json)
    try:
        item = get_saved(case.store, name)
    except DiscoveryError as exc:
        case.close()
        _fail(exc, as_json)
    case.close()
    assert item is not None
    options = item.options
    ctx.invoke(search, query=(item.query,), case_dir=case_dir, as_json=as_json, as_csv=as_csv, as_ids=as_ids,
               limit=limit, offset=offset, sort=str(options.get("sort") or "relevance"), reverse=False,
               threads=bool(options.get("threads")), want_facets=want_facets, facet_names=(), no_snippets=False,
               batch_file=None, out_path=None, no_update=False, quiet=False, csv_raw=False, as_count=False,
               facets_only=False)


@saved.command("rm")
@click.argument("name")
@case_option
@json_option
def saved_rm(name: str, case_dir: Path, as_json: bool) -> None:
    """Remove a saved search."""
    from discovery.search.saved import remove_saved

    case = open_case(case_dir, as_json=as_json)
    try:
        remove_saved(case.store, name)
    except DiscoveryError as exc:
        case.close()
        _fail(exc, as_json)
    case.close()
    if as_json:
        click.echo(json.dumps({"removed": name}))
    else:
        click.echo(safe_line(f"removed {name!r}"))
