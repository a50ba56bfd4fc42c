"""Provides pdf_places: every text a PDF holds, read with poppler's pdftotext and pypdf (never PyMuPDF).

Page text comes from ``pdftotext`` (pypdf's extractor when poppler is missing): it extracts all text drawn,
whatever its colour, rendering mode (invisible text) or what is painted over it (a box over live text); many
PDFs at once through poppler's ``pdfunite`` (joined_page_texts, split back by each file's page count), since
starting pdftotext costs more than reading a short PDF. Then pypdf walks *every* object in the cross-reference
table, reachable or not (pdf_objects): strings and names in the document info, annotations, form fields,
outlines, named destinations and file specifications; XMP and other XML streams; embedded files (checked again by
their own type); images (read with tesseract when installed); any other stream, as text, or as *binary* data
when it is not text (an ICC colour profile: searched without one-word names, see matcher). An object whose bytes
were walked before in the same process (the font every PDF of a production embeds) gives the places it gave then.
Structural problems are findings of their own: more than one ``%%EOF`` (an incremental save keeps the old
revision), an object outside the cross-reference table (a leftover revision), an unapplied redaction
annotation, a file that cannot be parsed.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_OBJ = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
MAX_DEPTH = 3  # embedded files inside embedded files


@dataclass(frozen=True, slots=True)
class Place:
    """A text to search and where it is ('page 2', 'info /Author', 'object 12 /Annot /Contents'). When
    ``first_line`` is given, the text is a run of a file's lines from that line on (a hit is named 'text line N'
    by the file's line).
    ``binary``: bytes that no reader shows as text, read as Latin-1 (searched without one-word name forms, see
    matcher)."""

    where: str
    text: str
    first_line: int = 0
    binary: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A structural finding that fails the production whatever the values: kind and where."""

    kind: str
    where: str
    detail: str


def pdf_places(data: bytes, depth: int = 0, pages: Sequence[str] | None = None) -> Iterator[Place | Problem]:
    """Every searchable text of a PDF, and its structural problems. ``pages``: its page texts as
    batch_page_texts read them (else pdftotext reads this PDF on its own)."""
    problem = eof_problem(data)
    if problem is not None:
        yield problem
    if pages is None:
        yield from page_text(data)
    else:
        yield from page_places(pages)
    yield from pdf_objects(data, depth)


def eof_problem(data: bytes) -> Problem | None:
    """The finding when a PDF has more or fewer than one ``%%EOF`` (an incremental save keeps the old revision)."""
    eofs = data.count(b"%%EOF")
    if eofs == 1:
        return None
    return Problem("incremental-save", "file", f"{eofs} %%EOF markers: a PDF of a production is saved whole, once, "
                   "so no earlier revision survives in it")


def page_places(pages: Sequence[str]) -> Iterator[Place]:
    """Page texts as places, 'page N' (blank pages left out)."""
    return (Place(f"page {n}", text) for n, text in enumerate(pages, 1) if text.strip())


