"""Provides the eml and mbox writers of a production: RFC 5322 messages rebuilt from the published records only.

The writers read nothing but the records of ``discovery.redact.production`` (no store, no raw message, no clock):
headers as the records give them (From/To/Cc/Bcc/Reply-To/Sender written from the published address pairs, names
RFC 2047-encoded, a label that is not an address turned into a quoted local part at ``redacted.invalid``), the
original MIME structure from the document's skeleton (multipart/mixed, alternative, related; forwarded messages as
message/rfc822 rendered from their own published records, or a slip), text parts from the published body, the HTML
alternative rendered from the published body (never from the original HTML), attachments as published (their
redacted bytes, their redacted text as ``<name>.txt``, or a slip saying withheld and why), RFC 2231 file names.
Message-ID, when the records carry none, and the MIME boundaries derive from Bates numbers; a date nobody knows is
1 January 1970 with a ``Comments`` header saying so. Output is deterministic: the same records give the same bytes.

``eml/<BATES>.eml`` files use CRLF line ends; ``mbox/production.mbox`` holds the same messages with LF line ends in
mboxrd form (a ``From `` separator per message, body lines matching ``>*From `` quoted with one more ``>``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from discovery.errors import RedactionError
from discovery.redact.production import MimePart, ProducedAttachment, ProducedDocument, Production

PRODUCTION_DOMAIN = "production.invalid"  # our own ids: Message-ID, Content-ID, mbox separators
REDACTED_DOMAIN = "redacted.invalid"  # where a redacted address points (RFC 2606: never resolves)
UNKNOWN_ADDRESS = f"unknown@{PRODUCTION_DOMAIN}"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_EMBEDDED_DEPTH = 8
LINE = 76  # longest encoded body line and preferred header line
MAX_SINGLE_WORD = 600  # bytes of a display name written as one RFC 2047 word (a line stays under 998)

# Role of each address header, in the order they are written when the records' headers do not place them.
ADDRESS_HEADERS = {"from": "From", "sender": "Sender", "reply-to": "Reply-To", "to": "To", "cc": "Cc", "bcc": "Bcc"}
# Headers the writer owns: whatever the records say about them is replaced by what the writer builds.
OWN_HEADERS = frozenset({"mime-version", "content-type", "content-transfer-encoding", "content-disposition",
                         "content-id", "content-length", "lines", "x-bates-begin", "x-bates-end"})
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 ftext
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR_SPEC = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                        rf"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
_PHRASE_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HEADER_BREAKS = re.compile(r"\s*(?:\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])\s*")
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MBOX_FROM = re.compile(rb"^(>*From )", re.MULTILINE)
_LINE_FROM = re.compile(rb">*From ")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- headers ---------------------------------------------------------------------------------------------
def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def header_text(value: str) -> str:
    """A published header text as mail can carry it: on one line (each line break, with the blanks around it,
    becomes one space, and so does a tab), other ASCII control characters shown as their Unicode control pictures
    (U+2400...), U+FFFD (which readers take for undecodable bytes) as '?', no blanks at either end."""
    value = _HEADER_BREAKS.sub(" ", value).replace("\ufffd", "?").replace("\t", " ")
    return _HEADER_CONTROL.sub(_control_picture, value).strip()


def _needs_encoding(value: str) -> bool:
    return not value.isascii() or bool(_CONTROL.search(value)) or "=?" in value or any(
        len(word) > 900 for word in value.split(" "))


def fold_header(name: str, value: str) -> str:
    """One header as text lines joined by '\\n': printable ASCII folded at spaces within 78 columns, anything
    else (non-ASCII, control characters, text that looks like an encoded word) as RFC 2047 encoded words."""
    value = header_text(value)
    if _needs_encoding(value):
        encoded = Header(value, "utf-8", header_name=name, maxlinelen=LINE).encode(linesep="\n")
        return f"{name}: {encoded}"
    lines: list[str] = []
    current = f"{name}:"
    for word in value.split(" "):
        if word and len(current) + 1 + len(word) > 78 and current.strip() and current != f"{name}:":
            lines.append(current)
            current = " " + word
        else:
            current = f"{current} {word}"
    lines.append(current)
    return "\n".join(lines)


def _phrase(name: str) -> str:
    """A display name as an RFC 5322 phrase: atoms as they are, specials quoted, non-ASCII encoded."""
    name = header_text(name).strip()
    if _needs_encoding(name):
        # One encoded word when it fits a line: readers differ on the blank between two words in a phrase
        # (RFC 2047 drops it, Python's parser keeps one), so a name is split only when it must be.
        single = len(name.encode("utf-8")) <= MAX_SINGLE_WORD
        return Header(name, "utf-8", maxlinelen=900 if single else LINE).encode(linesep="\n")
    if _PHRASE_ATOMS.fullmatch(name) and name.strip():
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _addr_spec(email: str) -> tuple[str, bool]:
    """(addr-spec, kept): the published address when it is one; a label or other text becomes a quoted local part
    at redacted.invalid (kept False), so the message stays valid and the label stays visible."""
    email = header_text(email).strip().strip("<>").strip()
    if _ADDR_SPEC.fullmatch(email):
        return email, True
    local, at, domain = email.rpartition("@")
    printable = email.isascii() and not _CONTROL.search(email)
    if at and local and printable and _ADDR_SPEC.fullmatch(f"x@{domain}"):
        return '"' + local.replace("\\", "\\\\").replace('"', '\\"') + f'"@{domain}', True
    if email and printable:
        return '"' + email.replace("\\", "\\\\").replace('"', '\\"') + f'"@{REDACTED_DOMAIN}', False
    return f"redacted@{REDACTED_DOMAIN}", False


def format_mailbox(name: str, email: str) -> str:
    """One mailbox for an address header; '' when both parts are empty."""
    name, email = header_text(name), header_text(email)
    if not name and not email:
        return ""
    if not email:
        email = UNKNOWN_ADDRESS
    spec, kept = _addr_spec(email)
    if not name and not kept and not email.isascii():
        name = email  # a blackout label: keep it visible as the display name
    return f"{_phrase(name)} <{spec}>" if name else spec


def address_header(name: str, pairs: list[tuple[str, str]]) -> str:
    """An address header, one mailbox per line when they do not fit on one."""
    boxes = [b for b in (format_mailbox(n, e) for n, e in pairs) if b]
    one_line = f"{name}: " + ", ".join(boxes)
    if len(one_line) <= 78 and "\n" not in one_line:
        return one_line
    return f"{name}: " + ",\n ".join(boxes)


def _date_header(value: str) -> bool:
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError, IndexError):
        return False


def _published_date(doc: ProducedDocument) -> datetime | None:
    if not doc.date:
        return None
    try:
        when = datetime.fromisoformat(doc.date.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when


def message_id(doc: ProducedDocument) -> str:
    """The Message-ID the writer gives a document whose records carry none: derived from its first Bates number."""
    return f"<{doc.bates_first}@{PRODUCTION_DOMAIN}>"


def _headers(doc: ProducedDocument) -> list[str]:
    """The document's header lines: the records' headers in their order, address headers from the published
    pairs, then what RFC 5322 requires and the records lack (From, Date, Message-ID) and the Bates range."""
    by_role: dict[str, list[tuple[str, str]]] = {}
    for address in doc.addresses:
        by_role.setdefault(address.role.lower(), []).append((address.name, address.email))
    written: set[str] = set()
    out: list[str] = []
    after_addresses = 0  # where address headers the records do not place go: after the last one they place
    for raw_name, value in doc.headers:
        name = raw_name.strip()
        lname = name.lower()
        if not _HEADER_NAME.fullmatch(name):
            raise RedactionError(f"Document {doc.bates_first} has a header named {name!r}, which mail cannot carry.",
                                 hint="This is a bug in the production pipeline; report it with the Bates number.")
        if lname in OWN_HEADERS:
            continue
        if lname in ADDRESS_HEADERS:
            if lname in written:
                continue  # the published pairs of a role are written once, at its first header
            pairs = by_role.get(lname)
            if pairs is None:
                pairs = [(n, e) for n, e in getaddresses([header_text(value)]) if n or e]
            if pairs:
                out.append(address_header(ADDRESS_HEADERS[lname], pairs))
            elif header_text(value) and lname != "from":
                out.append(fold_header(name, value))  # e.g. 'undisclosed-recipients:;'
            else:
                continue  # nothing to write: a From is supplied below
            written.add(lname)
            after_addresses = len(out)
            continue
        if lname == "date":
            if "date" in written or not _date_header(header_text(value)):
                continue  # rebuilt from the published date below
            written.add("date")
        if lname in ("message-id", "subject") and lname in written:
            continue
        written.add(lname)
        out.append(fold_header(name, value))
    head: list[str] = []
    for role, header in ADDRESS_HEADERS.items():
        if role not in written and by_role.get(role):
            head.append(address_header(header, by_role[role]))
            written.add(role)
    if "from" not in written:
        head.insert(0, address_header("From", [("unknown sender", UNKNOWN_ADDRESS)]))
    out[after_addresses:after_addresses] = head
    tail: list[str] = []
    if "subject" not in written and doc.subject:
        tail.append(fold_header("Subject", doc.subject))
    if "date" not in written:
        when = _published_date(doc)
        tail.append(fold_header("Date", format_datetime(when or EPOCH)))
        if when is None:
            tail.append(fold_header("Comments", "date unknown in the original"))
    if "message-id" not in written:
        tail.append(fold_header("Message-ID", message_id(doc)))
    bates = [fold_header("X-Bates-Begin", doc.bates_first), fold_header("X-Bates-End", doc.bates_last)]
    return out + tail + bates


# -- parts -----------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Part:
    """A rendered MIME part: header lines and either a body (encoded, '\\n' line ends) or child parts."""

    headers: list[str]
    body: str = ""
    children: list[_Part] = field(default_factory=list)
    subtype: str = ""  # multipart subtype when children are set
    key: str = ""  # for the boundary: the skeleton path


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def _qp_line(line: bytes) -> list[str]:
    """One line of text as quoted-printable lines of at most 76 characters (soft breaks between them), where no
    line starts with '>*From ' (its characters are encoded), so that no mbox reader alters or splits it."""
    out: list[str] = []
    current = ""
    i, n = 0, len(line)
    quote_until = -1
    while i < n:
        if not current:
            match = _LINE_FROM.match(line, i)
            quote_until = match.end() if match else -1
        byte = line[i]
        plain = 33 <= byte <= 126 and byte != 61 or byte in (9, 32) and i < n - 1
        token = chr(byte) if plain and i >= quote_until else f"={byte:02X}"
        if len(current) + len(token) > LINE - 1:
            out.append(current + "=")
            current = ""
            continue  # the same byte again, at the start of a new line
        current += token
        i += 1
    out.append(current)
    return out


def _qp_encode(line: bytes) -> list[str]:
    """Quoted-printable lines of one text line: binascii's encoder, or ours when one of its lines would start
    with '>*From '."""
    lines = binascii.b2a_qp(line, quotetabs=False, istext=True, header=False).decode("ascii").split("\n")
    if any(_LINE_FROM.match(x.encode("ascii")) for x in lines):
        return _qp_line(line)
    return lines


def _encode_text(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, body): 7bit when the text is short-lined plain ASCII with no line an mbox
    reader would take for a separator, else quoted-printable (written here, so that '>*From ' at a line start is
    encoded and the message reads the same from its .eml file and from any kind of mbox)."""
    text = _normalise_text(text)
    lines = text[:-1].split("\n")
    if text.isascii() and not _CONTROL.search(text) and all(
            len(line) <= LINE and line == line.rstrip(" \t") and not _LINE_FROM.match(line.encode())
            for line in lines):
        return "7bit", text
    encoded: list[str] = []
    for line in lines:
        encoded.extend(_qp_encode(line.encode("utf-8")))
    return "quoted-printable", "\n".join(encoded) + "\n"


