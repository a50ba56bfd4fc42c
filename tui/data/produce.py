"""Provides the TUI's adapter to Case.redact: the produce dialog's choices as plain data, and the run itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from discovery.tui.data.session import ReviewSession

from discovery.errors import UsageError

if TYPE_CHECKING:
    from discovery.redact.produce import ProduceReport

FORMATS = ("txt", "eml", "mbox", "pdf")
LABELS = ("code", "pseudonym", "blackout")
PENDING = ("refuse", "redact", "keep")
StageProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ProduceChoices:
    """What the reviewer chose in the produce dialog: the same choices as 'discovery redact'.

    ``scope`` is 'search' (the current search, ``query``) or 'tag' (``tag``); ``bates`` is 'PREFIX[:START]';
    ``out`` the output folder (relative paths are taken from the case folder's ``exports/``).
    """

    scope: str
    query: str = ""
    tag: str = ""
    formats: tuple[str, ...] = ("txt",)
    label: str = "code"
    pending: str = "refuse"
    bates: str = "DOC-"
    out: str = ""

    def describe(self) -> str:
        what = f"tag {self.tag!r}" if self.scope == "tag" else f"search {self.query or '*'!r}"
        return f"{what} as {', '.join(self.formats)} ({self.label} labels, pending: {self.pending})"


def default_out(case_dir: Path, choices: ProduceChoices) -> str:
    """A folder name for the dialog's default: exports/<tag or 'search'>."""
    base = choices.tag if choices.scope == "tag" and choices.tag else "search"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-") or "production"
    return str(Path("exports") / safe)


def out_path(case_dir: Path, out: str) -> Path:
    """The output folder: absolute as given, relative to the case folder otherwise."""
    path = Path(out).expanduser()
    return path if path.is_absolute() else case_dir / path


def produce(session: ReviewSession, choices: ProduceChoices, *, progress: StageProgress | None = None,
            cancel: Callable[[], bool] | None = None) -> ProduceReport:
    """Run the production through Case.redact (the CLI's API) on a connection of its own; raises what it raises
    (PendingSuggestions, LeakFound, RedactionError, UsageError) and KeyboardInterrupt when cancelled."""
    from discovery.redact.cli import _parse_bates

    if not choices.formats:
        raise UsageError("choose at least one format", hint=f"Formats: {', '.join(FORMATS)}.")
    if not choices.out.strip():
        raise UsageError("choose an output folder", hint="e.g. exports/release-1 (inside the case folder).")
    prefix, start = _parse_bates(choices.bates.strip() or "DOC-")
    query = choices.query.strip() or "*"
    with session.reading() as case:
        return case.redact(query if choices.scope == "search" else "", tag=choices.tag if choices.scope == "tag"
                           else "", out=out_path(session.case_dir, choices.out), formats=choices.formats,
                           label=choices.label, bates_prefix=prefix, bates_start=start, pending=choices.pending,
                           progress=progress, cancel=cancel, actor=session.reviewer)
