"""Provides the PDF writer (documents typeset from already-redacted pages) and redact_pdf (true removal).

``render_document`` typesets a ProducedDocument's ``pages`` exactly as given (PAGE_WIDTH x PAGE_LINES of
monospaced text), one Bates number per page, each redaction drawn as a black box carrying its label in white
(the label is the text the pipeline put there; a writer never sees a value). Nothing is painted over live
text: the text layer is the published text. Metadata is cleared (or set from ``metadata``), no XMP, saved
whole with garbage collection and fixed IDs, so the same document gives the same bytes.

``redact_pdf`` redacts a PDF attachment in its own format by true removal: PyMuPDF redaction annotations over
every occurrence of each value (case, punctuation and line breaks ignored, numbers by their digits), applied,
then the file scrubbed (metadata, XMP, embedded files, annotations, form fields, JavaScript, hidden text) and
saved whole with ``garbage=4``; optionally each page rasterised. It raises RedactionError when a value is
still found in the text afterwards (the caller then withholds the attachment).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pymupdf

from discovery.errors import RedactionError
from discovery.redact.pages import label_positions
from discovery.redact.production import (
    PAGE_LINES,
    PAGE_WIDTH,
    ProducedDocument,
    Production,
    bates_label,
)

PAGE_SIZE = (612.0, 792.0)  # US Letter, points
MARGIN_X = 36.0
MARGIN_TOP = 40.0
FONT_SIZE = 9.6  # Courier: 0.6 em per character -> PAGE_WIDTH characters in 518 pt
LEADING = 11.4
CHAR_WIDTH = FONT_SIZE * 0.6
BATES_Y = PAGE_SIZE[1] - 24.0
_BLOCKS = re.compile(r"^[\u2580-\u259f\s]+$")  # a blackout label: drawn as a box, no text
_FONT = pymupdf.Font("cour")  # Courier (Nimbus Mono PS): Latin, Greek and Cyrillic
FONT_NAME = "F0"


def pdf_files(production: Production, doc: ProducedDocument,
              metadata: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """The files of one document under ``pdf/``: its PDF, and each PDF attachment redacted in its own format."""
    files = {f"pdf/{doc.bates_first}.pdf": render_document(production, doc, metadata)}
    for att in doc.attachments:
        if att.content is not None and not att.withheld and att.mime == "application/pdf":
            files[f"pdf/{doc.bates_first}-att{att.position}.pdf"] = att.content
    return files


def write_pdf(production: Production, out_dir: Path | str,
               metadata: Mapping[str, str] | None = None) -> list[str]:
    """Write every document's PDF files into OUT_DIR (pdf/...); the relative paths written, in order."""
    out = Path(out_dir)
    (out / "pdf").mkdir(parents=True, exist_ok=True)
    written = []
    for doc in production.documents:
        for rel, data in pdf_files(production, doc, metadata).items():
            (out / rel).write_bytes(data)
            written.append(rel)
    return written


def render_document(production: Production, doc: ProducedDocument,
                    metadata: Mapping[str, str] | None = None) -> bytes:
    """One document as PDF bytes: its pages as given, a Bates number on each, labelled boxes."""
    count = max(doc.page_count, 1)
    if len(doc.pages) > count:
        raise RedactionError(f"message {doc.id} has {len(doc.pages)} pages but a Bates range of {count}",
                             hint="The pipeline's pagination and Bates numbering disagree; report this bug.")
    boxes: dict[int, list[tuple[int, int, str]]] = {}
    for red in doc.redactions:
        if red.page >= 0 and red.line >= 0 and red.label:
            boxes.setdefault(red.page, []).append((red.line, red.column, red.label))
    pdf = pymupdf.open()
    font = 0
    for n in range(count):
        text = doc.pages[n] if n < len(doc.pages) else ""
        # where the records carry no positions, every label printed on the page gets its box
        placed = boxes.get(n) if boxes else label_positions(text)
        page = pdf.new_page(width=PAGE_SIZE[0], height=PAGE_SIZE[1])
        font = font or _embed_font(pdf)  # once per document: every page's /F0 names the same font object
        pdf.xref_set_key(page.xref, "Resources", f"<</Font<</{FONT_NAME} {font} 0 R>>>>")
        contents = pdf.get_new_xref()
        pdf.update_object(contents, "<<>>")
        pdf.update_stream(contents, page_content(text, placed or [], bates_label(production.bates_prefix,
                                                                                 doc.bates_start + n)))
        pdf.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    pdf.set_metadata(dict(metadata or {}))
    pdf.del_xml_metadata()
    return pdf.tobytes(garbage=4, deflate=True, no_new_id=True)


