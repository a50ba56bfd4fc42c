"""Provides the PDF-attachment benchmark: what redacting PDF attachments in their own format costs in a production.

    python bench/pdfattach.py --case DIR [--jobs 1] [--out bench/out/pdfattach.json]

Builds the whole production of an existing case in memory (every message, ``--pending redact``, txt+eml+pdf:
the build only, no files written and no leak check) with the discovery that the running interpreter imports,
so the same script measures another checkout when run with that checkout's Python. Each call of the builder's
PDF-attachment step is timed (wall and CPU, this process and its Tesseract runs) when the build runs in this
process (``--jobs 1``); with ``--jobs N`` only the whole build is timed (the steps run in the workers). Figures
are printed with the machine and the load average, and as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter
from pathlib import Path

from benchmachine import machine


def cpu() -> float:
    """CPU seconds of this process and of every child it has waited for (workers, Tesseract)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", required=True, type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import discovery
    from discovery import Case
    from discovery.redact import pipeline
    from discovery.redact.pipeline import RedactOptions, Selection, build_production

    calls: list[tuple[float, float]] = []
    original = pipeline._Builder.redacted_pdf

    def timed(self, *a, **k):  # type: ignore[no-untyped-def]
        wall, used = time.perf_counter(), cpu()
        try:
            return original(self, *a, **k)
        finally:
            calls.append((time.perf_counter() - wall, cpu() - used))

    pipeline._Builder.redacted_pdf = timed  # type: ignore[method-assign]
    load_before = os.getloadavg()[0]
    wall, used = time.perf_counter(), cpu()
    with Case(args.case) as case:
        result = build_production(case, Selection(all=True), RedactOptions(
            pending="redact", formats=("txt", "eml", "pdf"), jobs=args.jobs))
    wall, used = time.perf_counter() - wall, cpu() - used
    docs = result.production.documents
    attachments = [a for d in docs for a in d.attachments if a.mime == "application/pdf"]
    figures = {
        "machine": machine(), "discovery": str(Path(discovery.__file__).parent.parent), "case": str(args.case),
        "jobs": args.jobs, "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
        "documents": len(docs), "pdf_attachments": len(attachments),
        "pdf_attachments_published": sum(1 for a in attachments if a.content is not None),
        "image_redactions": sum(1 for d in docs for r in d.redactions if r.field.startswith("attachment:")
                                and r.start < 0),
        "withheld": dict(sorted(Counter(w.reason for d in docs for w in d.withheld).items())),
        "build_wall_s": round(wall, 3), "build_cpu_s": round(used, 3),
        "pdf_step_calls": len(calls), "pdf_step_wall_s": round(sum(c[0] for c in calls), 3),
        "pdf_step_cpu_s": round(sum(c[1] for c in calls), 3),
        "pdf_step_cpu_ms_mean": round(1000 * sum(c[1] for c in calls) / len(calls), 1) if calls else None,
        "pdf_step_cpu_ms_max": round(1000 * max(c[1] for c in calls), 1) if calls else None,
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
