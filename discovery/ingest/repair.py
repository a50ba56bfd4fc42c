"""Provides tolerant decoders for damaged mail: base64 and quoted-printable bodies, header blocks that lost
their indentation. Each returns what it recovered and notes saying what it repaired; nothing is dropped."""

from __future__ import annotations

import binascii
import email.message
import re

_B64_ALPHABET = re.compile(rb"[^A-Za-z0-9+/=]")
_B64_PAD_RUN = re.compile(rb"=+")
_WS = re.compile(rb"\s+")


def decode_base64(data: bytes) -> tuple[bytes, list[str]]:
    """Decode base64 the way the sender meant it, with notes on every repair.

    Handles padding in the middle of the data (Outlook exports pad every line on its own: each padded run
    ends one group, decoded alone), stray characters (ignored, counted), missing padding (added) and a
    dangling last character (dropped, noted). Clean base64 takes the fast path and gets no note.
    """
    notes: list[str] = []
    compact = _WS.sub(b"", data)
    stray = _B64_ALPHABET.findall(compact)
    if stray:
        notes.append(f"base64: {len(stray)} stray character(s) ignored")
        compact = _B64_ALPHABET.sub(b"", compact)
    body = compact.rstrip(b"=")
    if b"=" not in body:
        if len(compact) % 4 == 0:
            return binascii.a2b_base64(compact), notes
        pieces = [body]
    else:
        pieces = [p for p in _B64_PAD_RUN.split(compact) if p]
        notes.append(f"base64: padding inside the data ({len(pieces)} padded groups, as Outlook exports write "
                     "it); decoded group by group")
    out: list[bytes] = []
    short = dangling = 0
    for index, piece in enumerate(pieces):
        whole = len(piece) - len(piece) % 4
        rest = len(piece) % 4
        chunk = piece
        if rest == 1:  # one character cannot encode a byte
            dangling += 1
            chunk = piece[:whole]
        elif rest:
            chunk = piece + b"=" * (4 - rest)
            if index == len(pieces) - 1 and not compact.endswith(b"="):
                short += 1
        out.append(binascii.a2b_base64(chunk))
    if short:
        notes.append("base64: padding missing at the end; added")
    if dangling:
        notes.append(f"base64: {dangling} dangling character(s) that encode no byte were dropped")
    return b"".join(out), notes


_QP_SPACE_BREAK = re.compile(rb"=[ \t]+(\r?\n)")
_QP_BAD_ESCAPE = re.compile(rb"=(?![0-9A-Fa-f]{2}|\r?\n|$)")


def decode_quoted_printable(data: bytes) -> tuple[bytes, list[str]]:
    """Decode quoted-printable, repairing soft line breaks followed by spaces and '=' not starting an escape
    (kept as a literal '='), with a note for each kind of repair."""
    notes: list[str] = []
    if _QP_SPACE_BREAK.search(data):
        count = len(_QP_SPACE_BREAK.findall(data))
        data = _QP_SPACE_BREAK.sub(rb"=\1", data)
        notes.append(f"quoted-printable: {count} soft line break(s) followed by spaces repaired")
    bad = _QP_BAD_ESCAPE.findall(data)
    if bad:
        data = _QP_BAD_ESCAPE.sub(b"=3D", data)
        notes.append(f"quoted-printable: {len(bad)} '=' not starting an escape kept as text")
    return binascii.a2b_qp(data), notes


# Field names as real mail writes them (RFC 5322 allows more, but base64-like diagnostics lines such as
# "zic8k9=;24:99EZ" must not pass for headers).
_FIELD = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_.\-]{0,75}[ \t]*:")
_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.IGNORECASE)
MAX_HEADER_LINES = 5_000


def repair_header_blocks(raw: bytes) -> tuple[bytes, list[str]]:
    """Re-indent continuation lines that lost their leading whitespace, in the message's header block and
    in the header block of every MIME part (found after each declared boundary).

    A line in a header block is a header when it has field-name syntax (``Name:``), a continuation when it
    starts with whitespace; any other line is taken as a continuation that lost its indentation when a
    header follows it before the blank line, or when the line before it ends with ';' or ','. Otherwise the
    block really ends there (a message without the blank line) and nothing is changed.
    """
    notes: list[str] = []
    starts = [0]
    if b"oundary" in raw:
        for m in _BOUNDARY.finditer(raw):
            mark = b"\n--" + (m.group(1) or m.group(2))
            at = raw.find(mark)
            while at != -1:
                line_end = raw.find(b"\n", at + 1)
                if line_end == -1:
                    break
                starts.append(line_end + 1)
                at = raw.find(mark, line_end)
    pieces: list[bytes] = []
    fixed = 0
    last = 0
    for start in sorted(set(starts)):
        if start < last:
            continue
        stop = raw.find(b"\n\n", start)
        stop = len(raw) if stop == -1 else stop
        lines = raw[start:stop].split(b"\n")
        count = _repair_block(lines, 0)
        if count:
            pieces.append(raw[last:start])
            pieces.append(b"\n".join(lines))
            last = stop
            fixed += count
    if fixed:
        pieces.append(raw[last:])
        notes.append(f"{fixed} header continuation line(s) without indentation re-joined to their header")
        return b"".join(pieces), notes
    return raw, notes


def _repair_block(lines: list[bytes], start: int) -> int:
    """Fix one header block in place, from line ``start``; returns how many lines were re-indented."""
    end = min(len(lines), start + MAX_HEADER_LINES)
    if start >= end or not _FIELD.match(lines[start]):
        return 0
    candidates: list[int] = []
    fixed = 0
    for i in range(start + 1, end):
        line = lines[i]
        if line in (b"", b"\r"):
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if _FIELD.match(line) or line.startswith(b"From "):
            if candidates:
                for j in candidates:
                    lines[j] = b" " + lines[j]
                fixed += len(candidates)
                candidates = []
            continue
        previous = lines[i - 1].rstrip()
        if not candidates and not previous.endswith((b";", b",")):
            candidates.append(i)  # decided by what follows
        elif candidates:
            candidates.append(i)
        else:
            lines[i] = b" " + line
            fixed += 1
    return fixed


def decode_transfer_encoding(part: email.message.Message) -> tuple[bytes, list[str]] | None:
    """A non-multipart part's base64 or quoted-printable payload decoded by the tolerant decoders above, with
    their repair notes; None for other encodings (the email package's own decoding serves those)."""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable") or part.is_multipart():
        return None
    payload = part.get_payload()
    if not isinstance(payload, str):
        return None
    data = payload.encode("utf-8", "surrogateescape")  # stray non-ASCII is skipped (base64) or kept (QP)
    return decode_base64(data) if cte == "base64" else decode_quoted_printable(data)
