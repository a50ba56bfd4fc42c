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

Text in images is redacted too (``redact_pdf_file``): every image big enough to hold a word (image objects,
their soft masks, 1-bit stencil masks, inline images) is read by Tesseract (discovery.ingest.ocr, one run per
PDF, each distinct picture once per process), the production's values and variants are looked for in its words
(``ImageValues``: the pipeline passes its own value finder), and the words' boxes, mapped onto the page through
each place the image is drawn, become redaction annotations applied with PDF_REDACT_IMAGE_PIXELS, so the image
data written no longer holds the text. The file as written is read again the same way (only changed pixels are
OCRed again). An image that cannot be read (no Tesseract, undecodable data), or that still reads a value, raises
ImageRedactionError with a withheld.csv reason: the attachment is never published unredacted.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from discovery.errors import RedactionError
from discovery.ingest.pagetext import Word
from discovery.redact.pages import label_positions
from discovery.redact.production import (
    PAGE_LINES,
    PAGE_WIDTH,
    ProducedDocument,
    Production,
    bates_label,
)

# MuPDF prints decoding errors and repair warnings of damaged attachments on stdout by default, which would
# corrupt `redact --json` and draw over the review UI; they stay readable in TOOLS.mupdf_warnings().
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

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
# A run of letters or of digits: 'Act34' (a word and its footnote number, set close) is 'act' '34', as other
# extractors (pdftotext) read it; each token keeps the rect of its whole word.
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_NOT_DIGIT = re.compile(r"\D+")


def redact_pdf(data: bytes, values: Mapping[str, str] | Iterable[str], *, rasterise: bool = False,
               dpi: int = 150, images: ImageValues | None = None) -> bytes:
    """A PDF with every occurrence of each value truly removed, from its text and from the pixels of its images
    (see redact_pdf_file); only the bytes."""
    return redact_pdf_file(data, values, rasterise=rasterise, dpi=dpi, images=images).data


def redact_pdf_file(data: bytes, values: Mapping[str, str] | Iterable[str], *, rasterise: bool = False,
                    dpi: int = 150, images: ImageValues | None = None) -> RedactedPdf:
    """A PDF with every occurrence of each value truly removed; ``values`` maps value -> label (or lists values,
    labelled with nothing). Text is found in the text layer; text in images is read by OCR and looked for with
    ``images`` (by default: the same ``values``), and its pixels removed. Raises RedactionError when the PDF
    cannot be opened or a value survives, ImageRedactionError when an image that may hold text cannot be read
    (no Tesseract, an undecodable image) or a value is still read in an image afterwards."""
    labels = dict(values) if isinstance(values, Mapping) else dict.fromkeys(values, "")
    look_for = images if images is not None else ImageValues.of(labels)
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
    for page in doc:
        if any(_occurrences(page, forms)):
            raise RedactionError("a redacted value is still in the PDF's text after redaction",
                                 hint="The attachment cannot be redacted in its own format; withhold it.")
    found: list[Hashable] = []
    marks = _image_marks(doc, look_for, placed_only=True)  # the images as the text's removal left them
    for page in doc:
        if _mark_images(page, marks.get(page.number, []), found):
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
    _scrub(doc)
    out = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    for attempt in range(MAX_IMAGE_ROUNDS):  # read the images of the file as written, as the leak check will
        doc = pymupdf.open(stream=out, filetype="pdf")
        marks = _image_marks(doc, look_for)
        if not marks:
            break
        if attempt == MAX_IMAGE_ROUNDS - 1:
            raise ImageRedactionError("a redacted value is still read in an image of the PDF after redaction",
                                      reason="image-not-redacted")
        for page in doc:  # the removal uncovered more (or an image the first pass could not place): once more
            if _mark_images(page, marks.get(page.number, []), found):
                page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                      graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
        _scrub(doc)
        out = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    if rasterise:
        out = _rasterised(doc, dpi).tobytes(garbage=4, deflate=True, no_new_id=True)
    return RedactedPdf(out, tuple(found))


