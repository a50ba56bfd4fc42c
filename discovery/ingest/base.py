"""Provides what every reader shares: where a file came from, the reader signature, attachment building."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from discovery.model import Attachment, Message, Provenance, SourceFailure

# A reader turns one file on disk into messages; problems are yielded as SourceFailure, never raised,
# except for one that stops the whole file (then raise SourceUnreadable with the reason).
ReadResult = Iterator[Message | SourceFailure]
Reader = Callable[[Path, "Origin"], ReadResult]

MAX_ATTACHMENT_TEXT_BYTES = 50 * 1024 * 1024


class SourceUnreadable(Exception):
    """Raised by a reader when nothing (more) can be read from a file; the message is the reason."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a file being read came from: the source on disk and, for archive members, the path inside."""

    path: str  # the user's file on disk (for archive members: the outermost archive)
    inner_path: str = ""  # "docs/a.zip!mail/x.eml" for members of nested archives
    custodian: str = ""
    folder: str = ""  # folder label from the layout (maildir folder, pst folder path)

    def member(self, name: str) -> Origin:
        """The origin of a member of the archive this origin names."""
        inner = f"{self.inner_path}!{name}" if self.inner_path else name
        return replace(self, inner_path=inner)

    def display(self) -> str:
        return f"{self.path}!{self.inner_path}" if self.inner_path else self.path

    def provenance(self, kind: str, locator: str = "file", folder: str | None = None) -> Provenance:
        return Provenance(
            path=self.path,
            kind=kind,
            locator=locator,
            inner_path=self.inner_path,
            folder=self.folder if folder is None else folder,
            custodian=self.custodian,
        )

    def failure(self, reason: str, locator: str = "", *, fatal: bool = False) -> SourceFailure:
        return SourceFailure(
            path=self.path, reason=reason, locator=locator, inner_path=self.inner_path, fatal_for_source=fatal
        )


def make_attachment(
    data: bytes,
    filename: str,
    declared_mime: str = "",
    *,
    inline: bool = False,
    content_id: str = "",
) -> Attachment:
    """An Attachment for raw bytes: type detected from the content, sha256, and extracted text."""
    from discovery.ingest.extract import detect_mime, extract_text

    digest = hashlib.sha256(data).hexdigest()
    mime = detect_mime(data, filename) if data else "application/x-empty"
    text: str | None = None
    error: str | None = None
    if data and len(data) <= MAX_ATTACHMENT_TEXT_BYTES:
        result = extract_text(data, mime, filename)
        text, error = result.text, result.error
        if result.truncated:
            error = (error + "; " if error else "") + "text truncated"
    elif data:
        error = f"not read for text: {len(data)} bytes is over the {MAX_ATTACHMENT_TEXT_BYTES} byte limit"
    return Attachment(
        filename=filename,
        mime=mime,
        size=len(data),
        sha256=digest,
        declared_mime=declared_mime.lower(),
        text=text,
        error=error,
        inline=inline,
        content_id=content_id,
    )
