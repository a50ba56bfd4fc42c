"""Provides read_loose_document: a loose Office file or image of a dump as an item of the case (a ``document``,
or the printed emails it holds), its text from the attachment extractor or from OCR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from discovery.ingest.base import Origin, ReadResult
from discovery.ingest.detect import UNREADABLE_KINDS
from discovery.ingest.pdfpages import Box, PdfPage, ocr_lines
from discovery.ingest.release import messages_from_pages

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000  # about a letter page at 900 dpi; larger images are scaled down before OCR
MAX_IMAGE_FRAMES = 500  # pages of a multi-page TIFF
DEFAULT_DPI = 200  # when an image does not say its resolution


class DocumentNotRead(Exception):
    """A loose document whose text cannot be read; the message (starting "document not read") says why."""


def read_loose_document(path: Path, origin: Origin, kind: str, mime: str) -> ReadResult:
    """Items of one loose Office file (kind from detect) or image. Raises DocumentNotRead when no item can be
    made; an image whose OCR failed is still an item (named by its file), with the failure beside it."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentNotRead(f"document not read: {size} bytes is over the {MAX_DOCUMENT_BYTES} byte limit")
    if kind in UNREADABLE_KINDS:
        raise DocumentNotRead(f"document not read: {kind} ({mime}) has no text reader; save it as .docx, .xlsx "
                              "or PDF and ingest that")
    if kind == "image":
        pages, problems = _image_pages(path.read_bytes(), mime)
        for problem in problems:
            yield origin.failure(problem, "pages")
        yield from _items(pages, origin, "image", path.name)
        return
    from discovery.ingest.extract import detect_mime, extract_text

    data = path.read_bytes()
    found = extract_text(data, detect_mime(data, path.name), path.name)
    if found.text is None:
        raise DocumentNotRead(f"document not read: {found.error or f'no text reader for {mime}'}")
    if found.truncated:
        yield origin.failure("document text cut at the extractor's limit", "text")
    yield from _items([PdfPage(1, found.text.replace("\r\n", "\n").split("\n"))], origin, "office", path.name)


def _items(pages: list[PdfPage], origin: Origin, kind: str, name: str) -> ReadResult:
    """The splitter's items; a document without a title line is titled by its file name."""
    for item in messages_from_pages(pages, origin, kind):
        if hasattr(item, "item_kind") and item.item_kind == "document" and not item.subject:
            item.subject = name
        yield item


def _image_pages(data: bytes, mime: str) -> tuple[list[PdfPage], list[str]]:
    """Each frame of an image as a page: cleaned, black boxes found, OCR'd in one Tesseract run."""
    import io

    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from discovery.ingest.ocr import ocr_images
    from discovery.ingest.pageimage import png_bytes, prepare_scan

    try:
        image = Image.open(io.BytesIO(data))
        frames = []
        for n, frame in enumerate(ImageSequence.Iterator(image)):
            if n >= MAX_IMAGE_FRAMES:
                break
            frames.append(_gray(frame, _dpi(image)))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentNotRead(f"document not read: image ({mime}) cannot be decoded ({type(exc).__name__}: "
                              f"{str(exc)[:120]})") from exc
    problems = [f"only the first {MAX_IMAGE_FRAMES} frames read"] if len(frames) >= MAX_IMAGE_FRAMES else []
    scans = [prepare_scan(np.asarray(frame, dtype=np.uint8), dpi) for frame, dpi in frames]
    inked = [n for n, s in enumerate(scans) if s.pixels is not None]
    results = dict(zip(inked, ocr_images([png_bytes(scans[n].pixels) for n in inked]), strict=True))
    pages: list[PdfPage] = []
    for n, scan in enumerate(scans):
        scale = 72.0 / frames[n][1]
        boxes = [Box(x0 * scale, y0 * scale, x1 * scale, y1 * scale) for x0, y0, x1, y1 in scan.boxes]
        result = results.get(n)
        if result is not None and result.error:
            pages.append(PdfPage(n + 1, [], problem=result.error, boxes=boxes))
            problems.append(f"page {n + 1} {result.error}")
            continue
        pages.append(PdfPage(n + 1, ocr_lines(result.words if result else [], scale, boxes), ocr=result is not None,
                             boxes=boxes))
    return pages, problems


def _gray(frame: Any, dpi: int) -> tuple[Any, int]:
    """A frame in 8-bit grey and its resolution, scaled down when it is over MAX_IMAGE_PIXELS (transparency
    on white)."""
    from PIL import Image

    img = frame
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    img = img.convert("L")
    if img.width * img.height > MAX_IMAGE_PIXELS:
        factor = (MAX_IMAGE_PIXELS / (img.width * img.height)) ** 0.5
        img = img.resize((max(1, int(img.width * factor)), max(1, int(img.height * factor))))
        dpi = max(1, int(dpi * factor))
    return img, dpi


def _dpi(image: Any) -> int:
    info = getattr(image, "info", {}) or {}
    value = info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))
    try:
        dpi = int(round(float(value[0])))
    except (TypeError, ValueError, IndexError):
        return DEFAULT_DPI
    return dpi if 50 <= dpi <= 1200 else DEFAULT_DPI