def _encode_base64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii") if data else ""


def _filename_params(param: str, name: str) -> str:
    """A file-name parameter: a quoted ASCII string when short, else RFC 2231 (UTF-8, percent-encoded, in
    continuations of at most 60 characters)."""
    name = header_text(name) or "attachment"
    if name.isascii() and len(name) <= 60:
        return f'{param}="' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    tokens = [quote(char, safe="") for char in name]  # a character's %XX escapes are never split (readers
    pieces = ["utf-8''"]  # decode each continuation on its own)
    for token in tokens:
        if len(pieces[-1]) + len(token) > 60:
            pieces.append("")
        pieces[-1] += token
    if len(pieces) == 1:
        return f"{param}*={pieces[0]}"
    return ";\n ".join(f"{param}*{i}*={piece}" for i, piece in enumerate(pieces))


def _leaf(content_type: str, body: str, cte: str, *, charset: str = "", filename: str = "",
          disposition: str = "", content_id: str = "") -> _Part:
    ctype = content_type
    if charset:
        ctype += f'; charset="{charset}"'
    if filename:
        ctype += ";\n " + _filename_params("name", filename)
    headers = [f"Content-Type: {ctype}", f"Content-Transfer-Encoding: {cte}"]
    if disposition or filename:
        disp = disposition or "attachment"
        if filename:
            disp += ";\n " + _filename_params("filename", filename)
        headers.append(f"Content-Disposition: {disp}")
    if content_id:
        headers.append(f"Content-ID: {content_id}")
    return _Part(headers, body)


