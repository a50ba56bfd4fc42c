"""Provides read_file: detect a file's kind and run the matching reader, archives included."""

from __future__ import annotations

from pathlib import Path

from discovery.ingest.archive import ArchiveLimits, read_archive
from discovery.ingest.base import Origin, ReadResult, SourceUnreadable
from discovery.ingest.detect import ARCHIVES, OFFICE_KINDS, UNREADABLE_KINDS, Detected, detect

MAX_SINGLE_MESSAGE_BYTES = 256 * 1024 * 1024


class Unsupported(Exception):
    """The file is of a kind discovery does not read (yet): the message says what it is."""


def read_file(path: Path, origin: Origin, depth: int = 0, limits: ArchiveLimits | None = None,
              detected: Detected | None = None, *, in_maildir: bool = False) -> ReadResult:
    """Messages and failures of one file. Raises SourceUnreadable or Unsupported for the file as a whole.

    Inside archives, unreadable or unsupported members are yielded as failures instead, so one bad member
    does not hide the others.
    """
    try:
        found = detected or detect(path)
    except OSError as exc:
        raise SourceUnreadable(f"cannot read: {exc.strerror or exc}") from exc
    limits = limits or ArchiveLimits()
    try:
        yield from _dispatch(path, origin, found, depth, limits, in_maildir)
    except (SourceUnreadable, Unsupported) as exc:
        if depth == 0:
            raise
        yield origin.failure(str(exc) if isinstance(exc, SourceUnreadable) else f"skipped: {exc}")


def _dispatch(path: Path, origin: Origin, found: Detected, depth: int, limits: ArchiveLimits,
              in_maildir: bool) -> ReadResult:
    kind = found.kind
    if kind == "mbox":
        from discovery.ingest.mbox import read_mbox

        yield from read_mbox(path, origin)
    elif kind == "eml":
        from discovery.ingest.mime import read_single

        size = path.stat().st_size
        if size > MAX_SINGLE_MESSAGE_BYTES:
            raise SourceUnreadable(f"message of {size} bytes is over the {MAX_SINGLE_MESSAGE_BYTES} byte limit")
        yield read_single(path.read_bytes(), origin, "maildir" if in_maildir else "eml")
    elif kind == "msg":
        from discovery.ingest.msg import NotMailItem, read_msg

        try:
            yield from read_msg(path, origin)
        except NotMailItem as exc:
            raise Unsupported(str(exc)) from exc
    elif kind == "pst":
        from discovery.ingest.pst import read_pst

        yield from read_pst(path, origin)
    elif kind == "pdf":
        from discovery.ingest.release import read_pdf

        yield from read_pdf(path, origin)
    elif kind == "text-release":
        from discovery.ingest.release import read_text_release

        yield from read_text_release(path, origin)
    elif kind in OFFICE_KINDS or kind in UNREADABLE_KINDS or kind == "image":
        from discovery.ingest.loose import DocumentNotRead, read_loose_document

        try:
            yield from read_loose_document(path, origin, kind, found.mime)
        except DocumentNotRead as exc:
            raise Unsupported(str(exc)) from exc
    elif kind in ARCHIVES:
        yield from read_archive(path, origin, kind, depth, limits, _member_dispatch)
    elif kind == "empty":
        raise Unsupported("empty file")
    else:
        raise Unsupported(f"{kind} file ({found.description[:80]}), not mail")


def _member_dispatch(path: Path, origin: Origin, depth: int, limits: ArchiveLimits) -> ReadResult:
    inner = origin.inner_path.rsplit("!", 1)[-1]
    parts = inner.split("/")
    in_maildir = len(parts) >= 2 and parts[-2] in ("cur", "new")
    yield from read_file(path, origin, depth, limits, in_maildir=in_maildir)
