"""Provides the field texts of stored messages that the PII scan reads and suggestion offsets point into."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from discovery.pii.headers import is_transport
from discovery.pii.types import FieldText
from discovery.store import Store

ADDRESS_ROLES = ("from", "to", "cc", "bcc", "reply-to")

# Headers that carry no personal data of their own, or that are scanned through the addresses table
# (From/To/Cc/Bcc/Reply-To) and the subject column. Everything else (X-From, X-Folder, Sender, ...) is scanned as
# 'header:<Name>'; transport and diagnostic headers (Received, X-*, ARC, DKIM, ...: discovery.pii.headers) only
# when asked (the policy's [scan] transport_headers).
SKIPPED_HEADERS = frozenset(
    h.lower()
    for h in (
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
        "Content-Language", "Content-Class", "Accept-Language", "Thread-Index", "Thread-Topic", "X-Mailer",
        "User-Agent", "DKIM-Signature", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
        "Authentication-Results", "Received-SPF", "X-MS-Has-Attach", "X-MS-TNEF-Correlator", "Importance",
        "Priority", "X-Priority", "X-MSMail-Priority", "Precedence", "X-MimeOLE", "List-Unsubscribe",
        "List-Id", "X-Spam-Status", "X-Spam-Score", "Status", "X-Status", "X-UID", "Lines", "Content-Length",
    )
)
HEADER_VALUE_LIMIT = 4000


def render_address(name: str, email: str) -> str:
    """'Name <email>', or whichever part exists: the text of an 'address:<role>:<n>' field."""
    if name and email:
        return f"{name} <{email}>"
    return name or email


def address_name_span(name: str, email: str) -> tuple[int, int] | None:
    """Where the display name sits in render_address(name, email)."""
    return (0, len(name)) if name else None


def address_email_span(name: str, email: str) -> tuple[int, int] | None:
    """Where the address sits in render_address(name, email)."""
    if not email:
        return None
    start = len(name) + 2 if name else 0
    return (start, start + len(email))


@dataclass(slots=True)
class MessageFields:
    """Everything the scan reads of one message: its fields and the people its headers name."""

    message_id: str
    rev: int
    fields: list[FieldText]
    people: list[tuple[str, str]]  # (display name, email) from From/To/Cc/Bcc/Reply-To


def header_fields(headers: Sequence[Sequence[str]], transport: bool = True) -> list[FieldText]:
    """Scannable header fields: 'header:Sender', 'header:Received:1', ... (n-th occurrence of that name), with
    transport and diagnostic headers left out when transport is False (keys stay the same either way)."""
    seen: dict[str, int] = defaultdict(int)
    out: list[FieldText] = []
    for pair in headers:
        if len(pair) != 2:
            continue
        name, value = str(pair[0]), str(pair[1])
        lname = name.lower()
        if lname in SKIPPED_HEADERS or lname.startswith(("content-", "x-ms-exchange", "x-microsoft")):
            continue
        n = seen[lname]
        seen[lname] += 1
        if not value.strip() or (not transport and is_transport(name)):
            continue
        key = f"header:{name}" if n == 0 else f"header:{name}:{n}"
        out.append(FieldText(key, "header", value[:HEADER_VALUE_LIMIT], name))
    return out


def load_fields(store: Store, message_ids: Iterable[str], *, transport: bool = True, headers: bool = True
                ) -> list[MessageFields]:
    """The field texts of these messages, in the order given (unknown ids are skipped). transport=False leaves
    out transport and diagnostic headers; headers=False every 'header:' field (what a scan reads by default, when
    productions print no headers but the addresses and Subject); displays keep them all."""
    ids = list(dict.fromkeys(message_ids))
    with_headers = headers
    result: dict[str, MessageFields] = {}
    for i in range(0, len(ids), 400):
        part = ids[i : i + 400]
        marks = ",".join("?" * len(part))
        for row in store.rows(
            f"SELECT id, rev, subject, body_text, headers FROM messages WHERE id IN ({marks})", part
        ):
            fields = [FieldText("subject", "subject", row["subject"] or "", "Subject"),
                      FieldText("body", "body", row["body_text"] or "", "Body")]
            try:
                headers = json.loads(row["headers"] or "[]")
            except ValueError:
                headers = []
            result[row["id"]] = MessageFields(row["id"], int(row["rev"]), fields, [])
            if with_headers:
                result[row["id"]].fields.extend(header_fields(headers, transport))
        for row in store.rows(
            f"""SELECT message_id, role, position, name, email FROM addresses WHERE message_id IN ({marks})
                ORDER BY message_id, role, position""", part
        ):
            item = result.get(row["message_id"])
            if item is None:
                continue
            text = render_address(row["name"], row["email"])
            if text:
                item.fields.append(FieldText(f"address:{row['role']}:{row['position']}", "address", text,
                                             row["role"].capitalize()))
            item.people.append((row["name"], row["email"]))
        for row in store.rows(
            f"""SELECT message_id, position, filename, text FROM attachments WHERE message_id IN ({marks})
                ORDER BY message_id, position""", part
        ):
            item = result.get(row["message_id"])
            if item is None:
                continue
            if row["filename"]:
                item.fields.append(FieldText(f"attachment:{row['position']}:name", "attachment_name",
                                             row["filename"], row["filename"]))
            if row["text"]:
                item.fields.append(FieldText(f"attachment:{row['position']}", "attachment", row["text"],
                                             row["filename"] or f"attachment {row['position']}"))
    return [result[i] for i in ids if i in result]


def field_text(store: Store, message_id: str, key: str) -> str | None:
    """The current text of one field of a message, or None when the message has no such field."""
    for item in load_fields(store, [message_id]):
        for f in item.fields:
            if f.key == key:
                return f.text
    return None
