"""Provides read_pdf_pages: a PDF's pages as text lines (text layer, else OCR) and the redaction boxes on them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from discovery.ingest.exemptions import find_labels
from discovery.ingest.pagetext import Word, deskew, lines_from_words

OCR_DPI = 200  # scans are made at 150-300 dpi; rendering above their own resolution only costs OCR time
OCR_BATCH = 8  # pages per Tesseract process
MIN_TEXT_WORDS = 4  # a page with fewer words in its text layer (and an image) is read by OCR
MAX_EMBEDDED_DEPTH = 3


_OCR_LABEL = re.compile(r"^\S{0,2}\(.{0,2}\)\s*\(([1-9])\)(?:\(([A-Fa-f])\))?")


class PdfRefused(Exception):
    """The PDF cannot be read at all (encrypted, damaged beyond repair); the message says why."""


@dataclass(slots=True)
class Box:
    """A blacked-out rectangle on a page, in points from the top-left; ``hidden`` is text of the text layer under it."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str = ""  # the exemption printed beside or on it, "(b)(6)"
    hidden: str = ""


@dataclass(slots=True)
class PdfPage:
    """One page: its text lines, how they were obtained, and the redaction boxes on it."""

    number: int  # 1-based
    lines: list[str]
    ocr: bool = False
    problem: str = ""  # e.g. "not OCR'd: Tesseract is not installed"
    boxes: list[Box] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(slots=True)
