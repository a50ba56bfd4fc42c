"""Provides read_mbox: a streaming mbox reader (mboxo/mboxrd, CRLF, Content-Length) and chunk planning."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path

from discovery.ingest.base import Origin, ReadResult, SourceUnreadable
from discovery.ingest.mime import parse_rfc822

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}:")
_ESCAPED_FROM = re.compile(rb"^>+From ")
_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


def is_from_line(line: bytes) -> bool:
    """True for an mbox separator line ('From sender date'), not for a body line that merely starts so."""
    return line.startswith(b"From ") and len(line) < 1000


def read_mbox(path: Path, origin: Origin, start: int = 0, end: int | None = None) -> ReadResult:
    """Messages of an mbox file, streamed; ``start``/``end`` (byte offsets of From_ lines) read a chunk."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in finally; generator
    except OSError as exc:
        raise SourceUnreadable(f"cannot open: {exc.strerror or exc}") from exc
    try:
        yield from _read(handle, origin, start, end)
    finally:
        handle.close()


_KNOWN_FIRST_HEADERS = (
    b"return-path:", b"received:", b"from:", b"date:", b"message-id:", b"subject:", b"to:", b"delivered-to:",
    b"x-", b"mime-version:", b"sender:", b"reply-to:", b"envelope-to:", b"status:",
)


def _read(handle, origin: Origin, start: int, end: int | None) -> ReadResult:  # type: ignore[no-untyped-def]
    """Split on From_ lines. A From_ line separates messages when the next line is a header line and
    either a blank line precedes it or the next line is a well-known first header; a trustworthy
    Content-Length (one whose end lands on a From_ line or the end of the file) protects body lines."""
    handle.seek(start)
    line = handle.readline()
    if line.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark written by some tools
        line = line[3:]
    if not line:
        return
    if not is_from_line(line):
        raise SourceUnreadable("not an mbox: the file does not start with a 'From ' line")
    msg_offset, envelope = start, line
    body: list[bytes] = []
    size = 0
    oversized = False
    prev_blank = False
    in_headers = True
    cl_end: int | None = None
    pending: tuple[int, bytes] | None = None
    while True:
        if pending is not None:
            line_offset, line = pending
            pending = None
        else:
            line_offset = handle.tell()
            line = handle.readline()
        if not line or (end is not None and line_offset >= end):
            yield from _emit(envelope, body, msg_offset, origin, oversized)
            return
        if is_from_line(line) and not (cl_end is not None and line_offset < cl_end):
            next_offset = handle.tell()
            nxt = handle.readline()
            if _HEADER_LINE.match(nxt) and (prev_blank or nxt.lower().startswith(_KNOWN_FIRST_HEADERS)):
                yield from _emit(envelope, body, msg_offset, origin, oversized)
                msg_offset, envelope, body, size, oversized = line_offset, line, [], 0, False
                prev_blank, in_headers, cl_end = False, True, None
                pending = (next_offset, nxt)
                continue
            pending = (next_offset, nxt)
        stripped = line.rstrip(b"\r\n")
        if in_headers and stripped == b"":
            in_headers = False
            body_start = pending[0] if pending is not None else handle.tell()
            cl_end = _trusted_content_length_end(handle, body, body_start)
        prev_blank = stripped == b""
        if _ESCAPED_FROM.match(line):
            line = line[1:]
        size += len(line)
        if size > MAX_MESSAGE_BYTES:
            oversized = True
            continue
        body.append(line)


def _trusted_content_length_end(handle, headers: list[bytes], body_start: int) -> int | None:  # type: ignore[no-untyped-def]
    """Where a Content-Length header says the body ends, if a From_ line (or the end) really is there."""
    m = _CONTENT_LENGTH.search(b"".join(headers))
    if not m:
        return None
    declared_end = body_start + int(m.group(1))
    here = handle.tell()
    try:
        for probe in (declared_end, declared_end + 1, declared_end + 2):
            handle.seek(probe)
            line = handle.readline()
            if not line or is_from_line(line):
                return probe
            if line.strip():
                return None
        return None
    finally:
        handle.seek(here)


def _emit(envelope: bytes, body: list[bytes], offset: int, origin: Origin, oversized: bool) -> ReadResult:
    locator = f"offset:{offset}"
    if oversized:
        yield origin.failure(f"message larger than {MAX_MESSAGE_BYTES} bytes; skipped", locator)
        return
    raw = b"".join(body)
    # The blank line before the next From_ belongs to the mbox format, not to the message.
    if raw.endswith(b"\r\n\r\n"):
        raw = raw[:-2]
    elif raw.endswith(b"\n\n"):
        raw = raw[:-1]
    if not raw.strip():
        yield origin.failure("empty message in mbox", locator)
        return
    msg = parse_rfc822(raw, origin.provenance("mbox", locator))
    if msg.date is None:
        fallback = _envelope_date(envelope)
        if fallback is not None:
            msg.date = fallback
            msg.date_error = (msg.date_error + "; " if msg.date_error else "") + "date taken from the mbox From_ line"
    yield msg


def _envelope_date(envelope: bytes) -> object:
    text = envelope.decode("ascii", "replace").strip()
    parts = text.split()
    if len(parts) < 4:
        return None
    try:
        value = parsedate_to_datetime(" ".join(parts[2:]))
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value


def plan_chunks(path: Path, chunk_bytes: int = 16 * 1024 * 1024) -> list[tuple[int, int | None]]:
    """Byte ranges of an mbox that start on From_ lines, for parsing in parallel workers."""
    size = path.stat().st_size
    if size <= chunk_bytes:
        return [(0, None)]
    bounds = [0]
    with open(path, "rb") as handle:
        target = chunk_bytes
        while target < size:
            handle.seek(target)
            handle.readline()  # finish the current line
            found = None
            prev_blank = False
            while True:
                pos = handle.tell()
                line = handle.readline()
                if not line:
                    break
                blank = line.strip() == b""
                if is_from_line(line) and prev_blank:
                    nxt = handle.readline()
                    if _HEADER_LINE.match(nxt):
                        found = pos
                        break
                    blank = nxt.strip() == b""
                prev_blank = blank
            if found is None:
                break
            bounds.append(found)
            target = found + chunk_bytes
    return [(b, bounds[i + 1] if i + 1 < len(bounds) else None) for i, b in enumerate(bounds)]
