"""Tests text in the images of PDF attachments: read by Tesseract, its pixels removed (redact_pdf_file), the
log's entries, the cache, the withhold path without Tesseract, and the leak check over a whole production."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import stat
from email.message import EmailMessage
from pathlib import Path

import pymupdf
import pytest

from discovery import Case
from discovery.ingest.ocr import ocr_image
from discovery.pii.decisions import add_manual_span
from discovery.redact import pdf as pdf_module
from discovery.redact.pdf import ImageRedactionError, redact_pdf_file
from discovery.redact.verify.check import verify_production
from discovery.redact.verify.pdfread import Place, pdf_places

TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(TESSERACT is None, reason="Tesseract is not installed (apt-get install "
                                     "tesseract-ocr tesseract-ocr-eng)")
NAME = "Dana Whitfield"
LABELS = {NAME: "(b)(6)"}


def picture(*lines: str, alpha: bool = False) -> bytes:
    """A PNG of some lines of text (Helvetica, 24 pt drawn at 216 dpi), the way a scanner or a letterhead holds
    them; with ``alpha`` the text is only in the transparency (a soft mask in the PDF)."""
    doc = pymupdf.open()
    page = doc.new_page(width=420, height=20 + 34 * len(lines))
    for n, line in enumerate(lines):
        page.insert_text((12, 40 + 34 * n), line, fontsize=24, fontname="helv")
    return page.get_pixmap(dpi=216, alpha=alpha).tobytes("png")


def attachment(*pictures: bytes, pages: int = 1) -> bytes:
    """A PDF with a line of live text and the pictures, stacked, on each of ``pages`` pages (the same image
    objects on every page)."""
    doc = pymupdf.open()
    xrefs: list[int] = []
    for n in range(pages):
        page = doc.new_page()
        page.insert_text((72, 60), f"Quarterly budget review, page {n + 1}", fontsize=12)
        for i, png in enumerate(pictures):
            rect = pymupdf.Rect(72, 90 + 120 * i, 492, 190 + 120 * i)
            if n == 0:
                xrefs.append(page.insert_image(rect, stream=png, keep_proportion=False))
            else:
                page.insert_image(rect, xref=xrefs[i], keep_proportion=False)
    return doc.tobytes(garbage=3, deflate=True)


def image_texts(data: bytes) -> list[str]:
    """What Tesseract reads in every image object of a PDF, as the leak check reads it (pypdf, its own path)."""
    return [p.text for p in pdf_places(data) if isinstance(p, Place) and "(image text, OCR)" in p.where]


def pixel_digests(data: bytes) -> set[str]:
    doc = pymupdf.open(stream=data, filetype="pdf")
    out = set()
    for xref in range(1, doc.xref_length()):
        if doc.xref_is_image(xref):
            out.add(hashlib.sha256(pymupdf.Pixmap(doc, xref).samples).hexdigest())
    return out


def squash(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split()).casefold()


@needs_tesseract
def test_a_name_in_an_image_is_removed_from_its_pixels_and_the_rest_is_kept() -> None:
    named = picture(f"Call {NAME} today", "Budget figures attached")
    other = picture("Parking garage levels", "open until nine")
    before = attachment(named, other)
    assert "whitfield" in squash(image_texts(before))
    done = redact_pdf_file(before, LABELS)
    after = squash(image_texts(done.data))
    assert "whitfield" not in after and "dana" not in after
    assert "call" in after and "today" in after and "budget figures attached" in after
    assert "parking garage levels" in after
    assert done.image_redactions == (NAME,)
    text = pymupdf.open(stream=done.data, filetype="pdf")[0].get_text()
    assert "Quarterly budget review" in text and "(b)(6)" in text  # the label rides on the box
    other_pixels = pixel_digests(attachment(other))
    assert other_pixels <= pixel_digests(done.data)  # the image without a name is the same image
    pdf_module._OCR_CACHE.clear()
    assert redact_pdf_file(before, LABELS).data == done.data  # read again from scratch: the same bytes


@needs_tesseract
def test_variants_in_images_case_order_and_a_line_break() -> None:
    data = attachment(picture("WHITFIELD, DANA signed", "for Dana"), picture("Whitfield was there"))
    done = redact_pdf_file(data, {NAME: "(b)(6)", "Whitfield, Dana": "(b)(6)"})
    after = squash(image_texts(done.data))
    assert "whitfield" not in after.replace("whitfield was", "")  # 'Whitfield' alone is no redacted value
    assert "signed" in after and "whitfield was there" in after
    split = redact_pdf_file(attachment(picture("Witness: Dana", "Whitfield, 3rd floor")), LABELS)
    after = squash(image_texts(split.data))
    assert "dana" not in after and "whitfield" not in after and "witness" in after and "floor" in after


@needs_tesseract
def test_a_name_held_only_in_the_transparency_is_removed_too() -> None:
    data = attachment(picture(f"Approved by {NAME}", alpha=True))
    assert "whitfield" in squash(image_texts(data))  # the soft mask is what holds the text
    after = squash(image_texts(redact_pdf_file(data, LABELS).data))
    assert "whitfield" not in after and "approved" in after


@needs_tesseract
def test_rotated_pages_rotated_images_and_inline_images() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(72, 90, 492, 190), stream=picture(f"Call {NAME} today"), keep_proportion=False)
    page.set_rotation(90)
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(72, 90, 192, 510), stream=picture(f"Call {NAME} today"), rotate=90,
                      keep_proportion=False)
    done = redact_pdf_file(doc.tobytes(), LABELS)
    assert done.image_redactions == (NAME, NAME)
    after = squash(image_texts(done.data))
    assert "whitfield" not in after and "call" in after and "today" in after  # one object: the same pixels

    gray = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.Pixmap(picture(f"Call {NAME} today")))
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), "Kept text", fontsize=12)
    inline = (f"q 420 0 0 54 72 600 cm BI /W {gray.width} /H {gray.height} /CS /G /BPC 8 ID ").encode() + \
        gray.samples + b" EI Q\n"
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, inline)
    doc.xref_set_key(page.xref, "Contents", f"[{page.get_contents()[0]} 0 R {xref} 0 R]")
    done = redact_pdf_file(doc.tobytes(), LABELS)
    assert done.image_redactions == (NAME,)
    shown = pymupdf.open(stream=done.data, filetype="pdf")[0].get_pixmap(dpi=216).tobytes("png")
    words = squash([w.text for w in ocr_image(shown).words])
    assert "whitfield" not in words and "call" in words and "today" in words and "kept text" in words


@needs_tesseract
def test_a_name_in_a_one_bit_stencil_mask_is_removed() -> None:
    """A scanned fax page as many releases hold it: a 1-bit /ImageMask (CCITT or plain), painted in black."""
    gray = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.Pixmap(picture(f"Reach {NAME} at home")))
    width, height, row = gray.width, gray.height, (gray.width + 7) // 8
    bits = bytearray(row * height)
    samples = gray.samples
    for y in range(height):
        for x in range(width):
            if samples[y * width + x] < 128:  # ink: a 0 bit paints (the default /Decode [0 1])
                continue
            bits[y * row + x // 8] |= 0x80 >> (x % 8)
    doc = pymupdf.open()
    page = doc.new_page()
    xref = doc.get_new_xref()
    doc.update_object(xref, f"<</Type/XObject/Subtype/Image/Width {width}/Height {height}/ImageMask true"
                            "/BitsPerComponent 1>>")
    doc.update_stream(xref, bytes(bits))
    doc.xref_set_key(page.xref, "Resources", f"<</XObject<</Fax {xref} 0 R>>>>")
    content = doc.get_new_xref()
    doc.update_object(content, "<<>>")
    doc.update_stream(content, b"q 0 g 420 0 0 54 72 600 cm /Fax Do Q\n")
    doc.xref_set_key(page.xref, "Contents", f"{content} 0 R")
    data = doc.tobytes()
    shown = squash([w.text for w in ocr_image(pymupdf.open(stream=data)[0].get_pixmap(dpi=216).tobytes("png")).words])
    assert "whitfield" in shown
    done = redact_pdf_file(data, LABELS)
    assert done.image_redactions == (NAME,)
    shown = pymupdf.open(stream=done.data, filetype="pdf")[0].get_pixmap(dpi=216).tobytes("png")
    words = squash([w.text for w in ocr_image(shown).words])
    assert "whitfield" not in words and "reach" in words and "home" in words


def counting_tesseract(tmp_path: Path) -> tuple[Path, Path]:
    """A tesseract command that runs the real one and appends to a file how many images each run was given."""
    log = tmp_path / "runs.txt"
    script = tmp_path / "tesseract"
    script.write_text(f"""#!/bin/sh