def _text_leaf(text: str, *, subtype: str = "plain", filename: str = "", disposition: str = "") -> _Part:
    cte, body = _encode_text(text)
    return _leaf(f"text/{subtype}", body, cte, charset="utf-8", filename=filename, disposition=disposition)


def render_html(body: str, doc: ProducedDocument) -> str:
    """The HTML alternative, rendered from the published body: escaped text in a pre-wrapped block, each
    redaction label of the body shown as a dark box carrying its label (never the original HTML)."""
    marks = sorted((r.start, r.end) for r in doc.redactions
                   if r.field == "body" and 0 <= r.start < r.end <= len(body) and body[r.start:r.end] == r.label)
    pieces: list[str] = []
    last = 0
    for start, end in marks:
        if start < last:
            continue  # overlapping marks: the first one is shown
        pieces.append(escape(body[last:start], quote=False))
        pieces.append('<span class="redaction" style="background:#000;color:#fff">'
                      f"{escape(body[start:end], quote=False)}</span>")
        last = end
    pieces.append(escape(body[last:], quote=False))
    return ('<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"></head>\n<body>\n'
            '<pre style="white-space: pre-wrap; font-family: monospace">' + "".join(pieces)
            + "</pre>\n</body>\n</html>\n")


def _slip(title: str, detail: str) -> str:
    return f"{title}\n\n{detail.strip()}\n" if detail.strip() else f"{title}\n"


