"""Provides detect_mime and extract_text: the type of an attachment from its bytes, and its readable text."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from discovery.ingest.htmltext import html_to_text

# python-magic, PyMuPDF, python-docx, openpyxl, python-pptx and charset-normalizer are imported here only,
# and lazily, so that importing discovery stays fast.

__all__ = [
    "DOCX",
    "PPTX",
    "XLSX",
    "ExtractResult",
    "decode_text",
    "detect_mime",
    "extract_text",
    "rtf_to_text",
]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_XLSM = "application/vnd.ms-excel.sheet.macroenabled.12"
_OCTET = "application/octet-stream"

SNIFF_BYTES = 64 * 1024
MAX_INPUT_BYTES = 50 * 1024 * 1024  # larger attachments are not parsed at all
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # Office files whose parts would expand beyond this are refused
MAX_UNZIPPED_SHEETS_BYTES = 2048 * 1024 * 1024  # worksheets are streamed, so they may be larger
MAX_XLSX_ROWS = 100_000  # non-empty rows written, over all sheets
MAX_XLSX_SCANNED_ROWS = 2_000_000  # rows looked at, empty ones included

_OOXML_MAIN_PART = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_TEXT_APPLICATION = frozenset(
    {"application/json", "application/ld+json", "application/x-ndjson", "application/xml", "application/csv"}
)
_LABELS = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint presentation",
    "rtf": "RTF document",
    "html": "HTML",
    "calendar": "calendar",
    "text": "text",
}


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """The text of one attachment, or why there is none.

    ``text`` is None when the type carries no text we read (images, archives) or when reading failed,
    in which case ``error`` says why. ``truncated`` is set when the text was cut at ``max_chars`` or
    at a row limit. ``note`` carries remarks that are not errors, such as a guessed character set.
    """

    text: str | None
    error: str | None = None
    truncated: bool = False
    note: str | None = None


class _Refused(Exception):
    """A file we decline to parse (too big once unzipped, encrypted); the message is the error shown."""


# --- type detection ------------------------------------------------------------------------------------


def detect_mime(data: bytes, filename: str = "") -> str:
    """Returns the MIME type of ``data`` judged from its content (libmagic on the first 64 KB).

    Office Open XML files are recognised by their zip members when libmagic only sees a zip; plain text
    that is an iCalendar file or RTF is reported as such. ``filename`` only breaks ties for text: a
    ".csv" or ".ics" name on plain text.
    """
    head = data[:SNIFF_BYTES]
    try:
        mime = _magic().from_buffer(head, mime=True) or _OCTET
    except Exception:  # libmagic can fail on odd input; the type is then simply unknown
        mime = _OCTET
    if data.startswith(b"PK\x03\x04") and mime not in (DOCX, XLSX, PPTX):
        mime = _ooxml_type(data) or mime
    if mime == "text/plain":
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        lowered = filename.lower()
        if start[:15].upper() == b"BEGIN:VCALENDAR" or lowered.endswith(".ics"):
            mime = "text/calendar"
        elif start.startswith(b"{\\rtf"):
            mime = "text/rtf"
        elif lowered.endswith(".csv"):
            mime = "text/csv"
    return mime


def _ooxml_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except Exception:  # not a readable zip: leave the type as libmagic saw it
        return None
    for member, mime in _OOXML_MAIN_PART.items():
        if member in names:
            return mime
    return None


# --- extraction ----------------------------------------------------------------------------------------


def extract_text(data: bytes, mime: str, filename: str = "", *, max_chars: int = 2_000_000) -> ExtractResult:
    """Returns the text of an attachment of type ``mime`` (as given by detect_mime). Never raises.

    Reads text/* (HTML and iCalendar made readable), JSON and XML, PDF, docx, xlsx, pptx and RTF.
    Other types give ``ExtractResult(None)``: no text, and no error either. A parser failure gives
    text None and error "could not read <kind>: <ExceptionType>: <message>". ``filename`` is not used
    to choose a reader; the type comes from the content.
    """
    kind = _kind(mime, data)
    if kind is None:
        return ExtractResult(None)
    label = _LABELS[kind]
    if len(data) > MAX_INPUT_BYTES:
        what = label[0].upper() + label[1:]
        return ExtractResult(
            None, f"{what} not read: {_mb(len(data))} is over the {_mb(MAX_INPUT_BYTES)} limit"
        )
    try:
        text, error, truncated, note = _READERS[kind](data, max_chars)
    except _Refused as exc:
        return ExtractResult(None, str(exc))
    except Exception as exc:  # any parser failure is reported on the attachment, never raised
        kind_of_error = type(exc).__name__
        if kind_of_error.islower():  # zlib.error, binascii.error: the bare name says too little
            kind_of_error = f"{type(exc).__module__}.{kind_of_error}"
        message = " ".join(str(exc).split())[:300]
        return ExtractResult(None, f"could not read {label}: {kind_of_error}: {message}")
    if text is not None and len(text) > max_chars:
        text, truncated = text[:max_chars], True
    return ExtractResult(text, error, truncated, note)


def _kind(mime: str, data: bytes) -> str | None:
    mime = mime.split(";", 1)[0].strip().lower()
    if mime == "application/pdf":
        return "pdf"
    if mime == DOCX:
        return "docx"
    if mime in (XLSX, _XLSM):
        return "xlsx"
    if mime == PPTX:
        return "pptx"
    if mime in ("text/rtf", "application/rtf", "text/richtext"):
        return "rtf"
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime == "text/calendar":
        return "calendar"
    if mime.startswith("text/") or mime in _TEXT_APPLICATION:
        return "rtf" if data[:64].lstrip()[:5] == b"{\\rtf" else "text"
    return None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 10 * 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


# Each reader returns (text, error, truncated, note) and may raise; extract_text turns exceptions into errors.
_Read = tuple[str | None, str | None, bool, str | None]


def _read_text(data: bytes, max_chars: int) -> _Read:
    text, note = decode_text(data)
    return text, None, False, note


def _read_html(data: bytes, max_chars: int) -> _Read:
    declared = re.search(
        rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", data[:8192], re.I
    )
    text, note = decode_text(data, declared.group(1).decode("ascii") if declared else None)
    return html_to_text(text), None, False, note


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Returns ``data`` decoded, newlines normalised, and a note when the character set was guessed.

    Order: byte-order marks, UTF-16 without one, strict UTF-8, the ``declared`` charset, the best guess
    of charset-normalizer, and finally cp1252 with replacement characters.
    """
    text, note = _decode(data, declared)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""), note


def _decode(data: bytes, declared: str | None) -> tuple[str, str | None]:
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, "replace"), None
    wide = _bomless_utf16(data)
    if wide:
        return data.decode(wide, "replace"), f"decoded as {wide} (no byte-order mark)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared, "replace"), f"decoded as {codecs.lookup(declared).name} (declared)"
        except LookupError:
            pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is not None:
        for match in matches:
            # Short Western text fits cp1250 and cp1252 equally well; the tie goes to the likelier cp1252.
            if (
                match.encoding in ("cp1252", "latin_1")
                and match.chaos <= best.chaos + 0.01
                and match.coherence >= best.coherence - 0.01
            ):
                best = match
                break
        return str(best), f"character set guessed as {best.encoding}"
    return data.decode("cp1252", "replace"), "character set unknown; decoded as cp1252"


def _bomless_utf16(data: bytes) -> str | None:
    """Recognises UTF-16 without a byte-order mark: text whose every other byte is (nearly) constant."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4 or 0 not in sample:  # spaces and punctuation give zero bytes in any script
        return None
    for encoding, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        top = max(set(high), key=high.count)
        if high.count(top) / half > 0.6 and low.count(top) / half < 0.1:
            decoded = sample[: half * 2].decode(encoding, "replace")
            if sum(ch.isprintable() or ch in "\t\n\r" for ch in decoded) / len(decoded) > 0.95:
                return encoding
    return None


# --- iCalendar -----------------------------------------------------------------------------------------

_ICS_FIELDS = {
    "SUMMARY": "Summary",
    "DTSTART": "Start",
    "DTEND": "End",
    "DUE": "Due",
    "LOCATION": "Location",
    "ORGANIZER": "Organizer",
    "ATTENDEE": "Attendee",
    "STATUS": "Status",
    "DESCRIPTION": "Description",
}
_ICS_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z?))?$")


def _read_calendar(data: bytes, max_chars: int) -> _Read:
    raw, note = decode_text(data)
    lines = re.sub(r"\n[ \t]", "", raw).split("\n")  # unfold continuation lines
    out: list[str] = []
    kinds = {"VEVENT": "Event", "VTODO": "Task", "VJOURNAL": "Journal entry"}
    component = ""
    nested = 0  # depth inside sub-components of an event, such as VALARM
    for line in lines:
        name, params, value = _ics_property(line)
        if name == "METHOD" and not out:
            out.append(f"Calendar method: {value}")
        elif name == "BEGIN" and component:
            nested += 1
        elif name == "BEGIN" and value.upper() in kinds:
            component = value.upper()
            out += ["", f"{kinds[component]}:"]
        elif name == "END" and nested:
            nested -= 1
        elif name == "END" and value.upper() == component:
            component = ""
        elif component and not nested and name in _ICS_FIELDS:
            shown = _ics_value(name, params, value)
            separator = ":" if shown.startswith("\n") else ": "  # a multi-line value starts on its own line
            out.append(f"{_ICS_FIELDS[name]}{separator}{shown}")
    summary = "\n".join(out).strip()
    text = f"{summary}\n\n----- calendar source -----\n{raw}" if summary else raw
    return text, None, False, note


def _ics_property(line: str) -> tuple[str, dict[str, str], str]:
    """Splits 'NAME;P1=a;P2="b:c":value' outside double quotes."""
    cut = line.find(":")
    if '"' in line[:cut]:
        quoted = False
        for i, ch in enumerate(line):
            if ch == '"':
                quoted = not quoted
            elif ch == ":" and not quoted:
                cut = i
                break
        else:
            cut = -1
    if cut < 0:
        return "", {}, ""
    head, value = line[:cut], line[cut + 1 :]
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        params[key.strip().upper()] = val.strip().strip('"')
    return (parts[0].strip().upper() if parts else ""), params, value


def _ics_value(name: str, params: dict[str, str], value: str) -> str:
    if name in ("ORGANIZER", "ATTENDEE"):
        address = re.sub(r"(?i)^mailto:", "", value.strip())
        cn = params.get("CN", "")
        who = f"{cn} <{address}>" if cn and address else cn or address
        status = params.get("PARTSTAT", "")
        return f"{who} ({status.lower().replace('-', ' ')})" if status and name == "ATTENDEE" else who
    if name in ("DTSTART", "DTEND", "DUE"):
        m = _ICS_DATE.match(value.strip())
        if not m:
            return value.strip()
        year, month, day, hour, minute, _, utc = m.groups()
        when = f"{year}-{month}-{day}"
        if hour is not None:
            when += f" {hour}:{minute}"
            zone = "UTC" if utc else params.get("TZID", "")
            when += f" ({zone})" if zone else ""
        return when
    unescaped = re.sub(r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value).strip()
    return "\n" + unescaped if "\n" in unescaped else unescaped


# --- PDF -----------------------------------------------------------------------------------------------


def _read_pdf(data: bytes, max_chars: int) -> _Read:
    pymupdf = _pymupdf()
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        if doc.needs_pass:
            raise _Refused("PDF is encrypted")
        repaired = bool(getattr(doc, "is_repaired", False))
        pages: list[str] = []
        failed: list[int] = []
        size = 0
        truncated = False
        for number in range(doc.page_count):
            if size > max_chars:
                truncated = True
                break
            try:
                text = doc[number].get_text("text")
            except Exception:  # one unreadable page should not cost the others
                text = ""
                failed.append(number + 1)
            pages.append(text)
            size += len(text) + 1
    joined = "\f".join(pages)
    if (repaired or failed) and not joined.strip():
        return "", "PDF is damaged and no text could be recovered from it", False, None
    if pages and not joined.strip():
        return "", "PDF has no text layer (scanned image; OCR not available)", False, None
    notes = ["PDF is damaged; the text may be incomplete"] if repaired else []
    if failed:
        notes.append(f"{len(failed)} page(s) could not be read (first: page {failed[0]})")
    return joined, None, truncated, "; ".join(notes) or None


# --- Office Open XML -----------------------------------------------------------------------------------


def _check_unzipped_size(data: bytes, label: str, *, streamed_prefix: str = "") -> None:
    """Refuses zips that would expand beyond the limits (zipfile holds members to their declared size).

    Members under ``streamed_prefix`` are read as a stream and have the larger MAX_UNZIPPED_SHEETS_BYTES.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    streamed = sum(i.file_size for i in infos if streamed_prefix and i.filename.startswith(streamed_prefix))
    loaded = sum(i.file_size for i in infos) - streamed
    for size, limit in ((loaded, MAX_UNZIPPED_BYTES), (streamed, MAX_UNZIPPED_SHEETS_BYTES)):
        if size > limit:
            raise _Refused(
                f"{label} not read: its parts would expand to {_mb(size)}, over the {_mb(limit)} limit "
                "(possibly a zip bomb)"
            )


def _read_docx(data: bytes, max_chars: int) -> _Read:
    _check_unzipped_size(data, "Word document")
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    blocks: list[str] = []
    for item in document.iter_inner_content():
        blocks.append(_docx_table(item, Table) if isinstance(item, Table) else item.text)
    return "\n".join(blocks).strip("\n"), None, False, None


def _docx_table(table: Any, table_type: type) -> str:
    """One line per row, cells separated by tabs; nested tables are flattened into their cell."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell comes back once per grid column it spans
                continue
            seen.append(cell._tc)
            parts = [
                _docx_table(b, table_type) if isinstance(b, table_type) else b.text
                for b in cell.iter_inner_content()
            ]
            cells.append(" ".join(" ".join(parts).split()))
        if any(cells):
            rows.append("\t".join(cells))
    return "\n".join(rows)


def _read_xlsx(data: bytes, max_chars: int) -> _Read:
    _check_unzipped_size(data, "Excel workbook", streamed_prefix="xl/worksheets/")
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    written = scanned = size = 0
    truncated = False
    try:
        for sheet in workbook.worksheets:
            lines.append(f"Sheet: {sheet.title}")
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # stored dimensions can be wrong (and huge); read what is there
            for row in sheet.iter_rows(values_only=True):
                scanned += 1
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    line = "\t".join(cells)
                    lines.append(line)
                    written += 1
                    size += len(line) + 1
                if written >= MAX_XLSX_ROWS or scanned >= MAX_XLSX_SCANNED_ROWS or size > max_chars:
                    truncated = True
                    break
            if truncated:
                break
    finally:
        workbook.close()
    note = f"stopped after {written:,} rows" if truncated and size <= max_chars else None
    return "\n".join(lines), None, truncated, note


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = (
            value.isoformat(sep=" ")
            if hasattr(value, "hour") and hasattr(value, "date")
            else value.isoformat()
        )
        return text.removesuffix(" 00:00:00")
    return " ".join(str(value).split())


def _read_pptx(data: bytes, max_chars: int) -> _Read:
    _check_unzipped_size(data, "PowerPoint presentation")
    import pptx

    presentation = pptx.Presentation(io.BytesIO(data))
    slides: list[str] = []
    for number, slide in enumerate(presentation.slides, 1):
        parts = [f"Slide {number}"]
        parts += [t for shape in slide.shapes for t in _shape_texts(shape) if t.strip()]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                parts.append(f"Notes: {notes}")
        slides.append("\n".join(parts))
    return "\n\n".join(slides), None, False, None


def _shape_texts(shape: Any) -> Iterator[str]:
    if hasattr(shape, "shapes"):  # a group shape
        for inner in shape.shapes:
            yield from _shape_texts(inner)
    if getattr(shape, "has_text_frame", False):
        yield shape.text_frame.text
    if getattr(shape, "has_table", False):
        for row in shape.table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            if any(cells):
                yield "\t".join(cells)


# --- RTF -----------------------------------------------------------------------------------------------

_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word with optional parameter
    rb"|\\'([0-9a-fA-F]{2})"  # hex byte
    rb"|\\([^a-zA-Z'])"  # control symbol
    rb"|([{}])"
    rb"|([^\\{}\r\n]+)"  # text
    rb"|[\r\n]+|\\'?",
    re.DOTALL,
)
_RTF_SKIP = frozenset(
    b"""fonttbl colortbl stylesheet info pict objdata listtable listoverridetable revtbl rsidtbl generator
    xmlnstbl themedata colorschememapping datastore latentstyles fldinst filetbl pgdsctbl nonshppict
    blipuid datafield docvar protusertbl userprops wgrffmtfilter mmathPr panose falt bkmkstart bkmkend
    private xmlopen fchars lchars""".split()
)
_RTF_WORDS = {
    b"par": "\n", b"line": "\n", b"sect": "\n\n", b"page": "\n\n", b"row": "\n", b"cell": "\t",
    b"nestcell": "\t", b"tab": "\t", b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022",
    b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d",
    b"emspace": " ", b"enspace": " ", b"qmspace": " ",
}  # fmt: skip
_RTF_SYMBOLS = {
    b"~": " ",
    b"_": "-",
    b"\\": "\\",
    b"{": "{",
    b"}": "}",
    b"\n": "\n",
    b"\r": "\n",
    b"\t": "\t",
}
_RTF_CHARSETS = {
    128: "cp932", 129: "cp949", 130: "cp1361", 134: "gbk", 136: "cp950", 161: "cp1253", 162: "cp1254",
    163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250",
    77: "mac_roman",
}  # fmt: skip


@dataclass(slots=True)
class _RtfGroup:
    skip: bool = False
    uc: int = 1
    codepage: str = ""  # from the current font's charset; "" means the document's code page
    html_only: bool = False  # inside \htmlrtf ... \htmlrtf0 of an RTF-encapsulated HTML body
    html_tag: bool = False  # inside {\*\htmltag ...}: markup of the encapsulated HTML
    font_table: bool = False


def rtf_to_text(data: bytes, max_chars: int = 2_000_000) -> str:
    """Returns the plain text of an RTF document: a control-word stripper, not a layout engine.

    Handles hex escapes in the document's code page (and fonts' charsets), \\uN with its fallback
    characters, and HTML encapsulated by Outlook (\\fromhtml1), which is rebuilt and passed through
    html_to_text.
    """
    out: list[str] = []
    from_html = False
    pending = bytearray()  # 8-bit text waiting to be decoded with the current code page
    doc_codepage = "cp1252"
    fonts: dict[int, str] = {}
    font = -1
    group = _RtfGroup()
    stack: list[_RtfGroup] = []
    fallback = 0  # characters still to skip after a \uN
    high_surrogate = 0
    size = 0
    pos, end = 0, len(data)

    def flush() -> None:
        nonlocal size
        if pending:
            emit(bytes(pending).decode(group.codepage or doc_codepage, "replace"), flushed=True)
            pending.clear()

    def emit(text: str, *, flushed: bool = False) -> None:
        nonlocal size
        if not flushed:
            flush()
        if from_html and not group.html_tag:  # text between the tags of encapsulated HTML
            text = text.replace("&", "&amp;").replace("<", "&lt;")
        out.append(text)
        size += len(text)

    while pos < end and size <= max_chars:
        m = _RTF_TOKEN.match(data, pos)
        assert m is not None  # the last alternatives match any single byte
        pos = m.end()
        word, param, hexbyte, symbol, brace, text = m.groups()
        visible = not group.skip and not group.html_only
        if text is not None:
            if fallback:
                cut = min(fallback, len(text))
                fallback -= cut
                text = text[cut:]
            if visible and text:
                pending += text
            continue
        if hexbyte is not None:
            if fallback:
                fallback -= 1
            elif visible:
                pending.append(int(hexbyte, 16))
            continue
        fallback = 0
        if brace is not None:
            flush()
            if brace == b"{":
                stack.append(group)
                group = replace(group)  # a group starts with the state of its parent
            elif stack:
                group = stack.pop()
            continue
        if symbol is not None:
            if symbol == b"*":
                group.skip = True
            elif visible and symbol in _RTF_SYMBOLS:
                emit(_RTF_SYMBOLS[symbol])
            continue
        if word is None:
            continue
        number = int(param) if param is not None else None
        if word == b"bin" and number:
            pos += max(number, 0)  # raw binary data
        elif word == b"u" and number is not None:
            fallback = group.uc
            if visible:
                code = number + 65536 if number < 0 else number
                if 0xD800 <= code < 0xDC00:
                    high_surrogate = code
                    continue
                if 0xDC00 <= code < 0xE000 and high_surrogate:
                    code = 0x10000 + ((high_surrogate - 0xD800) << 10) + (code - 0xDC00)
                high_surrogate = 0
                emit(chr(code) if 0 <= code <= 0x10FFFF and not 0xD800 <= code < 0xE000 else "\ufffd")
        elif word == b"uc" and number is not None:
            group.uc = max(number, 0)
        elif word == b"fonttbl":
            group.skip = group.font_table = True
        elif word == b"f" and number is not None:
            if group.font_table:
                font = number
            else:
                flush()
                group.codepage = fonts.get(number, "")
        elif word == b"fcharset" and group.font_table and number in _RTF_CHARSETS:
            fonts[font] = _RTF_CHARSETS[number]
        elif word == b"ansicpg" and number:
            try:
                doc_codepage = codecs.lookup(f"cp{number}").name
            except LookupError:
                pass
        elif word in (b"mac", b"pc", b"pca"):
            doc_codepage = {b"mac": "mac_roman", b"pc": "cp437", b"pca": "cp850"}[word]
        elif word == b"fromhtml":
            from_html = True
        elif word == b"htmltag" and from_html:
            group.skip, group.html_tag = stack[-1].skip if stack else False, True
        elif word == b"htmlrtf":
            flush()
            group.html_only = number != 0
        elif word in _RTF_SKIP:
            flush()
            group.skip = True
        elif visible and word in _RTF_WORDS:
            emit(_RTF_WORDS[word])
    flush()
    return html_to_text("".join(out)) if from_html else _tidy("".join(out))


def _read_rtf(data: bytes, max_chars: int) -> _Read:
    return rtf_to_text(data, max_chars), None, False, None


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines)).strip("\n")


# --- lazy imports of the heavy dependencies ------------------------------------------------------------

_modules: dict[str, ModuleType] = {}


def _magic() -> ModuleType:
    if "magic" not in _modules:
        import magic

        _modules["magic"] = magic
    return _modules["magic"]


def _pymupdf() -> ModuleType:
    if "pymupdf" not in _modules:
        import pymupdf

        # MuPDF otherwise prints repair warnings for every damaged PDF to stderr, under the TUI too.
        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        _modules["pymupdf"] = pymupdf
    return _modules["pymupdf"]


_READERS: dict[str, Callable[[bytes, int], _Read]] = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "xlsx": _read_xlsx,
    "pptx": _read_pptx,
    "rtf": _read_rtf,
    "html": _read_html,
    "calendar": _read_calendar,
    "text": _read_text,
}
