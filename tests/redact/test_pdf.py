"""Tests for the PDF writer and redact_pdf: typeset from redacted pages with Bates numbers and labelled boxes,
deterministic bytes, no metadata; PDF attachments redacted by true removal. Read back with pypdf/pdftotext."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pymupdf
import pypdf
import pytest

from discovery.errors import RedactionError
from discovery.redact.pdf import pdf_files, redact_pdf, render_document, write_pdf
from discovery.redact.production import (
    AppliedRedaction,
    ProducedAttachment,
    ProducedDocument,
    Production,
)
from discovery.redact.verify.pdfread import Place, Problem, pdf_places

PAGE_1 = "From: (b)(6) <(b)(6)>\nTo: Ops <ops@county.example>\nSubject: Follow-up\n\nCall (b)(6) today.\n"
PAGE_2 = "Attachments:\n  price.pdf\n"


def production(doc: ProducedDocument) -> Production:
    return Production(case="case", selection="--all", pending="refuse", label_style="code", bates_prefix="T-",
                      bates_start=1, policy_sha256="", formats=("pdf",), documents=(doc,))


def document(**changes: object) -> ProducedDocument:
    fields: dict[str, object] = dict(
        id="m1", bates_first="T-000001", bates_last="T-000002", bates_start=1, page_count=2,
        subject="Follow-up", body="Call (b)(6) today.", pages=(PAGE_1, PAGE_2),
        redactions=(AppliedRedaction("body", 5, 11, "PERSON", "(b)(6)", "(b)(6)", "reviewer", page=0, line=4,
                                     column=5),
                    AppliedRedaction("address:from:0", 0, 6, "PERSON", "(b)(6)", "(b)(6)", "reviewer", page=0,
                                     line=0, column=6)))
    fields.update(changes)
    return ProducedDocument(**fields)  # type: ignore[arg-type]


def texts(data: bytes) -> list[Place]:
    return [p for p in pdf_places(data) if isinstance(p, Place)]


def test_pages_are_typeset_as_given_with_a_bates_number_on_each() -> None:
    doc = document()
    data = render_document(production(doc), doc)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Call (b)(6) today." in first and "T-000001" in first
    assert "price.pdf" in second and "T-000002" in second
    assert not reader.metadata and "/Metadata" not in reader.trailer["/Root"]
    assert data.count(b"%%EOF") == 1
    assert not [p for p in pdf_places(data) if isinstance(p, Problem)]


def test_redactions_are_black_boxes_under_their_label() -> None:
    doc = document()
    page = pymupdf.open(stream=render_document(production(doc), doc), filetype="pdf")[0]
    boxes = [item[1] for d in page.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0) for item in d["items"]
             if item[0] == "re"]
    assert len(boxes) == 2
    labels = [w for w in page.get_text("words") if w[4].startswith("(b)(6)")]
    for word in labels:
        assert any(pymupdf.Rect(word[:4]).intersects(box) for box in boxes)


def test_two_runs_give_the_same_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = document()
    first = write_pdf(production(doc), tmp_path / "a")
    second = write_pdf(production(doc), tmp_path / "b")
    assert first == second == ["pdf/T-000001.pdf"]
    digest = [hashlib.sha256((tmp_path / d / first[0]).read_bytes()).hexdigest() for d in ("a", "b")]
    assert digest[0] == digest[1]


def test_metadata_set_by_policy_and_pages_padded_to_the_bates_range() -> None:
    doc = document(pages=(PAGE_1,), page_count=3, bates_last="T-000003")
    data = render_document(production(doc), doc, {"title": "T-000001 - T-000003", "producer": "discovery"})
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3 and "T-000003" in reader.pages[2].extract_text()
    assert reader.metadata["/Title"] == "T-000001 - T-000003"
    with pytest.raises(RedactionError):
        render_document(production(doc), document(pages=(PAGE_1, PAGE_2, PAGE_2), page_count=2))


def test_characters_the_font_lacks_print_as_question_marks() -> None:
    doc = document(pages=("Name: Zoë ██████ café\n",), page_count=1, redactions=())
    text = texts(render_document(production(doc), doc))[0].text
    assert "Name: Zoë ?????? café" in text


def test_pdf_attachments_are_written_beside_and_withheld_ones_are_not() -> None:
    att = ProducedAttachment(0, "price.pdf", "application/pdf", text="x", content=b"%PDF-1.7 redacted")
    gone = ProducedAttachment(1, "scan.pdf", "application/pdf", withheld="no-text")
    doc = document(attachments=(att, gone))
    files = pdf_files(production(doc), doc)
    assert sorted(files) == ["pdf/T-000001-att0.pdf", "pdf/T-000001.pdf"]
    assert files["pdf/T-000001-att0.pdf"] == b"%PDF-1.7 redacted"


def leaky_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Report by Dana Whitfield, phone (503) 555-0142.")
    page.insert_text((72, 90), "Ask WHITFIELD about 503.555.0142 and")
    page.insert_text((72, 108), "Dana")
    page.insert_text((72, 126), "Whitfield at the desk.")
    page.insert_text((72, 144), "Dana Whitfield in white", color=(1, 1, 1))
    page.add_text_annot((300, 300), "note: Dana Whitfield called")
    doc.set_metadata({"author": "Dana Whitfield", "title": "Whitfield report"})
    doc.set_xml_metadata("<x:xmpmeta xmlns:x='adobe:ns:meta/'>Dana Whitfield</x:xmpmeta>")
    doc.embfile_add("notes.txt", b"Dana Whitfield")
    doc.set_toc([[1, "Dana Whitfield", 1]])
    xref = doc.get_outline_xrefs()[0]  # a bookmark whose action mails her, as a real release's PDF had
    doc.xref_set_key(xref, "A", "<</S/URI/URI(mailto:dana.whitfield@example.org)>>")
    # a tagged PDF: the structure tree keeps a link annotation (its URI) and says her name as ActualText
    link = doc.get_new_xref()
    doc.update_object(link, "<</Type/Annot/Subtype/Link/Rect[72 60 200 80]/A<</S/URI/URI(mailto:dana@x.org)>>>>")
    elem = doc.get_new_xref()
    doc.update_object(elem, f"<</Type/StructElem/S/Link/ActualText(Dana Whitfield)/K<</Type/OBJR/Obj {link} 0 R>>>>")
    tree = doc.get_new_xref()
    doc.update_object(tree, f"<</Type/StructTreeRoot/K[{elem} 0 R]>>")
    doc.xref_set_key(doc.pdf_catalog(), "StructTreeRoot", f"{tree} 0 R")
    return doc.tobytes()


def test_redact_pdf_removes_the_text_and_every_side_structure() -> None:
    original = leaky_pdf()
    data = redact_pdf(original, {"Dana Whitfield": "(b)(6)", "503-555-0142": "(b)(6)"})
    # the trailer's /ID is a digest read as hex: digits such as '555' turn up in it by chance, never the phone
    everything = "\n".join(p.text for p in texts(data) if not p.where.endswith("/ID")).casefold()
    assert "whitfield" not in everything.replace("whitfield about", "")  # 'WHITFIELD' alone is not the value
    assert "555" not in everything and "dana" not in everything
    assert "report by (b)(6)" in everything.replace("\n", " ") or "(b)(6)" in everything
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert not reader.metadata and "/Metadata" not in reader.trailer["/Root"]
    assert not reader.attachments and not reader.pages[0].get("/Annots")
    assert not reader.outline and "/Outlines" not in reader.trailer["/Root"]
    tree = reader.trailer["/Root"].get("/StructTreeRoot")  # a null value is no structure tree (PDF 32000 7.3.9)
    assert (tree is None or isinstance(tree, pypdf.generic.NullObject)) and b"mailto" not in data
    assert data.count(b"%%EOF") == 1
    assert redact_pdf(original, ["Dana Whitfield"]) == redact_pdf(original, ["Dana Whitfield"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_redact_pdf_rasterised_has_no_text_layer() -> None:
    data = redact_pdf(leaky_pdf(), ["Dana Whitfield", "503-555-0142"], rasterise=True, dpi=50)
    pages = [p for p in texts(data) if p.where.startswith("page")]
    assert pages == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_redact_pdf_finds_a_value_set_close_to_a_footnote_number() -> None:
    """'Ethics Act' with its footnote mark '34' set close: PyMuPDF reads one word 'Act34', pdftotext 'Act 34'
    (dc-bega-foia's 2014 BPR): the value is a run of letters of its own, and its whole word goes."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "section 232(b) of the Ethics Act", fontsize=11)
    end = 72 + pymupdf.get_text_length("section 232(b) of the Ethics Act", fontsize=11)
    page.insert_text((end, 68), "34", fontsize=6)
    page.insert_text((end + 9, 72), "or add a new subsection, see R22-163.", fontsize=11)
    assert "Act34" in [w[4] for w in page.get_text("words")]
    data = redact_pdf(doc.tobytes(), {"Act": "(b)(6)", "R22-163": "(b)(6)"})
    text = " ".join(p.text for p in texts(data) if p.where.startswith("page")).casefold()
    assert " act" not in text and "r22" not in text and "163" not in text
    assert "ethics" in text and "subsection" in text


def test_redact_pdf_refuses_what_it_cannot_open() -> None:
    with pytest.raises(RedactionError):
        redact_pdf(b"not a pdf", ["x"])


def test_labels_without_positions_get_their_boxes_from_the_page_text() -> None:
    """The pipeline locates labels on the pages by their printed form; every such label is a black box."""
    page_text = "From: [(b)(6)] <[(b)(6)]>\nSubject: Follow-up\n\nCall [(b)(6)] today at [PHONE-002]."
    doc = document(pages=(page_text,), page_count=1, bates_last="T-000001",
                   redactions=(AppliedRedaction("body", 5, 13, "PERSON", "[(b)(6)]", "(b)(6)", "reviewer"),))
    page = pymupdf.open(stream=render_document(production(doc), doc), filetype="pdf")[0]
    boxes = [item[1] for d in page.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0) for item in d["items"]
             if item[0] == "re"]
    assert len(boxes) == 4
    for word in (w for w in page.get_text("words") if w[4].startswith(("[(b)(6)]", "<[(b)(6)]", "[PHONE"))):
        assert any(pymupdf.Rect(word[:4]).intersects(box) for box in boxes)


