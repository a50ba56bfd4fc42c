"""Provides the walk over the user's paths and folder labels from directory layouts (Maildir, Maildir++)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_MAILDIR_LEAVES = {"cur", "new"}
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", "maildirfolder"}  # maildirfolder: Maildir++ marker
_SKIP_DIRS = {"tmp"}  # Maildir tmp/ holds messages still being delivered


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A file to ingest: its path, the folder label its layout gives, and whether it sits in a Maildir."""

    path: Path
    folder: str
    in_maildir: bool


def folder_label(parts: Iterable[str]) -> str:
    """A folder label from directory names: Maildir's cur/new dropped, Maildir++ '.A.B' read as 'A/B'."""
    out: list[str] = []
    for part in parts:
        if part in _MAILDIR_LEAVES or part in ("", "."):
            continue
        if part.startswith(".") and len(part) > 1:
            out.extend(p for p in part[1:].split(".") if p)
        else:
            out.append(part)
    return "/".join(out)


def walk_paths(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> Iterator[FoundFile | tuple[Path, str]]:
    """Every file below the given paths, sorted, with folder labels relative to each given directory.

    Yields ``(path, reason)`` for paths that cannot be read (missing, permission denied), so the caller
    records them as failed sources instead of stopping.
    """
    excluded = {Path(p).absolute() for p in exclude}
    for root in paths:
        if Path(root).absolute() in excluded:
            continue
        try:
            if root.is_file():
                yield FoundFile(root, "", False)
                continue
            if not root.exists():
                yield root, "no such file or directory"
                continue
            if not root.is_dir():
                yield root, "not a regular file or directory"
                continue
        except OSError as exc:
            yield root, f"cannot access: {exc.strerror or exc}"
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
            dirnames[:] = sorted(
                d for d in dirnames
                if (d not in _SKIP_DIRS or not _is_maildir(Path(dirpath))) and (Path(dirpath) / d).absolute()
                not in excluded
            )
            rel = Path(dirpath).relative_to(root).parts
            in_maildir = bool(rel) and rel[-1] in _MAILDIR_LEAVES and _is_maildir(Path(dirpath).parent)
            label = folder_label(rel)
            for name in sorted(filenames):
                if name in _SKIP_NAMES or name.startswith("._"):
                    continue
                yield FoundFile(Path(dirpath) / name, label, in_maildir)
            while errors:
                err = errors.pop()
                yield Path(err.filename or dirpath), f"cannot read directory: {err.strerror or err}"


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()
