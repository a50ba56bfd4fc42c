"""Provides rendering of a MessageSpec to RFC 5322 bytes (LF line ends), byte-stable across Python versions.

The stdlib ``email`` generator folds and orders things differently between Python releases, so the
structure is written here by hand and only the stdlib codecs (base64, quoted-printable) and
``email.utils.format_datetime`` are used; every parse is done by the stdlib parser in the self-checks.
"""

from __future__ import annotations

import base64
import html
import quopri
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import quote as url_quote

from .people import Person
from .spec import AttachmentSpec, MessageSpec, in_zone
from .text import plain

_SPECIALS = set('()<>[]:;@\\,."')


# --- headers -------------------------------------------------------------------------------------


def encoded_word(text: str, charset: str = "utf-8", enc: str = "q") -> str:
    """One RFC 2047 encoded word (raises if it would exceed 75 characters)."""
    data = text.encode(charset)
    if enc == "b":
        payload = base64.b64encode(data).decode("ascii")
    else:
        out = []
        for byte in data:
            ch = chr(byte)
            if ch == " ":
                out.append("_")
            elif ch.isascii() and (ch.isalnum() or ch in "!*+-/"):
                out.append(ch)
            else:
                out.append(f"={byte:02X}")
        payload = "".join(out)
    word = f"=?{charset}?{enc.upper() if charset.startswith('iso') else enc}?{payload}?="
    if len(word) > 75:
        raise ValueError(f"encoded word too long for {text!r}")
    return word


def encode_unstructured(text: str, charset: str = "utf-8", enc: str = "q") -> str:
    """RFC 2047 encoding of a whole unstructured header value, split over folded lines."""
    words: list[str] = []
    chunk = ""
    for ch in text:
        try:
            encoded_word(chunk + ch, charset, enc)
            chunk += ch
        except ValueError:
            words.append(encoded_word(chunk, charset, enc))
            chunk = ch
    if chunk:
        words.append(encoded_word(chunk, charset, enc))
    return "\n ".join(words)


def fold_unstructured(name: str, value: str, width: int = 78) -> str:
    """Fold an ASCII unstructured header at spaces so unfolding restores the value exactly."""
    line = f"{name}: "
    out: list[str] = []
    words = value.split(" ")
    current = line + words[0]
    for word in words[1:]:
        if len(current) + 1 + len(word) > width:
            out.append(current)
            current = " " + word
        else:
            current += " " + word
    out.append(current)
    return "\n".join(out)


def _name_charset(name: str, client: str) -> tuple[str, str]:
    try:
        name.encode("iso-8859-1")
        latin = True
    except UnicodeEncodeError:
        latin = False
    if client == "outlook" and latin:
        return "iso-8859-1", "b"
    return "utf-8", "q" if client != "webmail" else "b"


def format_address(p: Person, client: str, encode_names: bool = False) -> str:
    """``Name <email>`` as a header would carry it: quoted, or RFC 2047-encoded when not ASCII."""
    name = p.header_name
    if not name:
        return p.email
    if not name.isascii() or encode_names:
        charset, enc = _name_charset(name, client)
        phrase = encoded_word(name, charset, enc)
    elif any(c in _SPECIALS for c in name):
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        phrase = name
    return f"{phrase} <{p.email}>"


def address_header(name: str, people: list[Person], client: str, encode_names: bool = False) -> str:
    parts = [format_address(p, client, encode_names) for p in people]
    one = f"{name}: " + ", ".join(parts)
    if len(one) <= 78 and "\n" not in one:
        return one
    sep = ",\n\t" if client == "outlook" else ",\n "
    return f"{name}: " + sep.join(parts)


def address_field(people: list[Person]) -> str:
    """The marked gold text of an address header: ``Name <email>, Name <email>`` (names decoded)."""
    out = []
    for p in people:
        email = f"[[EM|{p.email}]]"
        if p.header_name:
            name = f"[[P|{p.header_name}]]" if p.is_person else p.header_name
            out.append(f"{name} <{email}>")
        else:
            out.append(email)
    return ", ".join(out)


