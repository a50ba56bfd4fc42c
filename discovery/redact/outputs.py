"""Provides ProductionWriter: a production's files written a document at a time, as each document is built.

A document's own files (txt/<BATES>.txt, eml/<BATES>.eml, pdf/<BATES>.pdf and its redacted PDF attachments) are
written as soon as it comes; what several documents share (mbox/production.mbox, the log, withheld.csv) goes
to scratch files as small pieces and is put together in Bates order by ``finish``, which then writes the
manifest from small records (sha256s taken from the bytes as they were written). A document that embeds a
forwarded message (eml/mbox) waits until that message is built; forwarded messages are kept for that.
The folder is the caller's staging folder: nothing in it looks complete before ``finish`` has written the
manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discovery.redact.log import LogWriter
from discovery.redact.manifest import DocumentEntry, manifest_data, sha256_file, write_manifest_data
from discovery.redact.production import ProducedDocument, Production
from discovery.redact.spool import Piece, Spool
from discovery.redact.txt import txt_files

MBOX = "mbox/production.mbox"
DocFiles = Callable[[Production, ProducedDocument], dict[str, bytes]]  # one document's files: path -> bytes


@dataclass(slots=True)
class WrittenSummary:
    """What the report says of a production, gathered as its documents were written."""

    documents: int = 0
    pages: int = 0
    redactions: int = 0
    first: tuple[int, str, str] | None = None  # (bates_start, id, bates_first) of the first in Bates order
    bates_last: str = ""
    withheld: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)

    def report(self, production: Production) -> dict[str, Any]:
        withheld = [w for _, _, w in sorted(self.withheld, key=lambda t: (t[0], t[1]))]
        return {"documents": self.documents, "pages": self.pages,
                "bates_first": self.first[2] if self.first else "", "bates_last": self.bates_last,
                "redactions": self.redactions, "values_redacted": production.values_redacted,
                "pending_redacted": production.pending_redacted, "withheld": len(withheld),
                "withheld_units": withheld}


class ProductionWriter:
    """Writes a production into folder one document at a time (see module docstring).

    ``production`` gives the settings (its documents are not read); ``embeddable`` is the ids of the documents
    that other documents may embed (forwarded messages: those with a parent), kept until the end for the mail
    formats; ``writers`` gives, for each format of one file per document (txt, pdf), the function that renders a
    document's files (default: discovery.redact.txt.txt_files; pdf has none by default).
    """

    def __init__(self, production: Production, folder: Path, *, embeddable: frozenset[str] = frozenset(),
                 writers: Mapping[str, DocFiles] | None = None) -> None:
        self.production = production
        self.folder = folder
        self.formats = production.formats
        self.mail = "eml" in self.formats or "mbox" in self.formats
        self.writers: dict[str, DocFiles] = {"txt": txt_files, **(writers or {})}
        missing = [f for f in self.formats if f not in ("eml", "mbox") and f not in self.writers]
        if missing:
            raise ValueError(f"no writer for {', '.join(missing)}")
        for fmt in self.formats:
            if fmt != "mbox":
                (folder / fmt).mkdir(parents=True, exist_ok=True)
        if "mbox" in self.formats:
            (folder / "mbox").mkdir(parents=True, exist_ok=True)
        self.mbox = Spool(folder / ".mbox.spool") if "mbox" in self.formats else None
        self.mbox_pieces: list[tuple[tuple[int, str], Piece]] = []
        self.log = LogWriter(production, folder)
        self.embeddable = embeddable
        self.kept: dict[str, ProducedDocument] = {}  # built documents another may embed
        self.waiting: dict[str, ProducedDocument] = {}  # documents whose embedded messages are not built yet
        self.files: dict[str, str] = {}  # relative path -> sha256
        self.entries: dict[str, DocumentEntry] = {}
        self.summary = WrittenSummary()

    def _write(self, relative: str, data: bytes) -> str:
        (self.folder / relative).write_bytes(data)
        self.files[relative] = hashlib.sha256(data).hexdigest()
        return relative

    def add(self, doc: ProducedDocument) -> None:
        """Write one numbered document's own files and spool its share of the shared ones."""
        files: list[str] = []
        for fmt in self.formats:
            if fmt in ("eml", "mbox"):
                continue
            for relative, data in self.writers[fmt](self.production, doc).items():
                files.append(self._write(relative, data))
        self.entries[doc.id] = DocumentEntry(doc.id, doc.bates_first, doc.bates_last, doc.bates_start,
                                             tuple(files))
        self.log.add(doc)
        s = self.summary
        s.documents += 1
        s.pages += doc.page_count
        s.redactions += len(doc.redactions)
        if s.first is None or (doc.bates_start, doc.id) < s.first[:2]:
            s.first = (doc.bates_start, doc.id, doc.bates_first)
        s.bates_last = max(s.bates_last, doc.bates_last)
        s.withheld.extend((doc.bates_start, doc.id, {"bates": doc.bates_first, "document": doc.id, "unit": w.unit,
                                                     "reason": w.reason}) for w in doc.withheld)
        if not self.mail:
            return
        if doc.id in self.embeddable:
            self.kept[doc.id] = doc
        self.waiting[doc.id] = doc
        self._release()

    def _ready(self, doc: ProducedDocument) -> bool:
        """Whether every message the document embeds is built and ready itself."""
        return all(p.document in self.kept and p.document not in self.waiting
                   for p in doc.mime if p.supplies == "embedded" and p.document in self.embeddable
                   and p.document != doc.id)

    def _release(self, force: bool = False) -> None:
        """Write the mail files of every waiting document that can be written (all of them when force)."""
        progressed = True
        while progressed and self.waiting:
            progressed = False
            for doc_id, doc in list(self.waiting.items()):
                if force or self._ready(doc):
                    del self.waiting[doc_id]
                    self._write_mail(doc, self.kept)
                    progressed = True
            if force:
                break

    def _write_mail(self, doc: ProducedDocument, documents: Mapping[str, ProducedDocument]) -> None:
        from discovery.redact.mail import eml_file, eml_path, mbox_piece

        entry = self.entries[doc.id]
        files = list(entry.files)
        if "eml" in self.formats:
            files.append(self._write(eml_path(doc), eml_file(doc, documents)))
        if self.mbox is not None:
            self.mbox_pieces.append(((doc.bates_start, doc.id), self.mbox.add(mbox_piece(doc, documents))))
        self.entries[doc.id] = DocumentEntry(entry.id, entry.bates_first, entry.bates_last, entry.bates_start,
                                             tuple(files))

    def finish(self) -> str:
        """Write the shared files in Bates order and the manifest; returns the manifest's sha256."""
        self._release(force=True)
        self.kept.clear()
        if self.mbox is not None:
            self.mbox_pieces.sort(key=lambda t: t[0])
            try:
                with (self.folder / MBOX).open("wb") as out:
                    self.mbox.copy([piece for _, piece in self.mbox_pieces], out)
            finally:
                self.mbox.remove()
            self.files[MBOX] = sha256_file(self.folder / MBOX)  # shared by all: no document's own file
        for relative in self.log.finish():
            self.files[relative] = sha256_file(self.folder / relative)
        data = manifest_data(self.production, list(self.entries.values()), self.files)
        return write_manifest_data(self.folder, data)

    def discard(self) -> None:
        """Remove the scratch files (the caller removes the folder)."""
        if self.mbox is not None:
            self.mbox.remove()
        self.log.spool.remove()
