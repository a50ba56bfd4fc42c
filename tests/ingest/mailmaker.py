"""Provides small builders of mail files for the ingest tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

BASE = datetime(2018, 5, 2, 9, 0, tzinfo=UTC)


def make_message(i: int, *, subject: str | None = None, body: str | None = None, sender: str = "",
                 to: str = "records@harlowcounty-or.example", message_id: str | None = None,
                 in_reply_to: str = "", attachment: tuple[str, bytes, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender or f"Person {i} <person{i}@mailbox.example>"
    msg["To"] = to
    msg["Subject"] = subject if subject is not None else f"Message number {i}"
    msg["Date"] = format_datetime(BASE + timedelta(minutes=i))
    msg["Message-ID"] = message_id or f"<msg{i}@mailbox.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body if body is not None else f"Body of message {i}.\nFrom here on it is plain text.\n")
    if attachment:
        name, data, mime = attachment
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mbox_of(messages: list[bytes]) -> bytes:
    """An mboxrd file: From_ lines, '>From ' escaping, blank line between messages."""
    out = bytearray()
    for raw in messages:
        out += b"From sender@mailbox.example Wed May  2 09:00:00 2018\n"
        for line in raw.replace(b"\r\n", b"\n").split(b"\n"):
            stripped = line.lstrip(b">")
            if stripped.startswith(b"From "):
                line = b">" + line
            out += line + b"\n"
        out += b"\n"
    return bytes(out)
