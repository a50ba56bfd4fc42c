"""Provides produce: build a production, write every format, the log and the manifest into a temporary sibling
folder, run the leak check, then move it into place (or into quarantine). Ctrl-C leaves no half-written
production that looks complete."""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discovery.errors import RedactionError, UsageError
from discovery.redact.decisions import record_production
from discovery.redact.manifest import MANIFEST, read_manifest
from discovery.redact.outputs import ProductionWriter
from discovery.redact.pipeline import (
    FORMATS,
    BuildResult,
    ProductionStream,
    ProgressFn,
    RedactOptions,
    Selection,
)
from discovery.redact.production import Production

if TYPE_CHECKING:
    from discovery.case import Case

# format -> (module, function rendering one document's files); a format whose module is not installed is
# refused, never faked. eml and mbox are rendered by discovery.redact.outputs with the documents they embed.
WRITERS: dict[str, tuple[str, str]] = {
    "txt": ("discovery.redact.txt", "txt_files"),
    "eml": ("discovery.redact.mail", "eml_file"),
    "mbox": ("discovery.redact.mail", "mbox_piece"),
    "pdf": ("discovery.redact.pdf", "pdf_files"),
}
VERIFY = ("discovery.redact.verify", "verify_production")


class LeakFound(RedactionError):
    """The leak check found a redacted value in the output: the production was quarantined."""

    def __init__(self, message: str, quarantine: Path, findings: list[str]) -> None:
        super().__init__(message, hint=f"Nothing was published; the output is in {quarantine} for inspection. "
                         "Fix the cause (a missed variant, a writer) and produce again.")
        self.quarantine = quarantine
        self.findings = findings


@dataclass(slots=True)
class ProduceReport:
    """What a production run made."""

    out_dir: str
    selection: str
    formats: list[str]
    documents: int
    pages: int
    bates_first: str
    bates_last: str
    redactions: int
    values_redacted: int
    pending_redacted: int
    withheld: int
    files: int
    manifest_sha256: str
    verified: bool
    verify_summary: str = ""
    seconds: float = 0.0
    replaced_earlier: bool = False
    withheld_units: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _function(target: tuple[str, str]) -> Callable[..., Any] | None:
    module_name, attr = target
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:
        return None
    module = importlib.import_module(module_name)
    return getattr(module, attr, None)


def available_formats() -> list[str]:
    """The formats whose writers are installed."""
    return [f for f in FORMATS if _function(WRITERS[f]) is not None]


def check_formats(formats: tuple[str, ...]) -> None:
    missing = [f for f in formats if f in WRITERS and _function(WRITERS[f]) is None]
    if missing:
        raise UsageError(f"format(s) {', '.join(missing)} are not available in this build",
                         hint=f"Available: {', '.join(available_formats())}.")


def check_out_dir(out_dir: Path, case_name: str) -> bool:
    """Refuse a non-empty folder unless it holds an earlier production of the same case (True: replace it)."""
    if not out_dir.exists():
        return False
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a folder", hint="Choose another --out.")
    if not any(out_dir.iterdir()):
        return False
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise UsageError(f"{out_dir} is not empty and holds no production",
                         hint="Choose an empty or new folder for --out; discovery never deletes other files.")
    if manifest.get("case") != case_name:
        raise UsageError(f"{out_dir} holds a production of another case ({manifest.get('case')!r})",
                         hint="Choose another --out.")
    listed = set(manifest.get("files", {}) or {}) | {MANIFEST}  # type: ignore[call-overload]
    extra = [p for p in out_dir.rglob("*") if p.is_file() and p.relative_to(out_dir).as_posix() not in listed]
    if extra:
        raise UsageError(f"{out_dir} holds files that are not part of its production, e.g. {extra[0]}",
                         hint="Move them away or choose another --out; the whole folder is replaced.")
    return True


