"""Provides 'discovery redact': publish a selection of the case, redacted, with its log, manifest and leak check."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click

from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import DiscoveryError, NotFound, PolicyError, QuerySyntaxError, UsageError
from discovery.exitcodes import ExitCode


def _parse_bates(value: str) -> tuple[str, int]:
    prefix, colon, start = value.rpartition(":")
    if not colon:
        return value, 1
    if not start.isdigit():
        raise UsageError(f"--bates {value!r}: the start after ':' must be a number", hint="e.g. --bates HCSO-:1")
    return prefix, int(start)


@contextmanager
def _progress(console: Any, enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    names = {"find": "Following values", "redact": "Redacting", "write": "Writing", "verify": "Checking for leaks"}
    bar = Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(names.get(stage, stage), total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    with bar:
        yield update


def _code(exc: DiscoveryError) -> ExitCode:
    from discovery.redact.pipeline import PendingSuggestions
    from discovery.redact.produce import LeakFound

    if isinstance(exc, PendingSuggestions):
        return ExitCode.PENDING
    if isinstance(exc, LeakFound):
        return ExitCode.LEAK_FOUND
    if isinstance(exc, UsageError | PolicyError | NotFound | QuerySyntaxError):
        return ExitCode.USAGE
    return ExitCode.ERROR


@click.command()
@click.argument("query", required=False, default="")
@click.option("--tag", default="", help="Produce the messages with this tag.")
@click.option("--saved", default="", help="Produce the messages a saved search finds.")
@click.option("--all", "everything", is_flag=True, help="Produce every message of the case.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder to write the production into (new or empty, or an earlier production of this case, "
              "which is replaced whole).")
@click.option("--format", "formats", default="txt", show_default=True,
              help="Comma-separated formats: txt, eml, mbox, pdf.")
@click.option("--label", type=click.Choice(["code", "pseudonym", "blackout"]), default="code", show_default=True,
              help="What replaces a redacted value: its exemption code ([(b)(6)]), a pseudonym consistent across "
              "the production ([PERSON-017]), or a fixed-width black bar.")
@click.option("--bates", default="DOC-", show_default=True,
              help="Bates prefix and optional first number, PREFIX[:START]; a document keeps its numbers when "
              "produced again under the same prefix.")
@click.option("--pending", type=click.Choice(["refuse", "redact", "keep"]), default="refuse", show_default=True,
              help="Suggestions nobody decided: refuse (list them, produce nothing), redact (treat as accepted) or "
              "keep (treat as rejected).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for finding redacted values.")
@case_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def redact(query: str, tag: str, saved: str, everything: bool, out_dir: Path, formats: str, label: str, bates: str,
           pending: str, jobs: int, case_dir: Path, as_json: bool, quiet: bool) -> None:
    """Publish messages redacted: QUERY (a search), --tag T, --saved NAME or --all.

    Redacts accepted suggestions and manual spans, the policy's automatic rules, accepted decisions by value
    (minus the allow-list) everywhere they occur in the production: every document, address, subject, body,
    attachment text and file name, in their variants (case, spacing, quoted '>' lines, 'Last, First', phone
    punctuation). Headers are rebuilt from the reviewed fields; the ones that expose people or systems are
    dropped or neutralised ([redact] headers in the policy). Content nobody could review is withheld and listed.
    Writes per format txt/, eml/, mbox/, pdf/, with redaction-log.csv/.json (a Vaughn-index draft),
    withheld.csv and manifest.json (every file's sha256), into OUT.partial-* first; it becomes OUT only after the
    leak check passes. The same case, decisions and policy give byte-identical files.

    Exit status: 0 produced; 1 the leak check found a redacted value (quarantined in OUT.quarantine-*); 2 bad
    options; 3 the case could not be read or a reviewed span no longer matches its message; 5 suggestions are
    pending under --pending refuse (nothing produced); 130 interrupted (nothing produced).
    """
    from rich.console import Console

    from discovery.interrupt import graceful_interrupt
    from discovery.redact.pipeline import PendingSuggestions

    console = Console(stderr=True, highlight=False)
    fmt = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    case = open_case(case_dir, readonly=False, as_json=as_json)
    try:
        prefix, start = _parse_bates(bates)
        with graceful_interrupt(console, "the current step") as cancel:
            show = not quiet and not as_json and console.is_terminal
            with _progress(console, show) if show else nullcontext(None) as progress:
                report = case.redact(query, out=out_dir, tag=tag, saved=saved, all=everything, formats=fmt,
                                     label=label, bates_prefix=prefix, bates_start=start, pending=pending,
                                     jobs=jobs, progress=progress, cancel=cancel)
    except PendingSuggestions as exc:
        if as_json:
            click.echo(json.dumps({"error": {"type": type(exc).__name__, "title": exc.title, "message": exc.message,
                                             "hint": exc.hint, "pending": exc.count, "places": exc.places,
                                             "messages": [{"id": m, "pending": n, "questions": q}
                                                          for m, n, q in exc.where]}}),
                       err=True)
            sys.exit(int(ExitCode.PENDING))
        fail(exc, False, ExitCode.PENDING)
        return
    except DiscoveryError as exc:
        fail(exc, as_json, _code(exc))
        return
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing was produced (no partial folder is left).", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    finally:
        case.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
        return
    out = sys.stdout
    print(f"Produced {report.documents:,} document(s), {report.pages:,} page(s) "
          f"{report.bates_first}..{report.bates_last} into {report.out_dir} ({', '.join(report.formats)}) "
          f"in {report.seconds:.1f}s", file=out)
    print(f"  {report.redactions:,} redaction(s) of {report.values_redacted:,} value(s)"
          + (f", {report.pending_redacted:,} pending suggestion(s) treated as accepted"
             if report.pending_redacted else ""), file=out)
    print(f"  {report.withheld:,} unit(s) withheld (see withheld.csv)", file=out)
    print(f"  leak check: {report.verify_summary or ('passed' if report.verified else 'not run')}", file=out)
    print(f"  manifest sha256 {report.manifest_sha256}", file=out)
