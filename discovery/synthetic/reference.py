"""Provides the reference reading of the gold definitions: body, subject and address text, attachment text,
and a walk over every message copy in a samples folder.

This is the executable form of what samples/README.md states; an ingest normalizer that agrees with these
functions agrees with the gold offsets.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from xml.etree import ElementTree

MBOX = "mbox/harlow-sheriff-foia.mbox"
MAILDIR = "maildir/port-mirren-pd"
EML = "eml"
ARCHIVE = "archive/production-vol1.zip"

_ESCAPED_FROM = re.compile(rb"^>+From ")


def parse(raw: bytes) -> EmailMessage:
    """Parse message bytes with the stdlib parser and the modern policy."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def decode_text(data: bytes, charset: str | None) -> str:
    """Declared charset (us-ascii when absent), strictly; then UTF-8 strictly; then windows-1252."""
    for codec in (charset or "us-ascii", "utf-8"):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("windows-1252", errors="replace")


def normalize(text: str) -> str:
    """CRLF and lone CR to LF, then trailing whitespace of the whole text stripped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None


def _leaves(msg: Message) -> Iterator[Message]:
    """Leaf parts in document order, not descending into attached messages (message/rfc822)."""
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        for part in msg.get_payload():  # type: ignore[union-attr]
            yield from _leaves(part)  # type: ignore[arg-type]
    else:
        yield msg


def part_text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    return normalize(decode_text(data, part.get_content_charset()))


def body_text(msg: Message) -> str:
    """The first text/plain leaf that is not an attachment, decoded and normalized; '' when none."""
    for part in _leaves(msg):
        if part.get_content_type() == "text/plain" and not _is_attachment(part):
            return part_text(part)
    return ""


def subject_text(msg: EmailMessage) -> str:
    """The decoded, unfolded Subject (RFC 2047 words decoded, raw 8-bit read as UTF-8)."""
    value = msg.get("Subject")
    return str(value) if value is not None else ""


def address_text(msg: EmailMessage, header: str) -> str:
    """``Name <addr>, Name <addr>`` for From/To/Cc: names decoded and unquoted, groups flattened."""
    out: list[str] = []
    for value in msg.get_all(header) or []:
        for addr in getattr(value, "addresses", ()):
            name, spec = addr.display_name, addr.addr_spec
            out.append(f"{name} <{spec}>" if name else spec)
    return ", ".join(out)


def attachments(msg: Message) -> list[tuple[str, Message]]:
    """(decoded file name, part) for every leaf with a file name, in document order."""
    return [(part.get_filename() or "", part) for part in _leaves(msg) if part.get_filename()]


def attachment_text(filename: str, part: Message) -> str | None:
    """The gold text of an attachment: text files decoded; docx paragraphs; PDF lines (needs PyMuPDF).

    Returns None for files that carry no gold text (images, spreadsheets).
    """
    ctype = part.get_content_type()
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return None
    lower = filename.lower()
    if ctype.startswith("text/") or lower.endswith((".txt", ".ics")) or ctype == "application/ics":
        return part_text(part)
    if lower.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = ElementTree.fromstring(zf.read("word/document.xml"))
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        paras = ["".join(t.text or "" for t in p.iter(f"{ns}t")) for p in root.iter(f"{ns}p")]
        return normalize("\n".join(paras))
    if lower.endswith(".pdf"):
        import pymupdf  # the only reader that needs it; imported on demand

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            pages = [page.get_text() for page in doc]
        return normalize("\n".join(pages))
    return None


def read_mboxrd(data: bytes) -> list[bytes]:
    """Split an mboxrd file: drop each From_ line, unescape ``>From`` lines, drop the separator line."""
    messages: list[list[bytes]] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From "):
            messages.append([])
            continue
        if not messages:
            continue
        if _ESCAPED_FROM.match(line):
            line = line[1:]
        messages[-1].append(line)
    out = []
    for lines in messages:
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines = lines[:-1]
        out.append(b"".join(lines))
    return out


def _zip_members(data: bytes, prefix: str) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            content = zf.read(info.filename)
            location = f"{prefix}!{info.filename}"
            if info.filename.lower().endswith(".zip"):
                yield from _zip_members(content, location)
            else:
                yield location, content


def iter_copies(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every message copy under a samples folder as (location, raw bytes), locations as in gold.jsonl.

    mbox copies share the file's location; zip members are ``zip!member`` (nested: ``a.zip!b.zip!c``).
    """
    mbox = root / MBOX
    for raw in read_mboxrd(mbox.read_bytes()):
        yield MBOX, raw
    maildir = root / MAILDIR
    for path in sorted(maildir.rglob("*")):
        if path.is_file() and path.parent.name in ("cur", "new") and not path.name.startswith("."):
            yield path.relative_to(root).as_posix(), path.read_bytes()
    for path in sorted((root / EML).iterdir()):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.read_bytes()
    yield from _zip_members((root / ARCHIVE).read_bytes(), ARCHIVE)
