"""Provides read_msg (Outlook .msg, via extract-msg) and the Outlook item normalization pst shares."""

from __future__ import annotations

import email.header
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from pathlib import Path
from typing import Any

from discovery.ingest.base import Origin, ReadResult, SourceUnreadable, make_attachment
from discovery.ingest.fields import (
    decode_bytes,
    decode_header_value,
    normalize_message_id,
    parse_addresses,
    parse_date,
    parse_message_ids,
)
from discovery.model import Address, Attachment, Message, Provenance

MAX_EMBEDDED_DEPTH = 8  # attached Outlook items inside attached Outlook items
MAX_BODY_CHARS = 20_000_000
MAX_RTF_DEENCAPSULATE_BYTES = 300_000  # RTFDE takes ~1 s per 50 KB; larger RTF is stripped instead

# Message classes that are mail (prefix match, lower case). Everything else (contacts, calendar items,
# tasks, sticky notes, journal entries, documents) is not a message and is skipped.
_MAIL_CLASS_PREFIXES = (
    "ipm.note",
    "ipm.schedule.meeting",  # meeting requests, responses, cancellations travel as mail
    "ipm.post",  # posts to a (public) folder: sender, subject, body, like mail
    "report.ipm",  # delivery and read receipts
    "ipm.outlook.recall",
    "ipm.recall",
    "ipm.taskrequest",
    "ipm.sharing",
)
_NON_MAIL = (
    ("ipm.contact", "Outlook contact card, not a message"),
    ("ipm.distlist", "Outlook distribution list, not a message"),
    ("ipm.stickynote", "Outlook note, not a message"),
    ("ipm.appointment", "Outlook calendar item, not a message"),
    ("ipm.task", "Outlook task, not a message"),
    ("ipm.activity", "Outlook journal entry, not a message"),
    ("ipm.document", "file stored in an Outlook folder, not a message"),
    ("ipm.microsoft.schedule", "Outlook free/busy data, not a message"),
    ("ipm.configuration", "Outlook configuration item, not a message"),
)

# Headers of the original transport MIME structure; the rebuild writes its own.
_MIME_STRUCTURE_HEADERS = frozenset(
    {"content-type", "content-transfer-encoding", "mime-version", "content-disposition", "content-id",
     "content-length", "content-description"}
)
# Header values given with set_raw are written as they came (never refolded); see _set_raw_header.
_RAW_POLICY = email.policy.default.clone(refold_source="none")


class NotMailItem(SourceUnreadable):
    """Raised by read_msg for an Outlook item that is not mail (contact card, note, calendar item, task):
    the file is fine, it just holds no message, so callers may report it as skipped rather than failed."""


def non_mail_reason(message_class: str) -> str:
    """'' when an item of this message class is mail-like; otherwise why it is not a message.

    A missing class or bare "IPM" counts as mail: better to show an odd item than to lose one.
    """
    cls = message_class.strip().strip("\x00").lower()
    if not cls or cls == "ipm" or cls.startswith(_MAIL_CLASS_PREFIXES):
        return ""
    for prefix, reason in _NON_MAIL:
        if cls.startswith(prefix):
            return reason
    return f"Outlook item of class {message_class.strip()!r}, not a message"


@dataclass(slots=True)
class OutlookRecipient:
    """One row of an item's recipient table."""

    kind: str  # "to", "cc" or "bcc"
    name: str
    email: str  # SMTP address when there is one, else whatever address Outlook stored


@dataclass(slots=True)
class OutlookAttachment:
    """One attachment of an Outlook item: file bytes, or an attached item, or the reason it is missing."""

    filename: str
    data: bytes | None = None
    declared_mime: str = ""
    content_id: str = ""
    inline: bool = False
    item: OutlookItem | None = None  # an attached Outlook item (msg-in-msg)
    error: str = ""


