"""Provides the normalized message model shared by every reader, the store and the later stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox from a From/To/Cc/Bcc header: display name and address, as found."""

    name: str
    email: str

    @property
    def domain(self) -> str:
        """The part after the last '@', lower-cased; '' when there is none."""
        _, at, domain = self.email.rpartition("@")
        return domain.lower().strip(" >.") if at else ""

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email


@dataclass(slots=True)
class Attachment:
    """A file carried by a message, with the text we could extract from it."""

    filename: str
    mime: str  # detected from the content, not the declared type
    size: int
    sha256: str
    declared_mime: str = ""
    text: str | None = None
    error: str | None = None  # why text could not be extracted, if it could not
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redaction a release already carries: an exemption label in the text or a blacked-out box on a page.

    ``box`` is (x0, y0, x1, y1) in PDF points from the page's top-left, or None for a label found in text
    only; ``code`` is the exemption (``b6``, ``b7c``) or ``redacted``; ``over_text`` marks a box drawn over
    text that is still in the page's text layer (a bad redaction), ``hidden_text`` being that text.
    """

    kind: str  # "label" or "box"
    page: int  # 1-based page of the document
    label: str = ""
    code: str = ""
    box: tuple[float, float, float, float] | None = None
    over_text: bool = False
    hidden_text: str = ""


@dataclass(slots=True)
class Provenance:
    """Where one copy of a message was found.

    ``path`` is the source file on disk; ``inner_path`` the path inside an archive (``a.zip!b/c.eml``
    chains use ``!``); ``locator`` says where inside the file: ``offset:1234`` for mbox,
    ``folder:/Top of Personal Folders/Inbox#12`` for pst, ``file`` for single-message files,
    with ``/part:3`` appended for a forwarded message inside another.
    """

    path: str
    kind: str  # mbox, maildir, eml, msg, pst
    locator: str = "file"
    inner_path: str = ""
    folder: str = ""
    custodian: str = ""


@dataclass(slots=True)
class Message:
    """One normalized message. Nothing that failed to decode is dropped: it is noted in ``errors``."""

    provenance: Provenance
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    date: datetime | None = None  # always timezone-aware when set
    date_raw: str = ""
    date_error: str = ""
    sender: list[Address] = field(default_factory=list)  # From (may hold several)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    subject: str = ""
    body_text: str = ""
    body_source: str = ""  # "text/plain", "text/html", "rtf", "" when no body
    attachments: list[Attachment] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    raw: bytes | None = None  # the original RFC 822 bytes (or a faithful rebuild for msg/pst)
    raw_format: str = "rfc822"  # rfc822, or "rebuilt-from-msg"/"rebuilt-from-pst"
    embedded: list[Message] = field(default_factory=list)  # forwarded message/rfc822 parts
    content_hash: str = ""  # filled by discovery.dedup
    # Printed releases (PDF or text): what the item is, where it sits in the release, how sure the split is.
    item_kind: str = "email"  # "email", or "document" for a release's pages that hold no printed email
    page_first: int | None = None
    page_last: int | None = None
    bates_first: str = ""
    bates_last: str = ""
    split_confidence: float | None = None
    source_text: str = ""  # the page text the item was split from, for checking the split
    redactions: list[Redaction] = field(default_factory=list)

    @property
    def from_address(self) -> Address | None:
        return self.sender[0] if self.sender else None

    def header(self, name: str) -> str:
        """First value of a header, case-insensitive, '' when absent."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return ""


@dataclass(slots=True)
class SourceFailure:
    """A problem reading a source or one message in it; recorded and counted, never fatal."""

    path: str
    reason: str
    locator: str = ""
    inner_path: str = ""
    fatal_for_source: bool = False  # True when nothing more could be read from the source
    notice: bool = False  # a finding to report (a bad redaction in a release), not a reading problem
