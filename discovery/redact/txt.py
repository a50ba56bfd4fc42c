"""Provides the txt writer: one UTF-8 file per document, its pages as published with a Bates number on each."""

from __future__ import annotations

from pathlib import Path

from discovery.redact.production import PAGE_WIDTH, ProducedDocument, Production


def render_txt(doc: ProducedDocument) -> str:
    """A document's pages, each ended by its Bates number on a line of its own, separated by form feeds."""
    out: list[str] = []
    for page, label in zip(doc.pages, doc.page_labels(), strict=True):
        out.append(f"{page}\n\n{label.rjust(PAGE_WIDTH)}\n")
    return "\f\n".join(out)


def txt_files(production: Production, doc: ProducedDocument) -> dict[str, bytes]:
    """The files of one document under ``txt/``: txt/<BATES>.txt."""
    return {f"txt/{doc.bates_first}.txt": render_txt(doc).encode("utf-8")}


def write_txt(production: Production, out_dir: Path) -> list[str]:
    """Write txt/<BATES>.txt for every document; returns the relative paths written."""
    folder = out_dir / "txt"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for doc in production.documents:
        name = f"txt/{doc.bates_first}.txt"
        (out_dir / name).write_bytes(render_txt(doc).encode("utf-8"))
        written.append(name)
    return written
