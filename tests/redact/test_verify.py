"""Tests for the leak check: each known leak class planted by hand in a production directory is caught, with
its file and place; a clean production passes; verify imports no writer and nothing of the pipeline."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from discovery import Case
from discovery.cli import main
from discovery.pii.decisions import accept_value_everywhere, add_manual_span
from discovery.redact.verify import redacted_values, verify_production
from discovery.redact.verify.matcher import Matcher, value_variants

ROOT = Path(__file__).resolve().parents[2]
BODY = ("Sam,\n\nCall Dana Whitfield at 503-555-0142 about booking 2015-002291.\n"
        "Mail dwhitfield@county.example.\n")


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify")
    msg = EmailMessage()
    msg["From"] = "Sam Nakagawa <sam@county.example>"
    msg["To"] = "Ops <ops@county.example>"
    msg["Subject"] = "Follow-up"
    msg["Date"] = "Thu, 01 Mar 2018 09:00:00 +0000"
    msg["Message-ID"] = "<m1@test.example>"
    msg.set_content(BODY)
    (root / "mail").mkdir()
    (root / "mail" / "m1.eml").write_bytes(bytes(msg))
    with Case(root / "case") as case:
        assert case.ingest([root / "mail"]).ok
        mid = next(case.message_ids())
        body = case.message(mid).body_text
        for text, entity in (("Dana Whitfield", "PERSON"), ("503-555-0142", "PHONE_NUMBER"),
                             ("2015-002291", "BOOKING_NUMBER")):
            start = body.index(text)
            add_manual_span(case.store, mid, "body", start, start + len(text), entity, actor="tester")
        accept_value_everywhere(case.store, "EMAIL_ADDRESS", "dwhitfield@county.example", actor="tester")
    return root / "case"


def message_id(case_dir: Path) -> str:
    with Case(case_dir, readonly=True) as case:
        return next(case.message_ids())


def production(root: Path, case_dir: Path, files: dict[str, bytes], *, unlisted: dict[str, bytes] | None = None,
               pending: str = "refuse") -> Path:
    """A production directory written by hand: the files, and a manifest listing them with their sha256."""
    out = root / "out"
    for rel, data in {**files, **(unlisted or {})}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    manifest = {"case": case_dir.name, "selection": "--all", "pending": pending, "label_style": "code",
                "documents": [{"id": message_id(case_dir), "bates_first": "T-000001", "bates_last": "T-000001",
                               "files": sorted(files)}],
                "files": {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}}
    (out / "manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=2))
    return out


CLEAN_TXT = b"From: Sam Nakagawa <sam@county.example>\n\nCall (b)(6) at (b)(6) about booking (b)(6).\n"


def kinds(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {leak.kind for leak in report.leaks}


def places(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{leak.file}: {leak.place}" for leak in report.leaks]


def pdf_bytes(*texts: str, white: bool = False, box: bool = False, save: bool = True) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    y = 72
    for text in texts:
        page.insert_text((72, y), text, fontsize=11, color=(1, 1, 1) if white else (0, 0, 0))
        if box:
            page.draw_rect(pymupdf.Rect(70, y - 12, 400, y + 4), color=(0, 0, 0), fill=(0, 0, 0))
        y += 16
    doc.set_metadata({})
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def eml(body: str = "Call (b)(6).\n", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Sam Nakagawa <sam@county.example>"
    msg["Subject"] = headers.pop("subject", "Follow-up")
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    return msg


# -- the values ---------------------------------------------------------------------------------------------
def test_values_come_from_the_case(case_dir: Path) -> None:
    import sqlite3

    db = sqlite3.connect(case_dir / "store.sqlite")
    values = redacted_values(db, case_dir, [message_id(case_dir)], "refuse")
    found = {(v.entity_type, v.text) for v in values}
    assert {("PERSON", "Dana Whitfield"), ("PHONE_NUMBER", "503-555-0142"),
            ("EMAIL_ADDRESS", "dwhitfield@county.example")} <= found
    elsewhere = redacted_values(db, case_dir, ["no-such-message"], "refuse")
    assert [(v.entity_type, v.text, v.source) for v in elsewhere] == [
        ("EMAIL_ADDRESS", "dwhitfield@county.example", "value decision")]


def test_variants_cover_case_spacing_quotes_name_order_and_digits() -> None:
    forms, digits = value_variants("PERSON", "Dana Whitfield")
    phone_forms, phone_digits = value_variants("PHONE_NUMBER", "503-555-0142")
    matcher = Matcher({f: ["p"] for f in forms | phone_forms}, {d: ["d"] for d in digits | phone_digits})
    for text in ("DANA WHITFIELD", "Dana\n> Whitfield", "Whitfield, Dana", "dana   whitfield", "(503) 555.0142",
                 "+1 503 555 0142", "5035550142", "503-555-\n> 0142"):
        assert list(matcher.search(f"x {text} y")), text
    for text in ("Danawhit field", "Dana Whitfields", "Adana Whitfield", "503-555-014", "Dana"):
        assert not [h for h in matcher.search(text) if not h.digits], text
    hit = next(matcher.search("line one\n  and Dana Whitfield"))
    assert (hit.line, hit.column) == (2, 7)


# -- clean and each leak class --------------------------------------------------------------------------------
def test_a_clean_production_passes(tmp_path: Path, case_dir: Path) -> None:
    out = production(tmp_path, case_dir, {
        "txt/T-000001.txt": CLEAN_TXT, "eml/T-000001.eml": bytes(eml()),
        "pdf/T-000001.pdf": pdf_bytes("Call (b)(6) at (b)(6).", "Sam Nakagawa"),
        "redaction-log.csv": b"bates,field,entity_type,label\nT-000001,body,PERSON,(b)(6)\n"})
    report = verify_production(case_dir, out)
    assert report.ok, places(report)
    assert report.files == 5 and report.values >= 4 and report.places > 5


@pytest.mark.parametrize("text, where", [
    ("Call Dana\n> Whitfield today", "line 1"),
    ("Reach WHITFIELD, DANA on 503.555.0142", "line 1"),
    ("ok\nbooking 2015 002291", "line 2"),
    ("mail DWhitfield@County.Example", "line 1"),
])
def test_a_text_file_leak_is_caught_with_its_place(tmp_path: Path, case_dir: Path, text: str, where: str) -> None:
    report = verify_production(case_dir, production(tmp_path, case_dir, {"txt/T-000001.txt": text.encode()}))
    assert not report.ok
    assert all(leak.file == "txt/T-000001.txt" and leak.kind == "value" for leak in report.leaks)
    assert where in report.leaks[0].place
    assert "Whitfield" not in json.dumps(report.to_dict())  # the report never quotes the value


def test_log_and_file_name_quoting_a_value(tmp_path: Path, case_dir: Path) -> None:
    out = production(tmp_path, case_dir, {"redaction-log.csv": b"bates,note\nT-000001,Dana Whitfield asked\n",
                                          "txt/dana-whitfield.txt": CLEAN_TXT})
    report = verify_production(case_dir, out)
    assert {"redaction-log.csv: text line 2 col 10", "txt/dana-whitfield.txt: file name line 1 col 5"} <= set(
        places(report))


def test_unlisted_file_and_changed_file(tmp_path: Path, case_dir: Path) -> None:
    out = production(tmp_path, case_dir, {"txt/T-000001.txt": CLEAN_TXT}, unlisted={"notes.txt": b"nothing"})
    (out / "txt/T-000001.txt").write_bytes(CLEAN_TXT + b"\n")
    report = verify_production(case_dir, out)
    assert {(leak.file, leak.kind) for leak in report.leaks} == {("notes.txt", "unlisted-file"),
                                                                  ("txt/T-000001.txt", "sha256-mismatch")}
    (out / "txt/T-000001.txt").unlink()
    assert ("txt/T-000001.txt", "missing-file") in {(x.file, x.kind) for x in verify_production(case_dir, out).leaks}


def test_header_encoded_rfc2047(tmp_path: Path, case_dir: Path) -> None:
    msg = eml(subject="Re: Dana Whitfield’s call")  # non-ASCII: sent as an RFC 2047 encoded word
    data = bytes(msg)
    assert b"Dana Whitfield" not in data
    report = verify_production(case_dir, production(tmp_path, case_dir, {"eml/T-000001.eml": data}))
    assert any("header Subject" in p for p in places(report)), places(report)


def test_base64_attachment_with_other_punctuation(tmp_path: Path, case_dir: Path) -> None:
    msg = eml()
    msg.add_attachment(b"phone: (503) 555 0142\n", maintype="application", subtype="octet-stream",
                       filename="notes.bin")
    data = bytes(msg)
    assert b"555 0142" not in data and base64.b64encode(b"phone")[:4] in data
    report = verify_production(case_dir, production(tmp_path, case_dir, {"eml/T-000001.eml": data}))
    found = places(report)
    assert any("part 2 (application/octet-stream)" in p for p in found), found


def test_quoted_printable_part_split_by_a_soft_line_break(tmp_path: Path, case_dir: Path) -> None:
    raw = (b"From: a@b.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: quoted-printable\n\nCall Dana Whit=\nfield=E2=80=99s desk.\n")
    report = verify_production(case_dir, production(tmp_path, case_dir, {"eml/T-000001.eml": raw}))
    assert any("part root (text/plain)" in p for p in places(report)), places(report)


def test_html_alternative_and_rfc2231_file_name(tmp_path: Path, case_dir: Path) -> None:
    msg = eml()
    msg.add_alternative("<p>Call <b>Dana</b> <i>Whit</i>field</p>", subtype="html")
    msg.add_attachment(b"redacted", maintype="text", subtype="plain", filename="Dana Whitfield – notes.txt")
    data = bytes(msg)
    assert b"filename*=" in data
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"eml/T-000001.eml": data})))
    assert any("(text/html) text" in p for p in found), found
    assert any("file name" in p for p in found), found


def test_forwarded_rfc822_part(tmp_path: Path, case_dir: Path) -> None:
    inner = eml("From the desk of dwhitfield@COUNTY.example\n")
    outer = eml()
    outer.add_attachment(inner)
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"eml/T-000001.eml": bytes(outer)})))
    assert any("part 2.1" in p for p in found), found


def test_mbox_message_and_envelope(tmp_path: Path, case_dir: Path) -> None:
    data = b"From sam@county.example Thu Mar  1 09:00:00 2018\n" + bytes(eml()) + b"\n" + \
        b"From dwhitfield@county.example Thu Mar  1 09:00:00 2018\n" + bytes(eml("Call 503 555 0142\n"))
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"mbox/production.mbox": data})))
    assert any(p.startswith("mbox/production.mbox: message 2 envelope") for p in found), found
    assert any("message 2 part root" in p for p in found), found
    assert not any("message 1" in p for p in found)


@pytest.mark.parametrize("kind", ["under-box", "white"])
def test_pdf_live_text_under_a_box_or_white(tmp_path: Path, case_dir: Path, kind: str) -> None:
    data = pdf_bytes("Call Dana Whitfield today", box=kind == "under-box", white=kind == "white")
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": data})))
    assert "pdf/T-000001.pdf: page 1 line 1 col 6" in found, found


def test_pdf_unapplied_redaction_annotation(tmp_path: Path, case_dir: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Call Dana Whitfield today")
    page.add_redact_annot(page.search_for("Dana Whitfield")[0], text="(b)(6)", fill=(0, 0, 0))
    report = verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": doc.tobytes()}))
    assert {"redaction-annotation", "value"} <= kinds(report)


def test_pdf_metadata_and_xmp(tmp_path: Path, case_dir: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Call (b)(6)")
    doc.set_metadata({"author": "Dana Whitfield"})
    doc.set_xml_metadata('<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>'
                         "dwhitfield@county.example</dc:creator></x:xmpmeta>")
    data = doc.tobytes(garbage=4, deflate=True)
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": data})))
    assert any("/Author" in p for p in found), found
    assert any("XMP" in p for p in found), found


def test_pdf_embedded_file_and_embedded_pdf(tmp_path: Path, case_dir: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Call (b)(6)")
    doc.embfile_add("notes.txt", b"Dana Whitfield 503-555-0142")
    doc.embfile_add("inner.pdf", pdf_bytes("booking 2015-002291"))
    data = doc.tobytes(garbage=4, deflate=True)
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": data})))
    assert any("(embedded file)" in p for p in found), found
    assert any("(embedded PDF) page 1" in p for p in found), found


def test_pdf_incremental_save(tmp_path: Path, case_dir: Path) -> None:
    path = tmp_path / "inc.pdf"
    path.write_bytes(pdf_bytes("Call Dana Whitfield today"))
    doc = pymupdf.open(path)
    page = doc[0]
    page.add_redact_annot(page.search_for("Dana Whitfield")[0], fill=(0, 0, 0))
    page.apply_redactions()
    doc.saveIncr()
    doc.close()
    data = path.read_bytes()
    report = verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": data}))
    assert "incremental-save" in kinds(report)


def test_pdf_bookmark_and_annotation_text(tmp_path: Path, case_dir: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Call (b)(6)")
    page.add_text_annot((72, 100), "ask 503 555 0142")
    doc.set_toc([[1, "Whitfield, Dana", 1]])
    data = doc.tobytes(garbage=4, deflate=True)
    found = places(verify_production(case_dir, production(tmp_path, case_dir, {"pdf/T-000001.pdf": data})))
    assert any("/Contents" in p for p in found), found
    assert any("/Title" in p for p in found), found


def test_allow_list_and_pending_mode(tmp_path: Path, case_dir: Path) -> None:
    import shutil
    import sqlite3

    copy = tmp_path / "case"
    shutil.copytree(case_dir, copy)
    (copy / "pii-policy.toml").write_text('[allow]\nnames = ["Dana Whitfield"]\n[redact]\nauto = {US_SSN = 0.5}\n')
    mid = message_id(copy)
    with sqlite3.connect(copy / "store.sqlite") as db:
        for text, entity, score in (("Sam Nakagawa", "PERSON", 0.9), ("123-45-6789", "US_SSN", 0.6)):
            db.execute("INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key, entity_type, "
                       "score, created_at, updated_at) VALUES (?, 'body', 0, 1, ?, ?, ?, ?, '2018-03-01', "
                       "'2018-03-01')", (mid, text, text, entity, score))
    out = production(tmp_path, copy, {"txt/T-000001.txt": b"Dana Whitfield, Sam Nakagawa, 123 45 6789"})
    assert [x.value.split()[0] for x in verify_production(copy, out).leaks] == ["US_SSN"]
    out = production(tmp_path, copy, {"txt/T-000001.txt": b"Dana Whitfield, Sam Nakagawa, 123 45 6789"},
                     pending="redact")
    assert sorted(x.value.split()[0] for x in verify_production(copy, out).leaks) == ["PERSON", "US_SSN"]


# -- the command ----------------------------------------------------------------------------------------------
def test_cli_exit_codes_and_json(tmp_path: Path, case_dir: Path) -> None:
    runner = CliRunner()
    out = production(tmp_path, case_dir, {"txt/T-000001.txt": CLEAN_TXT})
    result = runner.invoke(main, ["verify", str(out), "--case", str(case_dir), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True
    (out / "txt/T-000001.txt").write_bytes(b"Dana Whitfield")
    result = runner.invoke(main, ["verify", str(out), "--case", str(case_dir)])
    assert result.exit_code == 1
    assert "txt/T-000001.txt: text line 1 col 1" in result.stdout
    result = runner.invoke(main, ["verify", str(tmp_path / "nothing"), "--case", str(case_dir)])
    assert result.exit_code == 2
    other = tmp_path / "other-case"
    other.mkdir()
    result = runner.invoke(main, ["verify", str(out), "--case", str(other)])
    assert result.exit_code == 2 and "--case" in result.stderr


def test_verify_imports_no_writer_and_nothing_of_the_pipeline() -> None:
    code = ("import sys, discovery.redact.verify, discovery.redact.verify.cli; "
            "print('\\n'.join(m for m in sys.modules if m.startswith('discovery')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    loaded = set(proc.stdout.split())
    assert "discovery.redact.verify.check" in loaded
    redact = {m for m in loaded if m.startswith("discovery.redact.") and not m.startswith("discovery.redact.verify")}
    assert redact == set(), redact


def _pdf_with_id(identifier: bytes) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_file_identifier_is_read_as_hex_unless_it_is_text() -> None:
    """The 10,000-message bench failed on a PDF attachment whose /ID digest bytes read 'i¦çY' in Latin-1, which
    the word stream takes for the words 'i cy': a pending PERSON 'Cy'. A binary /ID is searched as the hex it is
    written in; one made only of printable ASCII is text someone put there and is searched as text."""
    from discovery.redact.verify.check import _hits
    from discovery.redact.verify.pdfread import Place, pdf_places
    from discovery.redact.verify.values import RedactedValue, build_matcher

    matcher = build_matcher([RedactedValue("PERSON", "Cy", "suggestion 1"),
                             RedactedValue("PERSON", "Dana Whitfield", "suggestion 2")])
    digest = [p for p in pdf_places(_pdf_with_id(b"i\xa6\xe7Y" * 4)) if isinstance(p, Place)]
    assert any(p.where == "trailer /ID" and p.text.startswith("69a6e759") for p in digest)
    assert not list(_hits(matcher, digest))
    text_id = [p for p in pdf_places(_pdf_with_id(b"Dana Whitfield!!")) if isinstance(p, Place)]
    assert [where for where, _ in _hits(matcher, text_id)] == ["trailer /ID line 1 col 1", "trailer /ID line 2 col 1"]


def test_worker_processes_find_what_threads_find(tmp_path: Path, case_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Many files are checked in spawned worker processes; they report the same leaks, in the same order."""
    from discovery.redact.verify import check

    files = {f"txt/T-{n:06d}.txt": (CLEAN_TXT if n % 3 else b"Call Dana Whitfield\n") for n in range(1, 10)}
    out = production(tmp_path, case_dir, files)
    threads = verify_production(case_dir, out, jobs=2)
    monkeypatch.setattr(check, "PROCESS_MIN_FILES", 2)
    processes = verify_production(case_dir, out, jobs=2)
    assert places(processes) == places(threads) and len(processes.leaks) == 3
    assert (processes.files, processes.places) == (threads.files, threads.places)
    monkeypatch.setattr(check, "BIG_FILE", len(CLEAN_TXT))  # the clean files are 'big': they go first, each alone
    chunks = check._chunks(out, sorted(files))
    assert [(len(c), size > 0) for c, size in chunks] == [(1, n % 3 > 0) for n in range(1, 10)]
    assert places(verify_production(case_dir, out, jobs=2)) == places(threads)


