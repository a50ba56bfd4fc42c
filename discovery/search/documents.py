"""Provides the documents the index is built from: messages read from the case store in batches, and their
conversion into pre-analysed postings (``engine.Prepared``) for the fast writer."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from discovery.search import engine
from discovery.search.analysis import FieldAnalyzer
from discovery.search.fields import ADDRESS_FIELDS, DOMAIN_FIELDS, NAME_FIELDS, TEXT_FIELDS

BATCH = 500
FieldTerms = Callable[[str], dict[bytes, tuple[array, list[bytes]]]]  # field name -> a writer's term -> postings

_FAMILIES = {
    "pdf": "pdf", "doc": "word", "docx": "word", "odt": "word", "rtf": "word",
    "xls": "spreadsheet", "xlsx": "spreadsheet", "xlsm": "spreadsheet", "ods": "spreadsheet", "csv": "spreadsheet",
    "ppt": "presentation", "pptx": "presentation", "odp": "presentation",
    "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "tif": "image", "tiff": "image",
    "bmp": "image", "heic": "image", "ics": "calendar", "vcs": "calendar", "txt": "text", "zip": "archive",
    "7z": "archive", "rar": "archive", "gz": "archive", "eml": "email", "msg": "email",
    "mp4": "video", "mov": "video", "avi": "video", "mp3": "audio", "wav": "audio", "m4a": "audio",
}
_MIME_FAMILIES = {"message/rfc822": "email", "text/calendar": "calendar", "application/pdf": "pdf"}


@dataclass(slots=True)
class MessageDoc:
    """What the index needs of one message, read from the store."""

    id: str
    subject: str = ""
    body: str = ""
    date_utc: str | None = None
    thread_id: str = ""
    attachment_count: int = 0
    rev: int = 0
    addresses: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # role -> (name, email, domain)
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # (filename, mime, text)
    provenance: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, folder, custodian)
    tags: list[str] = field(default_factory=list)
    pii: list[tuple[str, str]] = field(default_factory=list)  # (entity type lowercased, status), distinct
    item_kind: str = "email"  # "document" for a printed release's pages without an email
    exemptions: list[str] = field(default_factory=list)  # codes of the release's own redactions (b6, redacted)
    bad_redaction: bool = False  # a release's box drawn over text still in the text layer

    @property
    def fingerprint(self) -> str:
        """Changes whenever the message's index entry must change (content, thread, tags, copies, PII)."""
        return fingerprint(self.rev, self.tags, len(self.provenance), self.pii)


def fingerprint(rev: int, tags: Iterable[str], copies: int, pii: Iterable[tuple[str, str]] = ()) -> str:
    return (f"{rev}|{','.join(sorted(t.lower() for t in tags))}|{copies}"
            f"|{','.join(sorted(f'{kind}={status}' for kind, status in pii))}")


# A message's PII as the index holds it: entity types and review states of its current suggestions that are not
# rejected (a rescan that no longer finds a decided suggestion keeps it with current = 0: not the message's now).
_PII_SQL = """SELECT message_id, lower(entity_type), status FROM pii_suggestions
              WHERE message_id IN (SELECT value FROM json_each(?)) AND current = 1 AND status != 'rejected'
              GROUP BY 1, 2, 3"""


def _in(ids: Sequence[str]) -> str:
    return json.dumps(list(ids))


