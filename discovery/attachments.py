"""Provides save_attachment and safe_filename: writing an attachment's original bytes to a file of the
user's choosing, never overwriting one, with a name we choose (never a path taken from the message)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from discovery.errors import CaseError, UsageError

if TYPE_CHECKING:
    from discovery.case import Case

_UNSAFE = re.compile(r"[^\w.\- ()+,=@]+")
MAX_NAME_CHARS = 120


def safe_filename(name: str, position: int) -> str:
    """A file name for attachment ``position``: its own name's last component, reduced to safe characters,
    prefixed with its number so two attachments of one message never collide; 'attachment' when none is left."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    base = _UNSAFE.sub("_", base).strip(" .")
    base = base.lstrip("-") or "attachment"
    if len(base) > MAX_NAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:MAX_NAME_CHARS]
    return f"{position:02d}-{base}"


def save_attachment(case: Case, message_key: str, position: int, target: Path) -> tuple[Path, int]:
    """Write the original bytes of one attachment to ``target`` (which must not exist); returns (path, size)."""
    _, data = case.attachment_bytes(message_key, position)
    target = Path(target)
    try:
        with open(target, "xb") as handle:
            handle.write(data)
    except FileExistsError as exc:
        raise UsageError(f"{target} already exists; not overwritten",
                         hint="Choose another file name, or remove the file first.") from exc
    except OSError as exc:
        raise CaseError(f"cannot write {target}: {exc.strerror or exc}",
                        hint="Check that the folder exists and that you may write there.") from exc
    return target, len(data)


def save_all(case: Case, message_key: str, folder: Path, positions: list[int] | None = None) -> list[tuple[Path, int]]:
    """Write attachments of a message into ``folder`` (created if needed) under names from safe_filename;
    existing files are never overwritten (the whole call stops with UsageError before writing over one)."""
    message = case.message(message_key)
    chosen = [a for a in message.attachments if positions is None or a.position in positions]
    folder = Path(folder)
    targets = [(a.position, folder / safe_filename(a.filename, a.position)) for a in chosen]
    clash = next((t for _, t in targets if t.exists()), None)
    if clash is not None:
        raise UsageError(f"{clash} already exists; nothing was written",
                         hint="Choose an empty folder, or remove the files first.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaseError(f"cannot create {folder}: {exc.strerror or exc}") from exc
    return [save_attachment(case, message.id, position, target) for position, target in targets]