def _pages_pdf(*pages: str, white: bool = False) -> bytes:
    doc = pymupdf.open()
    for text in pages:
        doc.new_page().insert_text((72, 72), text, fontsize=11, color=(1, 1, 1) if white else (0, 0, 0))
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


@pytest.mark.skipif(shutil.which("pdfunite") is None or shutil.which("pdftotext") is None,
                    reason="poppler's pdfunite and pdftotext are not installed")
def test_pdfs_read_in_one_batch_name_each_leak_by_its_own_file_and_page(tmp_path: Path, case_dir: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many PDFs' page texts are read by one pdfunite + pdftotext; every page goes back to its own file."""
    from discovery.redact.verify import check, pdfread

    files = {f"pdf/T-{n:06d}.pdf": _pages_pdf(*(f"File {n} page {p} (b)(6)" for p in range(1, n % 3 + 2)))
             for n in range(1, 8)}
    files["pdf/T-000003.pdf"] = _pages_pdf("File 3 page 1", "Call Dana Whitfield today")
    files["pdf/T-000006.pdf"] = _pages_pdf("ask 503 555 0142 now", white=True)
    out = production(tmp_path, case_dir, files)
    rels = sorted(files)
    batched = pdfread.batch_page_texts([out / r for r in rels])
    alone = [tuple(p.text for p in pdfread.page_text(files[r])) for r in rels]
    assert [tuple(t for t in pages if t.strip()) for pages in batched if pages is not None] == alone
    assert len(alone) == 7 and all(pages is not None for pages in batched)
    found = places(verify_production(case_dir, out, jobs=2))
    assert found == ["pdf/T-000003.pdf: page 2 line 1 col 6", "pdf/T-000006.pdf: page 1 line 1 col 5"], found
    monkeypatch.setattr(check, "joined_page_texts", lambda paths: None)
    assert places(verify_production(case_dir, out, jobs=2)) == found
    clean = production(tmp_path / "clean", case_dir, {r: d for r, d in files.items() if r not in
                                                       ("pdf/T-000003.pdf", "pdf/T-000006.pdf")})
    assert verify_production(case_dir, clean, jobs=2).ok


@pytest.mark.skipif(shutil.which("pdfunite") is None, reason="poppler's pdfunite is not installed")
def test_a_batch_that_cannot_be_joined_is_read_file_by_file(tmp_path: Path) -> None:
    from discovery.redact.verify import pdfread

    good = tmp_path / "a.pdf"
    good.write_bytes(_pages_pdf("one", "two"))
    broken = tmp_path / "b.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    locked = tmp_path / "c.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    locked.write_bytes(doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u"))
    assert pdfread.batch_page_texts([good, broken]) == [None, None]
    assert pdfread.batch_page_texts([good, locked]) == [None, None]
    assert pdfread.batch_page_texts([good]) == [None]
    alone = tuple(p.text for p in pdfread.page_text(good.read_bytes()))
    assert pdfread.batch_page_texts([good, good]) == [alone, alone] and len(alone) == 2


def _icc_profile(description: str) -> bytes:
    """A grey ICC profile shaped like the one Adobe software embeds (header, tag table, 'desc' and 'cprt' tags),
    with the given description."""
    import struct

    text = b"text\0\0\0\0Copyright 1999 Adobe Systems Incorporated\0"
    ascii_desc = description.encode("latin-1") + b"\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_desc)) + ascii_desc + b"\0" * 12
    tags = [(b"cprt", text), (b"desc", desc)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    header = (struct.pack(">I", 128 + len(table) + len(body)) + b"ADBE\x02\x10\0\0mntrGRAYXYZ \x07\xcf\0\x06\0\x03"
              + b"\0" * 6 + b"acspAPPL\0\0\0\0none")
    return header + b"\0" * (128 - len(header)) + table + body


def _pdf_with_icc(page_text: str, icc: bytes) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), page_text)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<< /N 1 >>")
    doc.update_stream(xref, icc)
    kind, resources = doc.xref_get_key(page.xref, "Resources")
    target = int(resources.split()[0]) if kind == "xref" else page.xref
    doc.xref_set_key(target, "ColorSpace" if kind == "xref" else "Resources/ColorSpace",
                     f"<< /CS0 [/ICCBased {xref} 0 R] >>")
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def test_binary_streams_are_searched_for_full_values_but_not_one_word_names(tmp_path: Path) -> None:
    """dc-bega-foia: a redacted PDF attachment failed the check because its ICC colour profile is described
    'Gray Gamma 2.2' and 'Gray' (Vincent Gray, found alone) was a redacted PERSON. A stream of binary data is
    searched for every value of two or more words and every number, not for one-word names; a one-word name is
    still found wherever a reader shows text (the page, a text stream)."""
    from discovery.redact.verify.check import _hits
    from discovery.redact.verify.pdfread import Place, is_binary, pdf_places
    from discovery.redact.verify.values import RedactedValue, build_matcher

    matcher = build_matcher([RedactedValue("PERSON", "Gray", "suggestion 1"),
                             RedactedValue("PERSON", "Vincent Gray", "suggestion 2"),
                             RedactedValue("STREET_ADDRESS", "1350 Pennsylvania Avenue, NW", "suggestion 3"),
                             RedactedValue("PHONE_NUMBER", "202-555-0199", "suggestion 4")])
    assert is_binary(_icc_profile("Gray Gamma 2.2")) and not is_binary(b"/CIDInit /ProcSet findresource begin\n")

    def found(data: bytes) -> list[tuple[str, str]]:
        return list(_hits(matcher, [p for p in pdf_places(data) if isinstance(p, Place)]))

    assert found(_pdf_with_icc("Call (b)(6) today", _icc_profile("Gray Gamma 2.2"))) == []
    for planted, value in (("Vincent Gray", "suggestion 2"), ("GRAY, Vincent", "suggestion 2"),
                           ("1350 Pennsylvania Avenue NW", "suggestion 3"), ("tel 202.555.0199", "suggestion 4")):
        hits = found(_pdf_with_icc("Call (b)(6) today", _icc_profile(planted)))
        assert hits and all("(binary stream)" in where and value in names for where, names in hits), (planted, hits)
    hits = found(_pdf_with_icc("Ask Mr. Gray today", _icc_profile("Gray Gamma 2.2")))
    assert [where for where, _ in hits] == ["page 1 line 1 col 9"], hits
    text_stream = [Place("object 9 (stream)", "% note: ask Gray\n")]
    assert [names for _, names in _hits(matcher, text_stream)] == ["PERSON (suggestion 1)"]


def test_an_object_met_again_is_not_walked_again_but_still_reports_its_leak(tmp_path: Path, case_dir: Path) -> None:
    """Objects whose bytes were walked before in the process (the font every produced PDF embeds) give the
    places they gave then: the same bookmark in five PDFs is a leak in each of them, with its own file name."""
    from discovery.redact.verify import pdfread

    pdfread._SEEN_OBJECTS.clear()
    pdfread._MET_ONCE.clear()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Call (b)(6)")
    doc.set_toc([[1, "Whitfield, Dana", 1]])
    same = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    files = {f"pdf/T-00000{n}.pdf": same for n in range(1, 6)}
    found = places(verify_production(case_dir, production(tmp_path, case_dir, files)))
    assert [p.split(":")[0] for p in found if "/Title" in p] == sorted(files), found
    assert pdfread._SEEN_OBJECTS, "the repeated objects were remembered"
    assert places(verify_production(case_dir, production(tmp_path / "again", case_dir, files))) == found


def _raw_pdf(*objects: bytes) -> bytes:
    """A PDF written byte by byte: the objects numbered from 1, a cross-reference table, a trailer."""
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_only_objects_whose_own_bytes_say_what_they_are_are_remembered() -> None:
    import pypdf
    from pypdf.generic import IndirectObject

    from discovery.redact.verify import pdfread

    note = b"% ask Dana Whitfield"
    data = _raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
                    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(note), note),
                    b"<< /Length 5 0 R >>\nstream\n%s\nendstream" % note, b"%d" % len(note))
    reader = pypdf.PdfReader(io.BytesIO(data))
    spans = pdfread._object_spans(reader, data)
    assert sorted(spans) == [(n, 0) for n in range(1, 6)]
    assert all(data.startswith(b"%d 0 obj" % n, spans[(n, 0)][0]) for n in range(1, 6))

    def contained(n: int, span: tuple[int, int] | None = None) -> bool:
        return pdfread._self_contained(reader.get_object(IndirectObject(n, 0, reader)), data, span or spans[(n, 0)])

    assert contained(1) and contained(3) and contained(5)
    assert not contained(4)  # its length is object 5
    assert not contained(3, (spans[(3, 0)][0], spans[(3, 0)][0] + 30))  # its 'endstream' is not in those bytes
    texts = [p.text for p in pdfread.pdf_objects(data) if isinstance(p, pdfread.Place)]
    assert texts.count(note.decode() + "\n") + texts.count(note.decode()) == 2, texts


