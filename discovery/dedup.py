"""Provides content_hash: the eDiscovery-style identity of a message, independent of where it was found.

Two copies are the same message when sender, To and Cc recipients, date, subject, body and attachment
hashes agree after normalization. Message-ID is not part of it: some exports give every copy its own id,
others reuse one id for different messages. Bcc is left out on purpose: the sender's Sent copy carries
Bcc recipients that the recipients' copies never show, and they are still one message.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC

from discovery.model import Address, Message

HASH_VERSION = "1"


def _norm_text(text: str) -> str:
    """NFC, every run of whitespace one space, none at the ends. str.split() splits on exactly the characters
    that re's \\s matches in a str pattern (both are Py_UNICODE_ISSPACE), so this is the former
    ``re.sub(r"\\s+", " ", text).strip()`` (the hash must not change), at a quarter of its cost."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _norm_addresses(addresses: list[Address]) -> str:
    keys = sorted({(a.email or a.name).strip().lower() for a in addresses if a.email or a.name})
    return ",".join(keys)


def content_hash(msg: Message) -> str:
    """Hex sha256 of the normalized content. Stable across releases for a given HASH_VERSION."""
    if msg.date is not None:
        date = msg.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    else:
        date = "raw:" + _norm_text(msg.date_raw)
    attachments = ",".join(sorted(a.sha256 for a in msg.attachments))
    body = _norm_text(msg.body_text)
    if not body and not msg.attachments and not msg.subject and msg.raw:
        # Nothing readable: fall back to the raw bytes so unrelated empty messages stay apart.
        body = "raw:" + hashlib.sha256(msg.raw).hexdigest()
    parts = [
        HASH_VERSION,
        _norm_addresses(msg.sender),
        _norm_addresses(msg.to),
        _norm_addresses(msg.cc),
        date,
        _norm_text(msg.subject),
        body,
        attachments,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def message_key(content_digest: str) -> str:
    """Our short, stable message id: the first 16 hex digits of the content hash."""
    return content_digest[:16]
