"""Tests OCR's parts on real images: one Tesseract run over several pages keeps their order, scanner specks and
black boxes are cleaned from a page before OCR, and a blank scanned page is not sent to OCR at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from discovery.ingest.ocr import ocr_images, tesseract_path
from discovery.ingest.pageimage import gray_array, png_bytes, prepare_scan
from discovery.ingest.pdfpages import read_pdf_pages

needs_tesseract = pytest.mark.skipif(tesseract_path() is None, reason="Tesseract is not installed")


def _page_image(text: str, dpi: int = 200) -> np.ndarray:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), text, fontsize=14)
    return gray_array(page.get_pixmap(dpi=dpi, colorspace="gray", alpha=False)).copy()


@needs_tesseract
def test_one_tesseract_run_reads_several_pages_in_order() -> None:
    pngs = [png_bytes(_page_image(text)) for text in ("Subject: quarterly budget", "From: Dana Whitfield")]
    first, second = ocr_images(pngs)
    assert not first.error and not second.error
    assert "budget" in [w.text for w in first.words] and "Whitfield" in [w.text for w in second.words]


def test_specks_are_removed_and_black_boxes_blanked_before_ocr() -> None:
    img = _page_image("Phone: 503-555-0100")
    rng = np.random.default_rng(7)
    ys, xs = rng.integers(300, 2000, 400), rng.integers(50, 1600, 400)
    img[ys, xs] = 0  # lone specks of scanner noise
    img[600:640, 200:420] = 0  # a redaction box
    scan = prepare_scan(img, 200)
    assert scan.pixels is not None
    assert len(scan.boxes) == 1
    x0, y0, x1, y1 = scan.boxes[0]
    assert abs(x0 - 200) <= 8 and abs(y0 - 600) <= 8 and abs(x1 - 420) <= 8 and abs(y1 - 640) <= 8
    assert (scan.pixels[600:640, 200:420] == 255).all()  # the box is paper for OCR
    assert (scan.pixels[ys, xs] == 255).all()  # every speck gone
    assert (scan.pixels[250:300, 190:700] == 0).any()  # the printed line kept


def test_a_blank_scan_is_not_sent_to_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pymupdf

    noise = np.full((2200, 1700), 255, dtype=np.uint8)
    rng = np.random.default_rng(3)
    noise[rng.integers(0, 2200, 500), rng.integers(0, 1700, 500)] = 0
    doc = pymupdf.open()
    doc.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792), stream=png_bytes(noise))
    monkeypatch.setenv("DISCOVERY_TESSERACT", "")  # OCR would fail: a blank page must not ask for it
    read = read_pdf_pages(doc.tobytes())
    assert [(p.ocr, p.problem, p.lines) for p in read.pages] == [(True, "", [])]