# --- bodies --------------------------------------------------------------------------------------


def _is_ascii(text: str) -> bool:
    return text.isascii()


def choose_charset(spec: MessageSpec, text: str) -> tuple[str, str]:
    """(codec, declared charset parameter) for the text part of ``spec``."""
    client = spec.client
    if spec.charset:
        codec = spec.charset
        declared = codec if spec.declared_charset is None else spec.declared_charset
        return codec, declared
    if client == "outlook":
        if _is_ascii(text):
            return "us-ascii", "us-ascii"
        try:
            text.encode("iso-8859-1")
            return "iso-8859-1", "iso-8859-1"
        except UnicodeEncodeError:
            return "utf-8", "utf-8"
    if client == "gmail":
        return "utf-8", "UTF-8"
    return "utf-8", "utf-8"


def choose_cte(spec: MessageSpec, text: str) -> str:
    if spec.cte:
        return spec.cte
    client = spec.client
    long_lines = any(len(line) > 76 for line in text.split("\n"))
    if client == "outlook":
        return "quoted-printable"
    if client == "webmail" or client == "newsletter":
        return "base64"
    if _is_ascii(text) and not long_lines:
        return "7bit"
    return "quoted-printable"


def encode_payload(text: str, codec: str, cte: str) -> bytes:
    """The encoded body of a text part; ``text`` has LF line ends and gets one final newline."""
    data_text = text + "\n"
    if cte == "base64":
        data = data_text.replace("\n", "\r\n").encode(codec)
        return base64.encodebytes(data)
    data = data_text.encode(codec)
    if cte == "quoted-printable":
        out = quopri.encodestring(data)
        return out if out.endswith(b"\n") else out + b"\n"
    return data


def _ctype(value: str, params: list[tuple[str, str]], client: str, quote_params: bool = True) -> str:
    rendered = []
    for key, val in params:
        if key.endswith("*"):
            rendered.append(f"{key}={val}")
        elif quote_params or any(c in _SPECIALS or c in " /=?" for c in val):
            rendered.append(f'{key}="{val}"')
        else:
            rendered.append(f"{key}={val}")
    if not rendered:
        return value
    sep = ";\n\t" if client == "outlook" else "; "
    return value + sep + sep.join(rendered)


Part = tuple[list[tuple[str, str]], bytes]


def _serialize(part: Part) -> bytes:
    headers, body = part
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return head.encode("utf-8", "surrogateescape") + b"\n" + body


def _multipart(subtype: str, boundary: str, parts: list[Part], client: str, preamble: str = "") -> Part:
    chunks: list[bytes] = []
    if preamble:
        chunks.append(preamble.encode("ascii") + b"\n\n")
    for part in parts:
        chunks.append(b"--" + boundary.encode("ascii") + b"\n")
        data = _serialize(part)
        chunks.append(data if data.endswith(b"\n") else data + b"\n")
        chunks.append(b"\n")
    chunks.append(b"--" + boundary.encode("ascii") + b"--\n")
    header = _ctype(f"multipart/{subtype}", [("boundary", boundary)], client)
    return [("Content-Type", header)], b"".join(chunks)


def html_from_text(text: str, client: str, charset: str) -> str:
    """A plausible HTML alternative for a plain-text body."""
    lines = text.split("\n")
    if client == "outlook":
        paras = "\n".join(
            f'<p class="MsoNormal">{html.escape(line) if line else "&nbsp;"}<o:p></o:p></p>' for line in lines
        )
        return (
            '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            '<style><!-- p.MsoNormal {margin:0in; font-size:11.0pt; font-family:"Calibri",sans-serif;} '
            "--></style>\n"
            f'</head>\n<body lang="EN-US">\n<div class="WordSection1">\n{paras}\n</div>\n</body>\n</html>'
        )
    inner = "<br>\n".join(html.escape(line) for line in lines)
    return f'<div dir="ltr">{inner}</div>'


