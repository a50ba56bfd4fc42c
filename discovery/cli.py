"""Provides the discovery command line: a thin click layer over discovery.Case."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from discovery.case import DEFAULT_CASE, Case
from discovery.errors import DiscoveryError, NotFound, UsageError
from discovery.exitcodes import ExitCode, exit_code_for
from discovery.safe_text import json_safe, safe_line, safe_text


def _err_console():  # type: ignore[no-untyped-def]
    from discovery.console import safe_console

    return safe_console(stderr=True)


def case_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--case", "case_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CASE,
        show_default=True, envvar="DISCOVERY_CASE", help="Case folder (store, index, exports).",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(func)


def fail(exc: DiscoveryError, as_json: bool = False, code: ExitCode | None = None) -> None:
    """Print an error to stderr (JSON shape when --json) and exit with its code (by default the one for its
    type: exitcodes.exit_code_for)."""
    if as_json:
        click.echo(json_safe(json.dumps({"error": {"type": type(exc).__name__, "title": exc.title,
                                                   "message": exc.message, "hint": exc.hint}})), err=True)
    else:
        click.secho(safe_text(f"{exc.title}: {exc.message}"), fg="red", err=True)
        if exc.hint:
            click.echo(safe_text(exc.hint), err=True)
    sys.exit(int(exit_code_for(exc) if code is None else code))


def open_case(case_dir: Path, *, create: bool = False, readonly: bool = False, as_json: bool = False) -> Case:
    try:
        case = Case(case_dir, create=create, readonly=readonly)
    except DiscoveryError as exc:
        fail(exc, as_json)
        raise  # unreachable
    note_tightened(case)
    return case


def note_tightened(case: Case) -> None:
    """Say on stderr when opening the case made it private (it was readable by other users)."""
    if case.store.tightened:
        click.echo(safe_line(f"note: the case {case.path} was readable by other users; made it private "
                             f"({len(case.store.tightened)} folder(s) and file(s) now 0700/0600)"), err=True)


# Subcommands that live in other modules, imported only when used, so that e.g. 'discovery search'
# never pays for importing Presidio or Textual. name -> "module:attribute".
LAZY_COMMANDS: dict[str, str] = {
    "search": "discovery.search.cli:search",
    "reindex": "discovery.search.cli:reindex",
    "saved": "discovery.search.cli:saved",
    "server": "discovery.search.server_cli:server",
    "pii": "discovery.pii.cli:pii",
    "tag": "discovery.tags_cli:tag",
    "note": "discovery.tags_cli:note",
    "audit": "discovery.tags_cli:audit",
    "problems": "discovery.problems_cli:problems",
    "tui": "discovery.tui.cli:tui",
    "redact": "discovery.redact.cli:redact",
    "verify": "discovery.redact.verify.cli:verify",
    "withhold": "discovery.redact.units_cli:withhold",
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

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a reader that closed the pipe early ('| head') ends it quietly with status 0."""
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(int(ExitCode.OK))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush cannot fail again on the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _module_exists(target: str) -> bool:
    """Whether the module behind a lazy command is installed, found on disk without importing it (nor its
    packages: finding 'discovery.search.cli' with importlib would run discovery/search/__init__.py)."""
    import importlib.util
    import sys

    top, *rest = target.split(":")[0].split(".")
    if top in sys.modules:
        locations = list(getattr(sys.modules[top], "__path__", []))
    else:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            return False
        if spec is None:
            return False
        locations = list(spec.submodule_search_locations or [])
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        package = [Path(loc) / part for loc in locations if (Path(loc) / part / "__init__.py").is_file()]
        if not last and not package:
            # a package mapped from elsewhere (discovery.tui lives in the top-level folder tui/): ask the import
            # system where it is, which imports its parent (already loaded) but not the package itself
            dotted = ".".join([top, *rest[: i + 1]])
            try:
                spec = importlib.util.find_spec(dotted) if dotted.rpartition(".")[0] in sys.modules else None
            except (ImportError, ValueError):
                spec = None
            if spec is None or not spec.submodule_search_locations:
                return False
            package = [Path(loc) for loc in spec.submodule_search_locations]
        if last:
            return bool(package) or any((Path(loc) / f"{part}.py").is_file() for loc in locations)
        locations = [str(path) for path in package]
    return True


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
@click.option("--follow-links", is_flag=True, help="Also read files that symbolic links point to outside the "
              "given folders (by default such links are reported and skipped).")