def _scrub(doc: pymupdf.Document) -> None:
    """Everything but the pages' content and resources goes: metadata, XMP, embedded files, annotations, form
    fields, JavaScript, hidden text, bookmarks, the tagged structure."""
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


# -- PDF attachments: text in images ---------------------------------------------------------------------
MIN_IMAGE_SIDE = 12  # pixels: an image narrower or lower than this holds no line of text Tesseract can read
MIN_IMAGE_PIXELS = 2_400  # and one smaller than this (e.g. 120 x 20) no word of a name; icons, rules, spacers
MAX_IMAGE_ROUNDS = 2  # OCR passes over the written file: the check, and one more removal if it still reads a value
_PAD = 0.2  # of a word's height, added around its box (ascenders, descenders, anti-aliased edges)
OCR_CACHE_SIZE = 4096  # images (their words) kept per process: a letterhead on every page is read once


class ImageRedactionError(RedactionError):
    """An image of a PDF attachment that may hold text could not be redacted; ``reason`` is the withheld.csv code
    ('ocr-unavailable', 'image-unreadable', 'image-not-redacted')."""

    def __init__(self, message: str, *, reason: str, hint: str = "") -> None:
        super().__init__(message, hint=hint or "The attachment is withheld; its redacted text is published.")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ImageValues:
    """What to look for in the words read from images: ``find(text)`` gives (start, end, key) of each value
    found in a text, ``label(key)`` the label its box carries. The pipeline passes the production's own value
    finder (every value and variant, as for text); ``of`` makes one from a value -> label mapping."""

    find: Callable[[str], Iterable[tuple[int, int, Hashable]]]
    label: Callable[[Hashable], str]
    empty: bool = False  # no value at all: no image needs reading

    @classmethod
    def of(cls, labels: Mapping[str, str]) -> ImageValues:
        from discovery.redact.finder import ValueFinder
        from discovery.redact.variants import compact

        keys = list(labels)
        needles: list[tuple[str, int]] = []
        for n, value in enumerate(keys):
            needles.append((compact(value), n))
            digits = _NOT_DIGIT.sub("", value)
            if len(digits) >= 6:
                needles.append((digits, n))
        finder = ValueFinder(needles, ["".join(c for c in v if not c.isalnum() and not c.isspace()) for v in keys])

        def find(text: str) -> list[tuple[int, int, Hashable]]:
            return [(start, end, keys[vi]) for _, start, end, vi in finder.find([("image", text)])]

        return cls(find, lambda key: labels.get(str(key), ""), empty=not needles)


@dataclass(frozen=True, slots=True)
class RedactedPdf:
    """A redacted PDF attachment: its bytes, and the key of each value removed from an image (one per place: a
    name in a letterhead on three pages is three)."""

    data: bytes
    image_redactions: tuple[Hashable, ...] = ()


@dataclass(frozen=True, slots=True)
class _Placement:
    page: int
    transform: pymupdf.Matrix  # unit square -> page


_Mark = tuple[pymupdf.Rect, str, Hashable]  # (page rect, label, value key)
_OCR_CACHE: OrderedDict[str, tuple[Word, ...]] = OrderedDict()
_INVERT = bytes(range(255, -1, -1))