def _text_part(
    text: str,
    subtype: str,
    codec: str,
    declared: str,
    cte: str,
    client: str,
    extra_params: list[tuple[str, str]] | None = None,
) -> Part:
    params = [("charset", declared)] if declared else []
    params += extra_params or []
    quote_params = client != "iphone"
    headers = [
        ("Content-Type", _ctype(f"text/{subtype}", params, client, quote_params)),
        ("Content-Transfer-Encoding", cte),
    ]
    return headers, encode_payload(text, codec, cte)


def _attachment_part(att: AttachmentSpec, client: str) -> Part:
    if att.rfc2231:
        enc = "utf-8''" + url_quote(att.filename, safe="")
        ctype = _ctype(att.content_type, [("name*", enc)], client)
        disp = f"attachment; filename*={enc}"
    else:
        ctype = _ctype(att.content_type, [("name", att.filename)], client)
        kind = "inline" if att.inline else "attachment"
        disp = f'{kind}; filename="{att.filename}"'
    headers = [("Content-Type", ctype)]
    if att.content_id:
        headers.append(("Content-ID", f"<{att.content_id}>"))
    headers += [("Content-Disposition", disp), ("Content-Transfer-Encoding", "base64")]
    return headers, base64.encodebytes(att.data)


def _calendar_parts(spec: MessageSpec) -> tuple[Part, Part]:
    text = plain(spec.calendar)
    data = (text + "\n").replace("\n", "\r\n").encode("utf-8")
    inline: Part = (
        [
            ("Content-Type", 'text/calendar; charset="UTF-8"; method=REQUEST'),
            ("Content-Transfer-Encoding", "base64"),
        ],
        base64.encodebytes(data),
    )
    attached: Part = (
        [
            ("Content-Type", 'application/ics; name="invite.ics"'),
            ("Content-Disposition", 'attachment; filename="invite.ics"'),
            ("Content-Transfer-Encoding", "base64"),
        ],
        base64.encodebytes(data),
    )
    return inline, attached


def _boundary(spec: MessageSpec, n: int) -> str:
    digest = spec.digest(f"boundary{n}")
    if spec.client == "outlook":
        return f"_00{n}_{digest[:20].upper()}PMEXCH_"
    if spec.client == "gmail":
        return f"000000000000{digest[:16]}"
    return f"----=_Part_{n}_{int(digest[:8], 16)}.{int(digest[8:18], 16)}"


def build_body(spec: MessageSpec) -> Part:
    """The top-level MIME entity of ``spec`` (its Content-* headers and body bytes)."""
    client = spec.client
    nb = 0

    def next_boundary() -> str:
        nonlocal nb
        nb += 1
        return _boundary(spec, nb)

    if spec.html_only:
        codec = spec.charset or "utf-8"
        cte = spec.cte or "quoted-printable"
        main = _text_part(spec.html, "html", codec, codec, cte, client)
    else:
        text = plain(spec.body)
        codec, declared = choose_charset(spec, text)
        cte = choose_cte(spec, text)
        text_part = _text_part(text, "plain", codec, declared, cte, client)
        want_html = client in ("gmail", "outlook", "newsletter") and not spec.plain_only
        if want_html or spec.calendar:
            alts = [text_part]
            inline_atts = [a for a in spec.attachments if a.inline]
            if want_html:
                html_codec = "utf-8" if client == "gmail" or not text.isascii() else codec
                html_text = spec.html or html_from_text(text, client, html_codec)
                html_part = _text_part(
                    html_text,
                    "html",
                    html_codec,
                    html_codec,
                    "quoted-printable" if client != "newsletter" else "base64",
                    client,
                )
                if inline_atts:
                    html_part = _multipart(
                        "related",
                        next_boundary(),
                        [html_part] + [_attachment_part(a, client) for a in inline_atts],
                        client,
                    )
                alts.append(html_part)
            cal_attached = None
            if spec.calendar:
                cal_inline, cal_attached = _calendar_parts(spec)
                alts.append(cal_inline)
            main = _multipart("alternative", next_boundary(), alts, client)
            if cal_attached is not None:
                spec_atts: list[Part] = [cal_attached]
            else:
                spec_atts = []
        else:
            main = text_part
            spec_atts = []
        outer_atts = [
            a
            for a in spec.attachments
            if not a.inline or spec.plain_only or client not in ("gmail", "outlook", "newsletter")
        ]
        extra = spec_atts + [_attachment_part(a, client) for a in outer_atts]
        if spec.embedded is not None:
            inner = render(spec.embedded)
            name = plain(spec.embedded.subject).replace(":", "") + ".eml"
            extra.append(
                (
                    [
                        ("Content-Type", _ctype("message/rfc822", [("name", name)], client)),
                        ("Content-Disposition", f'attachment; filename="{name}"'),
                    ],
                    inner,
                )
            )
        if extra:
            preamble = (
                "This is a multi-part message in MIME format." if client in ("webmail", "iphone") else ""
            )
            main = _multipart("mixed", next_boundary(), [main] + extra, client, preamble)
    return main