_FORWARDED_SLIP = _slip("Forwarded message not included.",
                        "It is not part of this production, or it is withheld; see withheld.csv.")


def _attachment_part(att: ProducedAttachment, part: MimePart | None, doc: ProducedDocument) -> _Part:
    """An attachment as published: its redacted bytes, else its redacted text as <name>.txt, else a slip."""
    name = header_text(att.filename) or f"attachment-{att.position + 1}"
    inline = part is not None and part.disposition == "inline"
    content_id = f"<att{att.position}.{doc.bates_first}@{PRODUCTION_DOMAIN}>" if inline else ""
    if att.withheld:
        text = att.slip_sheet or _slip(f"Attachment withheld: {name}", f"Reason: {att.withheld}.")
        return _text_leaf(text, filename=f"{name}.withheld.txt", disposition="attachment")
    if att.content is not None:
        mime = (att.mime or (part.content_type if part else "") or "application/octet-stream").lower()
        if mime.startswith("text/"):
            try:
                text = att.content.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                leaf = _text_leaf(text, subtype=mime.split("/", 1)[1] or "plain", filename=name,
                                  disposition="inline" if inline else "attachment")
                if content_id:
                    leaf.headers.append(f"Content-ID: {content_id}")
                return leaf
        return _leaf(mime, _encode_base64(att.content), "base64", filename=name,
                     disposition="inline" if inline else "attachment", content_id=content_id)
    if att.text is not None:
        text_name = name if name.lower().endswith(".txt") else f"{name}.txt"
        return _text_leaf(att.text, filename=text_name, disposition="attachment")
    if (att.mime or "").lower() in ("message/rfc822", "message/global"):
        return _text_leaf(_FORWARDED_SLIP, filename="forwarded-message.withheld.txt", disposition="attachment")
    text = _slip(f"Attachment not reproduced: {name}", "The production holds no published content for it.")
    return _text_leaf(text, filename=f"{name}.withheld.txt", disposition="attachment")


@dataclass(slots=True)
class _Context:
    """What rendering one document needs besides the document: the production's other documents (forwarded
    messages) and the forwarded messages already on the way down (a cycle guard)."""

    documents: Mapping[str, ProducedDocument]
    chain: tuple[str, ...] = ()


def _embedded_part(part: MimePart, doc: ProducedDocument, ctx: _Context) -> _Part:
    child = ctx.documents.get(part.document) if part.document else None
    if child is None or child.id in ctx.chain or len(ctx.chain) >= MAX_EMBEDDED_DEPTH:
        return _text_leaf(_FORWARDED_SLIP, filename="forwarded-message.withheld.txt", disposition="attachment")
    inner = _render(child, _Context(ctx.documents, (*ctx.chain, doc.id)))
    headers = ["Content-Type: message/rfc822", "Content-Transfer-Encoding: 7bit",
               "Content-Disposition: inline;\n " + _filename_params("filename", f"{child.bates_first}.eml")]
    return _Part(headers, inner)


