"""Tests that every command has --help, is documented in the README, and errors have one JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from discovery.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    ctx = click.Context(group)
    found: list[tuple[str, click.Command]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, full + " "))
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    runner = CliRunner()
    for name, command in _commands(main):
        result = runner.invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert command.help or command.short_help, f"{name} has no help text"
        top = name.split()[0]
        assert f"discovery {top}" in README, f"'discovery {top}' is not documented in README.md"


def test_readme_opens_with_the_two_commands() -> None:
    blocks = README.split("```sh\n")[1:3]
    first, second = (b.split("```")[0].strip() for b in blocks)
    assert "pip install -e" in first and "discovery ingest samples" in first
    assert second == ".venv/bin/python -m pytest"
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert second.replace(".venv/bin/python -m pytest", ".venv/bin/python -m pytest") in ci


def test_json_error_shape(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "discovery.cli", "show", "abcdef", "--json", "--case",
                             str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    error = json.loads(result.stderr)["error"]
    assert set(error) == {"type", "title", "message", "hint"}
    assert error["type"] == "CaseError" and "no case at" in error["message"]
    assert result.stdout == ""