# --- whole message -------------------------------------------------------------------------------

_HOSTS = {
    "cirrusweb.example": ("mail-sor-f{n}.cirrusweb.example", "198.51.100.{n}"),
    "harlowcounty-or.example": ("hcexch02.hc.harlowcounty-or.example", "10.40.12.21"),
    "portmirren-fl.example": ("pmexch01.ad.portmirren-fl.example", "10.112.8.15"),
    "mailbox.example": ("smtp-out{n}.mailbox.example", "203.0.113.{n}"),
    "webmail.example": ("out{n}.webmail.example", "192.0.2.{n}"),
}
_MX = {
    "harlowcounty-or.example": "mx1.harlowcounty-or.example",
    "portmirren-fl.example": "mx.portmirren-fl.example",
    "cirrusweb.example": "inbound-smtp.cirrusweb.example",
}


def _received(spec: MessageSpec) -> list[str]:
    sender_domain = spec.sender.email.rpartition("@")[2]
    rcpts = spec.to + spec.cc + spec.bcc
    target = rcpts[0] if rcpts else spec.sender
    domain = target.email.rpartition("@")[2]
    mx = _MX.get(domain, f"mx.{domain}")
    n = int(spec.digest("rx")[:2], 16) % 200 + 20
    host_t, ip_t = _HOSTS.get(sender_domain, (f"mail.{sender_domain}", "198.51.100.{n}"))
    host, ip = host_t.format(n=n), ip_t.format(n=n)
    when = format_datetime(in_zone(spec.date + timedelta(seconds=3 + n % 40), target.zone))
    smtp_id = spec.digest("smtpid")[:16].upper()
    if sender_domain == domain:
        return [
            f"Received: from {host} ({ip}) by {mx}\n (10.40.12.20) with Microsoft SMTP Server id 15.1.1415.2;"
            f"\n {when}"
        ]
    return [
        f"Received: from {host} ({host} [{ip}])\n\tby {mx} with ESMTPS id {smtp_id}\n"
        f"\tfor <{target.email}>; {when}"
    ]


def message_id_for(spec: MessageSpec) -> str:
    """A deterministic Message-ID in the style of the sender's mail system."""
    d = spec.digest("mid")
    domain = spec.sender.email.rpartition("@")[2]
    client = spec.client
    if client == "gmail":
        return f"<CA+{base64.b32encode(bytes.fromhex(d[:40])).decode('ascii').rstrip('=')}@mail.{domain}>"
    if client == "outlook":
        host = {"harlowcounty-or.example": "HCEXCH02.hc", "portmirren-fl.example": "PMEXCH01.ad"}.get(
            domain, "EXCH-P01.corp"
        )
        return f"<{d[:32].upper()}@{host}.{domain}>"
    if client == "iphone":
        u = d.upper()
        return f"<{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:32]}@{domain}>"
    if client == "newsletter":
        return f"<{d[:24]}.{int(d[24:30], 16)}@mailer.{domain}>"
    return f"<{d[:20]}.{int(d[20:26], 16)}@{domain}>"


