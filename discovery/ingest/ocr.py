"""Provides ocr_image: the words of a page image, read by Tesseract (a subprocess, one thread)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

from discovery.ingest.pagetext import Word

OCR_TIMEOUT_S = 120
_TESSERACT_HINT = "install Tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-eng) and ingest again"


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
    """Run Tesseract on a PNG page image; never raises (problems come back in ``error``)."""
    exe = tesseract_path()
    if exe is None:
        return OcrResult(error=f"not OCR'd: Tesseract is not installed ({_TESSERACT_HINT})")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one page per worker process; threads only oversubscribe
    try:
        done = subprocess.run(
            [exe, "stdin", "stdout", "-l", language, "--psm", "3", "tsv"],
            input=png, capture_output=True, timeout=OCR_TIMEOUT_S, env=env, check=False,
        )
    except subprocess.TimeoutExpired:
        return OcrResult(error=f"not OCR'd: Tesseract took over {OCR_TIMEOUT_S} s on this page")
    except OSError as exc:
        return OcrResult(error=f"not OCR'd: Tesseract could not be run ({exc.strerror or exc}; {_TESSERACT_HINT})")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return OcrResult(error=f"not OCR'd: Tesseract failed ({reason[-1][:200] if reason else done.returncode})")
    return OcrResult(words=parse_tsv(done.stdout.decode("utf-8", "replace")))


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of Tesseract's TSV output."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        try:
            group = int(cols[2]) * 1_000_000 + int(cols[3]) * 1_000 + int(cols[4])  # block, paragraph, line
        except ValueError:
            group = -1
        words.append(Word(float(left), float(top), float(left + width), float(top + height), cols[11].strip(), group))
    return words