def test_a_long_text_met_again_gets_the_same_hits() -> None:
    from discovery.redact.verify.values import RedactedValue, build_matcher

    matcher = build_matcher([RedactedValue("PERSON", "Dana Whitfield", "suggestion 1"),
                             RedactedValue("PHONE_NUMBER", "503-555-0142", "suggestion 2")])
    text = "filler words\n" * 200 + "Dana Whitfield on 503 555 0142\n"
    runs = [[(h.form, h.line, h.column, h.digits) for h in matcher.search(text)] for _ in range(4)]
    assert runs[0] == [("dana whitfield", 201, 1, False), ("503 555 0142", 201, 19, False),
                       ("5035550142", 201, 19, True)]
    assert runs[1:] == runs[:1] * 3
    assert [h.form for h in matcher.search(text, binary=True)] == ["dana whitfield", "503 555 0142", "5035550142"]


@pytest.mark.parametrize("seed", range(3))
def test_object_headers_find_what_the_regex_finds(seed: int) -> None:
    import random

    from discovery.redact.verify import pdfread

    rng = random.Random(seed)
    pieces = [b"1", b"0", b"12345", b"123456", b"12345678901", b" ", b"\n", b"\r\n", b"\x0b", b"obj", b"endobj",
              b"objx", b"a", b"_"]
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        expected = [(m.start(), int(m.group(1))) for m in pdfread._OBJ.finditer(data)]
        assert list(pdfread.object_headers(data)) == expected, data