def render(spec: MessageSpec) -> bytes:
    """The message as bytes with LF line ends (raw 8-bit only where the spec plants it)."""
    client = spec.client
    lines: list[str] = []
    if spec.received:
        lines += _received(spec)
    date = format_datetime(spec.date)
    subject_text = plain(spec.subject)
    if spec.subject_encoding == "raw8" or (subject_text.isascii() and not spec.subject_encoding):
        subject_line = fold_unstructured("Subject", subject_text)
    else:
        enc = spec.subject_encoding or ("b" if client in ("gmail", "webmail") else "q")
        if client == "outlook":
            try:
                subject_text.encode("iso-8859-1")
                charset = "iso-8859-1"
            except UnicodeEncodeError:
                charset = "utf-8"
        else:
            charset = "utf-8"
        subject_line = "Subject: " + encode_unstructured(subject_text, charset, enc)
    addr_from = address_header("From", [spec.sender], client, spec.encode_names)
    if spec.to_group:
        addr_to = f"To: {spec.to_group}:;"
    else:
        addr_to = address_header("To", spec.to, client, spec.encode_names)
    addr_cc = (
        address_header("Cc" if client != "outlook" else "CC", spec.cc, client, spec.encode_names)
        if spec.cc
        else ""
    )
    addr_bcc = address_header("Bcc", spec.bcc, client, spec.encode_names) if spec.bcc else ""
    mid = spec.message_id
    refs = " ".join(spec.references)
    ctype_headers, body = build_body(spec)
    ctype_lines = [f"{k}: {v}" for k, v in ctype_headers]

    def opt(line: str) -> list[str]:
        return [line] if line else []

    if client == "gmail":
        lines += ["MIME-Version: 1.0"]
        lines += opt(f"References: {refs}" if refs else "")
        lines += opt(f"In-Reply-To: {spec.in_reply_to}" if spec.in_reply_to else "")
        lines += [addr_from, f"Date: {date}", f"Message-ID: {mid}", subject_line, addr_to]
        lines += opt(addr_cc) + opt(addr_bcc)
        lines += ctype_lines
    elif client == "outlook":
        topic = subject_text
        for prefix in ("RE: ", "FW: ", "AW: ", "Fwd: ", "WG: "):
            if topic.startswith(prefix):
                topic = topic[len(prefix) :]
        lines += [addr_from, addr_to] + opt(addr_cc) + opt(addr_bcc) + [subject_line]
        if topic.isascii():
            lines.append(fold_unstructured("Thread-Topic", topic))
        index = base64.b64encode(bytes.fromhex(spec.digest("ti")[:44])).decode("ascii")
        lines += [f"Thread-Index: {index}", f"Date: {date}", f"Message-ID: {mid}"]
        lines += opt(f"References: {refs}" if refs else "")
        lines += opt(f"In-Reply-To: {spec.in_reply_to}" if spec.in_reply_to else "")
        lines += [
            "Accept-Language: en-US",
            "Content-Language: en-US",
            "X-MS-Has-Attach: " + ("yes" if spec.attachments or spec.embedded else ""),
            "X-MS-TNEF-Correlator: ",
        ]
        lines += ctype_lines + ["MIME-Version: 1.0"]
    else:
        lines += [f"Date: {date}", addr_from, addr_to] + opt(addr_cc) + opt(addr_bcc)
        lines += [f"Message-ID: {mid}"]
        lines += opt(f"In-Reply-To: {spec.in_reply_to}" if spec.in_reply_to else "")
        lines += opt(f"References: {refs}" if refs else "")
        lines += [subject_line, "MIME-Version: 1.0"]
        if client == "iphone":
            lines.append("X-Mailer: iPhone Mail (15E302)")
        elif client == "webmail":
            lines.append("User-Agent: Roundcube Webmail/1.3.6")
        elif client == "newsletter":
            lines.append(
                "List-Unsubscribe: <https://"
                + spec.sender.email.rpartition("@")[2]
                + "/unsubscribe?u="
                + spec.digest("unsub")[:16]
                + ">"
            )
            lines.append("Precedence: bulk")
        lines += ctype_lines
    lines += [f"{k}: {v}" for k, v in spec.extra_headers]
    head = "\n".join(lines) + "\n\n"
    return head.encode("utf-8") + body
