"""Provides the 'verify' command: the leak check of an existing production against its case."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from discovery.cli import case_option, fail, json_option
from discovery.errors import DiscoveryError, UsageError
from discovery.exitcodes import ExitCode


@click.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@case_option
@click.option("--jobs", type=click.IntRange(0, 64), default=0,
              help="Files read at a time; 0 (default): two per core. Many files are spread over one process per "
              "core (PDF text extraction runs in pdftotext processes).")
@json_option
@click.pass_context
def verify(ctx: click.Context, out_dir: Path, case_dir: Path, jobs: int, as_json: bool) -> None:
    """Check a production for leaks: every file, every redacted value of the case, in all its variants.

    The redacted values come from the case (never from the production); each file is read back with
    extractors the writers do not use. Exit 0 when clean, 1 on any leak (each named by file and place),
    2 when OUT_DIR is not a production, 3 when the case cannot be read.
    """
    from discovery.redact.verify.check import MANIFEST, verify_production

    try:
        try:
            manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
            name = str(manifest.get("case", "")) if isinstance(manifest, dict) else ""
        except (OSError, ValueError):
            name = ""  # verify_production names the problem
        if name and case_dir.name != name:
            guess = Path("indexes") / name
            source = ctx.get_parameter_source("case_dir")
            if source == click.core.ParameterSource.DEFAULT and (guess / "store.sqlite").exists():
                case_dir = guess
            else:
                raise UsageError(f"{out_dir} is a production of the case '{name}', not of {case_dir}",
                                 hint=f"Pass the case it was made from: --case PATH/{name}.")
        report = verify_production(case_dir, out_dir, jobs=jobs)
    except UsageError as exc:
        fail(exc, as_json, ExitCode.USAGE)
        return
    except DiscoveryError as exc:
        fail(exc, as_json, ExitCode.ERROR)
        return
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        for leak in report.leaks:
            click.echo(leak.describe())
        if report.more_leaks:
            click.echo(f"... and {report.more_leaks} more", err=True)
        click.echo(f"{out_dir}: {report.summary()}", err=True)
    sys.exit(int(ExitCode.OK if report.ok else ExitCode.LEAK_FOUND))
