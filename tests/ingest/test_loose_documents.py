"""Tests loose documents in a dump: Word and Excel files and images become items of kind "document" (an image
read by OCR, its black boxes kept as redactions), a printed email saved as Word is split like a release, and
what cannot be read is listed as "document-not-read" instead of "not mail"."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from discovery import Case
from discovery.ingest.ocr import tesseract_path
from discovery.search.searcher import Searcher


def _docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vendor", "Amount"])
    sheet.append(["Cirrusweb Recognize pilot", 48000])
    book.save(path)


def _scan_png(path: Path) -> None:
    """A memo as a scanner makes it: text rendered at 200 dpi, a phone number under a black box."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 90), "MEMORANDUM", fontsize=16)
    page.insert_text((72, 130), "Re: evidence locker inventory for the quarterly audit", fontsize=12)
    page.insert_text((72, 160), "Call the property room at", fontsize=12)
    page.draw_rect(pymupdf.Rect(230, 148, 320, 164), color=(0, 0, 0), fill=(0, 0, 0))
    page.insert_text((326, 160), "(b)(6)", fontsize=12)
    path.write_bytes(page.get_pixmap(dpi=200, colorspace="gray").tobytes("png"))


def _build(folder: Path) -> Path:
    folder.mkdir()
    _docx(folder / "memo.docx", ["Harlow County Sheriff's Office", "Policy on body-worn camera retention",
                                 "Effective March 6, 2018, footage is kept for 180 days."])
    _docx(folder / "saved email.docx", [
        "From:    Whitfield, Dana <dwhitfield@harlowcounty-or.example>",
        "Sent:    Tuesday, April 11, 2017 5:00 PM",
        "To:    Brent Kasprzak <bkasprzak@cirrusweb.example>",
        "Subject:    RE: Cirrus Recognize - Harlow County", "", "Thursday works."])
    _xlsx(folder / "budget.xlsx")
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "not xml at all <")
    (folder / "broken.docx").write_bytes(broken.getvalue())
    (folder / "truncated.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40)
    (folder / "notes.txt").write_text("meeting notes, not mail\n")
    return folder


def test_office_files_become_documents_and_what_cannot_be_read_is_listed(tmp_path: Path) -> None:
    folder = _build(tmp_path / "dump")
    with Case(tmp_path / "case") as case:
        case.ingest([folder])
        rows = {Path(r["path"]).name: r for r in case.store.rows(
            """SELECT s.path, m.item_kind, m.subject, m.from_email, m.date_utc, m.body_text FROM messages m
               JOIN provenance p ON p.message_id = m.id JOIN sources s ON s.id = p.source_id""")}
        problems = {Path(p.path).name: p.kind for p in case.problems()}
        with Searcher(case.store) as engine:
            found = engine.search("retention", limit=10).total
    assert rows["memo.docx"]["item_kind"] == "document"
    assert rows["memo.docx"]["subject"] == "Harlow County Sheriff's Office"
    assert (rows["memo.docx"]["date_utc"] or "").startswith("2018-03-06") and found == 1
    assert rows["budget.xlsx"]["item_kind"] == "document" and "Cirrusweb Recognize pilot" in rows["budget.xlsx"][
        "body_text"]
    email = rows["saved email.docx"]  # a printed email saved as Word goes through the release splitter
    assert (email["item_kind"], email["from_email"], email["subject"]) == (
        "email", "dwhitfield@harlowcounty-or.example", "RE: Cirrus Recognize - Harlow County")
    problems.pop("saved email.docx", None)  # "repaired": its printed date had no zone (taken as UTC)
    assert problems == {"broken.docx": "document-not-read", "truncated.png": "document-not-read",
                        "notes.txt": "not-mail"}


@pytest.mark.skipif(tesseract_path() is None, reason="Tesseract is not installed")
def test_an_image_is_ocrd_into_a_document_with_its_black_box(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    _scan_png(folder / "scan.png")
    with Case(tmp_path / "case") as case:
        report = case.ingest([folder])
        [row] = case.store.rows("SELECT id, item_kind, subject, body_text FROM messages")
        boxes = case.store.rows("SELECT kind, code, page FROM existing_redactions")
    assert report.ok and row["item_kind"] == "document" and row["subject"].startswith("Re: evidence locker")
    assert "evidence locker inventory" in row["body_text"]
    assert [(b["kind"], b["code"], b["page"]) for b in boxes] == [("box", "b6", 1)]


def test_an_image_without_tesseract_is_kept_as_a_document_and_listed_not_ocrd(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    _scan_png(folder / "scan.png")
    monkeypatch.setenv("DISCOVERY_TESSERACT", "")
    with Case(tmp_path / "case") as case:
        case.ingest([folder])
        [row] = case.store.rows("SELECT item_kind, subject FROM messages")
        kinds = {p.kind for p in case.problems()}
    assert (row["item_kind"], row["subject"]) == ("document", "scan.png") and "not-ocred" in kinds
