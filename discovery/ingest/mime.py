"""Provides parse_rfc822: raw RFC 822/MIME bytes to a normalized Message, shared by every text reader."""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import hashlib
import re
from email.message import Message as EmailMessage

from discovery.ingest.base import Origin, make_attachment
from discovery.ingest.fields import (
    decode_bytes,
    decode_header_value,
    normalize_message_id,
    parse_date,
    parse_message_ids,
)
from discovery.ingest.outlook_names import parse_recipients
from discovery.ingest.repair import decode_transfer_encoding, repair_header_blocks
from discovery.model import Address, Attachment, Message, Provenance

MAX_DEPTH = 40  # MIME nesting deeper than this is kept as an error note, not walked
MAX_EMBEDDED_DEPTH = 8  # forwarded messages inside forwarded messages
MAX_PARTS = 2_000
MAX_BODY_CHARS = 20_000_000

_ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "reply-to")
_HEADER_START = re.compile(rb"[\x21-\x39\x3b-\x7e]{1,76}:")


def parse_rfc822(raw: bytes, provenance: Provenance, *, _depth: int = 0) -> Message:
    """Parse one message. Never raises for bad input: whatever fails is kept as a note in ``errors``."""
    return _parse(raw, provenance, _depth, None)


def attachment_payloads(raw: bytes) -> list[bytes]:
    """The decoded bytes of every attachment of a stored message, in the order of ``Message.attachments``,
    decoded with the same tolerant decoders as the ingest (so their sha256 match the stored ones)."""
    collected: list[bytes] = []
    _parse(raw, Provenance(path="", kind="eml"), 0, collected)
    return collected


def _parse(raw: bytes, provenance: Provenance, _depth: int, collect: list[bytes] | None) -> Message:
    msg = Message(provenance=provenance, raw=raw)
    raw = raw.replace(b"\r\n", b"\n") if b"\r\n" in raw[:4096] else raw
    if raw[:1] == b"\n" and _HEADER_START.match(raw.lstrip(b"\n")):
        raw = raw.lstrip(b"\n")  # some exports put blank lines before the headers
        msg.errors.append("blank lines before the headers were skipped")
    raw, repairs = repair_header_blocks(raw)
    msg.errors.extend(repairs)
    try:
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    except (Exception, RecursionError) as exc:  # the stdlib parser is lenient; this is a last resort
        msg.errors.append(f"MIME structure could not be parsed ({type(exc).__name__}); body kept as raw text")
        try:
            headers_only = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
            _read_headers(headers_only, msg)
        except Exception as inner:
            msg.errors.append(f"headers could not be parsed either: {type(inner).__name__}")
        _, _, body = raw.partition(b"\n\n")
        msg.body_text, _ = decode_bytes(body or raw, None)
        msg.body_source = "raw"
        return msg
    for defect in parsed.defects[:10]:
        msg.errors.append(f"header defect: {type(defect).__name__}")
    _read_headers(parsed, msg)
    _read_body(parsed, msg, _depth, collect)
    return msg


def _read_headers(parsed: EmailMessage, msg: Message) -> None:
    headers: list[tuple[str, str]] = []
    for name, value in parsed._headers:  # raw pairs, in order, duplicates kept
        text, notes = decode_header_value(value)
        headers.append((name, text))
        msg.errors.extend(f"{name}: {n}" for n in notes)
    msg.headers = headers
    first: dict[str, str] = {}
    for name, text in headers:
        first.setdefault(name.lower(), text)

    msg.subject = first.get("subject", "")
    msg.message_id = normalize_message_id(first.get("message-id", ""))
    msg.in_reply_to = normalize_message_id(first.get("in-reply-to", ""))
    msg.references = parse_message_ids(first.get("references", ""))
    msg.date_raw = first.get("date", "")
    msg.date, msg.date_error = parse_date(msg.date_raw)

    def addresses(key: str) -> list[Address]:
        values = [text for name, text in headers if name.lower() == key]
        found: list[Address] = []
        for value in values:
            people, note = parse_recipients(value)
            found.extend(people)
            if note:
                msg.errors.append(f"{key}: {note}")
        return found

    msg.sender = addresses("from") or addresses("sender")
    msg.to = addresses("to")
    msg.cc = addresses("cc")
    msg.bcc = addresses("bcc")
    msg.reply_to = addresses("reply-to")
    # Exports such as Enron's carry display names in X-From/X-To when From has only an address.
    x_from = first.get("x-from", "")
    if x_from and len(msg.sender) == 1 and not msg.sender[0].name:
        name = re.sub(r"\s*<[^>]*>\s*$", "", x_from).strip().strip('"')
        if name and "@" not in name:
            msg.sender = [Address(name=name, email=msg.sender[0].email)]
    _unwrap_list_sender(msg, first)


