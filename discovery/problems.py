"""Provides list_problems and count_problems: everything a case does not hold whole (skipped or failed files,
repaired or partly read messages, attachments without text), each with its path and reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from discovery.store import Store

# Kinds, in the order they are listed. A source or message has one kind; an attachment has "no-text".
KINDS: tuple[str, ...] = (
    "failed",  # a file, archive member or message that could not be read at all
    "encrypted",  # skipped: password-protected or encrypted
    "too-large",  # skipped or cut: over a size limit
    "not-mail",  # skipped: a file that is not mail (images, PDFs of other kinds, empty files)
    "unsupported",  # skipped: mail-like but of a kind we do not read
    "document-not-read",  # skipped: a loose Office file or image whose text cannot be read (old format, damaged)
    "partly-read",  # a message stored with something lost (bytes replaced, a part not read, text cut)
    "repaired",  # a message stored whole after a repair (bad base64, lost header indentation, ...)
    "no-text",  # an attachment from which no text could be extracted
    "not-ocred",  # pages of a PDF release without text that could not be OCR'd (Tesseract missing or failed)
    "bad-redaction",  # a release's own box drawn over text still in the text layer (a finding, not a loss)
)

_ENCRYPTED = re.compile(r"encrypt|password", re.IGNORECASE)
_TOO_LARGE = re.compile(r"over the .{0,40}limit|more than \d+ (?:bytes|archive members)|expands past|too large",
                        re.IGNORECASE)
_BAD_REDACTION = re.compile(r"^bad redaction\b", re.IGNORECASE)
_NOT_OCRED = re.compile(r"not OCR'd|tesseract", re.IGNORECASE)
_NOT_MAIL = re.compile(r"not mail|empty file", re.IGNORECASE)
_DOCUMENT_NOT_READ = re.compile(r"^(?:skipped: )?document not read\b", re.IGNORECASE)
# Notes that say something was lost; every other note names a repair that kept everything.
_LOSS = re.compile(
    r"could not|cannot|undecodable|replaced|\bcut\b|not read|not walked|unreadable|raw only|kept as attachment|"
    r"were dropped|truncated|not parsed|gave up|rest were",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the case does not hold whole: what kind, where it came from, which message, and why."""

    kind: str
    path: str  # the source file (with !member for archive members)
    locator: str  # where in the file (mbox offset, pst folder), '' for whole files
    message: str  # message id in the case, '' for files that gave no message
    attachment: str  # attachment position and name, for kind "no-text"
    reason: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def classify_source(status: str, reason: str) -> str:
    """The problem kind of a source closed with this status and reason ('' when it is no problem)."""
    if status == "failed":
        if _DOCUMENT_NOT_READ.search(reason):
            return "document-not-read"
        if _BAD_REDACTION.search(reason):
            return "bad-redaction"
        if _NOT_OCRED.search(reason):
            return "not-ocred"
        return "encrypted" if _ENCRYPTED.search(reason) else "too-large" if _TOO_LARGE.search(reason) else "failed"
    if status == "skipped":
        if _DOCUMENT_NOT_READ.search(reason):
            return "document-not-read"
        if _ENCRYPTED.search(reason):
            return "encrypted"
        if _TOO_LARGE.search(reason):
            return "too-large"
        return "not-mail" if _NOT_MAIL.search(reason) or not reason else "unsupported"
    return ""


def classify_notes(notes: Iterable[str]) -> str:
    """'partly-read' when a note says something was lost, 'repaired' when there are only repairs, else ''.
    Notes on an attachment's text (``attachment 'x.pdf': ...``) do not count: the message and the attachment's
    bytes are whole, and the attachment is listed as "no-text" with that reason."""
    kind = ""
    for note in notes:
        if note.startswith("attachment '"):
            continue
        if _LOSS.search(note):
            return "partly-read"
        kind = "repaired"
    return kind


