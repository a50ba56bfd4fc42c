"""Tolerant decoding: base64 and quoted-printable repairs, header blocks that lost their indentation, Outlook
display names without addresses and list-rewritten senders; every repair leaves a note, nothing is dropped."""

from __future__ import annotations

import base64
import hashlib
import os

from discovery.ingest.mime import attachment_payloads, parse_rfc822
from discovery.ingest.outlook_names import parse_recipients
from discovery.ingest.repair import decode_base64, decode_quoted_printable, repair_header_blocks
from discovery.model import Address, Provenance

PROV = Provenance(path="/x.eml", kind="eml")


def outlook_base64(data: bytes, width: int = 57) -> bytes:
    """Base64 as Outlook's .eml export writes it: every line padded on its own."""
    return b"\n".join(base64.b64encode(data[i : i + width]) for i in range(0, len(data), width))


def test_per_line_padding_is_decoded_line_by_line() -> None:
    data = os.urandom(26_203)
    encoded = outlook_base64(data, 55)  # 55 bytes a line: every line ends in '='
    assert encoded.count(b"=\n") > 100
    decoded, notes = decode_base64(encoded)
    assert decoded == data
    assert any("padding inside the data" in n for n in notes)


def test_clean_base64_gets_no_note() -> None:
    data = os.urandom(5000)
    decoded, notes = decode_base64(base64.encodebytes(data))
    assert decoded == data and notes == []


def test_stray_characters_and_missing_padding() -> None:
    data = b"hello world, this is a test!"
    encoded = base64.b64encode(data).rstrip(b"=")
    broken = encoded[:10] + b"*!" + encoded[10:]
    decoded, notes = decode_base64(broken)
    assert decoded == data
    assert any("stray" in n for n in notes)
    short = base64.b64encode(b"abcde").rstrip(b"=")
    decoded, notes = decode_base64(short)
    assert decoded == b"abcde" and any("padding missing" in n for n in notes)


def test_dangling_character_is_noted() -> None:
    decoded, notes = decode_base64(base64.b64encode(b"abc") + b"Q")
    assert decoded == b"abc" and any("dangling" in n for n in notes)


def test_quoted_printable_bad_soft_breaks() -> None:
    decoded, notes = decode_quoted_printable(b"long li=  \nne and 100=25 and a=lone sign")
    assert decoded == b"long line and 100% and a=lone sign"
    assert any("soft line break" in n for n in notes) and any("not starting an escape" in n for n in notes)
    clean, notes = decode_quoted_printable(b"caf=C3=A9=\nbar")
    assert clean == "café".encode() + b"bar" and notes == []


def test_header_continuations_without_indentation() -> None:
    raw = (b"From: a@example.org\nX-Diag: 1;abc\nDEF+ghi/jkl=\nSubject: kept\nContent-Type: multipart/mixed;\n"
           b"boundary=\"BB\"\n\n--BB\nContent-Type: application/pdf\nContent-Disposition: attachment;\n"
           b"filename=\"a.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--BB--\n")
    fixed, notes = repair_header_blocks(raw)
    assert b"\n DEF+ghi" in fixed and b'\n boundary="BB"' in fixed and b'\n filename="a.pdf"' in fixed
    assert notes and "3 header continuation" in notes[0]
    msg = parse_rfc822(raw, PROV)
    assert msg.subject == "kept" and msg.body_text == ""
    assert [a.filename for a in msg.attachments] == ["a.pdf"]
    assert msg.raw == raw  # the stored original is never rewritten


def test_body_without_blank_line_is_left_alone() -> None:
    raw = b"From: a@example.org\nSubject: s\nthis is the body, not a header\n"
    fixed, notes = repair_header_blocks(raw)
    assert fixed == raw and notes == []


