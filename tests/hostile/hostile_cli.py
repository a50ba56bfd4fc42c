"""Provides run_cli and unsafe_in: the CLI run in a real subprocess, and its output scanned for control bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a terminal may obey, or what cannot be written as UTF-8: C0 but newline and tab, DEL, C1, bidi controls,
# line separators, lone surrogates.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                             "\u2028\u2029\ud800-\udfff]")


def run_cli(*args: str, umask: int = 0o022, timeout: float = 300, **kwargs: object
            ) -> subprocess.CompletedProcess[bytes]:
    """Run 'python -m discovery.cli ARGS' in a real subprocess (no terminal: stdout and stderr are pipes)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200", DISCOVERY_REVIEWER="tester")
    env.pop("DISCOVERY_CASE", None)
    return subprocess.run([sys.executable, "-m", "discovery.cli", *args], capture_output=True, env=env,
                          timeout=timeout, preexec_fn=lambda: os.umask(umask), **kwargs)  # type: ignore[call-overload]


def unsafe_in(data: bytes, *, csv: bool = False) -> list[str]:
    """The terminal-unsafe characters in output (which must also be valid UTF-8)."""
    text = data.decode("utf-8")  # raises on bytes that are not UTF-8
    if csv:
        text = text.replace("\r\n", "\n")
    return sorted({repr(c) for c in TERMINAL_UNSAFE.findall(text)})
