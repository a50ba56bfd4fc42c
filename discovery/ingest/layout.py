"""Provides the walk over the user's paths and folder labels from directory layouts (Maildir, Maildir++)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_MAILDIR_LEAVES = {"cur", "new"}
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", "maildirfolder"}  # maildirfolder: Maildir++ marker
_SKIP_DIRS = {"tmp"}  # Maildir tmp/ holds messages still being delivered


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A path that is deliberately not read (a FIFO, device or socket; a link leaving the given folder)."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A file to ingest: its path, the folder label its layout gives, and whether it sits in a Maildir."""

    path: Path
    folder: str
    in_maildir: bool
    stat: os.stat_result | None = None  # taken by the walk (what the link points to), so the planner need not


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


def walk_paths(paths: Iterable[Path], exclude: Iterable[Path] = (), *,
               follow_links: bool = False) -> Iterator[FoundFile | SkippedFile | tuple[Path, str]]:
    """Every regular file below the given paths, sorted, with folder labels relative to each given directory.

    Yields ``(path, reason)`` for paths that cannot be read (missing, permission denied), so the caller
    records them as failed sources instead of stopping, and a SkippedFile for what is never opened: FIFOs,
    devices and sockets (opening one could hang or never end), and symbolic links whose target lies outside
    the given folder (a dump must not pull in the reader's own files) unless ``follow_links``.
    """
    excluded = {Path(p).absolute() for p in exclude}
    for root in paths:
        if Path(root).absolute() in excluded:
            continue
        try:
            if not root.exists():
                yield root, "no such file or directory"
                continue
            if not root.is_dir():
                kind = _special_kind(root.stat().st_mode)
                yield SkippedFile(root, f"not a regular file ({kind}): not read") if kind else FoundFile(root, "",
                                                                                                          False)
                continue
        except OSError as exc:
            yield root, f"cannot access: {exc.strerror or exc}"
            continue
        top = root.resolve()
        seen_dirs = {top}
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=follow_links):
            kept = []
            for d in sorted(dirnames):
                here = Path(dirpath) / d
                if (d in _SKIP_DIRS and _is_maildir(Path(dirpath))) or here.absolute() in excluded:
                    continue
                if here.is_symlink():
                    target = here.resolve()
                    if not follow_links:
                        if not target.is_relative_to(top):
                            yield SkippedFile(here, f"a link to a folder outside the given folder ({target}): not "
                                              "followed (use --follow-links to read it)")
                        continue
                    if target in seen_dirs or any(target.is_relative_to(s) for s in seen_dirs if s != top):
                        continue  # a loop, or a folder already walked
                    seen_dirs.add(target)
                kept.append(d)
            dirnames[:] = kept
            rel = Path(dirpath).relative_to(root).parts
            in_maildir = bool(rel) and rel[-1] in _MAILDIR_LEAVES and _is_maildir(Path(dirpath).parent)
            label = folder_label(rel)
            for name in sorted(filenames):
                if name in _SKIP_NAMES or name.startswith("._"):
                    continue
                path = Path(dirpath) / name
                skipped, st = _skip_reason(path, top, follow_links)
                if skipped is None:
                    yield FoundFile(path, label, in_maildir, st)
                elif skipped:
                    yield SkippedFile(path, skipped)
            while errors:
                err = errors.pop()
                yield Path(err.filename or dirpath), f"cannot read directory: {err.strerror or err}"


def _special_kind(mode: int) -> str:
    """'FIFO', 'device', 'socket' for a special file's mode; '' for a regular file."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _skip_reason(path: Path, top: Path, follow_links: bool) -> tuple[str | None, os.stat_result | None]:
    """(None, its stat) to read the file; (a reason to report it as skipped, None); ('', None) to pass over it
    silently. One lstat for a file that is not a link."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = path.resolve()
            if not follow_links and not target.is_relative_to(top):
                return (f"a link to a file outside the given folder ({target}): not followed (use --follow-links)",
                        None)
            st = os.stat(path)  # the link's target, never opened
    except OSError:
        return None, None  # a broken link or a file that vanished: reading it reports the error
    if stat.S_ISDIR(st.st_mode):
        return "", None
    kind = _special_kind(st.st_mode)
    return (f"not a regular file ({kind}): not read", None) if kind else (None, st)


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()
