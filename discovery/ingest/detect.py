"""Provides detect: which reader a file needs, decided by its content (python-magic plus a header sniff)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import magic

SNIFF_BYTES = 64 * 1024
MAGIC_BYTES = 4096  # libmagic's cost grows with the buffer; signatures sit in the first bytes

# Kinds the ingest can read, and kinds it recognises but does not read (reported as skipped).
ARCHIVES = {"zip", "tar", "gzip", "bzip2", "xz"}
OFFICE_KINDS = {"office document", "word document", "excel workbook"}  # read by the attachment text extractor
UNREADABLE_KINDS = {"word-97 document", "excel-97 workbook"}  # Office formats the extractor has no reader for
READABLE = {"mbox", "eml", "msg", "pst", "zip", "tar", "gzip", "bzip2", "xz", "pdf", "text-release",
            # loose documents: items of kind "document" (old Office formats are reported as not read)
            *OFFICE_KINDS, *UNREADABLE_KINDS, "image"}

SNIFFED_MIME = {"eml": "message/rfc822", "mbox": "application/mbox"}  # when the header sniff decided
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}[ \t]*:")
_MAIL_HEADERS = {
    b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"received", b"return-path", b"mime-version",
    b"content-type", b"x-from", b"x-to", b"reply-to", b"sender", b"delivered-to", b"in-reply-to",
    b"references", b"x-mailer", b"user-agent", b"thread-topic", b"x-originating-ip", b"x-sender",
}
_UNSUPPORTED = {
    "application/msword": "word-97 document",
    "application/vnd.ms-excel": "excel-97 workbook",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "excel workbook",
    "application/x-7z-compressed": "7-zip archive",
    "application/x-rar": "rar archive",
    "application/vnd.rar": "rar archive",
}


@dataclass(frozen=True, slots=True)
class Detected:
    """What a file is: ``kind`` names the reader (or what it is, when unreadable) and ``mime`` is magic's."""

    kind: str
    mime: str
    description: str

    @property
    def readable(self) -> bool:
        return self.kind in READABLE


def detect(path: Path) -> Detected:
    """Detect a file's kind from its first bytes. Raises OSError when the file cannot be read."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return detect_bytes(head)


def detect_bytes(head: bytes) -> Detected:
    """Detect a kind from the first bytes of a file (up to SNIFF_BYTES are used)."""
    if not head:
        return Detected("empty", "application/x-empty", "empty file")
    head = head[:SNIFF_BYTES]
    # Text that opens with a block of mail headers is mail whatever libmagic would call it (the sniff decides
    # before magic's label in _kind_from_magic too), so skip libmagic's pass there: it costs about 2 ms a file,
    # most of the time of a dump of loose small messages. Binary signatures never start with header lines.
    sniffed = sniff_mail(head)
    if sniffed and b"\x00" not in head[:512]:
        return Detected(sniffed, SNIFFED_MIME[sniffed], "")
    try:
        mime = _magic_mime().from_buffer(head[:MAGIC_BYTES])
    except Exception as exc:  # libmagic failures must not stop an ingest
        mime, description = "application/octet-stream", f"libmagic failed: {exc}"
    kind = _kind_from_magic(mime, head, sniffed)
    # The long description costs a second libmagic pass: only worth it when we will report the file.
    description = "" if kind in READABLE else describe(head)
    return Detected(kind, mime, description)


_MAGIC: dict[str, magic.Magic] = {}


def _magic_mime() -> magic.Magic:
    if "mime" not in _MAGIC:
        _MAGIC["mime"] = magic.Magic(mime=True)
    return _MAGIC["mime"]


def describe(head: bytes) -> str:
    """libmagic's human description of some bytes ('PDF document, version 1.4', ...)."""
    try:
        if "text" not in _MAGIC:
            _MAGIC["text"] = magic.Magic()
        return str(_MAGIC["text"].from_buffer(head[:SNIFF_BYTES]))
    except Exception as exc:
        return f"libmagic failed: {exc}"


def _kind_from_magic(mime: str, head: bytes, sniffed: str) -> str:
    if head[:4] == b"!BDN":
        return "pst"  # Outlook personal storage (.pst/.ost), ANSI or Unicode
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE compound file: an Outlook .msg, or a Word/Excel 97 file (the msg reader tells them apart).
        return _UNSUPPORTED.get(mime, "msg")
    if head[:4] == b"PK\x03\x04" or mime == "application/zip":
        if b"[Content_Types].xml" in head[:4096] or b"word/" in head[:4096] or b"xl/" in head[:4096]:
            return "office document"
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh" and mime == "application/x-bzip2":
        return "bzip2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[257:262] == b"ustar" or mime == "application/x-tar":
        return "tar"
    if head[:5] == b"%PDF-":
        return "pdf"
    # Mail is text: libmagic often calls it text/plain (and once in a while something absurd), so the
    # header sniff decides before magic's label does.
    if sniffed:
        return sniffed
    if mime in _UNSUPPORTED:
        return _UNSUPPORTED[mime]
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("text/"):
        return "text-release" if sniff_release(head) else "text"
    return "unknown"


# A printed email's header lines (``From:`` / ``Sent:`` / ``Subject:``), as a release's extracted text holds them.
_PRINTED_LABEL = re.compile(rb"(?im)^[ \t]{0,40}(from|sent|date|subject|to)[ \t]*:")
_RELEASE_MARK = re.compile(rb"RELEASE IN (?:FULL|PART)|\bDoc No\.?\s")


def sniff_release(head: bytes) -> bool:
    """Whether text looks like a release's extracted text: printed email headers, release banners, page breaks."""
    labels = {m.group(1).lower().decode("ascii") for m in _PRINTED_LABEL.finditer(head)}
    if "from" in labels and ("subject" in labels or "sent" in labels) and len(labels) >= 3:
        return True
    return bool(_RELEASE_MARK.search(head)) or head.count(b"\f") >= 2


def sniff_mail(head: bytes) -> str:
    """'mbox' or 'eml' when the bytes look like mail, else ''."""
    data = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    data = data.lstrip(b"\r\n")
    lines = data.split(b"\n", 60)[:60]
    if not lines:
        return ""
    if lines[0].startswith(b"From ") and len(lines) > 1 and _header_block_score(lines[1:]) >= 1:
        return "mbox"
    first = lines[0].split(b":", 1)[0].strip().lower()
    score = _header_block_score(lines)
    if _HEADER_LINE.match(lines[0]) and (score >= 2 or (score == 1 and first in _MAIL_HEADERS)):
        return "eml"
    return ""


def _header_block_score(lines: list[bytes]) -> int:
    """How many well-known mail headers open the block, stopping at the first non-header line."""
    score = 0
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue
        m = _HEADER_LINE.match(line)
        if not m:
            break
        name = line.split(b":", 1)[0].strip().lower()
        if name in _MAIL_HEADERS:
            score += 1
    return score