class PdfDocument:
    """The pages of one PDF and the PDFs embedded in it (portfolios, attachments), by name."""

    pages: list[PdfPage]
    embedded: list[tuple[str, PdfDocument]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


PageCallback = Callable[[int], None]


def read_pdf_pages(data: bytes, *, ocr: bool = True, on_page: PageCallback | None = None,
                   depth: int = 0) -> PdfDocument:
    """Read every page of a PDF. Raises PdfRefused when nothing can be read; page problems are kept on the page."""
    from discovery.ingest.extract import _pymupdf

    pymupdf = _pymupdf()
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise PdfRefused(f"PDF cannot be opened ({type(exc).__name__}: {str(exc)[:120]})") from exc
    with doc:
        if doc.needs_pass:
            raise PdfRefused("PDF is encrypted (a password is needed to read it); ask the sender for an open copy")
        pages = _read_pages(doc, ocr, on_page)
        result = PdfDocument(pages)
        for name, payload in _embedded_files(doc):
            if depth >= MAX_EMBEDDED_DEPTH:
                result.problems.append(f"embedded {name!r} not read: PDFs nested over {MAX_EMBEDDED_DEPTH} deep")
                continue
            if not payload.startswith(b"%PDF-"):
                continue
            try:
                result.embedded.append((name, read_pdf_pages(payload, ocr=ocr, on_page=on_page, depth=depth + 1)))
            except PdfRefused as exc:
                result.problems.append(f"embedded {name!r}: {exc}")
    return result


def count_pages(data: bytes) -> int:
    """Pages of a PDF and of the PDFs embedded in it (0 when it cannot be opened), for progress bars."""
    from discovery.ingest.extract import _pymupdf

    try:
        with _pymupdf().open(stream=data, filetype="pdf") as doc:
            if doc.needs_pass:
                return 0
            return int(doc.page_count) + sum(count_pages(p) for _, p in _embedded_files(doc)
                                             if p.startswith(b"%PDF-"))
    except Exception:
        return 0


def count_file_pages(path: Any) -> int:
    """Pages of a PDF file on disk (0 when it cannot be read), without reading it into memory."""
    from discovery.ingest.extract import _pymupdf

    try:
        with _pymupdf().open(path) as doc:
            return 0 if doc.needs_pass else int(doc.page_count) + sum(
                count_pages(p) for _, p in _embedded_files(doc) if p.startswith(b"%PDF-"))
    except Exception:
        return 0


def _embedded_files(doc: Any) -> Iterator[tuple[str, bytes]]:
    try:
        names = list(doc.embfile_names())
    except Exception:
        return
    for name in names:
        try:
            yield str(name), bytes(doc.embfile_get(name))
        except Exception:
            continue


def _read_pages(doc: Any, ocr: bool, on_page: PageCallback | None) -> list[PdfPage]:
    """Every page: the text layer where it has one; the others rendered, cleaned and OCR'd in batches of
    OCR_BATCH pages through one Tesseract process each (progress is counted as each page is done)."""
    pages: list[PdfPage | None] = [None] * doc.page_count
    pending: list[_Scan] = []

    def flush() -> None:
        for scan, page in zip(pending, _ocr_scans(pending), strict=True):
            pages[scan.number - 1] = page
            if on_page is not None:
                on_page(1)
        pending.clear()

    for index in range(doc.page_count):
        try:
            read = _read_page(doc[index], index + 1, ocr)
        except Exception as exc:  # one broken page must not cost the others
            read = PdfPage(index + 1, [], problem=f"page unreadable ({type(exc).__name__}: {exc})"[:300])
        if isinstance(read, _Scan):
            pending.append(read)
            if len(pending) >= OCR_BATCH:
                flush()
            continue
        pages[index] = read
        if on_page is not None:
            on_page(1)
    flush()
    return [p if p is not None else PdfPage(n + 1, [], problem="page unreadable") for n, p in enumerate(pages)]


@dataclass(slots=True)
class _Scan:
    """A page waiting for OCR: its cleaned image (None when blank), its boxes in points, its text-layer words."""

    number: int
    png: bytes | None
    boxes: list[Box]
    words: list[Word]


def _read_page(page: Any, number: int, ocr: bool) -> PdfPage | _Scan:
    raw = page.get_text("words")
    words = [Word(w[0], w[1], w[2], w[3], w[4]) for w in raw if str(w[4]).strip()]
    if len(words) >= MIN_TEXT_WORDS or not page.get_images():
        boxes = _drawn_boxes(page, words)
        return PdfPage(number, lines_from_words(words), boxes=boxes)
    if not ocr:
        return PdfPage(number, lines_from_words(words), problem="not OCR'd: OCR turned off")
    from discovery.ingest.pageimage import gray_array, png_bytes, prepare_scan

    pix = page.get_pixmap(dpi=OCR_DPI, colorspace="gray", alpha=False)
    scan = prepare_scan(gray_array(pix), OCR_DPI)
    scale = 72.0 / OCR_DPI
    boxes = [Box(x0 * scale, y0 * scale, x1 * scale, y1 * scale) for x0, y0, x1, y1 in scan.boxes]
    return _Scan(number, None if scan.pixels is None else png_bytes(scan.pixels), boxes, words)


def _ocr_scans(scans: list[_Scan]) -> list[PdfPage]:
    from discovery.ingest.ocr import ocr_images

    inked = [s for s in scans if s.png is not None]
    found = dict(zip((s.number for s in inked), ocr_images([s.png for s in inked if s.png is not None]),
                     strict=True))
    pages: list[PdfPage] = []
    scale = 72.0 / OCR_DPI
    for scan in scans:
        result = found.get(scan.number)
        if result is None:  # a blank page: nothing to read, nothing missed
            pages.append(PdfPage(scan.number, lines_from_words(scan.words), ocr=True, boxes=scan.boxes))
            continue
        if result.error:
            pages.append(PdfPage(scan.number, lines_from_words(scan.words), ocr=False, problem=result.error,
                                 boxes=scan.boxes))
            continue
        pages.append(PdfPage(scan.number, ocr_lines(result.words, scale, scan.boxes), ocr=True, boxes=scan.boxes))
    return pages


def ocr_lines(words: Iterable[Any], scale: float, boxes: list[Box]) -> list[str]:
    """A page's text lines from the OCR engine's words (their boxes in pixels, ``scale`` points a pixel): words
    scaled to points, those inside a redaction box dropped (OCR may read a box's edge as stray glyphs), the
    boxes labelled from the words beside them, and the lines levelled and rebuilt. Scanned PDF pages and loose
    images both come through here."""
    scaled = [Word(w.x0 * scale, w.y0 * scale, w.x1 * scale, w.y1 * scale, w.text, w.group) for w in words]
    if boxes:
        scaled = [w for w in scaled if not any(_inside(w, b) > 0.6 for b in boxes)]
        label_boxes(boxes, scaled)
    return lines_from_words(deskew(scaled))


def _dark(color: Any) -> bool:
    return bool(color) and all(c < 0.25 for c in color)


def _drawn_boxes(page: Any, words: list[Word]) -> list[Box]:
    """Filled dark rectangles drawn on a page (redaction boxes), with the text-layer words under them."""
    boxes: list[Box] = []
    try:
        drawings = page.get_drawings()
    except Exception:
        drawings = []
    width, height = float(page.rect.width), float(page.rect.height)
    for d in drawings:
        if not _dark(d.get("fill")) or d.get("fill_opacity", 1) < 0.9:
            continue
        r = d.get("rect")
        if r is None or r.width < 6 or r.height < 5 or (r.width > width * 0.9 and r.height > height * 0.9):
            continue
        if any(abs(b.x0 - r.x0) < 1 and abs(b.y0 - r.y0) < 1 and abs(b.x1 - r.x1) < 1 and abs(b.y1 - r.y1) < 1
               for b in boxes):
            continue  # the same rectangle filled and stroked
        boxes.append(Box(float(r.x0), float(r.y0), float(r.x1), float(r.y1)))
    for box in boxes:
        under = [w.text for w in words if _inside(w, box) > 0.5 and not find_labels(w.text)]
        box.hidden = " ".join(under)
    label_boxes(boxes, [w for w in words if not any(_inside(w, b) > 0.5 for b in boxes)])
    return boxes


def _inside(word: Word, box: Box) -> float:
    """The share of a word's area inside a box."""
    w = max(0.0, min(word.x1, box.x1) - max(word.x0, box.x0))
    h = max(0.0, min(word.y1, box.y1) - max(word.y0, box.y0))
    area = max((word.x1 - word.x0) * (word.y1 - word.y0), 1e-6)
    return w * h / area


def label_boxes(boxes: list[Box], words: list[Word]) -> None:
    """Give each box the exemption label printed just right of it (or on it) on the same line."""
    for box in boxes:
        mid = (box.y0 + box.y1) / 2
        near = sorted((w for w in words if w.y0 - 4 <= mid <= w.y1 + 4 and box.x0 - 2 <= w.x0 <= box.x1 + 90),
                      key=lambda w: w.x0)
        text = " ".join(w.text for w in near[:3])
        hits = find_labels(text)
        if hits:
            box.label = hits[0].text
        elif m := _OCR_LABEL.search(text):
            # OCR garbles the "(b)" printed against a box ("(>)(6)", "()(6)"): the exemption number survives.
            box.label = f"(b)({m.group(1)})" + (f"({m.group(2).upper()})" if m.group(2) else "")