_VIA_LIST = re.compile(r"^\s*['\"]?(?P<name>.+?)['\"]?\s+via\s+(?P<list>\S.*)$", re.IGNORECASE)


def _unwrap_list_sender(msg: Message, first: dict[str, str]) -> None:
    """Where a mailing list rewrote From ("X via list" <list@...>), take the real sender from X-Original-From,
    else from a Reply-To naming the same person; the list's own address is noted, not lost."""
    if len(msg.sender) != 1 or not _VIA_LIST.match(msg.sender[0].name or ""):
        return
    rewritten = msg.sender[0]
    person = _VIA_LIST.match(rewritten.name)
    assert person is not None
    name = person.group("name").strip("'\" ")
    real: list[Address] = []
    origin = ""
    if first.get("x-original-from"):
        real, _ = parse_recipients(first["x-original-from"])
        origin = "X-Original-From"
    if not (len(real) == 1 and real[0].email) and len(msg.reply_to) == 1 and msg.reply_to[0].email:
        candidate = msg.reply_to[0]
        if candidate.email.lower() != rewritten.email.lower() and (
            not candidate.name or candidate.name.strip("'\" ").lower() == name.lower()
        ):
            real, origin = [Address(name=candidate.name or name, email=candidate.email)], "Reply-To"
    if len(real) == 1 and real[0].email:
        msg.sender = [Address(name=real[0].name or name, email=real[0].email)]
        msg.errors.append(f"from: the list rewrote the sender as {str(rewritten)!r}; real sender taken from "
                          f"{origin}")


def _read_body(parsed: EmailMessage, msg: Message, depth: int, collect: list[bytes] | None = None) -> None:
    plain: list[str] = []
    html: list[str] = []
    counter = [0]

    def walk(part: EmailMessage, level: int, in_alternative: bool) -> None:
        counter[0] += 1
        if counter[0] > MAX_PARTS:
            if counter[0] == MAX_PARTS + 1:
                msg.errors.append(f"more than {MAX_PARTS} MIME parts; the rest were not read")
            return
        if level > MAX_DEPTH:
            if not any(e.startswith("MIME nesting") for e in msg.errors):
                msg.errors.append(f"MIME nesting deeper than {MAX_DEPTH} levels; inner parts kept in raw only")
            return
        ctype = part.get_content_type()
        maintype = part.get_content_maintype()
        disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = _filename(part, msg)
        if ctype == "message/rfc822" or ctype == "message/global":
            _embedded(part, msg, level, depth, filename, collect)
            return
        if part.is_multipart():
            if ctype == "multipart/alternative":
                _walk_alternative(part, level, walk)
            else:
                payload = part.get_payload()
                if isinstance(payload, list):
                    for sub in payload:
                        if isinstance(sub, EmailMessage):
                            walk(sub, level + 1, False)
            return
        is_attachment = disposition == "attachment" or (
            filename and not (maintype == "text" and ctype in ("text/plain", "text/html") and disposition == "inline")
        )
        if not is_attachment and ctype in ("text/plain", "text/html", "text/enriched", "text/richtext", ""):
            text = _decode_text_part(part, msg)
            if text is None:
                return
            (html if ctype == "text/html" else plain).append(text)
            return
        if not is_attachment and maintype == "text":
            # text/calendar and friends inline: keep as an attachment so the text is searchable
            filename = filename or f"part.{part.get_content_subtype()}"
        data = _payload_bytes(part, msg, filename or ctype)
        if data is None:
            return
        name = filename or _default_name(ctype, len(msg.attachments) + 1)
        att = make_attachment(
            data,
            name,
            ctype,
            inline=disposition == "inline",
            content_id=str(part.get("Content-ID") or "").strip(),
        )
        if att.error:
            msg.errors.append(f"attachment {name!r}: {att.error}")
        msg.attachments.append(att)
        if collect is not None:
            collect.append(data)

    def _walk_alternative(part: EmailMessage, level: int, walker) -> None:  # type: ignore[no-untyped-def]
        subs = [s for s in part.get_payload() if isinstance(s, EmailMessage)]
        if not subs:
            return
        # Prefer text/plain when it has content, else the richest part (the last, per RFC 2046).
        choice = None
        for sub in subs:
            if sub.get_content_type() == "text/plain":
                text = _decode_text_part(sub, msg, quiet=True)
                if text and text.strip():
                    choice = sub
                    break
        if choice is None:
            for sub in reversed(subs):
                if sub.get_content_type() == "text/html" or sub.is_multipart():
                    choice = sub
                    break
        if choice is None:
            choice = subs[-1]
        walker(choice, level + 1, True)
        # Parts in the alternative that are not bodies (calendar invites) are kept as attachments.
        for sub in subs:
            if sub is not choice and sub.get_content_type() == "text/calendar":
                walker(sub, level + 1, True)

    walk(parsed, 0, False)
    if plain and any(t.strip() for t in plain):
        body = "\n\n".join(t for t in plain if t.strip())
        msg.body_source = "text/plain"
    elif html:
        from discovery.ingest.htmltext import html_to_text

        body = "\n\n".join(html_to_text(h) for h in html)
        msg.body_source = "text/html"
    else:
        body = "\n\n".join(plain)
        msg.body_source = "text/plain" if plain else ""
    body = body.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if len(body) > MAX_BODY_CHARS:
        msg.errors.append(f"body cut from {len(body)} to {MAX_BODY_CHARS} characters (full text in raw)")
        body = body[:MAX_BODY_CHARS]
    msg.body_text = body


