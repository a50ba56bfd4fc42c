"""Tests for discovery.ingest.extract, on Office files, PDFs, RTF and text made in the tests themselves."""

from __future__ import annotations

import io
import os
import random
import zipfile

import docx
import openpyxl
import pptx
import pymupdf
import pytest
from pptx.util import Inches

from discovery.ingest import extract
from discovery.ingest.extract import DOCX, PPTX, XLSX, ExtractResult, detect_mime, extract_text, rtf_to_text

# --- fixtures: documents built on the fly --------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Memo on the contract", level=1)
    document.add_paragraph("The payment of €1.2m was approved.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Name", "Role", "Amount"], ["Alice", "CFO", "100"], ["Bob", "", "200"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2))
    table.cell(2, 1).text = "merged"
    document.add_paragraph("Signed, Carol")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Payments"
    sheet.append(["Date", "Payee", "Amount"])
    sheet.append([])
    sheet.append(["2024-01-05", "Acme Ltd", 1500.0])
    sheet.append([None, "Beta\nGmbH", 12.5, None, None])
    sheet["A10"] = "after a gap"
    other = workbook.create_sheet("Notes")
    other["B2"] = "confidential"
    workbook.create_sheet("Empty")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pptx_bytes() -> bytes:
    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Quarterly results"
    slide.placeholders[1].text = "Revenue up 4%"
    slide.notes_slide.notes_text_frame.text = "Do not mention the audit"
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(1), Inches(4), Inches(1)).table
    for r, row in enumerate([["Region", "Sales"], ["North", "12"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _pdf(pages: list[str], **save: object) -> bytes:
    document = pymupdf.open()
    for text in pages:
        document.new_page().insert_text((72, 72), text)
    return document.tobytes(**save)


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return _pdf(["First page text", "Second page text"])


# --- detect_mime ---------------------------------------------------------------------------------------


def test_detect_office_pdf_and_text(
    docx_bytes: bytes, xlsx_bytes: bytes, pptx_bytes: bytes, pdf_bytes: bytes
) -> None:
    assert detect_mime(docx_bytes, "x.bin") == DOCX
    assert detect_mime(xlsx_bytes) == XLSX
    assert detect_mime(pptx_bytes) == PPTX
    assert detect_mime(pdf_bytes, "report.docx") == "application/pdf"
    assert detect_mime(b"Hello, plain text here.\n") == "text/plain"
    assert detect_mime(b"<html><body><p>Hi</p></body></html>") == "text/html"
    assert detect_mime(b"{\\rtf1\\ansi Hello}") == "text/rtf"
    assert detect_mime(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n") == "text/calendar"
    assert detect_mime(random.Random(1).randbytes(4096)) == "application/octet-stream"


def test_detect_office_file_zipped_in_unusual_order(docx_bytes: bytes) -> None:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(
            "zz/padding.bin", os.urandom(70_000)
        )  # pushes the Office parts past the sniffed bytes
        for info in reversed(source.infolist()):
            target.writestr(info.filename, source.read(info.filename))
    assert detect_mime(out.getvalue()) == DOCX


def test_detect_plain_zip_stays_zip() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert detect_mime(out.getvalue()) == "application/zip"


# --- Office documents ----------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables(docx_bytes: bytes) -> None:
    result = extract_text(docx_bytes, DOCX)
    assert result == ExtractResult(
        "Memo on the contract\nThe payment of €1.2m was approved.\n"
        "Name\tRole\tAmount\nAlice\tCFO\t100\nBob\tmerged\nSigned, Carol"
    )


def test_xlsx_sheets_rows_and_values(xlsx_bytes: bytes) -> None:
    result = extract_text(xlsx_bytes, XLSX)
    assert result.error is None and not result.truncated
    assert result.text == (
        "Sheet: Payments\nDate\tPayee\tAmount\n2024-01-05\tAcme Ltd\t1500\n\tBeta GmbH\t12.5\nafter a gap\n"
        "Sheet: Notes\n\tconfidential\n"
        "Sheet: Empty"
    )


def test_xlsx_row_cap(xlsx_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_XLSX_ROWS", 2)
    result = extract_text(xlsx_bytes, XLSX)
    assert result.truncated and result.note == "stopped after 2 rows"
    assert result.text == "Sheet: Payments\nDate\tPayee\tAmount\n2024-01-05\tAcme Ltd\t1500"


def test_pptx_slides_tables_and_notes(pptx_bytes: bytes) -> None:
    result = extract_text(pptx_bytes, PPTX)
    assert result.text == (
        "Slide 1\nQuarterly results\nRevenue up 4%\nNotes: Do not mention the audit\n\n"
        "Slide 2\nRegion\tSales\nNorth\t12"
    )


def test_office_file_expanding_too_far_is_refused(docx_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_UNZIPPED_BYTES", 1000)
    result = extract_text(docx_bytes, DOCX)
    assert result.text is None
    assert result.error is not None and result.error.startswith(
        "Word document not read: its parts would expand"
    )
    assert "zip bomb" in result.error


@pytest.mark.parametrize("mime", [DOCX, XLSX, PPTX])
def test_corrupt_office_file_gives_error(docx_bytes: bytes, mime: str) -> None:
    for data in (docx_bytes[: len(docx_bytes) // 2], b"PK\x03\x04" + b"\x00" * 100, b"not a zip at all"):
        result = extract_text(data, mime)
        assert result.text is None
        assert result.error is not None and result.error.startswith("could not read ")
        assert "BadZipFile" in result.error or "Error" in result.error


def test_docx_with_a_workbook_inside_gives_error(xlsx_bytes: bytes) -> None:
    result = extract_text(xlsx_bytes, DOCX)  # a zip, but not a Word document
    assert result.text is None and result.error is not None
    assert result.error.startswith("could not read Word document: ")


# --- PDF -----------------------------------------------------------------------------------------------


def test_pdf_pages_joined_with_form_feed(pdf_bytes: bytes) -> None:
    result = extract_text(pdf_bytes, "application/pdf")
    assert result == ExtractResult("First page text\n\fSecond page text\n")


def test_encrypted_pdf() -> None:
    data = _pdf(["secret"], encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")
    assert extract_text(data, "application/pdf") == ExtractResult(None, "PDF is encrypted")


def test_pdf_with_owner_password_only_is_read() -> None:
    data = _pdf(["readable"], encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", permissions=0)
    assert extract_text(data, "application/pdf").text == "readable\n"


def test_scanned_pdf_has_no_text_layer() -> None:
    document = pymupdf.open()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 16, 16), False)
    pixmap.clear_with(128)
    document.new_page().insert_image(pymupdf.Rect(50, 50, 300, 300), pixmap=pixmap)
    result = extract_text(document.tobytes(), "application/pdf")
    assert result == ExtractResult("", "PDF has no text layer (scanned image; OCR not available)")


@pytest.mark.parametrize("keep", [0.2, 0.4, 0.6, 0.9])
def test_truncated_pdf_never_raises(pdf_bytes: bytes, keep: float) -> None:
    result = extract_text(pdf_bytes[: int(len(pdf_bytes) * keep)], "application/pdf")
    assert result.text is not None or result.error is not None
    if result.text:
        assert result.note == "PDF is damaged; the text may be incomplete"


def test_garbage_pdf(capfd: pytest.CaptureFixture[str]) -> None:
    result = extract_text(b"%PDF-1.7\n" + random.Random(2).randbytes(3000), "application/pdf")
    assert result.text in (None, "") and result.error is not None
    assert capfd.readouterr().err == ""  # MuPDF's own complaints stay off the terminal


def test_pdf_stops_reading_pages_past_max_chars() -> None:
    data = _pdf([f"page {i} " + "x" * 50 for i in range(20)])
    result = extract_text(data, "application/pdf", max_chars=100)
    assert result.truncated and result.text is not None and len(result.text) == 100


# --- RTF -----------------------------------------------------------------------------------------------

RTF = rb"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fcharset204 Times Cyr;}}
{\colortbl ;\red255\green0\blue0;}{\*\generator Riched20 10.0;}{\info{\author Jane}}
\viewkind4\uc1\pard\f0\fs20 Caf\'e9 cr\'e8me \b bold\b0  and \{braces\}\par
Unicode: \u8364? and \u-10179?\u-8704? done\par
{\*\bkmkstart x}Tab\tab here\line next\par
{\f1 \'cf\'f0\'e8\'e2\'e5\'f2}\par
{\field{\*\fldinst HYPERLINK "https://example.org"}{\fldrslt Example link}}\par
{\pict\wmetafile8 0100090000}\par
\emdash  end\par
}"""


def test_rtf_to_text() -> None:
    assert rtf_to_text(RTF) == (
        "Café crème bold and {braces}\nUnicode: € and 😀 done\nTab\there\nnext\nПривет\nExample link\n\n— end"
    )


OUTLOOK_RTF = rb"""{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}
{\*\htmltag19 <html>}{\*\htmltag34 <head>}
{\*\htmltag41 <title>}{\htmlrtf Subject \htmlrtf0}{\*\htmltag41 </title>}
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Hello Caf\'e9 & <friends>,
{\*\htmltag84 &nbsp;}\htmlrtf \'a0\htmlrtf0 world\htmlrtf \par \htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag64 <p>}Second{\*\htmltag244 <br>}\htmlrtf \line \htmlrtf0 see {\*\htmltag84 <a href="https://x.example">}link
{\*\htmltag92 </a>}{\*\htmltag72 </p>}\htmlrtf }\htmlrtf0
}"""


def test_rtf_with_encapsulated_html() -> None:
    assert rtf_to_text(OUTLOOK_RTF) == "Hello Café & <friends>, world\n\nSecond\nsee link <https://x.example>"


def test_rtf_via_extract_text_and_detection() -> None:
    assert extract_text(RTF, detect_mime(RTF)).text == rtf_to_text(RTF)
    assert extract_text(b"{\\rtf1 plain}", "text/plain").text == "plain"  # RTF sent as text/plain


@pytest.mark.parametrize(
    "data", [b"{\\rtf1", b"\\", b"}}}}{{{", b"{\\rtf1 \\bin999999 x}", b"{\\rtf1 \\u99999999999? \\'zz}"]
)
def test_broken_rtf_does_not_raise(data: bytes) -> None:
    assert isinstance(rtf_to_text(data), str)


# --- text, HTML, calendar ------------------------------------------------------------------------------


def test_utf8_text() -> None:
    assert extract_text("naïve café\r\nline two\n".encode(), "text/plain") == ExtractResult(
        "naïve café\nline two\n"
    )


def test_latin1_text_is_guessed() -> None:
    data = "Le café est très bon, à côté de l'église.\n".encode("latin-1")
    result = extract_text(data, detect_mime(data))
    assert result.text == "Le café est très bon, à côté de l'église.\n"
    assert result.note is not None and result.note.startswith("character set guessed as ")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_text_with_byte_order_mark(encoding: str) -> None:
    data = "Größe, Привет, 你好\n".encode(encoding)
    assert extract_text(data, "text/plain").text == "Größe, Привет, 你好\n"


def test_utf16_without_bom() -> None:
    result = extract_text("Hello Привет world\n".encode("utf-16-le"), "text/plain")
    assert (
        result.text == "Hello Привет world\n" and result.note == "decoded as utf-16-le (no byte-order mark)"
    )


def test_html_attachment_with_declared_charset() -> None:
    data = '<html><head><meta charset="windows-1252"><title>t</title></head><body><p>Caf\xe9</p>'.encode(
        "cp1252"
    )
    result = extract_text(data, detect_mime(data))
    assert result.text == "Café" and result.note == "decoded as cp1252 (declared)"


def test_json_and_xml_as_text() -> None:
    assert extract_text(b'{"a": 1}', "application/json").text == '{"a": 1}'
    assert extract_text(b"<a>b</a>", "application/xml").text == "<a>b</a>"


ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Budget review\r\n"
    b"DTSTART;TZID=Europe/Berlin:20240603T090000\r\nDTEND:20240603T100000Z\r\nLOCATION:Room 4\\, Floor 2\r\n"
    b"ORGANIZER;CN=Alice Example:mailto:alice@example.com\r\n"
    b'ATTENDEE;CN="Doe, John";PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:john@exa\r\n mple.com\r\n'
    b"DESCRIPTION:Agenda:\\n1. Numbers\\n2. Other business\r\n"
    b"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_calendar_summary() -> None:
    result = extract_text(ICS, detect_mime(ICS))
    assert result.text is not None
    summary, _, source = result.text.partition("\n\n----- calendar source -----\n")
    assert summary == (
        "Calendar method: REQUEST\n\nEvent:\nSummary: Budget review\n"
        "Start: 2024-06-03 09:00 (Europe/Berlin)\nEnd: 2024-06-03 10:00 (UTC)\nLocation: Room 4, Floor 2\n"
        "Organizer: Alice Example <alice@example.com>\n"
        "Attendee: Doe, John <john@example.com> (needs action)\n"
        "Description:\nAgenda:\n1. Numbers\n2. Other business"
    )
    assert source.startswith("BEGIN:VCALENDAR\nVERSION:2.0\n")


# --- no text, limits ------------------------------------------------------------------------------------


def test_random_bytes_have_no_text_and_no_error() -> None:
    data = random.Random(3).randbytes(10_000)
    assert extract_text(data, detect_mime(data)) == ExtractResult(None)
    assert extract_text(b"\x89PNG\r\n\x1a\n", "image/png") == ExtractResult(None)


def test_random_bytes_claimed_as_every_type_never_raise() -> None:
    data = random.Random(4).randbytes(5000)
    for mime in [DOCX, XLSX, PPTX, "application/pdf", "text/rtf", "text/html", "text/calendar", "text/plain"]:
        result = extract_text(data, mime)
        assert result.text is not None or result.error is not None


def test_text_longer_than_max_chars_is_truncated() -> None:
    assert extract_text(b"abcdefghij", "text/plain", max_chars=4) == ExtractResult("abcd", None, True)


def test_input_over_50_mb_is_not_parsed() -> None:
    result = extract_text(b"x" * (50 * 1024 * 1024 + 1), "text/plain")
    assert result == ExtractResult(None, "Text not read: 50 MB is over the 50 MB limit")


def test_workbook_whose_sheets_expand_too_far_is_refused(
    xlsx_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extract, "MAX_UNZIPPED_SHEETS_BYTES", 10)
    result = extract_text(xlsx_bytes, XLSX)
    assert result.text is None and result.error is not None and "possibly a zip bomb" in result.error
