"""Tests of the eml and mbox writers: records built by hand, read back with Python's email package (strict)."""

from __future__ import annotations

import ast
import email
import email.policy
import mailbox
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.errors import RedactionError
from discovery.redact.mail import (
    MAX_SINGLE_WORD,
    fold_header,
    format_mailbox,
    header_text,
    mbox_entry,
    render_eml,
    render_message,
    write_eml,
    write_mbox,
)
from discovery.redact.production import (
    AppliedRedaction,
    MimePart,
    ProducedAddress,
    ProducedAttachment,
    ProducedDocument,
    Production,
)

ROOT = Path(__file__).resolve().parents[2]
PDF_BYTES = b"%PDF-1.4\n% redacted copy\n%%EOF\n"
BODY = ("Hello [PERSON-001],\nFrom here on it is (b)(6).\n>From the quoted reply\n> Call (b)(6) ░ today\n"
        + "a long line " * 12 + "\n")


def document(**changes: object) -> ProducedDocument:
    """A published message as the pipeline would give it: alternative text+HTML, a PDF, a text attachment, a
    withheld image and a forwarded message."""
    fields: dict[str, object] = dict(
        id="m1", bates_first="HCSO-000001", bates_last="HCSO-000002", bates_start=1, page_count=2,
        date="2019-03-04T10:00:00-05:00",
        headers=(("From", "[PERSON-001] <[EMAIL-001]>"), ("To", "Müller, Hans <hans@example.org>"),
                 ("Subject", "Re: café for [PERSON-001]"), ("Date", "Mon, 4 Mar 2019 10:00:00 -0500"),
                 ("In-Reply-To", "<HCSO-000009@production.invalid>")),
        subject="Re: café for [PERSON-001]", body=BODY,
        addresses=(ProducedAddress("from", 0, "[PERSON-001]", "[EMAIL-001]"),
                   ProducedAddress("to", 0, "Müller, Hans", "hans@example.org"),
                   ProducedAddress("cc", 0, "", "█████")),
        attachments=(
            ProducedAttachment(0, "Bericht über [PERSON-001] mit einem recht langen Dateinamen äöü.pdf",
                               "application/pdf", text="Bericht", content=PDF_BYTES),
            ProducedAttachment(1, "notes.txt", "text/plain", text="Notes of [PERSON-001]\n"),
            ProducedAttachment(2, "scan.png", "image/png", withheld="no-text",
                               slip_sheet="Attachment withheld: scan.png\nReason: no text could be read.\n"),
            ProducedAttachment(3, "fwd.eml", "message/rfc822"),
        ),
        redactions=(AppliedRedaction("body", 6, 18, "PERSON", "[PERSON-001]", "(b)(6)", "reviewer"),),
        mime=(MimePart("", "multipart/mixed"),
              MimePart("1", "multipart/alternative"),
              MimePart("1.1", "text/plain", "iso-8859-1", "", "body"),
              MimePart("1.2", "text/html", "utf-8", "", "body-html"),
              MimePart("2", "application/pdf", "", "attachment", "attachment:0"),
              MimePart("3", "text/plain", "us-ascii", "attachment", "attachment:1"),
              MimePart("4", "image/png", "", "attachment", "attachment:2"),
              MimePart("5", "message/rfc822", "", "", "embedded", document="m2")),
    )
    fields.update(changes)
    return ProducedDocument(**fields)  # type: ignore[arg-type]


def child(**changes: object) -> ProducedDocument:
    fields: dict[str, object] = dict(
        id="m2", bates_first="HCSO-000003", bates_last="HCSO-000003", bates_start=3, page_count=1,
        headers=(("From", "A <a@example.org>"), ("Subject", "the forwarded one")), subject="the forwarded one",
        body="inner text\n", addresses=(ProducedAddress("from", 0, "A", "a@example.org"),),
        mime=(MimePart("", "text/plain", "utf-8", "", "body"),), parent_id="m1")
    fields.update(changes)
    return ProducedDocument(**fields)  # type: ignore[arg-type]


def production(*docs: ProducedDocument) -> Production:
    docs = docs or (document(), child())
    return Production("case", "--all", "redact", "pseudonym", "HCSO-", 1, "", ("eml", "mbox"), tuple(docs))


