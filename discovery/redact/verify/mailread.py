"""Provides eml_places and mbox_places: every text of a mail file as a mail client would decode it.

Python's ``email`` package parses each message (the light ``compat32`` parser, with every header decoded
explicitly by ``email.header``: ``policy.default``'s header objects cost ten times as much and decode the same RFC
2047 words); every part is visited, nested forwarded ``message/rfc822`` parts included. For each part: every
header, raw and decoded (RFC 2047); the file name (RFC 2231 and 2047) and the ``name`` parameter; the content with
its transfer encoding undone (base64, QP) and decoded by its charset; an HTML part both as markup and as text; a
PDF part with the PDF reader; the preamble and epilogue of multiparts. An mbox's ``From `` envelope lines are read
too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value

from discovery.redact.verify.pdfread import Place, Problem, pdf_places

_TAG = re.compile(r"<[^>]*>")
_FROM_LINE = re.compile(rb"^From [^\n]*\n", re.MULTILINE)
_PARSER = BytesParser(policy=policy.compat32)


def eml_places(data: bytes, prefix: str = "") -> Iterator[Place | Problem]:
    """Every searchable text of one message (``prefix`` names the message inside an mbox)."""
    try:
        msg = _PARSER.parsebytes(data)
    except Exception as exc:  # noqa: BLE001 - adversarial input: an unparsable message is a finding
        yield Problem("unreadable", prefix or "message", f"not parsable as mail ({type(exc).__name__})")
        return
    yield from _part(msg, prefix + "part " if prefix else "part ", "")


def mbox_places(data: bytes) -> Iterator[Place | Problem]:
    """Every searchable text of every message in an mbox, named 'message N'."""
    starts = [m.start() for m in _FROM_LINE.finditer(data)]
    if not starts or starts[0] != 0:
        yield Problem("unreadable", "file", "not an mbox: it does not start with a 'From ' line")
        if not starts:
            return
    for n, start in enumerate(starts, 1):
        end = starts[n] if n < len(starts) else len(data)
        chunk = data[start:end]
        line_end = chunk.index(b"\n") + 1
        yield Place(f"message {n} envelope", chunk[:line_end].decode("utf-8", "replace"))
        yield from eml_places(chunk[line_end:], f"message {n} ")


def _decoded(value: str) -> str:
    """A header value with its RFC 2047 encoded words decoded (the value itself when there are none)."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


def _part(part: Message, prefix: str, path: str) -> Iterator[Place | Problem]:
    name = prefix + (path or "root")
    for key, value in part.items():
        text = str(value)
        yield Place(f"{name} header {key}", text)
        decoded = _decoded(text)
        if decoded != text:
            yield Place(f"{name} header {key} (decoded)", decoded)
    for label, getter in (("file name", part.get_filename), ("name parameter", lambda: part.get_param("name"))):
        try:
            value = getter()
        except Exception:  # noqa: BLE001,S112 - malformed parameters: the raw header was searched above
            continue
        if value:
            text = collapse_rfc2231_value(value) if isinstance(value, tuple) else str(value)
            yield Place(f"{name} {label}", _decoded(text))
    if part.is_multipart():
        for label, text in (("preamble", part.preamble), ("epilogue", part.epilogue)):
            if text and text.strip():
                yield Place(f"{name} {label}", text)
        payload = part.get_payload()
        for n, sub in enumerate(payload if isinstance(payload, list) else [], 1):
            yield from _part(sub, prefix, f"{path}.{n}" if path else str(n))
        return
    try:
        content = part.get_payload(decode=True) or b""
    except Exception as exc:  # noqa: BLE001 - a broken transfer encoding
        yield Problem("unreadable", name, f"the content cannot be decoded ({type(exc).__name__})")
        return
    ctype = part.get_content_type()
    where = f"{name} ({ctype})"
    if content[:5] == b"%PDF-" or ctype == "application/pdf":
        for item in pdf_places(content):
            if isinstance(item, Place):
                yield Place(f"{where} {item.where}", item.text, binary=item.binary)
            else:
                yield Problem(item.kind, f"{where} {item.where}", item.detail)
        return
    charset = part.get_content_charset() or "utf-8"
    try:
        text = content.decode(charset, "replace")
    except LookupError:
        text = content.decode("utf-8", "replace")
    if ctype == "text/html" or "<html" in text[:2000].lower():
        unescaped = html.unescape(text)
        yield Place(f"{where} markup", unescaped)
        yield Place(f"{where} text", _TAG.sub("", unescaped))
        yield Place(f"{where} text", _TAG.sub(" ", unescaped))
        return
    yield Place(where, text)
    if not ctype.startswith("text/"):
        raw = part.get_payload(decode=False)
        if isinstance(raw, str) and raw:
            yield Place(f"{where} as sent", raw)
