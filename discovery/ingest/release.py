"""Provides read_pdf and read_text_release: printed-email releases (PDF or extracted text) as messages and documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from discovery.ingest.base import Origin, ReadResult, SourceUnreadable
from discovery.ingest.exemptions import find_labels
from discovery.ingest.fields import decode_bytes, parse_addresses
from discovery.ingest.pdfpages import PageCallback, PdfDocument, PdfPage, PdfRefused, read_pdf_pages
from discovery.ingest.printed import PrintedItem, parse_printed_date, split_pages
from discovery.model import Address, Message, Redaction, SourceFailure

MAX_PDF_BYTES = 512 * 1024 * 1024
MAX_TEXT_BYTES = 64 * 1024 * 1024


def read_pdf(path: Path, origin: Origin, *, on_page: PageCallback | None = None) -> ReadResult:
    """Messages (and document items) of a PDF release, with its pages' problems as failures."""
    size = path.stat().st_size
    if size > MAX_PDF_BYTES:
        raise SourceUnreadable(f"PDF of {size} bytes is over the {MAX_PDF_BYTES} byte limit")
    try:
        doc = read_pdf_pages(path.read_bytes(), on_page=on_page)
    except PdfRefused as exc:
        raise SourceUnreadable(str(exc)) from exc
    yield from _read_document(doc, origin, "pdf")


def _read_document(doc: PdfDocument, origin: Origin, kind: str) -> ReadResult:
    for problem in doc.problems:
        yield origin.failure(problem)
    words = sum(len(page.text.split()) for page in doc.pages)
    if doc.embedded and words < 60:
        pass  # a portfolio's cover page ("open this PDF portfolio in Acrobat"): the files inside are the release
    elif doc.pages and any(page.text.strip() or page.boxes for page in doc.pages):
        for page in doc.pages:
            if page.problem:
                yield origin.failure(f"page {page.number} {page.problem}", f"page:{page.number}")
        yield from messages_from_pages(doc.pages, origin, kind)
    elif doc.pages and not doc.embedded:
        problems = sorted({page.problem for page in doc.pages if page.problem})
        reason = problems[0] if problems else "no text on any page"
        yield origin.failure(f"{len(doc.pages)} page(s) without text: {reason}", "pages")
    for name, inner in doc.embedded:
        yield from _read_document(inner, origin.member(name), kind)


def read_text_release(path: Path, origin: Origin) -> ReadResult:
    """Messages (and document items) of a text file: a release's extracted or OCR'd text, pages at form feeds."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise SourceUnreadable(f"text file of {size} bytes is over the {MAX_TEXT_BYTES} byte limit")
    text, _charset = decode_bytes(path.read_bytes())
    pages = [PdfPage(n, chunk.split("\n")) for n, chunk in enumerate(text.replace("\r\n", "\n").split("\f"), 1)]
    if not text.strip():
        raise SourceUnreadable("text file holds only white space")
    yield from messages_from_pages(pages, origin, "text-release")


def messages_from_pages(pages: list[PdfPage], origin: Origin, kind: str) -> Iterator[Message | SourceFailure]:
    """Split pages into printed emails and documents, as Messages with pages, Bates numbers and redactions."""
    items = split_pages([page.text for page in pages])
    for n, item in enumerate(items):
        msg = to_message(item, origin, kind, n)
        msg.redactions = _redactions(item, pages)
        for red in msg.redactions:
            if red.over_text:
                notice = origin.failure(
                    f"bad redaction on page {red.page}: a {red.label or 'black'} box is drawn over text that is still "
                    f"in the text layer ({len(red.hidden_text)} characters readable under it)",
                    f"page:{red.page}",
                )
                notice.notice = True
                yield notice
        yield msg


def to_message(item: PrintedItem, origin: Origin, kind: str, position: int) -> Message:
    """A Message from one split item: header values parsed, page provenance, the item's page text kept."""
    fields = item.fields
    errors: list[str] = []
    date_raw = fields.get("date", "")
    date, note = parse_printed_date(date_raw) if date_raw else (None, "no date printed")
    if note and item.kind == "email":
        errors.append(note)
    sender = _addresses(fields.get("from", ""))
    headers = [(name.title(), value) for name, value in fields.items() if value]
    locator = f"pages:{item.page_first}-{item.page_last}#{position + 1}"
    return Message(
        provenance=origin.provenance(kind, locator),
        date=date,
        date_raw=date_raw,
        date_error=note if date is None else "",
        sender=sender,
        to=_addresses(fields.get("to", "")),
        cc=_addresses(fields.get("cc", "")),
        bcc=_addresses(fields.get("bcc", "")),
        subject=fields.get("subject", "") or item.title,
        body_text=item.body,
        body_source="printed",
        headers=headers,
        errors=errors,
        raw=None,
        raw_format="printed",
        item_kind=item.kind,
        page_first=item.page_first,
        page_last=item.page_last,
        bates_first=item.bates_first,
        bates_last=item.bates_last,
        split_confidence=item.confidence,
        source_text=item.source_text,
    )


_NOTES_NAME = re.compile(r"^([^/<>@,;]+?)\s*/[^<>@,;\s][^<>@,;]*(?:@[\w.-]+)?$")


def _addresses(value: str) -> list[Address]:
    """Printed address lists: Outlook separates with ';' and writes 'Last, First' names without quotes; Lotus
    Notes separates with ',' and prints its own users by canonical name ('Dana Whitfield/HCSO/Harlow@Harlow')."""
    value = " ".join(value.replace("[mailto:", "<").replace("(mailto:", "<").split())
    if not value:
        return []
    if "/" in value and any(_NOTES_NAME.match(p.strip()) for p in value.split(",")):
        return _notes_addresses(value)
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if len(parts) == 1 and value.count("@") > 1:
        return parse_addresses(value)
    found: list[Address] = []
    for part in parts:
        if "<" in part:
            name, _, rest = part.partition("<")
            email = rest.split(">")[0].strip().rstrip("]").strip()
            found.append(Address(name.strip().strip('"'), email if "@" in email else ""))
        elif "@" in part and " " not in part:
            found.append(Address("", part))
        else:
            found.append(Address(part.strip('"'), ""))
    return found


def _notes_addresses(value: str) -> list[Address]:
    """A Notes list: canonical names keep their common name (the part before the first '/'), no address."""
    found: list[Address] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        notes = _NOTES_NAME.match(part)
        if notes:
            found.append(Address(notes.group(1).strip(), ""))
        else:
            found.extend(_addresses(part))
    return found


def _redactions(item: PrintedItem, pages: list[PdfPage]) -> list[Redaction]:
    found: list[Redaction] = []
    for page in pages[item.page_first - 1 : item.page_last]:
        for box in page.boxes:
            code = find_labels(box.label)[0].code if box.label else ""
            found.append(Redaction("box", page.number, box.label, code, (round(box.x0, 1), round(box.y0, 1),
                                   round(box.x1, 1), round(box.y1, 1)), bool(box.hidden), box.hidden))
    boxed = [(r.page, r.label) for r in found if r.label]
    text = item.source_text
    for hit in find_labels(text):
        page = item.page_first + text.count("\f", 0, hit.start)
        if (page, hit.text) in boxed:
            boxed.remove((page, hit.text))  # the label printed beside a box is that box's, not another redaction
            continue
        found.append(Redaction("label", page, hit.text, hit.code))
    return found