@dataclass(slots=True)
class OutlookItem:
    """The parts of an Outlook item (from a .msg or a pst) that a Message is built from.

    Strings are already decoded; times are timezone-aware UTC or None.
    """

    message_class: str = ""
    subject: str = ""
    transport_headers: str = ""
    sender_name: str = ""
    sender_addresses: list[str] = field(default_factory=list)  # best first: SMTP, then the stored address
    representing_name: str = ""  # "sent on behalf of": the From of the message
    representing_addresses: list[str] = field(default_factory=list)
    submit_time: datetime | None = None
    delivery_time: datetime | None = None
    creation_time: datetime | None = None
    modification_time: datetime | None = None
    unsent: bool = False
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    display_to: str = ""
    display_cc: str = ""
    display_bcc: str = ""
    recipients: list[OutlookRecipient] = field(default_factory=list)
    body_text: str | None = None
    body_html: bytes | None = None
    html_charset: str = ""  # from PR_INTERNET_CPID
    body_rtf: bytes | None = None  # decompressed RTF
    attachments: list[OutlookAttachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- helpers


def clean_text(value: object) -> str:
    """A property value as text: None -> '', NULs (ANSI string padding) removed, outer blanks stripped."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = decode_bytes(value, None)[0]
    return str(value).replace("\x00", "").strip()


def is_smtp_address(value: str) -> bool:
    """True for something@domain; False for Exchange legacy DNs (/O=...), bare names and ''."""
    value = value.strip()
    return bool(value) and "@" in value and not value.startswith("/") and " " not in value


def address_candidates(*values: object) -> list[str]:
    """Addresses in order of preference: SMTP addresses first (input order), then the rest (X.500 DNs)."""
    cleaned = [clean_text(v) for v in values]
    cleaned = [v for v in cleaned if v and v.lower() not in ("unknown",)]
    smtp = [v for v in cleaned if is_smtp_address(v)]
    other = [v for v in cleaned if not is_smtp_address(v)]
    out: list[str] = []
    for v in smtp + other:
        if v not in out:
            out.append(v)
    return out


def recipient_kind(value: object) -> str:
    """'to', 'cc' or 'bcc' from PR_RECIPIENT_TYPE (its low bits; the high bits are flags)."""
    try:
        number = int(value) & 0x0F  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "to"
    return {2: "cc", 3: "bcc"}.get(number, "to")


_CODEPAGES = {
    65001: "utf-8",
    65000: "utf-7",
    1200: "utf-16-le",
    1201: "utf-16-be",
    20127: "ascii",
    20866: "koi8-r",
    21866: "koi8-u",
    50220: "iso2022_jp",
    50221: "iso2022_jp",
    50222: "iso2022_jp",
    51932: "euc_jp",
    20932: "euc_jp",
    51949: "cp949",
    54936: "gb18030",
    52936: "hz",
    10000: "mac_roman",
}


def codepage_charset(codepage: object) -> str:
    """A Python codec name for a Windows code page number (PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE)."""
    try:
        number = int(codepage)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    if number <= 0:
        return ""
    if number in _CODEPAGES:
        return _CODEPAGES[number]
    if 28591 <= number <= 28606:
        return f"iso-8859-{number - 28590}"
    return f"cp{number}"


def aware_utc(value: object) -> datetime | None:
    """A MAPI time as an aware UTC datetime; None for missing or 'never' (year 4500+) values."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    else:
        value = value.astimezone(UTC)
    if value.year >= 4500 or value.year <= 1601:
        return None
    return value


def short_error(exc: BaseException, limit: int = 300) -> str:
    """'Type: message' in one line, cut to ``limit`` characters."""
    text = " ".join(str(exc).split())
    out = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _format_address(address: Address) -> str:
    name = address.name.replace('"', "'")
    if not address.email:
        return f'"{name}"' if re.search(r'[,;:<>@()\[\]\\."]', name) else name
    if not name:
        return f"<{address.email}>" if not is_smtp_address(address.email) else address.email
    if re.search(r'[,;:<>@()\[\]\\."]', name):
        name = f'"{name}"'
    return f"{name} <{address.email}>"


def _format_addresses(addresses: list[Address]) -> str:
    return ", ".join(_format_address(a) for a in addresses)


def _child_provenance(parent: Provenance, index: int) -> Provenance:
    return Provenance(
        path=parent.path,
        kind=parent.kind,
        locator=f"{parent.locator}/part:{index}",
        inner_path=parent.inner_path,
        folder=parent.folder,
        custodian=parent.custodian,
    )


# ------------------------------------------------------------------------------------------ RTF bodies


def rtf_to_body(rtf: bytes) -> tuple[str, str | None, str]:
    """(plain text, encapsulated HTML or None, note) from a decompressed RTF body.

    HTML or text encapsulated by Outlook (\\fromhtml1, \\fromtext) is taken out with RTFDE; any other RTF
    (or encapsulated RTF RTFDE cannot handle) is reduced to its text by extract.rtf_to_text.
    """
    head = rtf[:4096]
    note = ""
    if (b"\\fromhtml" in head or b"\\fromtext" in head) and len(rtf) <= MAX_RTF_DEENCAPSULATE_BYTES:
        try:
            content_type, content = _deencapsulate(rtf)
        except Exception as exc:
            note = f"RTF body could not be de-encapsulated ({short_error(exc, 160)}); text stripped from RTF"
        else:
            if content_type == "html" and content is not None:
                from discovery.ingest.htmltext import html_to_text

                return html_to_text(content), content, ""
            if content_type == "text" and content is not None:
                return content, None, ""
    from discovery.ingest.extract import rtf_to_text

    return rtf_to_text(rtf, max_chars=MAX_BODY_CHARS), None, note


def _deencapsulate(rtf: bytes) -> tuple[str, str | None]:
    import RTFDE
    from extract_msg.utils import stripRtf

    end = rtf.rfind(b"}")
    body = stripRtf(rtf[: end + 1] if end != -1 else rtf)
    deencapsulator = RTFDE.DeEncapsulator(body)
    deencapsulator.deencapsulate()
    if deencapsulator.content_type == "html":
        html = deencapsulator.html
        return "html", html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    text = deencapsulator.text
    return "text", text.decode("utf-8", "replace") if isinstance(text, bytes) else text


# --------------------------------------------------------------------------------- the Message builder


def build_message(
    item: OutlookItem, provenance: Provenance, raw_format: str, *, _depth: int = 0
) -> Message:
    """A normalized Message (with its rebuilt RFC 822 ``raw``) for one Outlook item. Never raises for bad
    content: what fails is kept as a note in ``errors``."""
    msg = Message(provenance=provenance, raw_format=raw_format)
    msg.errors.extend(item.notes)
    if item.transport_headers.strip():
        raw_headers = _headers_from_transport(item, msg)
    else:
        _headers_from_properties(item, msg)
        raw_headers = msg.headers
    html_for_raw = _read_body(item, msg)
    raw_parts = _read_attachments(item, msg, raw_format, _depth)
    msg.raw = _rebuild_raw(msg, raw_headers, html_for_raw, raw_parts)
    return msg


def _headers_from_transport(item: OutlookItem, msg: Message) -> list[tuple[str, str]]:
    """Fill the header fields from the item's transport headers; return the undecoded header pairs."""
    text = item.transport_headers.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if text.startswith("Microsoft Mail Internet Headers Version 2.0"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    parsed = HeaderParser(policy=email.policy.compat32).parsestr(text.lstrip("\n"), headersonly=True)
    headers: list[tuple[str, str]] = []
    raw_headers: list[tuple[str, str]] = []
    for name, value in parsed._headers:  # raw pairs, in order, duplicates kept
        decoded, notes = decode_header_value(value)
        headers.append((name, decoded))
        raw_headers.append((name, str(value)))
        msg.errors.extend(f"{name}: {n}" for n in notes)
    msg.headers = headers
    first: dict[str, str] = {}
    for name, value in headers:
        first.setdefault(name.lower(), value)

    def addresses(key: str) -> list[Address]:
        found: list[Address] = []
        for name, value in headers:
            if name.lower() == key:
                found.extend(parse_addresses(value))
        return found

    msg.subject = first["subject"] if "subject" in first else item.subject
    msg.message_id = normalize_message_id(first.get("message-id", "")) or normalize_message_id(
        item.message_id
    )
    msg.in_reply_to = normalize_message_id(first.get("in-reply-to", "")) or normalize_message_id(
        item.in_reply_to
    )
    msg.references = parse_message_ids(first.get("references", "")) or parse_message_ids(item.references)
    msg.sender = addresses("from") or addresses("sender") or _mapi_sender(item)[0]
    table = _recipient_table(item)
    msg.to = addresses("to") if "to" in first else table["to"]
    msg.cc = addresses("cc") if "cc" in first else table["cc"]
    msg.bcc = addresses("bcc") if "bcc" in first else table["bcc"]  # a sender's copy knows its Bcc
    msg.reply_to = addresses("reply-to")
    if "date" in first:
        msg.date_raw = first["date"]
        msg.date, msg.date_error = parse_date(msg.date_raw)
        if msg.date is None:
            fallback = item.submit_time or item.delivery_time
            if fallback is not None:
                msg.date = fallback
                msg.date_error += "; used the Outlook sent/received time instead"
    else:
        _date_from_properties(item, msg)
    # Cut or partial transport headers (and a sender's copy, which knows its Bcc): add what the
    # properties know, so the headers and the rebuilt raw carry every field of the Message.
    present = {name.lower() for name, _ in headers}
    for name, value in _headers_of(msg, []):
        if name.lower() not in present and (name != "Subject" or value):
            headers.append((name, value))
            raw_headers.append((name, value))
    return raw_headers


def _headers_from_properties(item: OutlookItem, msg: Message) -> None:
    msg.subject = item.subject
    msg.message_id = normalize_message_id(item.message_id)
    msg.in_reply_to = normalize_message_id(item.in_reply_to)
    msg.references = parse_message_ids(item.references)
    msg.sender, actual_sender = _mapi_sender(item)
    table = _recipient_table(item)
    msg.to, msg.cc, msg.bcc = table["to"], table["cc"], table["bcc"]
    _date_from_properties(item, msg)
    msg.headers = _headers_of(msg, actual_sender)


def _headers_of(msg: Message, actual_sender: list[Address]) -> list[tuple[str, str]]:
    """Header lines for the fields of a Message built from MAPI properties."""
    headers: list[tuple[str, str]] = []
    if msg.sender:
        headers.append(("From", _format_addresses(msg.sender)))
    if actual_sender:
        headers.append(("Sender", _format_addresses(actual_sender)))
    for name, values in (("To", msg.to), ("Cc", msg.cc), ("Bcc", msg.bcc)):
        if values:
            headers.append((name, _format_addresses(values)))
    headers.append(("Subject", msg.subject))
    if msg.date is not None:
        headers.append(("Date", email.utils.format_datetime(msg.date)))
    if msg.message_id:
        headers.append(("Message-ID", msg.message_id))
    if msg.in_reply_to:
        headers.append(("In-Reply-To", msg.in_reply_to))
    if msg.references:
        headers.append(("References", " ".join(msg.references)))
    return headers


def _mapi_sender(item: OutlookItem) -> tuple[list[Address], list[Address]]:
    """(From, Sender): From is the 'sent representing' mailbox, Sender the delegate when it differs."""
    rep_name, rep_addrs = item.representing_name, item.representing_addresses
    snd_name, snd_addrs = item.sender_name, item.sender_addresses
    if rep_name.lower() == "unknown":
        rep_name = ""
    if snd_name.lower() == "unknown":
        snd_name = ""
    same = not (rep_name or rep_addrs) or not (snd_name or snd_addrs) or (
        rep_name == snd_name or bool(set(rep_addrs) & set(snd_addrs))
    )
    if same:
        name = rep_name or snd_name
        candidates = address_candidates(*rep_addrs, *snd_addrs)
        if not name and not candidates:
            return [], []
        return [Address(name=name, email=candidates[0] if candidates else "")], []
    rep = address_candidates(*rep_addrs)
    snd = address_candidates(*snd_addrs)
    return (
        [Address(name=rep_name, email=rep[0] if rep else "")],
        [Address(name=snd_name, email=snd[0] if snd else "")],
    )


def _recipient_table(item: OutlookItem) -> dict[str, list[Address]]:
    table: dict[str, list[Address]] = {"to": [], "cc": [], "bcc": []}
    for rcpt in item.recipients:
        if rcpt.name or rcpt.email:
            table[rcpt.kind].append(Address(name=rcpt.name, email=rcpt.email))
    if not item.recipients:
        # No recipient table (some exports): the display strings are "Name; Name".
        for kind, display in (("to", item.display_to), ("cc", item.display_cc), ("bcc", item.display_bcc)):
            for part in display.split(";"):
                part = part.strip()
                if part:
                    smtp = is_smtp_address(part)
                    table[kind].append(Address(name="" if smtp else part, email=part if smtp else ""))
    return table


def _date_from_properties(item: OutlookItem, msg: Message) -> None:
    for value in (item.submit_time, item.delivery_time):
        if value is not None:
            msg.date, msg.date_raw = value, value.isoformat()
            if value.year < 1971 or value > datetime.now(UTC) + timedelta(days=366):
                msg.date_error = f"implausible date {value.isoformat()}"
            return
    what = "unsent item (draft)" if item.unsent else "no sent or received time"
    for label, value in (("created", item.creation_time), ("last modified", item.modification_time)):
        if value is not None:
            msg.date, msg.date_raw = value, value.isoformat()
            msg.date_error = f"{what}: the date is when the item was {label}"
            return
    msg.date_error = f"{what}; no date in the Outlook item"


def _read_body(item: OutlookItem, msg: Message) -> str | None:
    """Fill body_text/body_source; return the HTML to carry as an alternative in the rebuilt raw."""
    html: str | None = None
    if item.body_html:
        declared = item.html_charset
        meta = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)""", item.body_html[:4096], re.I)
        if meta:
            declared = meta.group(1).decode("ascii", "replace")
        html, note = decode_bytes(item.body_html, declared or None)
        if note:
            msg.errors.append(f"HTML body: {note}")
        html = html.replace("\x00", "")
    plain = (item.body_text or "").replace("\x00", "")
    if plain.strip():
        body, msg.body_source = plain, "text/plain"
    elif html and html.strip():
        from discovery.ingest.htmltext import html_to_text

        body, msg.body_source = html_to_text(html), "text/html"
    elif item.body_rtf:
        try:
            body, rtf_html, note = rtf_to_body(item.body_rtf)
        except Exception as exc:
            body, rtf_html, note = "", None, f"RTF body unreadable: {short_error(exc)}"
        if note:
            msg.errors.append(note)
        msg.body_source = "rtf" if body.strip() or rtf_html else ""
        html = html or rtf_html
    else:
        body, msg.body_source = plain, "text/plain" if item.body_text is not None else ""
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip()
    if len(body) > MAX_BODY_CHARS:
        msg.errors.append(f"body cut from {len(body)} to {MAX_BODY_CHARS} characters (full text in raw)")
        body = body[:MAX_BODY_CHARS]
    msg.body_text = body
    return html if html and html.strip() else None


@dataclass(slots=True)
class _RawPart:
    data: bytes
    filename: str
    mime: str
    inline: bool = False
    content_id: str = ""
    embedded: bool = False


def _read_attachments(item: OutlookItem, msg: Message, raw_format: str, depth: int) -> list[_RawPart]:
    parts: list[_RawPart] = []
    for index, att in enumerate(item.attachments, start=1):
        name = att.filename.replace("/", "_").replace("\\", "_").replace("\x00", "").strip()
        if att.item is not None:
            parts.extend(_embedded_item(att, msg, raw_format, depth))
            continue
        name = name or f"attachment-{index}.bin"
        if att.data is None:
            reason = att.error or "attachment data missing"
            attachment = make_attachment(b"", name, att.declared_mime, inline=att.inline,
                                         content_id=att.content_id)
            attachment.error = reason
            msg.attachments.append(attachment)
            msg.errors.append(f"attachment {name!r}: {reason}")
            continue
        try:
            attachment = make_attachment(
                att.data, name, att.declared_mime, inline=att.inline, content_id=att.content_id
            )
        except Exception as exc:  # text extraction must not lose the attachment
            attachment = Attachment(
                filename=name,
                mime=att.declared_mime or "application/octet-stream",
                size=len(att.data),
                sha256=hashlib.sha256(att.data).hexdigest(),
                declared_mime=att.declared_mime.lower(),
                error=f"not read for text: {short_error(exc)}",
                inline=att.inline,
                content_id=att.content_id,
            )
        if att.error:
            attachment.error = f"{att.error}; {attachment.error}" if attachment.error else att.error
        if attachment.error:
            msg.errors.append(f"attachment {name!r}: {attachment.error}")
        msg.attachments.append(attachment)
        mime = att.declared_mime.lower() if re.fullmatch(r"[\w.+-]+/[\w.+-]+", att.declared_mime) else ""
        parts.append(_RawPart(att.data, name, mime or attachment.mime, att.inline, att.content_id))
    return parts


def _embedded_item(att: OutlookAttachment, msg: Message, raw_format: str, depth: int) -> list[_RawPart]:
    assert att.item is not None
    if depth + 1 > MAX_EMBEDDED_DEPTH:
        msg.errors.append(f"attached Outlook items nested deeper than {MAX_EMBEDDED_DEPTH}; not read")
        return []
    index = len(msg.embedded) + 1
    child = build_message(att.item, _child_provenance(msg.provenance, index), raw_format, _depth=depth + 1)
    msg.embedded.append(child)
    data = child.raw or b""
    subject = child.subject or att.filename or "attached message"
    name = f"{subject[:80]}.eml".replace("/", "_").replace("\\", "_")
    msg.attachments.append(
        Attachment(
            filename=name,
            mime="message/rfc822",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            declared_mime="message/rfc822",
            text=None,
        )
    )
    return [_RawPart(data, name, "message/rfc822", embedded=True)] if data else []


def _rebuild_raw(
    msg: Message, headers: list[tuple[str, str]], html: str | None, parts: list[_RawPart]
) -> bytes | None:
    """An RFC 822 rendering of the item: its headers, the body (text/plain, HTML alternative), attachments."""
    last_error: Exception | None = None
    for mode in ("as-is", "ascii", "minimal"):
        try:
            out = EmailMessage(policy=_RAW_POLICY)
            for name, value in headers:
                if name.lower() in _MIME_STRUCTURE_HEADERS or not _HEADER_NAME.fullmatch(name):
                    continue
                if mode == "minimal" and name.lower() not in ("subject", "date", "message-id", "from"):
                    continue
                _set_raw_header(out, name, value, ascii_only=mode != "as-is")
            out.set_content(msg.body_text or "")
            if html:
                out.add_alternative(html, subtype="html")
            for part in parts:
                _add_raw_part(out, part)
            return out.as_bytes()
        except Exception as exc:  # the stdlib can fail to fold odd values: retry with plainer headers
            last_error = exc
    msg.errors.append(f"raw rebuild failed: {short_error(last_error or Exception('unknown'))}")
    return None


_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")


def _set_raw_header(out: EmailMessage, name: str, value: str, *, ascii_only: bool) -> None:
    """Add a header keeping an ASCII value byte for byte (folds included); non-ASCII values are encoded."""
    lines = value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Continuation lines must start with white space, and a blank line would end the header block.
    kept = [lines[0].strip()]
    for line in lines[1:]:
        if line.strip():
            kept.append(line.rstrip() if line[:1] in (" ", "\t") else " " + line.rstrip())
    folded = "\n".join(kept)
    if folded.isascii():
        out.set_raw(name, folded)
        return
    text, _ = decode_header_value(folded)
    if not ascii_only:
        try:
            out[name] = text
            return
        except Exception:  # more than one of a unique header, or a value the header parser rejects
            pass
    out.set_raw(name, email.header.Header(text, "utf-8", header_name=name).encode())


def _add_raw_part(out: EmailMessage, part: _RawPart) -> None:
    if part.embedded:
        inner = BytesParser(policy=_RAW_POLICY).parsebytes(part.data)
        out.add_attachment(inner, filename=part.filename)
        return
    maintype, _, subtype = (part.mime or "application/octet-stream").partition("/")
    if maintype in ("multipart", "message") or not subtype:
        maintype, subtype = "application", "octet-stream"
    cid = part.content_id.strip().strip("<>")
    out.add_attachment(
        part.data,
        maintype=maintype,
        subtype=subtype,
        filename=part.filename,
        disposition="inline" if part.inline else "attachment",
        cid=f"<{cid}>" if cid else None,
    )


# ------------------------------------------------------------------------------------ the .msg reader


def read_msg(path: Path, origin: Origin) -> ReadResult:
    """Read one Outlook .msg file: yields one Message (with any attached messages in ``embedded``).

    Raises SourceUnreadable when the file is not an Outlook item, is corrupt, or is not mail (contact
    cards, notes, calendar items, tasks: the reason says which, so it can be reported as skipped).
    """
    try:
        import extract_msg
        from extract_msg.enums import ErrorBehavior
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise SourceUnreadable(f"cannot read .msg files: extract-msg is not installed ({exc})") from exc
    try:
        outlook = extract_msg.openMsg(
            str(path),
            strict=False,
            delayAttachments=True,
            errorBehavior=ErrorBehavior.SUPPRESS_ALL,
        )
    except Exception as exc:
        raise SourceUnreadable(_open_failure_reason(exc)) from exc
    try:
        try:
            message_class = clean_text(outlook.classType)
        except Exception as exc:
            reason = f"corrupt .msg file: message class unreadable ({short_error(exc)})"
            raise SourceUnreadable(reason) from exc
        if not message_class:
            raise SourceUnreadable(
                "OLE compound file without an Outlook message class: not an Outlook item, or truncated"
            )
        reason = non_mail_reason(message_class)
        if reason:
            raise NotMailItem(reason)
        try:
            item = _item_from_msg(outlook, 0)
            message = build_message(item, origin.provenance("msg"), "rebuilt-from-msg")
        except SourceUnreadable:
            raise
        except Exception as exc:
            raise SourceUnreadable(f"corrupt .msg file: {short_error(exc)}") from exc
    finally:
        try:
            outlook.close()
        except Exception:
            pass
    yield message


def _open_failure_reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = short_error(exc, 200)
    if name == "InvalidFileFormatError" or "not an OLE2" in str(exc) or "not an olefile" in str(exc).lower():
        return f"not an Outlook .msg file (not an OLE compound file): {text}"
    if isinstance(exc, OSError) and not name.startswith("OleFile"):
        return f"cannot open .msg file: {text}"
    return f"corrupt or truncated .msg file: {text}"


def _msg_string(obj: Any, prop: str) -> str:
    try:
        return clean_text(obj.getStringStream(f"__substg1.0_{prop}"))
    except Exception:
        return ""


def _msg_value(obj: Any, prop: str) -> Any:
    try:
        return obj.getPropertyVal(prop)
    except Exception:
        return None


def _guarded(notes: list[str], what: str, func: Callable[[], Any]) -> Any:
    try:
        return func()
    except Exception as exc:
        notes.append(f"{what} unreadable: {short_error(exc)}")
        return None


def _item_from_msg(outlook: Any, depth: int) -> OutlookItem:
    """Collect the parts of an extract-msg object (a .msg file, or an item attached to one)."""
    notes: list[str] = []
    item = OutlookItem(notes=notes)
    item.message_class = clean_text(_guarded(notes, "message class", lambda: outlook.classType))
    item.subject = _msg_string(outlook, "0037")
    item.transport_headers = (_msg_string(outlook, "007D") or "").replace("\x00", "")
    item.sender_name = _msg_string(outlook, "0C1A")
    item.sender_addresses = address_candidates(_msg_string(outlook, "5D01"), _msg_string(outlook, "0C1F"))
    item.representing_name = _msg_string(outlook, "0042")
    item.representing_addresses = address_candidates(
        _msg_string(outlook, "5D02"), _msg_string(outlook, "0065")
    )
    item.submit_time = aware_utc(_msg_value(outlook, "00390040"))
    item.delivery_time = aware_utc(_msg_value(outlook, "0E060040"))
    item.creation_time = aware_utc(_msg_value(outlook, "30070040"))
    item.modification_time = aware_utc(_msg_value(outlook, "30080040"))
    flags = _msg_value(outlook, "0E070003")
    item.unsent = isinstance(flags, int) and bool(flags & 0x8)
    item.message_id = _msg_string(outlook, "1035")
    item.in_reply_to = _msg_string(outlook, "1042")
    item.references = _msg_string(outlook, "1039")
    item.display_to = _msg_string(outlook, "0E04")
    item.display_cc = _msg_string(outlook, "0E03")
    item.display_bcc = _msg_string(outlook, "0E02")
    recipients = _guarded(notes, "recipient table", lambda: list(getattr(outlook, "recipients", [])))
    for rcpt in recipients or []:
        try:
            emails = address_candidates(_msg_string(rcpt, "39FE"), _msg_string(rcpt, "3003"))
            item.recipients.append(
                OutlookRecipient(
                    kind=recipient_kind(rcpt.getPropertyVal("0C150003")),
                    name=_msg_string(rcpt, "3001") or _msg_string(rcpt, "5FF6"),
                    email=emails[0] if emails else "",
                )
            )
        except Exception as exc:
            notes.append(f"recipient unreadable: {short_error(exc)}")
    try:
        body = outlook.getStringStream("__substg1.0_1000")
        item.body_text = body if body is None else str(body)
    except Exception as exc:
        notes.append(f"plain text body unreadable: {short_error(exc)}")
    try:
        html = outlook.getStream("__substg1.0_10130102")
        if html is None:
            html_text = outlook.getStringStream("__substg1.0_1013")
            html = html_text.encode("utf-8") if html_text else None
            item.html_charset = "utf-8" if html_text else ""
        else:
            item.html_charset = codepage_charset(_msg_value(outlook, "3FDE0003"))
        item.body_html = html or None
    except Exception as exc:
        notes.append(f"HTML body unreadable: {short_error(exc)}")
    if not (item.body_text or "").strip() and not item.body_html:
        item.body_rtf = _guarded(notes, "RTF body", lambda: outlook.rtfBody) or None
    attachments = _guarded(notes, "attachment table", lambda: list(outlook.attachments)) or []
    for index, att in enumerate(attachments, start=1):
        item.attachments.append(_attachment_from_msg(att, index, depth))
    return item


def _attachment_from_msg(att: Any, index: int, depth: int) -> OutlookAttachment:
    name = (
        _msg_string(att, "3707") or _msg_string(att, "3704") or _msg_string(att, "3001") or ""
    )
    out = OutlookAttachment(filename=name)
    out.declared_mime = _msg_string(att, "370E")
    out.content_id = _msg_string(att, "3712")
    hidden = _msg_value(att, "7FFE000B")
    flags = _msg_value(att, "37140003")
    out.inline = bool(hidden) or (isinstance(flags, int) and bool(flags & 0x4))
    try:
        kind = int(att.type)
    except Exception as exc:
        out.error = f"attachment unreadable: {short_error(exc)}"
        return out
    # extract_msg.enums.AttachmentType: DATA 0, MSG 1, WEB 2, SIGNED 3, BROKEN 4, UNSUPPORTED 5,
    # SIGNED_EMBEDDED 6, CUSTOM 7
    try:
        data = att.data
    except Exception as exc:
        out.error = f"attachment data unreadable: {short_error(exc)}"
        return out
    if kind in (1, 6) and data is not None and hasattr(data, "getStringStream"):
        if depth + 1 > MAX_EMBEDDED_DEPTH:
            out.error = f"attached Outlook items nested deeper than {MAX_EMBEDDED_DEPTH}; not read"
            return out
        try:
            out.item = _item_from_msg(data, depth + 1)
        except Exception as exc:
            out.error = f"attached Outlook item unreadable: {short_error(exc)}"
        if not out.filename and out.item is not None:
            out.filename = out.item.subject
        return out
    if isinstance(data, bytes | bytearray):
        out.data = bytes(data)
        if not out.filename:
            out.filename = f"attachment-{index}.bin"
        declared = _stream_size(att, "__substg1.0_37010102")
        if declared is not None and declared > len(out.data):
            out.error = f"data cut short: {len(out.data)} of {declared} bytes (file truncated or damaged)"
        return out
    if kind == 2:
        url = _msg_string(att, "3713") or _msg_string(att, "3707")
        out.error = f"web attachment: only a link was stored ({url})" if url else "web attachment: not stored"
    elif kind == 4:
        out.error = "broken attachment: extract-msg could not read it"
    elif kind == 5:
        out.error = "unsupported attachment type (OLE object or linked file); not extracted"
    else:
        out.error = "attachment has no data"
    return out


def _stream_size(att: Any, stream: str) -> int | None:
    """The size the OLE directory declares for one of an attachment's streams (olefile reads short streams
    of a truncated file without complaint when defects are tolerated)."""
    try:
        return int(att.msg._getOleEntry([att.dir, stream]).size)
    except Exception:
        return None