def _embed_font(pdf: pymupdf.Document) -> int:
    """Copy the embedded Courier's objects (made and compressed once per process) into pdf; the font's xref."""
    objects = _font_objects()
    numbers = {old: pdf.get_new_xref() for old, _, _ in objects}
    for old, source, stream in objects:
        xref = numbers[old]
        pdf.update_object(xref, _REF.sub(lambda m: f"{numbers[int(m.group(1))]} 0 R", source))
        if stream is not None:
            pdf.update_stream(xref, stream, compress=False)
            pdf.xref_set_key(xref, "Filter", "/FlateDecode")
    return numbers[objects[0][0]]


_REF = re.compile(r"\b(\d+) 0 R\b")


@functools.cache
def _font_objects() -> tuple[tuple[int, str, bytes | None], ...]:
    """The objects PyMuPDF makes to embed Courier (the Type0 font first, then what it refers to, each stream
    deflated), made once per process: (xref, source, deflated stream or None)."""
    template = pymupdf.open()
    first = template.new_page().insert_font(fontname=FONT_NAME, fontbuffer=_FONT.buffer)
    order: list[int] = []
    todo = [first]
    while todo:
        xref = todo.pop(0)
        if xref not in order:
            order.append(xref)
            todo.extend(int(n) for n in _REF.findall(template.xref_object(xref, compressed=True)))
    return tuple((xref, template.xref_object(xref, compressed=True),
                  zlib.compress(template.xref_stream(xref), 9) if template.xref_is_stream(xref) else None)
                 for xref in order)


def page_content(text: str, redactions: Sequence[tuple[int, int, str]], bates: str) -> bytes:
    """A page's content stream: the black boxes, then the text in reading order, each run of plain text black
    and each label white on its box (so extractors read the page in order), the Bates number last. Glyphs are
    written by their number in the embedded font (hex), so no character of the text can break the syntax."""
    lines = text.split("\n")[:PAGE_LINES]
    covered: dict[int, list[tuple[int, int, str]]] = {}
    for line_no, column, label in redactions:
        covered.setdefault(line_no, []).append((column, column + len(label), label))
    rects: list[str] = []
    segments: list[tuple[bool, float, float, str]] = []  # (white, x, baseline, text) in reading order
    for number, line in enumerate(lines):
        line = line[:PAGE_WIDTH].replace("\t", " ")
        baseline = MARGIN_TOP + (number + 1) * LEADING
        cursor = 0
        for start, end, label in sorted(covered.get(number, [])):
            start, end = max(start, cursor), min(end, len(line))
            if end <= start:
                continue
            if line[cursor:start].strip():
                segments.append((False, MARGIN_X + cursor * CHAR_WIDTH, baseline, line[cursor:start]))
            x0 = MARGIN_X + start * CHAR_WIDTH
            rects.append(f"{_num(x0)} {_num(PAGE_SIZE[1] - baseline - FONT_SIZE * 0.25)} "
                         f"{_num((end - start) * CHAR_WIDTH)} {_num(FONT_SIZE * 1.05)} re\n")
            if not _BLOCKS.match(label):
                segments.append((True, x0, baseline, line[start:end]))
            cursor = end
        if line[cursor:].strip():
            segments.append((False, MARGIN_X + cursor * CHAR_WIDTH, baseline, line[cursor:]))
    segments.append((False, PAGE_SIZE[0] - MARGIN_X - len(bates) * CHAR_WIDTH, BATES_Y, bates))
    out = ["q\n"]
    if rects:
        out.extend(["0 g\n", *rects, "f\n"])
    out.append(f"BT\n/{FONT_NAME} {_num(FONT_SIZE)} Tf\n")
    white: bool | None = None
    for is_white, x, y, run in segments:
        if is_white != white:
            out.append("1 g\n" if is_white else "0 g\n")
            white = is_white
        out.append(f"1 0 0 1 {_num(x)} {_num(PAGE_SIZE[1] - y)} Tm <{_glyphs(run)}> Tj\n")
    out.append("ET\nQ\n")
    return "".join(out).encode("ascii")