def pdf_objects(data: bytes, depth: int = 0, count: list[int] | None = None) -> Iterator[Place | Problem]:
    """Everything of a PDF but its page text: pypdf's walk of every object (see the module). ``count``: the
    number of pages pypdf reads is appended to it (nothing when pypdf cannot read the file)."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            yield Problem("unreadable", "file", "encrypted: its contents cannot be checked")
            return
        if count is not None:
            try:
                count.append(len(reader.pages))
            except Exception:  # noqa: BLE001,S110 - no page count: the caller reads this PDF's text on its own
                pass
        yield from _objects(reader, data, depth)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        yield Problem("unreadable", "file", f"pypdf cannot parse it ({type(exc).__name__}: {exc})")


def page_text(data: bytes) -> Iterator[Place | Problem]:
    """The page texts of one PDF, read by pdftotext on its own (pypdf's extractor when poppler is missing)."""
    exe = shutil.which("pdftotext")
    if exe:
        proc = subprocess.run([exe, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=False)
        if proc.returncode == 0:
            pages = proc.stdout.decode("utf-8", "replace").split("\f")
            for n, text in enumerate(pages, 1):
                if text.strip():
                    yield Place(f"page {n}", text)
            return
    try:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        for n, page in enumerate(reader.pages, 1):
            yield Place(f"page {n}", page.extract_text() or "")
    except Exception as exc:  # noqa: BLE001 - any parser failure on adversarial input is a finding
        yield Problem("unreadable", "page text", f"no extractor could read the text ({type(exc).__name__})")


def batch_page_texts(paths: Sequence[Path], counts: Sequence[int | None] | None = None
                     ) -> list[tuple[str, ...] | None]:
    """pdftotext's page texts of each PDF, read by two poppler processes for all of them (pdfunite joins the
    files, one pdftotext reads the joined file) instead of one pdftotext per file, whose start-up is most of
    its cost. The pages go back to their files by their page counts (``counts``, else pypdf reads them); when
    poppler cannot join the files, or its page count differs from the files' total, every item is None (each
    PDF is then read on its own)."""
    if counts is None:
        counts = _page_counts(paths)
    return split_pages(joined_page_texts(paths), counts)


def _page_counts(paths: Sequence[Path]) -> list[int | None]:
    import pypdf

    counts: list[int | None] = []
    for path in paths:
        try:
            reader = pypdf.PdfReader(path, strict=False)
            counts.append(None if reader.is_encrypted else len(reader.pages))
        except Exception:  # noqa: BLE001 - a file pypdf cannot read is read on its own, where it is a finding
            counts.append(None)
    return counts


def joined_page_texts(paths: Sequence[Path]) -> list[str] | None:
    """The page texts of the PDFs joined by pdfunite, in order, as pdftotext reads them (None when there are
    fewer than two, poppler is missing or cannot join or read them). Two processes; no Python work, so it can run
    in a thread while the files' objects are walked."""
    unite, totext = shutil.which("pdfunite"), shutil.which("pdftotext")
    if len(paths) < 2 or not unite or not totext:
        return None
    with tempfile.TemporaryDirectory(prefix="discovery-verify-") as tmp:
        joined = Path(tmp) / "joined.pdf"
        if subprocess.run([unite, *(str(p.resolve()) for p in paths), str(joined)], capture_output=True,
                          check=False).returncode != 0:
            return None
        proc = subprocess.run([totext, "-q", "-enc", "UTF-8", str(joined), "-"], capture_output=True, check=False)
    pages = proc.stdout.decode("utf-8", "replace").split("\f")  # pdftotext ends every page with a form feed
    if proc.returncode != 0 or pages[-1]:
        return None
    return pages[:-1]


def split_pages(pages: list[str] | None, counts: Sequence[int | None]) -> list[tuple[str, ...] | None]:
    """The joined page texts given back to their files by the files' page counts; all None when any count is
    unknown or the counts do not add up to the pages poppler read."""
    alone: list[tuple[str, ...] | None] = [None] * len(counts)
    if pages is None or any(c is None for c in counts) or sum(c or 0 for c in counts) != len(pages):
        return alone
    out: list[tuple[str, ...] | None] = []
    first = 0
    for count in counts:
        out.append(tuple(pages[first:first + (count or 0)]))
        first += count or 0
    return out


def _objects(reader, data: bytes, depth: int) -> Iterator[Place | Problem]:  # type: ignore[no-untyped-def]
    from pypdf.generic import IndirectObject

    numbers: list[tuple[int, int]] = []
    offsets: set[int] = set()
    for gen, table in reader.xref.items():
        for num, offset in table.items():
            if num:
                numbers.append((num, gen))
                offsets.add(int(offset))
    numbers.extend((num, 0) for num in reader.xref_objStm)
    for start, number in object_headers(data):
        if start not in offsets and not _in_stream(data, start):
            yield Problem("stale-object", f"byte {start}", f"object {number} lies outside the "
                          "cross-reference table (a leftover of an earlier revision)")
            break
    yield from _walk("trailer", reader.trailer, depth, data)
    spans = _object_spans(reader, data)
    for num, gen in sorted(numbers):
        span = spans.get((num, gen))
        key = (depth, hashlib.sha256(data[span[0]:span[1]]).digest()) if span else None
        cached = _SEEN_OBJECTS.get(key) if key else None
        if cached is not None:
            yield from cached
            continue
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
        except Exception:  # noqa: BLE001,S112 - a broken object cannot hold text pypdf can read
            continue
        if key is None or span is None or not _self_contained(obj, data, span):
            yield from _walk(f"object {num}", obj, depth, data)
            continue
        items = list(_walk(f"object {num}", obj, depth, data))
        _remember(key, items)
        yield from items


# What each object already walked in this process yielded, by the sha256 of its bytes in the file (header to the
# next object): the same bytes are the same object with the same places (every PDF of a production embeds the same
# font objects). An object is remembered the second time its bytes are met, so one-off objects take no room.
_SEEN_OBJECTS: dict[tuple[int, bytes] | None, list[Place | Problem]] = {}
_MET_ONCE: set[tuple[int, bytes]] = set()
SEEN_OBJECTS_MAX, SEEN_TEXT_MAX = 2048, 65536


def _remember(key: tuple[int, bytes], items: list[Place | Problem]) -> None:
    if key not in _MET_ONCE:
        if len(_MET_ONCE) >= 50 * SEEN_OBJECTS_MAX:
            _MET_ONCE.clear()
        _MET_ONCE.add(key)
        return
    if sum(len(i.text) for i in items if isinstance(i, Place)) > SEEN_TEXT_MAX:
        return
    if len(_SEEN_OBJECTS) >= SEEN_OBJECTS_MAX:
        _SEEN_OBJECTS.clear()
    _SEEN_OBJECTS[key] = items


def _object_spans(reader, data: bytes) -> dict[tuple[int, int], tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(start, end) in the file of each object whose bytes alone say what it is: an object written in the file
    (not in an object stream) of an unencrypted PDF (strings of an encrypted one are decrypted with a key of the
    file), whose 'N G obj' header stands where the cross-reference table says; it ends where the next object,
    or the cross-reference table, starts."""
    if reader.is_encrypted:
        return {}
    entries = sorted((int(offset), num, gen) for gen, table in reader.xref.items() for num, offset in table.items()
                     if num and (num, gen) not in reader.xref_objStm)
    ends = [offset for offset, _, _ in entries[1:]] + [_xref_start(data)]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (offset, num, gen), end in zip(entries, ends, strict=True):
        if offset < end and data.startswith(b"%d %d obj" % (num, gen), offset):
            spans[(num, gen)] = (offset, end)
    return spans


def _xref_start(data: bytes) -> int:
    """The offset of the last cross-reference section (the end of the last object), else the file's length."""
    at = data.rfind(b"startxref")
    if at >= 0:
        m = re.match(rb"startxref\s+(\d+)", data[at:at + 40])
        if m and int(m.group(1)) < len(data):
            return int(m.group(1))
    return len(data)


def _self_contained(obj, data: bytes, span: tuple[int, int]) -> bool:  # type: ignore[no-untyped-def]
    """Whether what the walk of an object yields follows from its own bytes: it ends ('endobj') inside them, and
    a stream's data, as pypdf read it, ends at an 'endstream' inside them too (pypdf looks further when the length
    is wrong), with a length and filters written in it, not in other objects."""
    from pypdf.generic import IndirectObject, StreamObject

    if data.find(b"endobj", *span) < 0:
        return False
    if not isinstance(obj, StreamObject):
        return True
    if any(isinstance(obj.get(k), IndirectObject) for k in ("/Filter", "/DecodeParms")):
        return False
    keyword = data.find(b"stream", *span)
    raw = getattr(obj, "_data", None)
    if keyword < 0 or not isinstance(raw, bytes) or _INDIRECT_LENGTH.search(data, span[0], keyword):
        return False
    begin = keyword + 6 + (2 if data.startswith(b"\r\n", keyword + 6) else 1)
    after = begin + len(raw)
    return data.startswith(raw[:64], begin) and data[after:span[1]].lstrip().startswith(b"endstream")


_INDIRECT_LENGTH = re.compile(rb"/Length\s+\d+\s+\d+\s+R")


_OBJ_WORD = re.compile(rb"obj\b")
_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # \s of a bytes regex
_DIGITS = frozenset(b"0123456789")


def object_headers(data: bytes) -> Iterator[tuple[int, int]]:
    """(offset, number) of every 'N G obj' in the bytes: what _OBJ finds, found from each 'obj' backwards (the
    regex engine finds a literal quickly, but tries _OBJ's leading digits at every digit of compressed data)."""
    for m in _OBJ_WORD.finditer(data):
        gen_end = m.start()
        gen = _skip(data, gen_end, _SPACE)
        if gen == gen_end:
            continue
        num_end = _skip(data, gen, _DIGITS)
        if not 1 <= gen - num_end <= 5:
            continue
        num = _skip(data, num_end, _SPACE)
        if num == num_end:
            continue
        start = _skip(data, num, _DIGITS)
        if 1 <= num - start <= 10:
            yield start, int(data[start:num])


def _skip(data: bytes, end: int, chars: frozenset[int]) -> int:
    """The offset where the run of ``chars`` ending at ``end`` starts."""
    while end > 0 and data[end - 1] in chars:
        end -= 1
    return end


def _in_stream(data: bytes, pos: int) -> bool:
    """Whether a byte position lies between 'stream' and 'endstream' (binary data that happens to read 'obj')."""
    before = data.rfind(b"stream", 0, pos)
    if before < 0:
        return False
    end = data.rfind(b"endstream", 0, pos)
    return end < 0 or end + 3 < before


def _walk(where: str, obj, depth: int, data: bytes) -> Iterator[Place | Problem]:  # type: ignore[no-untyped-def]
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

    if isinstance(obj, DictionaryObject):
        kind = str(obj.get("/Subtype", obj.get("/Type", "")))
        if kind == "/Redact":
            yield Problem("redaction-annotation", where, "an unapplied redaction annotation: the text under it is "
                          "still in the file")
        lines: list[str] = []
        keys: list[str] = []
        for key, value in obj.items():
            if isinstance(value, IndirectObject):
                continue
            if isinstance(value, DictionaryObject | ArrayObject):
                yield from _walk(f"{where} {key}", value, depth, data)
                continue
            if isinstance(value, NameObject) and key in ("/Type", "/Subtype", "/Filter", "/BaseFont"):
                continue
            text = _string(value)
            if text:
                keys.append(f"{where} {kind} {key}".replace("  ", " "))
                lines.append(text)
        if lines:
            yield from _lines(keys, lines)
        if isinstance(obj, StreamObject):
            yield from _stream(where, kind, obj, depth)
    elif isinstance(obj, ArrayObject):
        read = _id_string if where.endswith("trailer /ID") else _string
        lines = [t for t in (read(v) for v in obj if not isinstance(v, IndirectObject | DictionaryObject
                                                                     | ArrayObject)) if t]
        if lines:
            yield Place(where, "\n".join(lines))
        for n, value in enumerate(obj):
            if isinstance(value, DictionaryObject | ArrayObject):
                yield from _walk(f"{where}[{n}]", value, depth, data)
    else:
        text = _string(obj)
        if text:
            yield Place(where, text)


def _lines(keys: list[str], lines: list[str]) -> Iterator[Place]:
    for key, line in zip(keys, lines, strict=True):
        yield Place(key, line)


def _string(value) -> str:  # type: ignore[no-untyped-def]
    from pypdf.generic import ByteStringObject, NameObject, TextStringObject

    if isinstance(value, TextStringObject):
        return str(value)
    if isinstance(value, ByteStringObject):
        return bytes(value).decode("latin-1")
    if isinstance(value, NameObject):
        return str(value)[1:]
    return ""


def _id_string(value) -> str:  # type: ignore[no-untyped-def]
    """A file identifier of the trailer: binary by the PDF spec (a digest), so read as the hex it is written in,
    unless every byte is printable ASCII (then it is text someone put there, and searched as text). Decoding a
    digest's bytes as Latin-1 makes words of them ('i¦çY' reads 'i cy'), which match short names by chance."""
    from pypdf.generic import ByteStringObject, TextStringObject

    if isinstance(value, TextStringObject):  # pypdf decodes a hex string to text when it can
        raw = bytes(value.get_original_bytes())
    elif isinstance(value, ByteStringObject):
        raw = bytes(value)
    else:
        return _string(value)
    if raw and all(0x20 <= b < 0x7F for b in raw):
        return raw.decode("ascii")
    return raw.hex()


def _stream(where: str, kind: str, obj, depth: int) -> Iterator[Place | Problem]:  # type: ignore[no-untyped-def]
    if kind in ("/Form", "/Font", "/FontFile", "/FontFile2", "/FontFile3", "/Type1C", "/CIDFontType0C",
                "/OpenType", "/ObjStm", "/XRef") or "/Length1" in obj or "/Length2" in obj:
        return  # page-like content is read by the text extractor; fonts and object streams hold no text of ours
    try:
        payload = obj.get_data()
    except Exception:  # noqa: BLE001 - undecodable stream data
        yield Problem("unreadable", where, f"a {kind or 'stream'} whose data cannot be decoded")
        return
    if kind == "/Image":
        yield from _image(where, obj)
        return
    if kind == "/EmbeddedFile" or payload[:5] == b"%PDF-":
        if payload[:5] == b"%PDF-":
            if depth >= MAX_DEPTH:
                yield Problem("unreadable", where, "PDFs embedded too deep to check")
                return
            for item in pdf_places(payload, depth + 1):
                if isinstance(item, Place):
                    yield Place(f"{where} (embedded PDF) {item.where}", item.text, binary=item.binary)
                else:
                    yield Problem(item.kind, f"{where} (embedded PDF) {item.where}", item.detail)
            return
        yield Place(f"{where} (embedded file)", payload.decode("utf-8", "replace"))
        return
    if kind in ("/Metadata", "/XML") or b"<x:xmpmeta" in payload[:4096] or b"<?xpacket" in payload[:200]:
        yield Place(f"{where} (XMP metadata)", _unxml(payload.decode("utf-8", "replace")))
        return
    if b"BT" in payload and b"ET" in payload:
        return  # a page's content stream: the text extractor read it
    binary = is_binary(payload)
    yield Place(f"{where} ({'binary ' if binary else ''}stream)", payload.decode("latin-1"), binary=binary)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\f\r")


def is_binary(payload: bytes) -> bool:
    """Whether a stream's bytes are data rather than text: a NUL byte, or more than one byte in 20 a control
    character (an ICC profile, sampled data, a compressed or encrypted blob). Text streams (a CMap, JavaScript,
    a content stream without text) have neither."""
    if b"\0" in payload:
        return True
    sample = payload[:65536]
    return len(sample) > 0 and len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > len(sample) // 20


def _unxml(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def _image(where: str, obj) -> Iterator[Place | Problem]:  # type: ignore[no-untyped-def]
    exe = shutil.which("tesseract")
    if not exe:
        yield Problem("unchecked-image", where, "an image, and tesseract is not installed to read it")
        return
    try:
        img = obj.decode_as_image()
        buffer = io.BytesIO()
        img.save(buffer, format="PNG")
    except Exception as exc:  # noqa: BLE001 - an image pypdf cannot decode cannot be read
        yield Problem("unchecked-image", where, f"an image that cannot be decoded for OCR ({type(exc).__name__})")
        return
    proc = subprocess.run([exe, "-", "-", "--psm", "3"], input=buffer.getvalue(), capture_output=True, check=False)
    if proc.returncode != 0:
        yield Problem("unchecked-image", where, "tesseract could not read the image")
        return
    yield Place(f"{where} (image text, OCR)", proc.stdout.decode("utf-8", "replace"))