@json_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[Path, ...], case_dir: Path, custodian: str, jobs: int, as_json: bool, quiet: bool,
           follow_links: bool = False) -> None:
    """Read mail files and folders into the case.

    PATHS may be mbox files, Maildir folders, .eml trees, Outlook .msg/.pst files, PDF or text
    releases of printed email (split into messages, scans OCR'd), loose Word/Excel files and images
    (each one a document item) and zip/tar/gz archives of any of these, in any mix; types are
    detected from content, not names. Sources are only read, never changed. Running it again adds
    only what is new; an interrupted ingest resumes.

    Damaged mail is repaired where it can be (base64 padded on every line, header lines that lost their
    indentation, Outlook display names without addresses); every repair is a note on the message, counted
    in the summary and listed by 'discovery problems'.

    Only regular files are read: FIFOs, devices and sockets are reported as skipped and never opened, and
    symbolic links to anything outside the given folders are not followed unless --follow-links.

    Exit status: 0 every source was read whole (repairs included) and is searchable; 1 some sources or
    messages could not be read or were only partly read (they are listed, counted and kept in the case;
    everything else was ingested), or the search index could not be updated (the next search or 'discovery
    reindex' catches up); 2 usage error; 3 the case could not be opened; 130 interrupted (run the same
    command again to resume).
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
                                         index_progress=index_callback, follow_links=follow_links)
            else:
                report = case.ingest(paths, custodian=custodian, jobs=jobs, cancel=cancel, follow_links=follow_links)
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
    from discovery.privacy import exposed

    case = open_case(case_dir, readonly=True, as_json=as_json)
    result = case.stats(top=top)
    case.close()
    open_paths = exposed(case_dir)
    if open_paths and not as_json:
        click.secho(safe_line(f"warning: the case {case_dir} is readable by other users ({len(open_paths)} "
                              f"folder(s) and file(s), e.g. {open_paths[0]})"), fg="yellow", err=True)
        click.echo("Open it once for writing (e.g. 'discovery reindex --pending') to make it private, or run "
                   f"chmod -R go-rwx {case_dir}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict() | {"private": not open_paths,
                                                  "exposed": [str(p) for p in open_paths[:20]]}, indent=2))
        return
    from discovery.render import print_stats

    print_stats(result)


@main.command()
@click.argument("message_id")
@case_option
@json_option
@click.option("--raw", is_flag=True, help="Print the original message bytes (RFC 822), unchanged: to a file or a "
              "pipe only, unless --raw-to-terminal.")
@click.option("--raw-to-terminal", is_flag=True, help="With --raw: write the bytes even to a terminal (escape "
              "sequences in the message then reach it).")
@click.option("--headers", "all_headers", is_flag=True, help="Show every header, not just the main ones.")
@click.option("--attachment", "attachment", type=int, default=None, metavar="N",
              help="Print the text extracted from attachment N (numbers as listed by show).")
@click.option("--save", "save_file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="With --attachment N: write its original bytes to FILE (never overwrites).")
@click.option("--save-dir", "save_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Write the original bytes of every attachment (or of --attachment N) into DIR, "
              "named NN-name by us; never overwrites.")
def show(message_id: str, case_dir: Path, as_json: bool, raw: bool, all_headers: bool,
         attachment: int | None, save_file: Path | None, save_dir: Path | None,
         raw_to_terminal: bool = False) -> None:
    """Show one message: headers, body, attachments and every place it was found.

    Text from the message is shown safely: control characters and escape sequences as visible symbols
    (ESC as ␛), bidi controls as tags like ⟨RLO⟩. --json is exact (escaped by JSON); --raw is byte-exact.

    Exit status: 0 shown or saved; 2 usage error (a too short or ambiguous id prefix, a file that exists,
    --raw to a terminal); 3 the case could not be opened; 4 no message or attachment with that id."""
    if save_file is not None and (attachment is None or save_dir is not None):
        fail(UsageError("--save FILE needs --attachment N (and no --save-dir)",
                        hint="e.g. discovery show ID --attachment 0 --save report.pdf"), as_json)
    if raw and not raw_to_terminal and sys.stdout.isatty():
        fail(UsageError("--raw writes the message's bytes unchanged, escape sequences included, so it does not "
                        "write to a terminal", hint="Redirect it (discovery show ID --raw > message.eml), pipe it, "
                        "or add --raw-to-terminal."), as_json, ExitCode.USAGE)
    case = open_case(case_dir, readonly=True, as_json=as_json)
    try:
        if save_file is not None or save_dir is not None:
            from discovery.attachments import save_all, save_attachment

            if save_file is not None and attachment is not None:
                saved = [save_attachment(case, message_id, attachment, save_file)]
            elif save_dir is not None:
                saved = save_all(case, message_id, save_dir, None if attachment is None else [attachment])
            if as_json:
                click.echo(json.dumps([{"path": str(p), "bytes": n} for p, n in saved], indent=2))
            else:
                for p, n in saved:
                    click.echo(f"{safe_line(str(p))}\t{n} bytes")
            return
        if attachment is not None:
            text = case.attachment_text(message_id, attachment)
            if text is None:
                raise NotFound(f"attachment {attachment} of message {message_id!r} has no extracted text",
                               hint="'discovery show ID' lists the attachments and says which have text.")
            click.echo(json.dumps({"text": text}) if as_json else safe_text(text))
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
        click.echo(json_safe(json.dumps(message.to_dict(), indent=2, ensure_ascii=False)))
        return
    from discovery.render import print_message

    print_message(message, all_headers=all_headers)


if __name__ == "__main__":  # pragma: no cover
    main()
