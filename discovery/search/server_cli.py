"""Provides 'discovery server status|start|stop': the per-case search server that keeps the index open between
searches (discovery.search.server)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from discovery.cli import case_option, json_option
from discovery.exitcodes import ExitCode
from discovery.safe_text import safe_line


@click.group()
def server() -> None:
    """The case's search server: a background process that keeps the index open so that one-off searches
    ('discovery search' from a script) answer in milliseconds.

    The first search of a case starts it; it exits after 15 idle minutes (DISCOVERY_SERVER_IDLE seconds), when
    the case folder goes away, or when discovery is upgraded. It listens on a Unix socket inside the case
    folder (server/, 0700) and answers only processes of its own user. A search run with --no-server or
    DISCOVERY_NO_SERVER=1 neither uses nor starts it; its output and exit status are the same either way.
    """


def _print(info: dict[str, Any] | None, as_json: bool, case_dir: Path) -> None:
    if as_json:
        click.echo(json.dumps(info or {"running": False, "case": str(case_dir.resolve())}, indent=2))
    elif info is None:
        click.echo(safe_line(f"no search server runs for {case_dir}"))
    else:
        click.echo(safe_line(f"search server running for {info['case']}: pid {info['pid']}, up {info['uptime_s']} s, "
                             f"{info['requests']} search(es) served, exits after {info['idle_timeout_s']:.0f} s idle"))


@server.command("status")
@case_option
@json_option
def status(case_dir: Path, as_json: bool) -> None:
    """Whether a search server runs for the case. Exit status: 0 it runs, 1 none runs."""
    from discovery.search.server import query

    info = query(str(case_dir), "status")
    _print(info, as_json, case_dir)
    sys.exit(int(ExitCode.OK if info else ExitCode.NOT_RUNNING))


@server.command("stop")
@case_option
@json_option
def stop(case_dir: Path, as_json: bool) -> None:
    """Stop the case's search server (the next search starts one again unless --no-server)."""
    from discovery.search.client import server_paths
    from discovery.search.server import query

    info = query(str(case_dir), "stop")
    if info is not None:  # wait (briefly) until it let go of its socket
        socket_path = Path(server_paths(str(case_dir))[1])
        deadline = time.monotonic() + 5
        while socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        info["running"] = False
    if as_json:
        click.echo(json.dumps({"stopped": info is not None, "case": str(case_dir.resolve())}))
    else:
        click.echo(safe_line(f"stopped the search server of {case_dir} (pid {info['pid']})" if info
                             else f"no search server runs for {case_dir}"))


@server.command("start")
@case_option
@json_option
def start(case_dir: Path, as_json: bool) -> None:
    """Start the case's search server now (before a script's first search) and wait until it answers."""
    from discovery.cli import fail
    from discovery.errors import CaseError
    from discovery.search import client
    from discovery.search.server import query

    if client.disabled():
        fail(CaseError(f"{client.DISABLE_ENV} is set: searches use no server",
                       hint=f"Unset {client.DISABLE_ENV} to use one."), as_json)
    if not (case_dir / "store.sqlite").is_file():
        fail(CaseError(f"no case at {case_dir}", hint="Create one with 'discovery ingest PATH --case DIR'."), as_json)
    info = query(str(case_dir), "status")
    if info is None:
        client.start_server(["search", "--case", str(case_dir)])
        deadline = time.monotonic() + 30
        while info is None and time.monotonic() < deadline:
            time.sleep(0.05)
            info = query(str(case_dir), "status")
    if info is None:
        fail(CaseError(f"the search server of {case_dir} did not start",
                       hint="Searches still work (in their own process); see 'discovery server status'."), as_json)
    _print(info, as_json, case_dir)
