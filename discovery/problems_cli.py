"""Provides the 'problems' command: every skipped file, repaired or partly read message and attachment
without text, with its path and reason, so a newcomer sees at once what the case does not hold whole."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import UsageError
from discovery.exitcodes import ExitCode
from discovery.problems import KINDS

_FIELDS = ("kind", "path", "locator", "message", "attachment", "reason")


@click.command()
@case_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per problem) for spreadsheets.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), metavar="KIND",
              help=f"Only problems of this kind (repeatable): {', '.join(KINDS)}.")
def problems(case_dir: Path, as_json: bool, as_csv: bool, kinds: tuple[str, ...]) -> None:
    """List what the case does not hold whole: files skipped (not mail, unsupported, encrypted, too large,
    documents whose text cannot be read) or failed, messages read with repairs or only partly read, PDF
    pages not OCR'd, a release's bad redactions, and attachments without text.

    Each line names the source file, the message id where there is one, and the reason. Exit status:
    0 always when the list could be made (an empty list means nothing was lost or repaired); 2 usage
    error; 3 the case could not be opened.
    """
    if as_json and as_csv:
        fail(UsageError("choose one of --json and --csv"), as_json, ExitCode.USAGE)
    case = open_case(case_dir, readonly=True, as_json=as_json)
    try:
        found = case.problems(kinds)
    finally:
        case.close()
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in found], indent=2, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        for p in found:
            writer.writerow(p.to_dict())
        return
    if not found:
        click.echo("No problems: every source was read whole." if not kinds else "No problems of that kind.")
        return
    counts: dict[str, int] = {}
    current = ""
    for p in found:
        counts[p.kind] = counts.get(p.kind, 0) + 1
        if p.kind != current:
            current = p.kind
            click.secho(f"{p.kind}:", bold=True)
        where = p.path + (f" @{p.locator}" if p.locator and p.locator != "file" else "")
        what = f" [{p.message}" + (f" attachment {p.attachment}" if p.attachment else "") + "]" if p.message else ""
        click.echo(f"  {where}{what}: {p.reason}")
    click.echo(", ".join(f"{n:,} {k}" for k, n in counts.items()), err=True)