def _num(value: float) -> str:
    """A number as PDF writes it: at most 3 decimals, no trailing zeros (the same text every run)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


_GLYPHS: dict[str, str] = {}


def _glyphs(text: str) -> str:
    """The text as the embedded font's glyph numbers in hex; a character the font lacks prints as '?', so every
    glyph in the file is one the reader sees."""
    out = []
    for c in text:
        hexa = _GLYPHS.get(c)
        if hexa is None:
            gid = _FONT.has_glyph(ord(c)) if c.isprintable() or c == " " else 0
            hexa = _GLYPHS[c] = f"{gid or _FONT.has_glyph(ord('?')):04x}"
        out.append(hexa)
    return "".join(out)


# -- PDF attachments: true removal -----------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+")
_NOT_DIGIT = re.compile(r"\D+")


def redact_pdf(data: bytes, values: Mapping[str, str] | Iterable[str], *, rasterise: bool = False,
               dpi: int = 150) -> bytes:
    """A PDF with every occurrence of each value truly removed; ``values`` maps value -> label (or lists values,
    labelled with nothing). Raises RedactionError when the PDF cannot be opened or a value survives."""
    labels = dict(values) if isinstance(values, Mapping) else dict.fromkeys(values, "")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise RedactionError(f"the PDF cannot be opened for redaction ({type(exc).__name__})",
                             hint="Withhold the attachment.") from exc
    if doc.needs_pass:
        raise RedactionError("the PDF is encrypted and cannot be redacted", hint="Withhold the attachment.")
    forms = _forms(labels)
    for page in doc:
        for rects, label in _occurrences(page, forms):
            for n, rect in enumerate(rects):
                page.add_redact_annot(rect, text=label if n == 0 else "", fill=(0, 0, 0), text_color=(1, 1, 1),
                                      fontsize=6)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
    doc.scrub(redactions=False)
    for page in doc:
        for annot in list(page.annots() or []):
            page.delete_annot(annot)
    doc.set_toc([])  # bookmarks: titles and their actions (a mailto: URI) are text scrub() leaves
    catalog = doc.pdf_catalog()
    for key in ("StructTreeRoot", "MarkInfo"):  # the tagged structure: ActualText/Alt text, and it keeps the
        doc.xref_set_key(catalog, key, "null")  # removed link annotations (their URIs) alive for garbage=4
    doc.set_metadata({})
    doc.del_xml_metadata()
    if rasterise:
        doc = _rasterised(doc, dpi)
    else:
        for page in doc:
            if any(_occurrences(page, forms)):
                raise RedactionError("a redacted value is still in the PDF's text after redaction",
                                     hint="The attachment cannot be redacted in its own format; withhold it.")
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def _forms(labels: Mapping[str, str]) -> list[tuple[tuple[str, ...], str, str]]:
    """(tokens, digits or '', label) per value."""
    out = []
    for value, label in labels.items():
        tokens = tuple(t.casefold() for t in _TOKEN.findall(value))
        digits = _NOT_DIGIT.sub("", value)
        if tokens:
            out.append((tokens, digits if len(digits) >= 6 and len(digits) * 2 >= len("".join(tokens)) else "",
                        label))
    return out


def _occurrences(page: pymupdf.Page, forms: Sequence[tuple[tuple[str, ...], str, str]]
                 ) -> Iterator[tuple[list[pymupdf.Rect], str]]:
    """(word rects, label) of each place a value's tokens (or, for numbers, its digits) occur in a row of words,
    across line breaks too."""
    tokens: list[tuple[str, pymupdf.Rect]] = []
    for x0, y0, x1, y1, word, *_ in page.get_text("words", sort=True):
        for tok in _TOKEN.findall(word):
            tokens.append((tok.casefold(), pymupdf.Rect(x0, y0, x1, y1)))
    words = [t for t, _ in tokens]
    first: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        first.setdefault(w, []).append(i)
    for value_tokens, digits, label in forms:
        n = len(value_tokens)
        for i in first.get(value_tokens[0], []):
            if tuple(words[i:i + n]) == value_tokens:
                yield [r for _, r in tokens[i:i + n]], label
        if not digits:
            continue
        for i, w in enumerate(words):
            if not w.isdigit() or not digits.startswith(w):
                continue
            joined, j = "", i
            while j < len(words) and words[j].isdigit() and len(joined) < len(digits):
                joined += words[j]
                j += 1
            if joined.startswith(digits) and tuple(words[i:j]) != value_tokens:
                yield [r for _, r in tokens[i:j]], label


def _rasterised(doc: pymupdf.Document, dpi: int) -> pymupdf.Document:
    """Each page replaced by a picture of itself (no text layer, fonts or structure left)."""
    out = pymupdf.open()
    for page in doc:
        pix = page.get_pixmap(dpi=dpi, annots=False)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, pixmap=pix)
    return out