def _image_marks(doc: pymupdf.Document, values: ImageValues, *, placed_only: bool = False
                 ) -> dict[int, list[_Mark]]:
    """Page number -> (rect, label, key) of every place a value is read in an image big enough to hold text
    (image objects, their soft masks, inline images). Raises ImageRedactionError when such an image cannot be
    read, or holds a value and is drawn nowhere it could be removed from; with ``placed_only`` images drawn
    nowhere are left out (an edited document keeps the objects its redactions replaced until it is saved)."""
    if values.empty:
        return {}
    placements: dict[int, list[_Placement]] = {}
    inline: list[tuple[int, pymupdf.Rect, int, int]] = []
    for page in doc:
        for info in page.get_image_info(xrefs=True):
            xref = int(info.get("xref") or 0)
            if xref:
                placements.setdefault(xref, []).append(_Placement(page.number, pymupdf.Matrix(info["transform"])))
            elif _big_enough(int(info["width"]), int(info["height"])):
                inline.append((page.number, pymupdf.Rect(info["bbox"]), int(info["width"]), int(info["height"])))
    pictures: list[tuple[bytes, str, int, int, list[_Placement], str]] = []  # (png, digest, w, h, where, what)
    parents = _mask_parents(doc)
    for xref in range(1, doc.xref_length()):
        if not doc.xref_is_image(xref):
            continue
        width, height = _int_key(doc, xref, "Width"), _int_key(doc, xref, "Height")
        if not _big_enough(width, height):
            continue
        where = list(placements.get(xref, []))
        for parent in parents.get(xref, []):  # a soft mask is drawn where its image is
            where.extend(placements.get(parent, []))
        if placed_only and not where:
            continue
        pymupdf.TOOLS.store_shrink(100)  # decode it afresh (not the copy get_image_info left), so that its
        pymupdf.TOOLS.reset_mupdf_warnings()  # decoding errors are this call's
        try:
            pix = pymupdf.Pixmap(doc, xref)
            png, digest = _png(pix)
            failed = "error" in pymupdf.TOOLS.mupdf_warnings()  # MuPDF pads what it cannot decode with black
        except Exception as exc:  # noqa: BLE001 - any image MuPDF cannot decode
            failed = type(exc).__name__
        if failed:  # another reader may show more of it than MuPDF can: never publish what was not read
            raise ImageRedactionError(f"an image of the PDF (object {xref}) cannot be decoded to be read for "
                                      "redaction", reason="image-unreadable")
        pictures.append((png, digest, pix.width, pix.height, where, f"image object {xref}"))
    for page_no, bbox, width, _ in inline:  # no object to decode: the page region, drawn at its resolution
        scale = min(max(width / max(bbox.width, 1.0), 1.0), 4.0)
        pix = doc[page_no].get_pixmap(matrix=pymupdf.Matrix(scale, scale), clip=bbox, annots=False)
        png, digest = _png(pix)
        unit = pymupdf.Matrix(bbox.width, 0, 0, bbox.height, bbox.x0, bbox.y0)
        pictures.append((png, digest, pix.width, pix.height, [_Placement(page_no, unit)],
                         f"an inline image on page {page_no + 1}"))
    words = _read([(png, digest) for png, digest, *_ in pictures])
    marks: dict[int, list[_Mark]] = {}
    for (_, digest, width, height, where, what) in pictures:
        boxes = list(_value_boxes(words[digest], values, width, height))
        if not boxes:
            continue
        if not where:
            raise ImageRedactionError(f"{what} of the PDF holds a redacted value but is drawn on no page, so it "
                                      "cannot be removed", reason="image-not-redacted")
        shrink = pymupdf.Matrix(1 / width, 0, 0, 1 / height, 0, 0)
        for place in where:
            for box, key in boxes:
                marks.setdefault(place.page, []).append((box * shrink * place.transform, values.label(key), key))
    return marks


def _mark_images(page: pymupdf.Page, marks: Sequence[_Mark], found: list[Hashable]) -> bool:
    """Redaction annotations over a page's image marks (the label on the first box of each); whether any."""
    for rect, label, key in marks:
        page.add_redact_annot(rect, text=label, fill=(0, 0, 0), text_color=(1, 1, 1), fontsize=6)
        found.append(key)
    return bool(marks)


def _big_enough(width: int, height: int) -> bool:
    return min(width, height) >= MIN_IMAGE_SIDE and width * height >= MIN_IMAGE_PIXELS