def list_problems(store: Store, kinds: Iterable[str] = ()) -> Iterator[Problem]:
    """Every problem of the case, kind by kind (in KINDS order), then by path."""
    wanted = set(kinds) or set(KINDS)
    if wanted & {"failed", "encrypted", "too-large", "not-mail", "unsupported", "not-ocred", "bad-redaction"}:
        yield from sorted(_source_problems(store, wanted), key=lambda p: (KINDS.index(p.kind), p.path, p.locator))
    if wanted & {"partly-read", "repaired"}:
        found = list(_message_problems(store, wanted))
        yield from sorted(found, key=lambda p: (KINDS.index(p.kind), p.path, p.locator, p.message))
    if "no-text" in wanted:
        yield from _attachment_problems(store)


def count_problems(store: Store) -> dict[str, int]:
    """How many problems of each kind the case holds (kinds with none are left out)."""
    counts: dict[str, int] = {}
    for problem in list_problems(store):
        counts[problem.kind] = counts.get(problem.kind, 0) + 1
    return {kind: counts[kind] for kind in KINDS if kind in counts}


def _source_problems(store: Store, wanted: set[str]) -> Iterator[Problem]:
    for row in store.iter_rows("SELECT path, status, reason FROM sources WHERE status IN ('failed', 'skipped')"):
        kind = classify_source(row["status"], row["reason"])
        if kind in wanted:
            yield Problem(kind, row["path"], "", "", "", row["reason"] or row["status"])
    if wanted & {"failed", "encrypted", "too-large", "not-ocred", "bad-redaction"}:
        for row in store.iter_rows(
            """SELECT s.path, f.inner_path, f.locator, f.reason FROM failures f JOIN sources s ON s.id=f.source_id
               ORDER BY f.id"""
        ):
            kind = classify_source("failed", row["reason"])
            if kind in wanted:
                path = row["path"] + (f"!{row['inner_path']}" if row["inner_path"] else "")
                yield Problem(kind, path, row["locator"], "", "", row["reason"])


def _first_places(store: Store) -> dict[str, tuple[str, str]]:
    places: dict[str, tuple[str, str]] = {}
    for row in store.iter_rows(
        """SELECT p.message_id, s.path, p.inner_path, p.locator FROM provenance p JOIN sources s ON s.id=p.source_id
           ORDER BY p.id"""
    ):
        if row[0] not in places:
            places[row[0]] = (row[1] + (f"!{row[2]}" if row[2] else ""), row[3])
    return places


def _message_problems(store: Store, wanted: set[str]) -> Iterator[Problem]:
    places: dict[str, tuple[str, str]] | None = None
    for row in store.iter_rows("SELECT id, parent_id, errors FROM messages WHERE errors != '[]'"):
        notes = json.loads(row["errors"])
        kind = classify_notes(notes)
        if kind not in wanted:
            continue
        if places is None:
            places = _first_places(store)
        path, locator = places.get(row["id"]) or places.get(row["parent_id"] or "", ("", ""))
        yield Problem(kind, path, locator, row["id"], "", "; ".join(notes))


def _attachment_problems(store: Store) -> Iterator[Problem]:
    places: dict[str, tuple[str, str]] | None = None
    for row in store.iter_rows(
        """SELECT a.message_id, m.parent_id, a.position, a.filename, a.mime, a.error FROM attachments a
           JOIN messages m ON m.id=a.message_id
           WHERE (a.text IS NULL OR a.text = '') AND a.mime != 'message/rfc822' ORDER BY a.message_id, a.position"""
    ):
        if places is None:
            places = _first_places(store)
        path, locator = places.get(row["message_id"]) or places.get(row["parent_id"] or "", ("", ""))
        reason = row["error"] or f"no text could be extracted ({row['mime'] or 'unknown type'})"
        yield Problem("no-text", path, locator, row["message_id"], f"{row['position']}: {row['filename']}", reason)