@dataclass(slots=True)
class _Node:
    part: MimePart
    children: list[_Node] = field(default_factory=list)


def _tree(parts: tuple[MimePart, ...]) -> _Node | None:
    """The skeleton as a tree: each part hangs under the part whose path is its own without the last '.n'."""
    nodes: dict[str, _Node] = {}
    root: _Node | None = None
    for part in parts:
        node = _Node(part)
        if part.path in nodes:
            continue  # a repeated path: the first one counts
        nodes[part.path] = node
        if part.path == "":
            root = node
            continue
        parent_path = part.path.rpartition(".")[0] if "." in part.path else ""
        parent = nodes.get(parent_path)
        if parent is None or not parent.part.content_type.startswith("multipart/"):
            parent = root if root is not None and root.part.content_type.startswith("multipart/") else None
        if parent is not None:
            parent.children.append(node)
    return root


@dataclass(slots=True)
class _Used:
    """Which published contents the skeleton has placed, so that nothing is placed twice or left out."""

    body: bool = False
    html: bool = False
    attachments: set[int] = field(default_factory=set)


def _render_node(node: _Node, doc: ProducedDocument, ctx: _Context, used: _Used) -> _Part | None:
    part = node.part
    ctype = part.content_type.lower() or "text/plain"
    if ctype.startswith("multipart/"):
        children = [c for c in (_render_node(n, doc, ctx, used) for n in node.children) if c is not None]
        if not children:
            return None
        return _Part([f"Content-Type: {ctype}"], children=children, subtype=ctype, key=part.path)
    supplies = part.supplies
    if supplies in ("body", "body-html"):
        # The published body holds every text part of the original: it is placed once as text, once as HTML.
        if ctype == "text/html" or supplies == "body-html":
            if used.html:
                return None
            used.html = True
            return _text_leaf(render_html(doc.body, doc), subtype="html")
        if used.body:
            return None
        used.body = True
        return _text_leaf(doc.body)
    if supplies.startswith("attachment:"):
        try:
            position = int(supplies.split(":", 1)[1])
        except ValueError:
            return None
        att = doc.attachment(position)
        if att is None or position in used.attachments:
            return None
        used.attachments.add(position)
        return _attachment_part(att, part, doc)
    if supplies == "embedded":
        return _embedded_part(part, doc, ctx)
    return None  # 'withheld', or a part with nothing published


def _body_parts(doc: ProducedDocument, ctx: _Context) -> _Part:
    """The document's MIME body: the skeleton filled from the records; published contents the skeleton did not
    place (a body, attachments) are added to a multipart/mixed around it."""
    if doc.withheld_in_full:
        return _text_leaf(doc.slip_sheet or _slip("Message withheld.", f"Reason: {doc.withheld_in_full}."))
    used = _Used()
    root = _tree(doc.mime)
    top = _render_node(root, doc, ctx, used) if root is not None else None
    body: list[_Part] = []
    if not used.body and not used.html and (doc.body or top is None):
        body.append(_text_leaf(doc.body))
    extra: list[_Part] = []
    embedded_placed = any(p.supplies == "embedded" for p in doc.mime)
    for att in doc.attachments:
        if att.position in used.attachments:
            continue
        if att.mime == "message/rfc822" and embedded_placed and att.content is None and att.text is None \
                and not att.withheld:
            continue  # the forwarded message itself, placed as message/rfc822 by the skeleton
        extra.append(_attachment_part(att, None, doc))
    if not body and not extra:
        return top if top is not None else _text_leaf("")
    if top is not None and top.subtype == "multipart/mixed":
        top.children[:0] = body
        top.children.extend(extra)
        return top
    parts = [*body, *([top] if top is not None else []), *extra]
    if len(parts) == 1:
        return parts[0]
    return _Part(["Content-Type: multipart/mixed"], children=parts, subtype="multipart/mixed", key="mixed")


