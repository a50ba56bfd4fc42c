"""Provides manifest.json: what a production holds (settings, documents, every file's sha256), no clock, no
absolute path, sorted keys, so that two runs compare byte for byte."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from discovery.redact.production import Production

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """What the manifest says of one document: its id, Bates range and files (relative paths)."""

    id: str
    bates_first: str
    bates_last: str
    bates_start: int
    files: tuple[str, ...] = ()


def manifest_data(production: Production, documents: Sequence[DocumentEntry],
                  files: dict[str, str]) -> dict[str, object]:
    """The manifest of a production's settings, its documents (any order: sorted here into Bates order) and
    its files' sha256s."""
    docs = sorted(documents, key=lambda d: (d.bates_start, d.id))
    return {
        "case": production.case,
        "selection": production.selection,
        "formats": list(production.formats),
        "pending": production.pending,
        "label_style": production.label_style,
        "header_policy": production.header_policy,
        "bates_prefix": production.bates_prefix,
        "bates_first": docs[0].bates_first if docs else "",
        "bates_last": max((d.bates_last for d in docs), default=""),
        "policy_sha256": production.policy_sha256,
        "values_redacted": production.values_redacted,
        "documents": [{"id": d.id, "bates_first": d.bates_first, "bates_last": d.bates_last,
                       "files": sorted(d.files)} for d in docs],
        "files": {name: files[name] for name in sorted(files)},
    }


def write_manifest_data(out_dir: Path, data: dict[str, object]) -> str:
    """Write manifest.json; returns its sha256."""
    raw = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    (out_dir / MANIFEST).write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def build_manifest(production: Production, out_dir: Path, files: Sequence[str],
                   doc_files: dict[str, list[str]]) -> dict[str, object]:
    entries = [DocumentEntry(d.id, d.bates_first, d.bates_last, d.bates_start, tuple(doc_files.get(d.id, [])))
               for d in production.documents]
    return manifest_data(production, entries, {name: sha256_file(out_dir / name) for name in files})


def write_manifest(production: Production, out_dir: Path, files: Sequence[str],
                   doc_files: dict[str, list[str]]) -> str:
    """Write manifest.json of a whole production whose files are written; returns its sha256."""
    return write_manifest_data(out_dir, build_manifest(production, out_dir, files, doc_files))


def read_manifest(out_dir: Path) -> dict[str, object] | None:
    """The manifest of an existing production folder, None when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
