"""Provides deterministic attachment files written by hand: PDF, XLSX, DOCX, PNG and iCalendar text."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from .text import plain

ZIP_DATE = (2018, 1, 1, 0, 0, 0)


# --- zip -------------------------------------------------------------------------------------------


def stable_zip(members: Iterable[tuple[str, bytes]], date_time: tuple[int, ...] = ZIP_DATE) -> bytes:
    """A zip with stored (uncompressed) members, fixed timestamps and attributes: byte-identical everywhere.

    Stored rather than deflated so that a different zlib build (zlib-ng, say) cannot change the bytes.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


# --- PDF -------------------------------------------------------------------------------------------


def _pdf_escape(text: str) -> str:
    if not text.isascii():
        raise ValueError(f"PDF text must be ASCII: {text!r}")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: Sequence[tuple[str, int, bool]], title: str, when: datetime) -> bytes:
    """A one-page PDF (Helvetica, text layer) with one text line per entry (text, size, bold).

    Empty entries only add vertical space. Every byte is fixed: the dates come from ``when``.
    """
    y = 740
    ops: list[str] = []
    for text, size, bold in lines:
        if text:
            font = "F2" if bold else "F1"
            ops.append(f"BT /{font} {size} Tf 56 {y} Td ({_pdf_escape(text)}) Tj ET")
        y -= int(size * 1.6)
        if y < 40:
            raise ValueError("PDF text does not fit on one page")
    content = "\n".join(ops).encode("ascii")
    stamp = when.strftime("%Y%m%d%H%M%S")
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    tz = f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >>"
        b" /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        (
            f"<< /Title ({_pdf_escape(title)}) /Producer (Cirrus Docs Export 2.3) "
            f"/CreationDate (D:{stamp}{tz}) /ModDate (D:{stamp}{tz}) >>"
        ).encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    file_id = zlib.crc32(content).to_bytes(4, "big").hex() * 4
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 7 0 R /ID [<{file_id}> <{file_id}>] >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def pdf_text(lines: Sequence[tuple[str, int, bool]]) -> str:
    """The gold text of a PDF made by make_pdf: its non-empty lines joined with LF (marked)."""
    return "\n".join(text for text, _size, _bold in lines if text)


# --- XLSX ------------------------------------------------------------------------------------------


def make_xlsx(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]], creator: str, when: datetime
) -> bytes:
    """An .xlsx written by openpyxl with fixed document properties, re-zipped with fixed timestamps."""
    from openpyxl import Workbook  # imported here: only the sample corpus needs it
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    first = True
    for title, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = title
        for row in rows:
            ws.append(list(row))
    naive = when.replace(tzinfo=None)
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = naive
    wb.properties.modified = naive
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zf:
        members = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    return stable_zip(members)


# --- DOCX ------------------------------------------------------------------------------------------

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)


def make_docx(paragraphs: Sequence[str], title: str, author: str, when: datetime) -> bytes:
    """A minimal valid .docx: one w:p per paragraph (plain strings, no markers)."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    return stable_zip(
        [
            ("[Content_Types].xml", _DOCX_TYPES.encode()),
            ("_rels/.rels", _DOCX_RELS.encode()),
            ("docProps/core.xml", core.encode()),
            ("word/document.xml", document.encode()),
        ]
    )


def docx_text(marked_paragraphs: Sequence[str]) -> str:
    """The gold text of a docx made by make_docx: paragraphs joined with LF (marked)."""
    return "\n".join(marked_paragraphs)


# --- PNG -------------------------------------------------------------------------------------------


def _stored_zlib(data: bytes) -> bytes:
    """zlib stream made of stored deflate blocks: no compressor involved, so no build differences."""
    out = bytearray(b"\x78\x01")
    pos = 0
    while True:
        chunk = data[pos : pos + 65535]
        pos += len(chunk)
        final = pos >= len(data)
        out += bytes([1 if final else 0]) + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
        if final:
            break
    out += struct.pack(">I", zlib.adler32(data))
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """An RGB PNG; ``pixel(x, y)`` returns an (r, g, b) tuple."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            r, g, b = pixel(x, y)
            rows += bytes((r, g, b))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", _stored_zlib(bytes(rows)))
        + _png_chunk(b"IEND", b"")
    )


def screenshot_png() -> bytes:
    """A 64x40 'match result' thumbnail: two grey face boxes and a green score bar."""

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if 30 <= y < 34:
            return (40, 170, 80) if x < 58 else (220, 220, 220)
        for left in (4, 36):
            if left <= x < left + 24 and 2 <= y < 26:
                cx, cy = x - left - 12, y - 14
                return (180, 150, 130) if cx * cx + cy * cy < 90 else (120, 120, 130)
        return (245, 245, 245)

    return make_png(64, 40, pixel)


def logo_png() -> bytes:
    """A 24x24 badge-shaped logo for a signature or newsletter."""

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        cx, cy = x - 12, y - 12
        if cx * cx + cy * cy < 100:
            return (20, 60, 120) if (x + y) % 6 else (230, 190, 40)
        return (255, 255, 255)

    return make_png(24, 24, pixel)


# --- iCalendar -------------------------------------------------------------------------------------


def ics_invite(
    uid: str,
    organizer: tuple[str, str],
    attendees: Sequence[tuple[str, str]],
    start: datetime,
    minutes: int,
    tzid: str,
    summary: str,
    location: str,
    description: str,
    stamp: datetime,
) -> str:
    """A METHOD:REQUEST VCALENDAR as marked text with LF line ends; every line fits in 75 octets."""
    from datetime import timedelta

    end = start + timedelta(minutes=minutes)
    fmt = "%Y%m%dT%H%M%S"
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Cirrus Web Services//Calendar 1.0//EN",
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"DTSTART;TZID={tzid}:{start.strftime(fmt)}",
        f"DTEND;TZID={tzid}:{end.strftime(fmt)}",
        f"DTSTAMP:{stamp.strftime(fmt)}Z",
        f"ORGANIZER;CN={organizer[0]}:mailto:{organizer[1]}",
        f"UID:{uid}",
    ]
    for name, email in attendees:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE;CN={name}:")
        lines.append(f" mailto:{email}")
    lines += [
        f"SUMMARY:{summary}",
        f"LOCATION:{location}",
        f"DESCRIPTION:{description}",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    for line in lines:
        if len(plain(line).encode("utf-8")) > 75:
            raise ValueError(f"iCalendar line longer than 75 octets: {plain(line)!r}")
    return "\n".join(lines)
