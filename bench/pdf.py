"""Provides the PDF release benchmark: pages/s read with a text layer and with OCR (Tesseract), per worker.

    python bench/pdf.py [--pages 200] [--ocr-pages 10] [--jobs 2] [--out bench/out/pdf.json]

The text-layer figure reads a PDF made by repeating the samples' print-out (samples/release/hcso-release-text.pdf)
to ``--pages`` pages, through the whole reader (pages, boxes, splitter, messages); the OCR figure does the same
with the scanned print-out (samples/release/hcso-release-scanned.pdf). Both run in ``--jobs`` processes, each
reading its own copy, so the rate is what the ingest workers reach. Targets on 2 cores: >= 50 pages/s with a text
layer, >= 1 page/s per core with OCR. Each figure is given per wall-clock second and per CPU-second of the workers
and their Tesseract processes (the fair "per core" figure on a shared machine); the machine and its load average
are printed next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmachine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RELEASE = ROOT / "samples" / "release"


def _repeat(source: Path, pages: int, target: Path) -> None:
    import pymupdf

    src = pymupdf.open(source)
    out = pymupdf.open()
    while out.page_count < pages:
        out.insert_pdf(src, to_page=min(src.page_count, pages - out.page_count) - 1)
    out.save(target)


def _read(path: str) -> tuple[int, int]:
    from discovery.ingest.base import Origin
    from discovery.ingest.release import read_pdf
    from discovery.model import Message

    items = list(read_pdf(Path(path), Origin(path)))
    import pymupdf

    with pymupdf.open(path) as doc:
        pages = doc.page_count
    return pages, sum(1 for item in items if isinstance(item, Message))


def _rate(source: Path, pages: int, jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n in range(jobs):
            target = Path(tmp) / f"copy{n}.pdf"
            _repeat(source, pages, target)
            paths.append(str(target))
        before = _children_cpu()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_read, paths))
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - before  # the workers and their Tesseract processes, once all have been reaped
    total = sum(p for p, _ in results)
    return {"pages": total, "messages": sum(m for _, m in results), "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2), "pages_per_cpu_s": round(total / cpu, 2) if cpu else 0.0,
            "pages_per_s": round(total / seconds, 2), "pages_per_s_per_worker": round(total / seconds / jobs, 2)}


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's reaped children and theirs: load-independent, unlike the
    wall clock on a machine shared with other work."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="pages per worker with a text layer (default 200)")
    parser.add_argument("--ocr-pages", type=int, default=10, help="scanned pages per worker (default 10)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "pdf.json")
    args = parser.parse_args()
    if not (RELEASE / "hcso-release-text.pdf").exists():
        print("samples/release/ is missing: run 'python -m discovery.synthetic samples'", file=sys.stderr)
        return 1
    from discovery.ingest.ocr import tesseract_path

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start", file=sys.stderr)
    result: dict[str, object] = {"machine": machine(), "jobs": args.jobs, "load_at_start": os.getloadavg()[0]}
    result["text_layer"] = _rate(RELEASE / "hcso-release-text.pdf", args.pages, args.jobs)
    print(f"text layer: {result['text_layer']}", file=sys.stderr)
    if tesseract_path() is None:
        result["ocr"] = "skipped: Tesseract is not installed"
    else:
        result["ocr"] = _rate(RELEASE / "hcso-release-scanned.pdf", args.ocr_pages, args.jobs)
    print(f"ocr: {result['ocr']}", file=sys.stderr)
    result["load_at_end"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