def parse(data: bytes) -> EmailMessage:
    """Parse strictly (any MIME defect raises) and check that no header has a defect either."""
    msg = email.message_from_bytes(data, policy=email.policy.strict)
    assert isinstance(msg, EmailMessage)
    for part in msg.walk():
        assert not part.defects, part.defects
        for name, value in part.items():
            assert not getattr(value, "defects", ()), (name, value.defects)
    return msg


def content(part: EmailMessage) -> object:
    """A part's decoded content, text with '\\n' line ends (the .eml files use CRLF)."""
    value = part.get_content()
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def leaves(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.walk() if not p.is_multipart() and p.get_content_type() != "message/rfc822"]


# -- structure and content -------------------------------------------------------------------------------
def test_mime_structure_of_the_original_is_kept_and_reads_back() -> None:
    prod = production()
    msg = parse(render_eml(prod.documents[0], prod))
    outline = [(p.get_content_type(), p.get_filename()) for p in msg.walk()]
    assert outline == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/html", None),
        ("application/pdf", "Bericht über [PERSON-001] mit einem recht langen Dateinamen äöü.pdf"),
        ("text/plain", "notes.txt"),
        ("text/plain", "scan.png.withheld.txt"),
        ("message/rfc822", "HCSO-000003.eml"),
        ("text/plain", None),  # the forwarded message's body
    ]
    parts = list(msg.walk())
    assert content(parts[2]) == BODY
    html = content(parts[3])
    assert '<span class="redaction" style="background:#000;color:#fff">[PERSON-001]</span>' in html
    assert "&gt;From the quoted reply" in html and "░" in html
    assert content(parts[4]) == PDF_BYTES
    assert content(parts[5]) == "Notes of [PERSON-001]\n"
    assert content(parts[6]) == "Attachment withheld: scan.png\nReason: no text could be read.\n"
    inner = content(parts[7])
    assert inner["Subject"] == "the forwarded one" and inner["X-Bates-Begin"] == "HCSO-000003"
    assert content(parts[8]) == "inner text\n"


def test_headers_are_the_records_headers_in_order_with_bates_and_derived_ids() -> None:
    prod = production()
    msg = parse(render_eml(prod.documents[0], prod))
    assert list(msg.keys())[:6] == ["From", "To", "Cc", "Subject", "Date", "In-Reply-To"]
    assert msg["Subject"] == "Re: café for [PERSON-001]"
    assert msg["Date"].datetime.isoformat() == "2019-03-04T10:00:00-05:00"
    assert msg["Message-ID"] == "<HCSO-000001@production.invalid>"
    assert (msg["X-Bates-Begin"], msg["X-Bates-End"]) == ("HCSO-000001", "HCSO-000002")
    # Cc had no header in the records: written from the published pairs, after the records' headers' place
    assert msg["Cc"].addresses[0].display_name == "█████"
    (sender,) = msg["From"].addresses
    assert (sender.display_name, sender.username, sender.domain) == ("[PERSON-001]", "[EMAIL-001]",
                                                                     "redacted.invalid")
    assert msg["To"].addresses[0].display_name == "Müller, Hans"


def test_a_message_id_and_date_in_the_records_are_kept_and_an_unknown_date_is_said_so() -> None:
    doc = document(headers=(("Message-ID", "<x.HCSO-000001@production.invalid>"),), date="")
    prod = production(doc, child())
    msg = parse(render_eml(doc, prod))
    assert msg["Message-ID"] == "<x.HCSO-000001@production.invalid>"
    assert msg["Date"].datetime.year == 1970 and msg["Comments"] == "date unknown in the original"
    assert msg["From"].addresses[0].display_name == "[PERSON-001]"  # placed from the pairs, first


def test_the_records_mime_headers_are_never_copied() -> None:
    doc = document(headers=(("Content-Type", "text/html; boundary=leak"), ("X-Bates-Begin", "forged"),
                            ("Subject", "s")))
    prod = production(doc, child())
    data = render_eml(doc, prod)
    assert b"leak" not in data and b"forged" not in data
    assert parse(data)["X-Bates-Begin"] == "HCSO-000001"


def test_header_values_with_line_breaks_controls_and_encoded_words_are_safe() -> None:
    doc = document(headers=(("Subject", "one\r\n two\nthree"), ("X-Note", "nul\x00 and =?utf-8?q?x?= text"),
                            ("Keywords", "w" * 1200)))
    prod = production(doc, child())
    msg = parse(render_eml(doc, prod))
    assert msg["Subject"] == "one two three"
    assert msg["X-Note"] == "nul\u2400 and =?utf-8?q?x?= text"
    assert str(msg["Keywords"]).replace(" ", "") == "w" * 1200