def load_messages(db: sqlite3.Connection, ids: Sequence[str]) -> list[MessageDoc]:
    """The index documents of these message ids (those that exist), in the order given."""
    out: dict[str, MessageDoc] = {}
    param = (_in(ids),)
    for row in db.execute(
        """SELECT id, subject, body_text, date_utc, thread_id, attachment_count, rev, item_kind FROM messages
           WHERE id IN (SELECT value FROM json_each(?))""", param):
        out[row[0]] = MessageDoc(row[0], row[1] or "", row[2] or "", row[3], row[4] or "", int(row[5] or 0),
                                 int(row[6] or 0), item_kind=row[7] or "email")
    if not out:
        return []
    for key, role, name, email, domain in db.execute(
        """SELECT message_id, role, name, email, domain FROM addresses
           WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, role, position""", param):
        doc = out.get(key)
        if doc is not None:
            doc.addresses.setdefault(role, []).append((name or "", (email or "").lower(), (domain or "").lower()))
    for key, filename, mime, text in db.execute(
        """SELECT message_id, filename, mime, text FROM attachments
           WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, position""", param):
        doc = out.get(key)
        if doc is not None:
            doc.attachments.append((filename or "", mime or "", text or ""))
    for key, kind, folder, custodian in db.execute(
        """SELECT message_id, kind, folder, custodian FROM provenance
           WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id""", param):
        doc = out.get(key)
        if doc is not None:
            doc.provenance.append((kind or "", folder or "", custodian or ""))
    for key, name in db.execute(
        """SELECT mt.message_id, t.name FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
           WHERE mt.message_id IN (SELECT value FROM json_each(?))""", param):
        doc = out.get(key)
        if doc is not None:
            doc.tags.append(name)
    for key, kind, status in db.execute(_PII_SQL, param):
        doc = out.get(key)
        if doc is not None:
            doc.pii.append((kind, status))
    for key, code, bad in db.execute(
        """SELECT message_id, code, max(over_text) FROM existing_redactions
           WHERE message_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2""", param):
        doc = out.get(key)
        if doc is not None:
            doc.exemptions.append(code or "box")
            doc.bad_redaction = doc.bad_redaction or bool(bad)
    return [out[k] for k in ids if k in out]