def _int_key(doc: pymupdf.Document, xref: int, key: str) -> int:
    kind, value = doc.xref_get_key(xref, key)
    try:
        return int(float(value)) if kind == "int" or kind == "float" else 0
    except ValueError:
        return 0


def _mask_parents(doc: pymupdf.Document) -> dict[int, list[int]]:
    """Soft mask xref -> the images that use it."""
    out: dict[int, list[int]] = {}
    for xref in range(1, doc.xref_length()):
        if doc.xref_is_image(xref):
            kind, value = doc.xref_get_key(xref, "SMask")
            if kind == "xref":
                out.setdefault(int(value.split()[0]), []).append(xref)
    return out


def _png(pix: pymupdf.Pixmap) -> tuple[bytes, str]:
    """A pixmap as PNG for Tesseract (grey or RGB, no alpha) and the digest of its pixels."""
    if pix.colorspace is None:  # a stencil mask (a 1-bit scan, often): its coverage, painted dark on white
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, bytes(pix.samples).translate(_INVERT), False)
    if pix.alpha:
        pix = pymupdf.Pixmap(pix, 0)
    if pix.colorspace.n not in (1, 3):
        pix = pymupdf.Pixmap(pymupdf.csRGB, pix)
    digest = hashlib.sha256(f"{pix.width}x{pix.height}x{pix.n}:".encode() + pix.samples).hexdigest()
    return pix.tobytes("png"), digest


def _read(pictures: Sequence[tuple[bytes, str]]) -> dict[str, tuple[Word, ...]]:
    """Digest -> the words Tesseract reads in each picture; those read before (same pixels) are not read again,
    the others in one Tesseract run. Raises ImageRedactionError when Tesseract cannot read them."""
    out: dict[str, tuple[Word, ...]] = {}
    todo: dict[str, bytes] = {}
    for png, digest in pictures:
        cached = _OCR_CACHE.get(digest)
        if cached is not None:
            _OCR_CACHE.move_to_end(digest)
            out[digest] = cached
        else:
            todo.setdefault(digest, png)
    if todo:
        from discovery.ingest.ocr import ocr_images

        for digest, result in zip(todo, ocr_images(list(todo.values())), strict=True):
            if result.error:
                reason = "ocr-unavailable" if "not installed" in result.error else "image-unreadable"
                raise ImageRedactionError(f"the PDF has images that may hold text, and they could not be read to "
                                          f"redact them ({result.error.removeprefix('not OCR' + chr(39) + 'd: ')})",
                                          reason=reason)
            out[digest] = _OCR_CACHE[digest] = tuple(result.words)
            while len(_OCR_CACHE) > OCR_CACHE_SIZE:
                _OCR_CACHE.popitem(last=False)
    return out


def _value_boxes(words: Sequence[Word], values: ImageValues, width: int, height: int
                 ) -> Iterator[tuple[pymupdf.Rect, Hashable]]:
    """(box in the image's pixels, key) of each value read in the words: one box per OCR line a value covers
    (a name split over two lines is two boxes), padded."""
    if not words:
        return
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for n, word in enumerate(words):
        if n:
            parts.append("\n" if word.group != words[n - 1].group else " ")
            pos += 1
        spans.append((pos, pos + len(word.text)))
        parts.append(word.text)
        pos += len(word.text)
    text = "".join(parts)
    for start, end, key in values.find(text):
        lines: dict[int, pymupdf.Rect] = {}
        for word, (ws, we) in zip(words, spans, strict=True):
            if ws < end and we > start:
                box = pymupdf.Rect(word.x0, word.y0, word.x1, word.y1)
                lines[word.group] = lines[word.group] | box if word.group in lines else box
        for box in lines.values():
            pad = max(2.0, box.height * _PAD)
            yield pymupdf.Rect(max(box.x0 - pad, 0), max(box.y0 - pad, 0), min(box.x1 + pad, width),
                               min(box.y1 + pad, height)), key