def _serialise(part: _Part, bates: str) -> str:
    if not part.children:
        return "\n".join(part.headers) + "\n\n" + part.body
    inner = [_serialise(c, bates) for c in part.children]
    safe = re.sub(r"[^A-Za-z0-9-]", "", bates)[:30]
    key = re.sub(r"[^0-9.]", "", part.key).replace(".", "-") or "0"
    n = 0
    while True:
        boundary = f"=_disc_{safe}_{key}_{n}"
        if not any(boundary in text for text in inner):
            break
        n += 1
    lines = [*part.headers[:1]]
    lines[0] += f';\n boundary="{boundary}"'
    lines.extend(part.headers[1:])
    out = "\n".join(lines) + "\n\n"
    for text in inner:  # the line break before a delimiter belongs to it: a part's own last one is kept
        out += f"--{boundary}\n" + text + ("\n" if text.endswith("\n") else "\n\n")
    return out + f"--{boundary}--\n"


def _render(doc: ProducedDocument, ctx: _Context) -> str:
    body = _body_parts(doc, ctx)
    headers = _headers(doc)
    return "\n".join(headers) + "\nMIME-Version: 1.0\n" + _serialise(body, doc.bates_first)


# -- public API ------------------------------------------------------------------------------------------
def render_message(doc: ProducedDocument, production: Production) -> str:
    """A document as an RFC 5322 message, '\\n' line ends, ASCII only (every non-ASCII text encoded)."""
    ctx = _Context({d.id: d for d in production.documents})
    return _render(doc, ctx)


def render_eml(doc: ProducedDocument, production: Production) -> bytes:
    """A document as the bytes of its .eml file (CRLF line ends)."""
    return render_message(doc, production).replace("\n", "\r\n").encode("ascii")


def eml_file(doc: ProducedDocument, documents: Mapping[str, ProducedDocument]) -> bytes:
    """A document's .eml bytes, given the production's documents it may embed (forwarded messages, by id): the
    streaming writer passes only those, a whole production all of them."""
    return _render(doc, _Context(documents)).replace("\n", "\r\n").encode("ascii")


def eml_path(doc: ProducedDocument) -> str:
    """The document's .eml file, relative to the production directory."""
    return f"eml/{doc.bates_first}.eml"


def write_eml(production: Production, out_dir: Path) -> list[str]:
    """Write eml/<BATES>.eml for every document; returns the relative paths written, in Bates order."""
    folder = out_dir / "eml"
    folder.mkdir(parents=True, exist_ok=True)
    ctx = _Context({d.id: d for d in production.documents})
    written: list[str] = []
    for doc in production.documents:
        relative = eml_path(doc)
        (out_dir / relative).write_bytes(_render(doc, ctx).replace("\n", "\r\n").encode("ascii"))
        written.append(relative)
    return written


def _asctime(when: datetime) -> str:
    when = when.astimezone(UTC)
    return f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:2d} {when:%H:%M:%S} {when.year:04d}"


def mbox_entry(doc: ProducedDocument, production: Production, *, _ctx: _Context | None = None) -> bytes:
    """One message of the mbox: its 'From ' separator line (Bates address and the published date in UTC), the
    message with LF line ends and mboxrd quoting of lines matching '>*From ', and the blank line that ends it."""
    return _mbox_entry(doc, _ctx or _Context({d.id: d for d in production.documents}))


def mbox_piece(doc: ProducedDocument, documents: Mapping[str, ProducedDocument]) -> bytes:
    """mbox_entry given the production's documents it may embed (as for eml_file)."""
    return _mbox_entry(doc, _Context(documents))


def _mbox_entry(doc: ProducedDocument, ctx: _Context) -> bytes:
    text = _render(doc, ctx).encode("ascii")
    text = _MBOX_FROM.sub(rb">\1", text)
    if not text.endswith(b"\n"):
        text += b"\n"
    separator = f"From {doc.bates_first}@{PRODUCTION_DOMAIN} {_asctime(_published_date(doc) or EPOCH)}\n"
    return separator.encode("ascii") + text + b"\n"


def iter_mbox(production: Production) -> Iterator[bytes]:
    """The mbox file in pieces, one message each, in Bates order."""
    ctx = _Context({d.id: d for d in production.documents})
    for doc in production.documents:
        yield mbox_entry(doc, production, _ctx=ctx)


def write_mbox(production: Production, out_dir: Path) -> list[str]:
    """Write mbox/production.mbox with every document in Bates order; returns the relative path written."""
    folder = out_dir / "mbox"
    folder.mkdir(parents=True, exist_ok=True)
    relative = "mbox/production.mbox"
    with open(out_dir / relative, "wb") as handle:
        for piece in iter_mbox(production):
            handle.write(piece)
    return [relative]