def test_a_header_name_mail_cannot_carry_stops_the_writer_naming_the_document() -> None:
    doc = document(headers=(("Bad Name", "x"),))
    with pytest.raises(RedactionError, match="HCSO-000001"):
        render_eml(doc, production(doc, child()))


def test_output_is_ascii_crlf_with_short_lines_and_deterministic() -> None:
    prod = production()
    first = render_eml(prod.documents[0], prod)
    assert first == render_eml(prod.documents[0], production())
    assert first.isascii()
    assert b"\n" not in first.replace(b"\r\n", b"")
    assert max(len(line) for line in first.split(b"\r\n")) <= 78


def test_a_boundary_never_occurs_in_the_content() -> None:
    planted = "--=_disc_HCSO-000001_0_0\n--=_disc_HCSO-000001_1_0\n"
    doc = document(body=planted)
    prod = production(doc, child())
    msg = parse(render_eml(doc, prod))
    assert content(list(msg.walk())[2]) == planted
    assert msg.get_boundary() != "=_disc_HCSO-000001_0_0"


def test_a_message_withheld_in_full_is_its_slip_sheet() -> None:
    doc = document(withheld_in_full="reviewer", subject="", body="", addresses=(), attachments=(),
                   headers=(("Subject", "Withheld"),), slip_sheet="Message withheld in full under (b)(6).\n")
    msg = parse(render_eml(doc, production(doc)))
    assert msg.get_content_type() == "text/plain"
    assert content(msg) == "Message withheld in full under (b)(6).\n"
    assert msg["From"].addresses[0].username == "unknown"


def test_without_a_skeleton_body_and_attachments_go_in_a_mixed_message() -> None:
    doc = document(mime=())
    msg = parse(render_eml(doc, production(doc)))
    types = [p.get_content_type() for p in msg.walk()]
    assert types == ["multipart/mixed", "text/plain", "application/pdf", "text/plain", "text/plain", "text/plain"]
    assert "Forwarded message not included" in content(leaves(msg)[-1])
    assert content(leaves(msg)[0]) == BODY


def test_published_contents_the_skeleton_misses_are_still_placed_once() -> None:
    doc = document(mime=(MimePart("", "multipart/alternative"), MimePart("1", "text/plain", supplies="body"),
                         MimePart("2", "text/plain", supplies="body"),  # a second text part: body placed once
                         MimePart("3", "text/html", supplies="withheld")))
    msg = parse(render_eml(doc, production(doc)))
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "application/pdf", "text/plain", "text/plain",
        "text/plain"]


def test_an_html_only_original_gets_html_rendered_from_the_published_text() -> None:
    doc = document(mime=(MimePart("", "text/html", "windows-1252", "", "body"),), attachments=())
    msg = parse(render_eml(doc, production(doc)))
    assert msg.get_content_type() == "text/html"
    assert "&gt; Call (b)(6)" in content(msg)


def test_a_forwarded_message_not_in_the_production_is_a_slip() -> None:
    doc = document()
    msg = parse(render_eml(doc, production(doc)))
    slips = [p for p in msg.walk() if p.get_filename() == "forwarded-message.withheld.txt"]
    assert len(slips) == 1 and "not part of this production" in content(slips[0])


def test_forwarded_messages_that_forward_each_other_do_not_loop() -> None:
    one = child(id="a", bates_first="B-000001", mime=(MimePart("", "multipart/mixed"),
                                                        MimePart("1", "message/rfc822", supplies="embedded",
                                                                 document="b")))
    two = child(id="b", bates_first="B-000002", mime=(MimePart("", "multipart/mixed"),
                                                        MimePart("1", "message/rfc822", supplies="embedded",
                                                                 document="a")))
    prod = production(one, two)
    msg = parse(render_eml(one, prod))
    assert sum(p.get_content_type() == "message/rfc822" for p in msg.walk()) == 1


def test_attachments_with_text_only_or_nothing_published() -> None:
    doc = document(mime=(), attachments=(ProducedAttachment(0, "memo.docx", "application/msword", text="memo"),
                                         ProducedAttachment(1, "blob.bin", "application/octet-stream")))
    msg = parse(render_eml(doc, production(doc)))
    named = {p.get_filename(): content(p) for p in msg.walk() if p.get_filename()}
    assert named["memo.docx.txt"] == "memo\n"
    assert "no published content" in named["blob.bin.withheld.txt"]