def _decode_text_part(part: EmailMessage, msg: Message, *, quiet: bool = False) -> str | None:
    data = _payload_bytes(part, msg, part.get_content_type(), quiet=quiet)
    if data is None:
        return None
    charset = part.get_content_charset() or part.get_param("charset") or None
    if isinstance(charset, tuple):  # RFC 2231 charset parameter
        charset = charset[2]
    text, note = decode_bytes(data, charset if isinstance(charset, str) else None)
    if note and not quiet:
        msg.errors.append(f"{part.get_content_type()} body: {note}")
    return text


def _payload_bytes(part: EmailMessage, msg: Message, what: str, *, quiet: bool = False) -> bytes | None:
    encoded = _tolerant_payload(part, msg, what, quiet)
    if encoded is not None:
        return encoded
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        if not quiet:
            msg.errors.append(f"{what}: could not decode payload: {type(exc).__name__}: {exc}")
        return None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            return payload.encode("utf-8", "surrogateescape")
        return b""
    for defect in part.defects:
        name = type(defect).__name__
        if not quiet and name in ("InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect",
                                  "InvalidBase64LengthDefect"):
            msg.errors.append(f"{what}: {name} (decoded what could be decoded)")
    return data


def _tolerant_payload(part: EmailMessage, msg: Message, what: str, quiet: bool) -> bytes | None:
    """Base64 and quoted-printable parts decoded by our tolerant decoders; None for other encodings."""
    decoded = decode_transfer_encoding(part)
    if decoded is None:
        return None
    data, notes = decoded
    if not quiet:
        msg.errors.extend(f"{what}: {note}" for note in notes)
    return data


def _filename(part: EmailMessage, msg: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception as exc:
        msg.errors.append(f"attachment name unreadable: {exc}")
        return ""
    if isinstance(name, tuple):  # undecoded RFC 2231 triple
        charset, _, value = name
        name = email.utils.collapse_rfc2231_value(name) if charset else value
    text, notes = decode_header_value(str(name))
    msg.errors.extend(f"attachment name: {n}" for n in notes)
    return text.replace("/", "_").replace("\\", "_").strip()


def _default_name(ctype: str, index: int) -> str:
    ext = {
        "text/calendar": "ics",
        "text/plain": "txt",
        "text/html": "html",
        "application/pdf": "pdf",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
    }.get(ctype, "bin")
    return f"attachment-{index}.{ext}"


def _embedded(part: EmailMessage, msg: Message, level: int, depth: int, filename: str,
              collect: list[bytes] | None = None) -> None:
    payload = part.get_payload()
    inner: EmailMessage | None = None
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
        inner = payload[0]
    try:
        if inner is not None:
            data = inner.as_bytes(policy=email.policy.compat32.clone(max_line_length=0))
        else:
            data = part.get_payload(decode=True) or b""
    except Exception as exc:
        msg.errors.append(f"forwarded message could not be re-read: {type(exc).__name__}: {exc}")
        return
    index = len(msg.embedded) + 1
    subject = ""
    if depth + 1 <= MAX_EMBEDDED_DEPTH:
        prov = msg.provenance
        child_prov = Provenance(
            path=prov.path,
            kind=prov.kind,
            locator=f"{prov.locator}/part:{index}",
            inner_path=prov.inner_path,
            folder=prov.folder,
            custodian=prov.custodian,
        )
        child = parse_rfc822(data, child_prov, _depth=depth + 1)
        subject = child.subject
        msg.embedded.append(child)
    else:
        msg.errors.append(f"forwarded messages nested deeper than {MAX_EMBEDDED_DEPTH}; kept as attachment")
    name = filename or f"{(subject or 'forwarded message')[:80]}.eml".replace("/", "_")
    att = Attachment(
        filename=name,
        mime="message/rfc822",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        declared_mime=part.get_content_type(),
        text=None,
    )
    msg.attachments.append(att)
    if collect is not None:
        collect.append(data)


def read_single(data: bytes, origin: Origin, kind: str = "eml") -> Message:
    """Parse a file holding exactly one message (an .eml, a Maildir file)."""
    return parse_rfc822(data, origin.provenance(kind))
