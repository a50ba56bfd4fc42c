"""Provides mime_skeleton: the original MIME tree of a message as plain MimePart records for the mail writers,
with each leaf pointed at the published field or attachment that supplies it (never its original content)."""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from discovery.ingest.repair import decode_transfer_encoding
from discovery.redact.production import MimePart, WithheldUnit
from discovery.redact.variants import compact

MAX_PARTS = 500


def _disposition(part: Message) -> str:
    return str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()


def _is_attachment(part: Message) -> bool:
    ctype = part.get_content_type()
    disposition = _disposition(part)
    try:
        filename = part.get_filename() or part.get_param("name") or ""
    except Exception:
        filename = "?"
    return disposition == "attachment" or bool(
        filename and not (ctype in ("text/plain", "text/html") and disposition == "inline"))


def _html_matches(part: Message, body_text: str) -> bool:
    from discovery.ingest.htmltext import html_to_text

    try:
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        html = payload.decode(charset, "replace") if isinstance(payload, bytes) else str(payload)
    except (LookupError, ValueError):
        return False
    return compact(html_to_text(html)) == compact(body_text)


def mime_skeleton(raw: bytes, body_source: str, body_text: str, children: dict[int, str] | None = None,
                  payloads: dict[int, bytes] | None = None) -> tuple[tuple[MimePart, ...], list[WithheldUnit]]:
    """The MIME parts of ``raw`` in walk order and the units withheld because nobody could review them (an HTML
    alternative whose text differs from the reviewed body; parts of an alternative that ingest did not read).
    ``children`` maps the n-th forwarded message (1-based, walk order) to its case id. When ``payloads`` is
    given it is filled with attachment position -> decoded bytes (for redaction in the file's own format)."""
    try:
        # compat32: the header registry's parsers cost more than everything else a production does, and the
        # skeleton needs only content types, parameters and dispositions, which the legacy parser reads the same
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # adversarial input: publish without a skeleton rather than fail
        return (), []
    parts: list[MimePart] = []
    withheld: list[WithheldUnit] = []
    counter = {"attachment": 0, "embedded": 0}

    def add(part: Message, path: str, supplies: str, document: str = "") -> None:
        charset = part.get_content_charset() or ""
        parts.append(MimePart(path, part.get_content_type(), charset, _disposition(part), supplies, document))

    def hold(part: Message, path: str, reason: str, detail: str) -> None:
        add(part, path, "withheld")
        withheld.append(WithheldUnit(f"mime:{path or 'root'}", reason, detail))

    def walk(part: Message, path: str, chosen: bool) -> None:
        if len(parts) >= MAX_PARTS:
            return
        ctype = part.get_content_type()

        def child(i: int) -> str:
            return f"{path}.{i}" if path else str(i)

        if ctype in ("message/rfc822", "message/global"):
            if chosen:
                counter["attachment"] += 1
                counter["embedded"] += 1
                add(part, path, "embedded", (children or {}).get(counter["embedded"], ""))
            else:
                hold(part, path, "not-read", "a forwarded message in an alternative that was not read")
            return
        if part.is_multipart():
            add(part, path, "")
            subs = [s for s in part.get_payload() if isinstance(s, Message)]  # type: ignore[union-attr]
            if ctype == "multipart/alternative" and chosen:
                choice = _choice(subs)
                for i, sub in enumerate(subs, 1):
                    keep = sub is choice or sub.get_content_type() == "text/calendar"
                    walk(sub, child(i), keep)
            else:
                for i, sub in enumerate(subs, 1):
                    walk(sub, child(i), chosen)
            return
        attachment = _is_attachment(part)
        if not chosen:
            if ctype == "text/html" and not attachment:
                if _html_matches(part, body_text):
                    add(part, path, "body-html")
                else:
                    hold(part, path, "html-differs", "an HTML alternative whose text differs from the reviewed "
                         "text part")
            else:
                hold(part, path, "not-read", f"a {ctype} part of an alternative that was not read")
            return
        if not attachment and ctype in ("text/plain", "text/html", "text/enriched", "text/richtext"):
            if ctype == "text/html":
                if body_source == "text/html" or _html_matches(part, body_text):
                    add(part, path, "body-html")
                else:
                    hold(part, path, "html-differs", "an HTML part whose text differs from the reviewed body")
            else:
                add(part, path, "body")
            return
        add(part, path, f"attachment:{counter['attachment']}")
        if payloads is not None:
            data = _payload_bytes(part)
            if data is not None:
                payloads[counter["attachment"]] = data
        counter["attachment"] += 1

    walk(parsed, "", True)
    return tuple(parts), withheld


def _payload_bytes(part: Message) -> bytes | None:
    """An attachment's bytes decoded as ingest decodes them (damaged base64 and quoted-printable repaired, e.g.
    Outlook's padding on every line, where the email package stops decoding), so they are the bytes reviewed."""
    tolerant = decode_transfer_encoding(part)
    if tolerant is not None:
        return tolerant[0]
    try:
        decoded = part.get_payload(decode=True)
    except Exception:
        return None
    return decoded if isinstance(decoded, bytes) else None


def _choice(subs: list[Message]) -> Message | None:
    """The alternative ingest read: text/plain with content, else the last HTML or multipart, else the last."""
    for sub in subs:
        if sub.get_content_type() == "text/plain":
            if _text_of(sub).strip():
                return sub
    for sub in reversed(subs):
        if sub.get_content_type() == "text/html" or sub.is_multipart():
            return sub
    return subs[-1] if subs else None


def _text_of(part: Message) -> str:
    """A text part's decoded text, as EmailMessage.get_content gives it (unknown charsets read as UTF-8)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset("ascii") or "ascii"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")
