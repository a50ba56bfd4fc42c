"""Provides ocr_images: the words of page images, read by Tesseract (one subprocess per batch, one thread)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from discovery.ingest.pagetext import Word

OCR_TIMEOUT_S = 120  # per page of a batch
_TESSERACT_HINT = "install Tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-eng) and ingest again"
# --oem 1: the LSTM engine (the only one Debian's tessdata_fast models hold); --psm 3: automatic page layout,
# which keeps a label column and a value column apart where --psm 6 merges them and misreads short labels.
_OPTIONS = ("--oem", "1", "--psm", "3")


@dataclass(slots=True)
class OcrResult:
    """Words found on one image (boxes in the image's pixels), or the reason there are none."""

    words: list[Word] = field(default_factory=list)
    error: str = ""  # why the page could not be read ("Tesseract is not installed ...")


def tesseract_path() -> str | None:
    """The tesseract executable, or None when it is not installed (DISCOVERY_TESSERACT overrides the lookup)."""
    override = os.environ.get("DISCOVERY_TESSERACT")
    if override is not None:
        return override if override and os.access(override, os.X_OK) else None
    return shutil.which("tesseract")


def ocr_image(png: bytes, *, language: str = "eng") -> OcrResult:
    """Run Tesseract on one PNG page image; never raises (problems come back in ``error``)."""
    return ocr_images([png], language=language)[0]


def ocr_images(pngs: list[bytes], *, language: str = "eng") -> list[OcrResult]:
    """Run one Tesseract process over several PNG page images (the model loads once, about 0.13 CPU-s saved per
    page); one result per image, in order. Never raises: a failed run gives every image the same error."""
    if not pngs:
        return []
    exe = tesseract_path()
    if exe is None:
        return _all(pngs, f"not OCR'd: Tesseract is not installed ({_TESSERACT_HINT})")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one page at a time per worker process; threads only oversubscribe
    timeout = OCR_TIMEOUT_S * len(pngs)
    with tempfile.TemporaryDirectory(prefix="discovery-ocr-") as tmp:
        names = []
        for n, png in enumerate(pngs):
            name = Path(tmp) / f"page{n:05d}.png"
            name.write_bytes(png)
            names.append(str(name))
        listing = Path(tmp) / "pages.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        target = str(listing) if len(pngs) > 1 else names[0]
        try:
            done = subprocess.run([exe, target, "stdout", "-l", language, *_OPTIONS, "tsv"],
                                  capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            return _all(pngs, f"not OCR'd: Tesseract took over {timeout} s on {len(pngs)} page(s)")
        except OSError as exc:
            return _all(pngs, f"not OCR'd: Tesseract could not be run ({exc.strerror or exc}; {_TESSERACT_HINT})")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return _all(pngs, f"not OCR'd: Tesseract failed ({reason[-1][:200] if reason else done.returncode})")
    by_page = parse_tsv_pages(done.stdout.decode("utf-8", "replace"))
    return [OcrResult(words=by_page.get(n + 1, [])) for n in range(len(pngs))]


def _all(pngs: list[bytes], error: str) -> list[OcrResult]:
    return [OcrResult(error=error) for _ in pngs]


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of Tesseract's TSV output, all pages together."""
    return [w for words in parse_tsv_pages(tsv).values() for w in words]


def parse_tsv_pages(tsv: str) -> dict[int, list[Word]]:
    """Words of Tesseract's TSV output by page number (1-based, the TSV's page_num column)."""
    pages: dict[int, list[Word]] = {}
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            page = int(cols[1])
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        try:
            group = int(cols[2]) * 1_000_000 + int(cols[3]) * 1_000 + int(cols[4])  # block, paragraph, line
        except ValueError:
            group = -1
        word = Word(float(left), float(top), float(left + width), float(top + height), cols[11].strip(), group)
        pages.setdefault(page, []).append(word)
    return pages