def _doc_writers(formats: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """The per-document writers of the formats that have one (txt, pdf)."""
    out: dict[str, Callable[..., Any]] = {}
    for fmt in formats:
        if fmt in ("eml", "mbox"):
            continue
        writer = _function(WRITERS[fmt])
        assert writer is not None, "check_formats refuses a format whose writer is missing"
        out[fmt] = writer
    return out


def write_outputs(production: Production, folder: Path) -> str:
    """Write every format, the log, withheld.csv and the manifest of a whole production into folder (the same
    files a streamed production gets); returns the manifest's sha256."""
    forwarded = frozenset(d.id for d in production.documents if d.parent_id)
    writer = ProductionWriter(replace(production, documents=()), folder, embeddable=forwarded,
                              writers=_doc_writers(production.formats))
    for doc in production.documents:
        writer.add(doc)
    return writer.finish()


def _verify(case: Case, folder: Path) -> tuple[bool, str, list[str]]:
    verify = _function(VERIFY)
    if verify is None:
        return False, "leak check not available in this build", []
    report = verify(case, folder)
    ok = bool(getattr(report, "ok", not getattr(report, "leaks", [])))
    leaks = [str(x) for x in getattr(report, "leaks", [])]
    summary = report.summary() if callable(getattr(report, "summary", None)) else ("no leak found" if ok else "")
    return ok, str(summary), leaks


def produce(case: Case, selection: Selection, out_dir: Path | str, options: RedactOptions, *,
            progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None,
            actor: str = "discovery") -> ProduceReport:
    """Make a production of the selection into out_dir, atomically. See module docstring."""
    started = time.monotonic()
    out = Path(out_dir)
    options.check()
    check_formats(options.formats)
    case_name = case.path.resolve().name
    replacing = check_out_dir(out, case_name)
    stream = ProductionStream(case, selection, options, progress=progress, cancel=cancel)  # may refuse: pending
    production = stream.production
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{out.name}.partial-", dir=out.parent))
    try:
        writer = ProductionWriter(production, folder, embeddable=stream.forwarded,
                                  writers=_doc_writers(production.formats))
        try:
            for doc in stream:  # each document is written as it is built, then let go
                writer.add(doc)
            if progress:
                progress("write", 0, 1)
            manifest_sha = writer.finish()
        except BaseException:
            writer.discard()
            raise
        if cancel and cancel():
            raise KeyboardInterrupt
        summary_of = writer.summary.report(production)
        del writer
        settings = (production.selection, production.formats, production.pending, production.label_style,
                    production.bates_prefix, production.policy_sha256)
        result = BuildResult(production, stream.numbers, stream.pending_count)
        del stream
        if progress:
            progress("verify", 0, 1)
        ok, summary, leaks = _verify(case, folder)
        if not ok and leaks:
            quarantine = Path(tempfile.mkdtemp(prefix=f"{out.name}.quarantine-", dir=out.parent))
            quarantine.rmdir()
            folder.rename(quarantine)
            shown = "; ".join(leaks[:5])
            raise LeakFound(f"the leak check found {len(leaks)} redacted value(s) in the output: {shown}",
                            quarantine, leaks)
        if not ok and _function(VERIFY) is not None:
            raise RedactionError(f"the leak check could not check the production: {summary}",
                                 hint="Nothing was published.")
        if replacing:
            old = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
            folder.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if out.exists():
                out.rmdir()
            folder.rename(out)
    except BaseException:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    files = read_manifest(out) or {}
    selection_text, formats, pending, label_style, prefix, policy_sha = settings
    record_production(case.store, out_dir=os.path.relpath(out.resolve(), case.path.resolve()),
                      selection=selection_text, formats=formats, pending=pending, label_style=label_style,
                      prefix=prefix, numbers=result.numbers, policy_sha256=policy_sha, manifest_sha256=manifest_sha,
                      files=dict(files.get("files", {}) or {}), actor=actor)  # type: ignore[call-overload]
    return ProduceReport(
        out_dir=str(out), selection=selection_text, formats=list(formats), **summary_of,
        files=len(files.get("files", {}) or {}) + 1,  # type: ignore[arg-type]
        manifest_sha256=manifest_sha, verified=ok, verify_summary=summary,
        seconds=round(time.monotonic() - started, 2), replaced_earlier=replacing)