case "$1" in *.txt) wc -l < "$1" >> {log} ;; *) echo 1 >> {log} ;; esac
exec {TESSERACT} "$@"
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


@needs_tesseract
def test_the_same_image_on_every_page_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script, log = counting_tesseract(tmp_path)
    monkeypatch.setenv("DISCOVERY_TESSERACT", str(script))
    pdf_module._OCR_CACHE.clear()
    logo = picture(f"Office of {NAME}")
    icon = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 9, 9), False).tobytes("png")  # too small for text
    done = redact_pdf_file(attachment(logo, icon, pages=5), LABELS)
    assert len(done.image_redactions) == 5  # one removal per page it is drawn on
    runs = [int(line) for line in log.read_text().split()]
    # the logo once, then the written file's one redacted logo (five pages, the same pixels: one object);
    # the icon never: it is too small to hold a word
    assert runs == [1, 1]
    assert "whitfield" not in squash(image_texts(done.data))
    redact_pdf_file(attachment(logo, pages=2), LABELS)  # another attachment with the same letterhead
    assert [int(line) for line in log.read_text().split()] == [1, 1]


def test_without_tesseract_a_pdf_with_images_is_refused_and_one_without_is_redacted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCOVERY_TESSERACT", str(tmp_path / "no-such-tesseract"))
    pdf_module._OCR_CACHE.clear()
    with pytest.raises(ImageRedactionError) as raised:
        redact_pdf_file(attachment(picture(f"Call {NAME} today")), LABELS)
    assert raised.value.reason == "ocr-unavailable" and "Tesseract is not installed" in raised.value.message
    assert redact_pdf_file(attachment(picture(f"Call {NAME} today")), {}).image_redactions == ()  # nothing to find
    icon = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 9, 9), False).tobytes("png")
    done = redact_pdf_file(attachment(icon), LABELS)  # nothing big enough to hold text: no OCR needed
    assert b"%PDF" in done.data[:8] and done.image_redactions == ()


