"""Provides the discovery command line: a thin click layer over discovery.Case."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from discovery.case import DEFAULT_CASE, Case
from discovery.errors import DiscoveryError, NotFound
from discovery.exitcodes import ExitCode


def _err_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def case_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--case", "case_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CASE,
        show_default=True, envvar="DISCOVERY_CASE", help="Case folder (store, index, exports).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(func)


def fail(exc: DiscoveryError, as_json: bool = False, code: ExitCode = ExitCode.ERROR) -> None:
    """Print an error to stderr (JSON shape when --json) and exit with its code."""
    if as_json:
        click.echo(json.dumps({"error": {"type": type(exc).__name__, "title": exc.title, "message": exc.message,
                                         "hint": exc.hint}}), err=True)
    else:
        click.secho(f"{exc.title}: {exc.message}", fg="red", err=True)
        if exc.hint:
            click.echo(exc.hint, err=True)
    sys.exit(int(code))


def open_case(case_dir: Path, *, create: bool = False, readonly: bool = False, as_json: bool = False) -> Case:
    try:
        return Case(case_dir, create=create, readonly=readonly)
    except DiscoveryError as exc:
        fail(exc, as_json)
        raise  # unreachable


# Subcommands that live in other modules, imported only when used, so that e.g. 'discovery search'
# never pays for importing Presidio or Textual. name -> "module:attribute".
LAZY_COMMANDS: dict[str, str] = {
    "search": "discovery.search.cli:search",
    "reindex": "discovery.search.cli:reindex",
    "saved": "discovery.search.cli:saved",
    "pii": "discovery.pii.cli:pii",
    "tag": "discovery.tags_cli:tag",
    "note": "discovery.tags_cli:note",
    "audit": "discovery.tags_cli:audit",
    "tui": "tui.cli:tui",
    "redact": "discovery.redact.cli:redact",
    "verify": "discovery.redact.verify.cli:verify",
}


class LazyGroup(click.Group):
    """A click group whose listed subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [name for name, target in LAZY_COMMANDS.items() if _module_exists(target)]
        return sorted(set(super().list_commands(ctx)) | set(available))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and _module_exists(LAZY_COMMANDS[cmd_name]):
            import importlib

            module_name, attr = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            return command if isinstance(command, click.Command) else None
        return super().get_command(ctx, cmd_name)


def _module_exists(target: str) -> bool:
    import importlib.util

    module_name = target.split(":")[0]
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="discovery")
def main() -> None:
    """discovery: find, tag and safely publish what matters in large dumps of released email.

    Start with 'discovery ingest PATH...' to build a case, then 'discovery stats'.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@case_option
@click.option("--custodian", default="", help="Whose mail this is (kept with every copy found).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for parsing.")
@json_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[Path, ...], case_dir: Path, custodian: str, jobs: int, as_json: bool, quiet: bool) -> None:
    """Read mail files and folders into the case.

    PATHS may be mbox files, Maildir folders, .eml trees, Outlook .msg/.pst files and zip/tar/gz
    archives of any of these, in any mix; types are detected from content, not names. Sources are
    only read, never changed. Running it again adds only what is new; an interrupted ingest resumes.

    Exit status: 0 every source was read; 1 some sources or messages could not be read (they are
    listed, counted and kept in the case's failure log; everything else was ingested); 2 usage error;
    3 the case could not be opened; 130 interrupted (run the same command again to resume).
    """
    case = open_case(case_dir, create=True, as_json=as_json)
    console = _err_console()
    show_progress = not quiet and not as_json and console.is_terminal
    from discovery.interrupt import graceful_interrupt

    try:
        with graceful_interrupt(console, "the current files") as cancel:
            if show_progress:
                from discovery.progress import ingest_progress

                with ingest_progress(console) as (callback, index_callback):
                    report = case.ingest(paths, custodian=custodian, jobs=jobs, progress=callback, cancel=cancel,
                                         index_progress=index_callback)
            else:
                report = case.ingest(paths, custodian=custodian, jobs=jobs, cancel=cancel)
            interrupted = cancel()
    except DiscoveryError as exc:
        fail(exc, as_json)
        return
    report.interrupted = report.interrupted or interrupted
    stats = case.stats()
    case.close()
    if as_json:
        payload = {"case": str(case_dir), "report": _report_dict(report),
                   "totals": {"messages": stats.messages, "copies": stats.copies, "threads": stats.threads}}
        click.echo(json.dumps(payload, indent=2))
    else:
        from discovery.render import print_ingest_report

        print_ingest_report(report, stats, console, case_dir)
    if report.interrupted:
        sys.exit(int(ExitCode.INTERRUPTED))
    sys.exit(int(ExitCode.OK if report.ok else ExitCode.SOME_FAILED))


def _report_dict(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(report)
    data["ok"] = report.ok
    return data


@main.command()
@case_option
@json_option
@click.option("--top", default=10, show_default=True, help="How many senders and domains to list.")
def stats(case_dir: Path, as_json: bool, top: int) -> None:
    """Counts for the case: messages, duplicates, threads, sources by type and status, years, top senders
    and domains, failures."""
    case = open_case(case_dir, readonly=True, as_json=as_json)
    result = case.stats(top=top)
    case.close()
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from discovery.render import print_stats

    print_stats(result)


@main.command()
@click.argument("message_id")
@case_option
@json_option
@click.option("--raw", is_flag=True, help="Print the original message bytes (RFC 822).")
@click.option("--headers", "all_headers", is_flag=True, help="Show every header, not just the main ones.")
@click.option("--attachment", "attachment", type=int, default=None, metavar="N",
              help="Print the text extracted from attachment N (numbers as listed by show).")
def show(message_id: str, case_dir: Path, as_json: bool, raw: bool, all_headers: bool,
         attachment: int | None) -> None:
    """Show one message: headers, body, attachments and every place it was found."""
    case = open_case(case_dir, readonly=True, as_json=as_json)
    try:
        if attachment is not None:
            text = case.attachment_text(message_id, attachment)
            if text is None:
                raise NotFound(f"attachment {attachment} of message {message_id!r} has no extracted text",
                               hint="'discovery show ID' lists the attachments and says which have text.")
            click.echo(json.dumps({"text": text}) if as_json else text)
            return
        if raw:
            data = case.raw(message_id)
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        message = case.message(message_id)
    except DiscoveryError as exc:
        fail(exc, as_json)
        return
    finally:
        case.close()
    if as_json:
        click.echo(json.dumps(message.to_dict(), indent=2, ensure_ascii=False))
        return
    from discovery.render import print_message

    print_message(message, all_headers=all_headers)


if __name__ == "__main__":  # pragma: no cover
    main()