def test_the_font_is_embedded_once_and_every_page_names_it() -> None:
    pages = tuple(f"Page {n} of a long message\nwith [(b)(6)] on it\n" for n in range(4))
    doc = document(pages=pages, page_count=4, bates_last="T-000004", redactions=())
    reader = pypdf.PdfReader(io.BytesIO(render_document(production(doc), doc)))
    fonts = {page["/Resources"]["/Font"].raw_get("/F0").idnum for page in reader.pages}
    assert len(fonts) == 1 and len(reader.pages) == 4
    objects = [reader.get_object(n) for n in reader.xref[0]]
    font_files = [o for o in objects if isinstance(o, dict) and o.get("/Subtype") == "/CIDFontType0C"]
    assert len(font_files) == 1
    for n, page in enumerate(reader.pages):
        assert f"Page {n} of a long message" in page.extract_text() and f"T-00000{n + 1}" in page.extract_text()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_latin_greek_and_cyrillic_read_back_and_control_characters_print_as_question_marks() -> None:
    line = "Grüße, Ærøskøbing — Αθήνα, Москва; tab\there bell\x07 end"
    doc = document(pages=(line + "\n",), page_count=1, bates_last="T-000001", redactions=())
    text = texts(render_document(production(doc), doc))[0].text
    assert "Grüße, Ærøskøbing — Αθήνα, Москва; tab here bell? end" in text


def test_the_same_bytes_in_a_fresh_process() -> None:
    """The embedded font is prepared once per process: another process must write the very same file."""
    import subprocess
    import sys

    script = (f"import hashlib, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_pdf as t; "
              "d = t.document(); print(hashlib.sha256(t.render_document(t.production(d), d)).hexdigest())")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    doc = document()
    assert other == hashlib.sha256(render_document(production(doc), doc)).hexdigest()