# -- addresses -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "address", "display", "spec"), [
    ("Dana", "dana@example.org", "Dana", "dana@example.org"),
    ("(b)(6)", "(b)(6)", "(b)(6)", '"(b)(6)"@redacted.invalid'),
    ("", "[EMAIL-004]", "", '"[EMAIL-004]"@redacted.invalid'),
    ("", "█████", "█████", "redacted@redacted.invalid"),
    ("Whitfield, Dana", "", "Whitfield, Dana", "unknown@production.invalid"),
    ('He said "hi"', "[EMAIL-004]@example.org", 'He said "hi"', '"[EMAIL-004]"@example.org'),
])
def test_published_addresses_become_valid_mailboxes(name: str, address: str, display: str, spec: str) -> None:
    box = format_mailbox(name, address)
    header = parse(f"To: {box}\r\n\r\n".encode())["To"]
    (parsed,) = header.addresses
    assert parsed.display_name == display
    assert parsed.addr_spec == spec or f'"{parsed.username}"@{parsed.domain}' == spec


# -- mbox ------------------------------------------------------------------------------------------------
def test_mbox_holds_the_same_messages_as_the_eml_files(tmp_path: Path) -> None:
    prod = production()
    assert write_eml(prod, tmp_path) == ["eml/HCSO-000001.eml", "eml/HCSO-000003.eml"]
    assert write_mbox(prod, tmp_path) == ["mbox/production.mbox"]
    data = (tmp_path / "mbox" / "production.mbox").read_bytes()
    assert data.startswith(b"From HCSO-000001@production.invalid Mon Mar  4 15:00:00 2019\n")
    assert b"From HCSO-000003@production.invalid Thu Jan  1 00:00:00 1970\n" in data
    # No line of a message looks like a separator, so mboxo and mboxrd readers read the same bytes.
    assert len(re.findall(rb"^From ", data, re.MULTILINE)) == 2
    box = mailbox.mbox(tmp_path / "mbox" / "production.mbox", create=False)
    read = [m.as_bytes() for m in box]
    box.close()
    for doc, raw in zip(prod.documents, read, strict=True):
        eml = (tmp_path / f"eml/{doc.bates_first}.eml").read_bytes().replace(b"\r\n", b"\n")
        assert raw.rstrip(b"\n") == eml.rstrip(b"\n")
        assert parse(raw)["X-Bates-Begin"] == doc.bates_first


def test_mbox_entries_quote_separator_like_lines_mboxrd_style() -> None:
    prod = production()
    entry = mbox_entry(prod.documents[0], prod)
    assert entry.endswith(b"\n\n") and entry.count(b"\nFrom ") == 0
    assert b"=46=72=6F=6D=20here on" in entry and b"=3E=46=72=6F=6D=20the quoted" in entry


def test_mbox_is_deterministic(tmp_path: Path) -> None:
    write_mbox(production(), tmp_path / "a")
    write_mbox(production(), tmp_path / "b")
    assert (tmp_path / "a/mbox/production.mbox").read_bytes() == (tmp_path / "b/mbox/production.mbox").read_bytes()


# -- adversarial round trip ------------------------------------------------------------------------------
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=60, deadline=None)
@given(subject=_text, body=_text, name=_text, filename=_text)
def test_any_published_text_round_trips(subject: str, body: str, name: str, filename: str) -> None:
    doc = document(headers=(("Subject", subject),), subject=subject, body=body,
                   addresses=(ProducedAddress("from", 0, name, "x@example.org"),),
                   attachments=(ProducedAttachment(0, filename, "application/pdf", content=b"\x00\x01binary"),),
                   mime=(MimePart("", "multipart/mixed"), MimePart("1", "text/plain", supplies="body"),
                         MimePart("2", "application/pdf", disposition="attachment", supplies="attachment:0")),
                   redactions=())
    msg = parse(render_eml(doc, production(doc)))
    assert msg["Subject"] == header_text(subject)
    text_part, att = leaves(msg)
    expected = body.replace("\r\n", "\n").replace("\r", "\n")
    assert content(text_part) == (expected if expected.endswith("\n") else expected + "\n")
    assert content(att) == b"\x00\x01binary"
    assert att.get_filename() == (header_text(filename) or "attachment-1")
    if header_text(name):
        shown = msg["From"].addresses[0].display_name
        if len(header_text(name).encode()) <= MAX_SINGLE_WORD:
            assert shown == header_text(name)
        else:  # split into several encoded words: Python's reader puts a blank between them
            assert shown.replace(" ", "") == header_text(name).replace(" ", "")


