"""Provides SafeConsole: the rich console every CLI text output goes through, sanitising all text it writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment

from discovery.exitcodes import ExitCode
from discovery.safe_text import safe_text


class SafeConsole(Console):
    """A rich Console that shows every control character of the text it prints as a visible symbol.

    This is the one boundary between strings (ours or a source's) and the terminal: styles are rendered by
    rich from Style objects after the text is made safe, so colours work while an ``ESC`` inside a subject is
    printed as ``␛``. Hyperlinks are dropped (discovery prints none; a link would come from markup injected by a
    source). Rich's own control segments (cursor moves of a progress bar) pass unchanged.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(_sanitised(buffer))

    def on_broken_pipe(self) -> None:
        """The reader closed the pipe ('| head'): stop quietly with status 0, as the CLI does (rich says 1)."""
        import os
        import sys

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise SystemExit(int(ExitCode.OK))


def _sanitised(buffer: Iterable[Segment]) -> Iterable[Segment]:
    for segment in buffer:
        text, style, control = segment
        if control:
            yield segment
            continue
        if style is not None and style.link:
            style = style.update_link(None)
        yield Segment(safe_text(text), style)


def safe_console(**kwargs: Any) -> SafeConsole:
    """A SafeConsole with discovery's defaults (no highlighting, soft wrap) unless overridden."""
    kwargs.setdefault("highlight", False)
    kwargs.setdefault("soft_wrap", True)
    return SafeConsole(**kwargs)