def current_fingerprints(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """The fingerprint of each id as the store holds it now (ids that no longer exist are absent)."""
    revs = {row[0]: int(row[1]) for row in db.execute(
        "SELECT id, rev FROM messages WHERE id IN (SELECT value FROM json_each(?))", (_in(ids),))}
    tags: dict[str, list[str]] = {}
    for key, name in db.execute(
        """SELECT mt.message_id, t.name FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
           WHERE mt.message_id IN (SELECT value FROM json_each(?))""", (_in(ids),)):
        tags.setdefault(key, []).append(name)
    copies = {row[0]: int(row[1]) for row in db.execute(
        """SELECT message_id, count(*) FROM provenance WHERE message_id IN (SELECT value FROM json_each(?))
           GROUP BY message_id""", (_in(ids),))}
    pii: dict[str, list[tuple[str, str]]] = {}
    for key, kind, status in db.execute(_PII_SQL, (_in(ids),)):
        pii.setdefault(key, []).append((kind, status))
    return {key: fingerprint(rev, tags.get(key, []), copies.get(key, 0), pii.get(key, ()))
            for key, rev in revs.items()}


def iter_id_batches(db: sqlite3.Connection, *, start_rowid: int = 0, end_rowid: int | None = None,
                    batch: int = BATCH) -> Iterator[list[str]]:
    """Message ids in rowid order, in batches, for rowids in (start_rowid, end_rowid]."""
    last = start_rowid
    while True:
        if end_rowid is None:
            rows = db.execute("SELECT rowid, id FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?",
                              (last, batch)).fetchall()
        else:
            rows = db.execute("SELECT rowid, id FROM messages WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
                              (last, end_rowid, batch)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield [r[1] for r in rows]


# -- analysis ------------------------------------------------------------------------------------------
class DocumentAnalyzer:
    """Turns MessageDocs into engine.Prepared documents; one per segment (its caches feed the vocabulary)."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.text = {name: FieldAnalyzer(stemmed=True) for name in TEXT_FIELDS}
        self.names = FieldAnalyzer(stemmed=False)

    def vocabulary(self) -> dict[str, int]:
        words: dict[str, int] = {}
        for analyzer in self.text.values():
            for word, docnum in analyzer.vocabulary.items():
                if word not in words or docnum < words[word]:
                    words[word] = docnum
        return words

    def prepare(self, doc: MessageDoc, docnum: int, terms: FieldTerms | None = None) -> engine.Prepared:
        """The document's postings, lengths and column values. With ``terms`` (a writer's ``field_terms``), the
        text and name fields' postings go straight into the writer's per-term lists and only the keyword
        fields' are returned; without, every field's postings are returned as Whoosh posting tuples."""
        postings: dict[str, list[tuple[bytes, int, float, bytes]]] = {}
        lengths: dict[str, int] = {}
        attachment_text = "\n".join(part for a in doc.attachments for part in (a[0], a[2]) if part)
        for name, text in (("subject", doc.subject), ("body", doc.body), ("attachment", attachment_text)):
            if text:
                _analyse(self.text[name], name, text, docnum, terms, postings, lengths)
        for role in NAME_FIELDS:
            people = doc.addresses.get(role)
            if not people:
                continue
            _analyse(self.names, role, " ".join(f"{n} {e}" for n, e, _ in people), docnum, terms, postings, lengths)
            _keywords(postings, ADDRESS_FIELDS[role], (e for _, e, _ in people if e))
            _keywords(postings, DOMAIN_FIELDS[role], (d for _, _, d in people if d))
        for key, values in keyword_values(doc).items():
            _keywords(postings, key, values)
        date_value = None
        when = parse_utc(doc.date_utc)
        if when is not None:  # dates are searched through the column (no tiered numeric terms: see engine)
            date_value = engine.date_column_value(self.schema, when)
        _keywords(postings, engine.ID_FIELD, (doc.id,))
        thread = (doc.thread_id or doc.id).lower()  # a message alone is its own thread (collapsing needs a key)
        return engine.Prepared(id=doc.id, postings=postings, lengths=lengths, thread=thread, date=date_value)


def keyword_values(doc: MessageDoc) -> dict[str, list[str]]:
    """The exact-keyword fields of a message (lowercase values)."""
    values: dict[str, list[str]] = {
        "thread": [(doc.thread_id or doc.id).lower()],
        "month": [doc.date_utc[:7]] if doc.date_utc else [],
        "day": [doc.date_utc[:10]] if doc.date_utc else [],
        "tag": [t.lower() for t in doc.tags],
        "has": ((["attachment"] if doc.attachment_count else []) + (["tag"] if doc.tags else [])
                + (["pii"] if doc.pii else []) + (["redaction"] if doc.exemptions else [])
                + (["bad_redaction"] if doc.bad_redaction else [])),
        "kind": [p[0].lower() for p in doc.provenance if p[0]] + (["document"] if doc.item_kind == "document" else []),
        "custodian": [p[2].lower().strip() for p in doc.provenance if p[2].strip()],
        "folder": [sub for p in doc.provenance for sub in folder_keywords(p[1])],
        "filetype": [t for a in doc.attachments for t in file_types(a[0], a[1])],
        "pii": sorted({kind for kind, _ in doc.pii}),
        "pii_status": sorted({status for _, status in doc.pii}),
        "exemption": sorted({code for code in doc.exemptions if code != "box"}),
    }
    return values


def folder_keywords(folder: str) -> list[str]:
    """Every run of consecutive path components, so that folder:sent and folder:vendors/cirrus both match."""
    parts = [p for p in folder.replace("\\", "/").lower().split("/") if p]
    return ["/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)]


def file_types(filename: str, mime: str) -> list[str]:
    """An attachment's types: extension, MIME type, MIME major type and a family such as spreadsheet."""
    out: list[str] = []
    name = filename.lower()
    ext = name.rsplit(".", 1)[1] if "." in name else ""
    mime = mime.lower()
    for value in (ext, mime, mime.split("/", 1)[0] if "/" in mime else "", _FAMILIES.get(ext, ""),
                  _MIME_FAMILIES.get(mime, "")):
        if value and value not in out:
            out.append(value)
    return out


def parse_utc(value: str | None) -> datetime | None:
    """The store's ISO 8601 UTC string as a naive UTC datetime (what the index's date field holds)."""
    if not value:
        return None
    text = value[:19]
    if len(text) == 19 and text.isascii() and text[4::3] == "--T::" and text[:4].isdigit():  # the store's shape
        try:
            return datetime.fromisoformat(text)  # a tenth of strptime's cost; same value for this shape
        except ValueError:
            pass
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def _analyse(analyzer: FieldAnalyzer, name: str, text: str, docnum: int, terms: FieldTerms | None,
             postings: dict[str, list[tuple[bytes, int, float, bytes]]], lengths: dict[str, int]) -> None:
    if terms is not None:
        length = analyzer.add_postings(text, docnum, terms(name))
    else:
        items, length = analyzer.postings(text, docnum)
        if items:
            postings[name] = items
    if length:
        lengths[name] = length


def _keywords(postings: dict[str, list[tuple[bytes, int, float, bytes]]], name: str, values: Iterable[str]) -> None:
    items = [(v.encode("utf-8"), 1, 1.0, b"") for v in dict.fromkeys(values) if v]
    if items:
        postings[name] = items