def test_digit_runs_are_the_runs_of_the_repeated_group_pattern() -> None:
    import random
    import re

    from discovery.redact.verify.matcher import _RUN

    reference = re.compile(r"(?:\d[ \t\r\n\-.()/+>]{0,6}){5,}\d")
    rng = random.Random(7)
    chars = "12 -.()/+>\n\ta|٣"
    for _ in range(5000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 30)))
        assert [(m.start(), m.group()) for m in _RUN.finditer(text)] == \
            [(m.start(), m.group()) for m in reference.finditer(text)], text


@pytest.mark.parametrize("block", [1, 7, 4096, 1 << 20])
def test_a_table_read_in_blocks_gives_the_runs_of_the_whole_file(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big log is read from its file block by block (never whole in memory): the same runs, cut anywhere."""
    import re

    from discovery.redact.verify import tables

    monkeypatch.setattr(tables, "CHUNK_LINES", 5)
    monkeypatch.setattr(tables, "_RUN_LINES", re.compile(rb"(?:[^\n]*\n){8}"))
    monkeypatch.setattr(tables, "_NEXT_RUN", re.compile(rb"(?:[^\n]*\n){5}"))
    rows = [f'{{"n": {n}, "who": "caf\u00e9 {n}"}},' for n in range(23)]
    for data in ("\n".join(rows).encode(), ("\n".join(rows) + "\n").encode(), b"", b"one line", b"\n" * 9):
        whole = [(p.text, p.first_line) for p in tables.table_places(data, ".csv")]
        blocks = [data[i:i + block] for i in range(0, len(data), block)]
        assert [(p.text, p.first_line) for p in tables.table_runs(blocks, tables.table_blank(".csv", False))] == whole
    assert len(whole) == 2 and whole[1][1] == 6


def test_a_big_log_is_checked_from_its_file_with_its_sha256(tmp_path: Path, case_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from discovery.redact.verify import check, tables

    monkeypatch.setattr(check, "BIG_FILE", 100)
    monkeypatch.setattr(tables, "BLOCK", 64)
    monkeypatch.setattr(tables, "FULL_CHECK_BYTES", 100)
    rows = [f'{{"bates": "T-{n:06d}", "page": {n}, "label": "(b)(6)"}}' for n in range(50)]
    rows[31] = '{"note": "call 503 555 0142"}'
    log = ("[\n" + ",\n".join(rows) + "\n]\n").encode()
    csv = b"bates,note\n" + b"".join(b"T-%06d,%d\n" % (n, n) for n in range(40)) + b"T-x,Dana Whitfield\n"
    out = production(tmp_path, case_dir, {"redaction-log.json": log, "redaction-log.csv": csv})
    found = places(verify_production(case_dir, out))
    assert found == ["redaction-log.csv: text line 42 col 5", "redaction-log.json: text line 33 col 16"], found
    monkeypatch.setattr(check, "_check_table", None)  # not called: the files are smaller than BIG_FILE
    monkeypatch.setattr(check, "BIG_FILE", 1 << 20)
    assert places(verify_production(case_dir, out)) == found
    (out / "redaction-log.csv").write_bytes(csv.replace(b"Dana Whitfield", b"(b)(6)"))
    report = verify_production(case_dir, out)
    assert ("redaction-log.csv", "sha256-mismatch") in {(x.file, x.kind) for x in report.leaks}


BEGA_LETTER = Path(__file__).resolve().parents[3] / "shared/corpora/dc-bega-foia/20180313-BEGA-JT" / \
    "2018-2-22 Letter to NFPHC re OMA.PDF"


@pytest.mark.skipif(not BEGA_LETTER.exists(), reason="the dc-bega-foia corpus is not beside the checkout")
def test_the_real_colour_profile_of_dc_bega_foia_is_binary_and_gray_is_no_leak_there() -> None:
    """The release's letter (also a PDF attachment of one of its messages) embeds an Adobe 'Gray Gamma 2.2' ICC
    profile; with 'Gray' (Vincent Gray, found alone) redacted, the check failed the production on it."""
    from discovery.redact.verify.check import _hits
    from discovery.redact.verify.pdfread import Place, pdf_places
    from discovery.redact.verify.values import RedactedValue, build_matcher

    found = [p for p in pdf_places(BEGA_LETTER.read_bytes()) if isinstance(p, Place)]
    profiles = [p for p in found if "Gray Gamma 2.2" in p.text]
    assert profiles and all(p.binary and p.where.endswith("(binary stream)") for p in profiles)
    matcher = build_matcher([RedactedValue("PERSON", "Gray", "suggestion 1")])
    assert not [where for where, _ in _hits(matcher, profiles)]
    planted = [Place(p.where, p.text.replace("Gray Gamma 2.2", "Vincent Gray 2.2"), binary=True) for p in profiles]
    assert list(_hits(build_matcher([RedactedValue("PERSON", "Vincent Gray", "suggestion 2")]), planted))