def test_header_text_only_unfolds_and_replaces_control_characters() -> None:
    assert header_text(" a\r\n  b\nc\u2028d\x0ce\tf\x00g ") == "a b c d e f\u2400g"
    assert header_text("bad \ufffd byte\x1b\x7f") == "bad ? byte\u241b\u2421"


def test_fold_header_keeps_words_and_line_length() -> None:
    folded = fold_header("X-Words", " ".join(f"word{i}" for i in range(60)))
    assert all(len(line) <= 78 for line in folded.split("\n"))
    assert folded.replace("\n", "") == "X-Words: " + " ".join(f"word{i}" for i in range(60))


# -- the records are the only input ----------------------------------------------------------------------
def test_the_writer_imports_nothing_that_reads_a_case() -> None:
    """mail.py imports the standard library, the records and the error tree, nothing else; and importing it
    loads no module beyond those that the records themselves load."""
    tree = ast.parse((ROOT / "discovery" / "redact" / "mail.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    ours = {name for name in imported if name.split(".")[0] in ("discovery", "tui")}
    assert ours == {"discovery.errors", "discovery.redact.production"}
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imported - ours - {"__future__"})
    code = ("import sys; import discovery.redact.production; before = set(sys.modules); "
            "import discovery.redact.mail; print(' '.join(sorted(set(sys.modules) - before)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT)}).stdout.split()
    assert not [m for m in loaded if m.startswith(("discovery.", "sqlite3", "whoosh"))
                and m != "discovery.redact.mail"], loaded


def test_a_planted_secret_in_the_case_never_reaches_the_output(tmp_path: Path) -> None:
    """A real case holds the original message (secret in the body, the HTML alternative, a header, an attachment
    and its name); the writer, given the published records of that message, cannot produce any of it."""
    from discovery.case import Case

    secret = "Zebulon Quaintance 555-867-5309"
    original = EmailMessage()
    original["From"] = f"{secret} <zq@example.org>"
    original["To"] = "hans@example.org"
    original["Subject"] = f"about {secret}"
    original["X-Originating-IP"] = secret
    original.set_content(f"Call {secret} today.\n")
    original.add_alternative(f"<p>Call <b>{secret}</b> today.</p>", subtype="html")
    original.add_attachment(f"notes on {secret}".encode(), maintype="application", subtype="octet-stream",
                            filename=f"{secret}.bin")
    source = tmp_path / "in" / "m.eml"
    source.parent.mkdir()
    source.write_bytes(bytes(original))
    with Case(tmp_path / "case") as case:
        assert case.ingest([source]).ok
        (stored_id,) = list(case.message_ids())
    doc = document(id=stored_id, subject="about [PERSON-001]", headers=(("Subject", "about [PERSON-001]"),),
                   body="Call [PERSON-001] today.\n")
    prod = production(doc, child())
    data = render_eml(doc, prod)
    text = render_message(doc, prod)
    decoded = "\n".join(str(v) for p in parse(data).walk() for _, v in p.items())
    decoded += "\n".join(str(content(p)) for p in leaves(parse(data)))
    for needle in ("Zebulon", "Quaintance", "867-5309", "zq@example.org"):
        assert needle not in text and needle not in decoded


def test_no_encoded_line_starts_like_an_mbox_separator_even_after_a_soft_break() -> None:
    body = "x" * 74 + " From here " + "y" * 80 + ">From z\nFrom the top\n"
    doc = document(body=body)
    entry = mbox_entry(doc, production(doc, child()))
    assert not re.search(rb"^>*From ", entry.split(b"\n", 1)[1], re.MULTILINE)
    assert content(leaves(parse(render_eml(doc, production(doc, child()))))[0]) == body


def test_an_empty_from_in_the_records_still_gives_a_from() -> None:
    doc = document(headers=(("From", ""), ("To", "undisclosed-recipients:;"), ("Subject", "s")), addresses=())
    msg = parse(render_eml(doc, production(doc, child())))
    assert msg["From"].addresses[0].username == "unknown"
    assert str(msg["To"]) == "undisclosed-recipients:;"