def test_an_image_that_cannot_be_decoded_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(72, 72, 372, 172), stream=picture("Budget"))
    xref = page.get_images()[0][0]
    doc.update_stream(xref, b"\xff\xd8 not a jpeg at all", compress=False)
    doc.xref_set_key(xref, "Filter", "/DCTDecode")
    doc.xref_set_key(xref, "SMask", "null")
    with pytest.raises(ImageRedactionError) as raised:
        redact_pdf_file(doc.tobytes(), LABELS)
    assert raised.value.reason in ("image-unreadable", "ocr-unavailable")


# -- a whole production ------------------------------------------------------------------------------------
def _mail_with_pdf(folder: Path, pdf: bytes) -> None:
    msg = EmailMessage()
    msg["From"] = "Brent Kasprzak <brent@vendor.example>"
    msg["To"] = "Sam Lee <sam@county.example>"
    msg["Subject"] = "Letter"
    msg["Date"] = "Thu, 01 Mar 2018 09:00:00 +0000"
    msg["Message-ID"] = "<letter@mail.county.example>"
    msg.set_content(f"Attached is the letter about {NAME}.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="letter.pdf")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "letter.eml").write_bytes(bytes(msg))


@pytest.fixture()
def letter_case(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    _mail_with_pdf(folder, attachment(picture("COUNTY LETTERHEAD", f"Chief {NAME}"),
                                      picture("Parking garage levels")))
    with Case(tmp_path / "case") as case:
        assert case.ingest([folder]).ok
        mid = str(case.store.scalar("SELECT id FROM messages WHERE subject='Letter'"))
        body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
        start = body.index(NAME)
        add_manual_span(case.store, mid, "body", start, start + len(NAME), "PERSON", actor="tester")
    return tmp_path / "case"


@needs_tesseract
def test_a_production_removes_a_name_only_an_image_holds_and_logs_it(letter_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Case(letter_case) as case:
        text = str(case.store.scalar("SELECT text FROM attachments WHERE filename='letter.pdf'") or "")
        assert "Whitfield" not in text  # the attachment's text layer never names her: only the image does
        report = case.redact(all=True, out=out, formats=("txt", "eml", "pdf"), pending="keep")
    assert report.verified
    att = next((out / "pdf").glob("*-att0.pdf")).read_bytes()
    read = squash(image_texts(att))
    assert "whitfield" not in read and "county letterhead" in read and "parking garage levels" in read
    rows = list(csv.DictReader((out / "redaction-log.csv").open(encoding="utf-8")))
    image_rows = [r for r in rows if r["field"] == "attachment:0"]
    assert len(image_rows) == 1 and image_rows[0]["entity_type"] == "PERSON" and image_rows[0]["label"]
    assert image_rows[0]["rule"] == "follow" and image_rows[0]["decision"].startswith("suggestion:")
    assert not [r for r in csv.DictReader((out / "withheld.csv").open(encoding="utf-8"))
                if r["unit"] == "attachment:0:file"]

    # a copy of the original image planted in the published attachment: the leak check reads it in the pixels
    planted = pymupdf.open(stream=att, filetype="pdf")
    planted[0].insert_image(pymupdf.Rect(72, 500, 492, 600),
                            stream=picture("COUNTY LETTERHEAD", f"Chief {NAME}"), keep_proportion=False)
    next((out / "pdf").glob("*-att0.pdf")).write_bytes(planted.tobytes(garbage=4, deflate=True))
    found = verify_production(letter_case, out)
    assert any(leak.kind == "value" and "(image text, OCR)" in leak.place for leak in found.leaks)


def test_a_production_without_tesseract_withholds_the_pdf_file_and_says_why(
        letter_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCOVERY_TESSERACT", str(tmp_path / "no-such-tesseract"))
    pdf_module._OCR_CACHE.clear()
    out = tmp_path / "out"
    with Case(letter_case) as case:
        report = case.redact(all=True, out=out, formats=("txt", "eml", "pdf"), pending="keep")
    assert report.verified
    assert not list((out / "pdf").glob("*-att0.pdf"))
    rows = [r for r in csv.DictReader((out / "withheld.csv").open(encoding="utf-8"))
            if r["unit"] == "attachment:0:file"]
    assert len(rows) == 1 and rows[0]["reason"] == "ocr-unavailable"
    assert "Tesseract is not installed" in rows[0]["detail"] and "letter.pdf" in rows[0]["detail"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert not [f for f in manifest["files"] if f.endswith("-att0.pdf")]


@needs_tesseract
def test_ocr_of_the_test_picture_reads_the_name() -> None:
    """The pictures these tests draw are readable by Tesseract at all (else the tests above prove nothing)."""
    words = [w.text for w in ocr_image(picture(f"Call {NAME} today")).words]
    assert "Whitfield" in words and "Dana" in words


def test_a_pdf_attachment_in_outlook_base64_is_redacted_in_its_own_format(tmp_path: Path) -> None:
    """Outlook exports pad every base64 line on its own and can lose a header's indentation; ingest repairs
    both, and the file redacted must be the very file reviewed (dc-bega-foia: 13 PDFs were withheld as
    unopenable, their first 58 bytes only)."""
    import base64

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), f"Memo about {NAME} and the budget.", fontsize=12)
    pdf = doc.tobytes()
    lines = [base64.b64encode(pdf[i:i + 40]).decode() for i in range(0, len(pdf), 40)]  # '==' on every line
    raw = ("From: Brent Kasprzak <brent@vendor.example>\r\nTo: Sam Lee <sam@county.example>\r\n"
           "Subject: Memo\r\nDate: Thu, 01 Mar 2018 09:00:00 +0000\r\nMessage-ID: <memo@mail.county.example>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
           "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           f"See the memo about {NAME}.\r\n"
           "--b1\r\nContent-Type: application/pdf;\r\nname=\"memo.pdf\"\r\n"  # the name's indentation lost
           "Content-Disposition: attachment; filename=\"memo.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + "\r\n".join(lines) + "\r\n--b1--\r\n")
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "memo.eml").write_bytes(raw.encode())
    with Case(tmp_path / "case") as case:
        case.ingest([folder])
        assert case.store.scalar("SELECT sha256 FROM attachments") == hashlib.sha256(pdf).hexdigest()
        mid = str(case.store.scalar("SELECT id FROM messages"))
        body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
        start = body.index(NAME)
        add_manual_span(case.store, mid, "body", start, start + len(NAME), "PERSON", actor="tester")
        report = case.redact(all=True, out=tmp_path / "out", formats=("txt", "pdf"), pending="keep")
    assert report.verified
    published = next((tmp_path / "out" / "pdf").glob("*-att0.pdf")).read_bytes()
    text = pymupdf.open(stream=published, filetype="pdf")[0].get_text()
    assert "Memo about" in text and "budget" in text and "Whitfield" not in text
