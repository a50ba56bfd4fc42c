"""Provides the 'discovery tui' command (registered by discovery.cli as "tui": "discovery.tui.cli:tui")."""

from __future__ import annotations

from pathlib import Path

import click

from discovery.case import DEFAULT_CASE
from discovery.errors import DiscoveryError


@click.command()
@click.option("--case", "case_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CASE,
              show_default=True, envvar="DISCOVERY_CASE", help="Case folder (store, index, exports).")
@click.option("--reviewer", default="", envvar="DISCOVERY_REVIEWER",
              help="Who is deciding (recorded with every tag, note and redaction decision); default: your login.")
@click.option("--theme", type=click.Choice(["dark", "light"]), default="dark", show_default=True,
              help="Colour theme (ctrl+l switches while running).")
@click.option("--query", "-q", default="", help="Run this search on opening.")
def tui(case_dir: Path, reviewer: str, theme: str, query: str) -> None:
    """Review a case in the terminal: search, read, tag, note and decide PII redactions.

    Every decision is saved in the case at once, with your name and the time, in the audit log
    ('discovery audit'). Press ? in the app for every key, ctrl+p for every action by name.
    """
    from discovery.cli import fail

    try:
        from discovery.tui.app import make_app

        app = make_app(case_dir, reviewer or None, theme=theme, query=query)
    except DiscoveryError as exc:
        fail(exc)
        return
    app.run()
