"""Provides private case folders: the case folder 0700 and its files 0600, whatever the umask.

A case holds private people's mail, so no other local user may read it. New files are kept private by a
umask that masks group and other bits while discovery writes; folders made by an older version (or copied
in) are tightened when opened for writing, and 'discovery stats' warns about any that are still exposed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
_OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO


def private_umask() -> None:
    """Mask group and other permission bits for every file and folder this process creates from now on."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def exposed(case_dir: Path) -> list[Path]:
    """The case folder and everything in it that a group or other users can read, write or enter."""
    found: list[Path] = []
    for path in _walk(case_dir):
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            continue
        if mode & _OPEN_BITS:
            found.append(path)
    return found


def make_private(case_dir: Path) -> list[Path]:
    """Set the case folder and its subfolders to 0700 and its files to 0600; return what was changed.

    Symbolic links are never followed, and paths we do not own are left alone (and stay in exposed())."""
    changed: list[Path] = []
    for path in exposed(case_dir):
        try:
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                os.chmod(path, DIR_MODE)
            elif stat.S_ISREG(mode):
                os.chmod(path, FILE_MODE)
            else:
                continue
        except OSError:
            continue
        changed.append(path)
    return changed


def _walk(case_dir: Path) -> list[Path]:
    paths = [case_dir]
    for root, dirs, files in os.walk(case_dir, followlinks=False):
        base = Path(root)
        paths.extend(base / d for d in dirs)
        paths.extend(base / f for f in files)
    return paths