def test_outlook_display_names_are_one_recipient() -> None:
    cases = {
        "Collier, Tameka (BEGA)": [Address("Collier, Tameka (BEGA)", "")],
        "Collier, Tameka (BEGA)\x00": [Address("Collier, Tameka (BEGA)", "")],
        "Flowers, Brian (BEGA); Collier, Tameka (BEGA)": [Address("Flowers, Brian (BEGA)", ""),
                                                          Address("Collier, Tameka (BEGA)", "")],
        "Sampson, Erie (DCRB) <erie.sampson@dc.gov>": [Address("Sampson, Erie (DCRB)", "erie.sampson@dc.gov")],
        "Weil, Sonia (Council) (sweil@DCCOUNCIL.US)": [Address("Weil, Sonia (Council)", "sweil@DCCOUNCIL.US")],
        "'Porcello, Michael (Council)'": [Address("Porcello, Michael (Council)", "")],
        "Brian Flowers/BEGA": [Address("Brian Flowers/BEGA", "")],
        "Grimaldi, John J. (BEGA)": [Address("Grimaldi, John J. (BEGA)", "")],
    }
    for value, expected in cases.items():
        found, note = parse_recipients(value)
        assert found == expected, value
        assert "kept as one recipient" in note
    plain, note = parse_recipients('"Last, First" <f@x.org>, b@y.org')
    assert plain == [Address("Last, First", "f@x.org"), Address("", "b@y.org")] and note == ""


def test_display_names_in_every_address_header_are_noted() -> None:
    raw = (b"From: Grimaldi, John J. (BEGA)\nTo: Collier, Tameka (BEGA)\nCC: Flowers, Brian (BEGA); Wade, Shomari "
           b"(BEGA)\nBCC: Weil, Sonia (Council)\nSubject: q\n\nbody\n")
    msg = parse_rfc822(raw, PROV)
    assert [a.name for a in msg.sender + msg.to + msg.cc + msg.bcc] == [
        "Grimaldi, John J. (BEGA)", "Collier, Tameka (BEGA)", "Flowers, Brian (BEGA)", "Wade, Shomari (BEGA)",
        "Weil, Sonia (Council)"]
    assert all(a.email == "" for a in msg.to + msg.cc)
    assert {n.split(":")[0] for n in msg.errors} == {"from", "to", "cc", "bcc"}


def test_list_rewritten_sender_is_unwrapped() -> None:
    raw = (b"From: \"'Karla Thurs' via open-iscsi\" <open-iscsi@googlegroups.com>\n"
           b"X-Original-From: Karla Thurs <karla.thurs@example.com>\nReply-To: open-iscsi@googlegroups.com\n"
           b"Subject: x\n\nhi\n")
    msg = parse_rfc822(raw, PROV)
    assert msg.sender == [Address("Karla Thurs", "karla.thurs@example.com")]
    assert any("X-Original-From" in e for e in msg.errors)
    mailman = (b"From: Jo Bloggs via Devs <devs@lists.example.org>\nReply-To: Jo Bloggs <jo@example.net>\n"
               b"Subject: x\n\nhi\n")
    assert parse_rfc822(mailman, PROV).sender == [Address("Jo Bloggs", "jo@example.net")]
    plain = b"From: Ann via phone <ann@example.org>\nSubject: x\n\nhi\n"  # no second identity: kept as it is
    assert parse_rfc822(plain, PROV).sender == [Address("Ann via phone", "ann@example.org")]


def test_attachment_payloads_match_the_stored_sha256() -> None:
    pdf = b"%PDF-1.5\n" + os.urandom(4000)
    raw = (b"From: a@example.org\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"X\"\n\n"
           b"--X\nContent-Type: text/plain\n\nsee attached\n--X\nContent-Type: application/pdf\n"
           b"Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\nfilename=\"r.pdf\"\n\n"
           + outlook_base64(pdf, 55) + b"\n--X--\n")
    msg = parse_rfc822(raw, PROV)
    assert [a.sha256 for a in msg.attachments] == [hashlib.sha256(pdf).hexdigest()]
    assert attachment_payloads(raw) == [pdf]
