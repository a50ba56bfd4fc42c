"""Provides tests of the Outlook .msg reader against the shared real samples, and of its failure paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from discovery.ingest.base import Origin, SourceUnreadable
from discovery.ingest.msg import NotMailItem, OutlookItem, build_message, non_mail_reason, read_msg
from discovery.model import Address, Message, Provenance, SourceFailure

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
MSG_DIR = CORPORA / "outlook-msg"
needs_corpus = pytest.mark.skipif(
    not MSG_DIR.is_dir(), reason=f"shared corpora not present: {MSG_DIR} (see ../shared/corpora/README.md)"
)

# What the 10 .msg files of the snapshot hold (checked by hand with extract-msg and olefile): six mail
# items (IPM.Note x5, IPM.Post x1) and four that are not messages.
EXPECTED_MESSAGES = {
    "msg-extractor/strangeDate.msg": "MSG Test File",
    "msg-extractor/unicode.msg": "Test for TIF files",
    "ruby-msg/qwerty_1-orig.msg": "qwerty",
    "ruby-msg/qwerty_2-with_custom_properties.msg": "qwerty",
    "ruby-msg/qwerty_3.msg": "qwerty",
    "ruby-msg/test_Blammo.msg": "BlammoBlammo",
}
EXPECTED_SKIPPED = {
    "ruby-msg/Swetlana Novikova.msg": "contact card",
    "ruby-msg/contact-plain.msg": "contact card",
    "ruby-msg/contact-unicode.msg": "contact card",
    "ruby-msg/note.msg": "note",
}


def read_one(path: Path) -> Message:
    results = list(read_msg(path, Origin(str(path))))
    assert len(results) == 1
    assert isinstance(results[0], Message)
    return results[0]


def parse_raw(message: Message):  # type: ignore[no-untyped-def]
    assert message.raw is not None
    return BytesParser(policy=policy.default).parsebytes(message.raw)


@pytest.mark.parametrize("relative", sorted(EXPECTED_MESSAGES))
@pytest.mark.corpora
@needs_corpus
def test_mail_items_yield_one_message_whose_raw_parses_back(relative: str) -> None:
    message = read_one(MSG_DIR / relative)
    assert message.subject == EXPECTED_MESSAGES[relative]
    assert message.provenance.kind == "msg" and message.provenance.locator == "file"
    assert message.raw_format == "rebuilt-from-msg"
    parsed = parse_raw(message)
    assert parsed["subject"] == message.subject
    assert not parsed.defects
    assert message.date is not None and message.date.tzinfo is not None
    assert message.body_text and message.body_text == message.body_text.rstrip()
    assert "\r" not in message.body_text


@pytest.mark.parametrize("relative", sorted(EXPECTED_SKIPPED))
@pytest.mark.corpora
@needs_corpus
def test_contacts_and_notes_are_unreadable_with_a_reason(relative: str) -> None:
    with pytest.raises(SourceUnreadable, match=EXPECTED_SKIPPED[relative]) as caught:
        list(read_msg(MSG_DIR / relative, Origin(relative)))
    assert isinstance(caught.value, NotMailItem)  # so the caller can count it as skipped, not failed


@pytest.mark.corpora
@needs_corpus
def test_every_sample_yields_messages_or_says_why_not() -> None:
    files = sorted(MSG_DIR.rglob("*.msg"))
    assert len(files) == len(EXPECTED_MESSAGES) + len(EXPECTED_SKIPPED)  # the MANIFEST's 54 minus msgreader/
    read, skipped = 0, 0
    for path in files:
        try:
            results = list(read_msg(path, Origin(str(path))))
        except SourceUnreadable as exc:
            assert str(exc).strip()
            skipped += 1
            continue
        assert results and all(isinstance(r, Message | SourceFailure) for r in results)
        read += 1
    assert (read, skipped) == (6, 4)


@pytest.mark.corpora
@needs_corpus
def test_unicode_msg_transport_headers_recipients_and_attachments() -> None:
    message = read_one(MSG_DIR / "msg-extractor" / "unicode.msg")
    assert message.sender == [Address(name="Brian Zhou", email="brizhou@gmail.com")]
    assert [a.email for a in message.to] == ["brianzhou@me.com"]
    assert message.cc == [Address(name="Brian Zhou", email="brizhou@gmail.com")]
    assert message.message_id == "<CADtJ4eNjQSkGcBtVteCiTF+YFG89+AcHxK3QZ=-Mt48xygkvdQ@mail.gmail.com>"
    # The Date comes from the transport headers, with the sender's zone kept.
    assert message.date_raw == "Mon, 18 Nov 2013 10:26:24 +0200"
    assert message.date == datetime(2013, 11, 18, 10, 26, 24, tzinfo=timezone(timedelta(hours=2)))
    assert message.header("Return-path") == "<brizhou@gmail.com>"
    assert message.body_source == "text/plain"
    assert message.body_text.startswith("This is a test email to experiment with the MS Outlook MSG")
    # sha256 checked against the raw __substg1.0_37010102 streams read with olefile
    assert [(a.filename, a.size, a.sha256) for a in message.attachments] == [
        ("import OleFileIO.tif", 969674, "6f36cb718943751db9dc4c9df624c4390d8a13674127b7e919f419061e856dfa"),
        ("raised value error.tif", 1033142,
         "3b43fdeca80da38c80e918e8f21cbd6fc925dac994f3922c7893fc6c1326fb92"),
    ]
    assert all(a.mime == "image/tiff" for a in message.attachments)
    # The rebuilt raw carries the attachment bytes themselves.
    parsed = parse_raw(message)
    payloads = {part.get_filename(): part.get_content() for part in parsed.iter_attachments()}
    assert len(payloads["raised value error.tif"]) == 1033142
    assert parsed["Message-ID"] == message.message_id


@pytest.mark.corpora
@needs_corpus
def test_strange_date_msg_is_an_unsent_draft_dated_by_its_creation_time() -> None:
    message = read_one(MSG_DIR / "msg-extractor" / "strangeDate.msg")
    # No transport headers, no submit or delivery time: only PR_CREATION_TIME.
    assert message.date == datetime(2016, 2, 23, 14, 57, 50, 904000, tzinfo=UTC)
    assert message.date_raw == "2016-02-23T14:57:50.904000+00:00"
    assert "unsent" in message.date_error and "created" in message.date_error
    assert [a.email for a in message.to] == ["time2talk@online-convert.com"]
    assert message.sender == []
    assert message.body_text.startswith("MSG test file\nPurpose: Provide example of this file type")
    assert parse_raw(message)["Date"] == "Tue, 23 Feb 2016 14:57:50 +0000"


@pytest.mark.corpora
@needs_corpus
def test_recipients_by_type_from_mapi_properties() -> None:
    message = read_one(MSG_DIR / "ruby-msg" / "qwerty_2-with_custom_properties.msg")
    assert message.to == [Address(name="asdf", email="")]
    assert message.cc == [Address(name="Johnathan", email="johnno@nowhere.com")]
    assert message.bcc == [Address(name="Lowe, Charles", email="Charles.Lowe@freehills.com")]
    assert message.date == datetime(2006, 11, 3, 0, 58, 26, 236000, tzinfo=UTC)  # PR_MESSAGE_DELIVERY_TIME
    assert message.header("Bcc") == '"Lowe, Charles" <Charles.Lowe@freehills.com>'
    parsed = parse_raw(message)
    assert parsed["Bcc"].addresses[0].addr_spec == "Charles.Lowe@freehills.com"


@pytest.mark.corpora
@needs_corpus
def test_post_item_reads_sender_from_mapi_properties() -> None:
    message = read_one(MSG_DIR / "ruby-msg" / "test_Blammo.msg")
    assert message.sender == [Address(name="TripleNickel", email="TripleNickel@mapi32.net")]
    assert message.date == datetime(2007, 9, 29, 11, 2, 44, 687000, tzinfo=UTC)  # PR_CLIENT_SUBMIT_TIME
    assert message.body_text == "Blam"


@pytest.mark.corpora
@needs_corpus
def test_msg_in_msg_yields_an_embedded_message() -> None:
    for path in sorted(MSG_DIR.rglob("*.msg")):
        try:
            message = next(iter(read_msg(path, Origin(str(path)))))
        except SourceUnreadable:
            continue
        if isinstance(message, Message) and message.embedded:
            break
    else:
        pytest.skip("no msg-in-msg sample in this corpus snapshot (msgreader/ is absent); see test_pst.py")
    child = message.embedded[0]
    assert child.provenance.locator == "file/part:1"
    rfc822 = [a for a in message.attachments if a.mime == "message/rfc822"]
    assert rfc822 and rfc822[0].size == len(child.raw or b"")


@pytest.mark.corpora
@needs_corpus
def test_truncated_copies(tmp_path: Path) -> None:
    source = (MSG_DIR / "msg-extractor" / "unicode.msg").read_bytes()
    short = tmp_path / "short.msg"
    short.write_bytes(source[:5000])
    with pytest.raises(SourceUnreadable, match="corrupt or truncated"):
        list(read_msg(short, Origin(str(short))))
    # Cut inside the first attachment: the message still reads, the damage is reported.
    cut = tmp_path / "cut.msg"
    cut.write_bytes(source[:1_500_000])
    message = read_one(cut)
    assert message.subject == "Test for TIF files"
    first = message.attachments[0]
    assert first.filename == "import OleFileIO.tif" and first.size < 969674
    assert first.error and "cut short" in first.error
    assert any("cut short" in note for note in message.errors)


def test_random_bytes_are_not_an_outlook_file(tmp_path: Path) -> None:
    path = tmp_path / "random.msg"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(8192)))
    with pytest.raises(SourceUnreadable, match="not an Outlook .msg file"):
        list(read_msg(path, Origin(str(path))))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.msg"
    empty.write_bytes(b"")
    with pytest.raises(SourceUnreadable):
        list(read_msg(empty, Origin(str(empty))))
    with pytest.raises(SourceUnreadable, match="cannot open"):
        list(read_msg(tmp_path / "missing.msg", Origin("missing.msg")))


@pytest.mark.corpora
@needs_corpus
def test_an_ole_file_without_a_message_class(tmp_path: Path) -> None:
    # The first 20,000 bytes of strangeDate.msg still open as an OLE file, but the class stream is gone.
    source = (MSG_DIR / "msg-extractor" / "strangeDate.msg").read_bytes()
    path = tmp_path / "noclass.msg"
    path.write_bytes(source[:20000])
    with pytest.raises(SourceUnreadable, match="message class"):
        list(read_msg(path, Origin(str(path))))


def test_message_classes() -> None:
    assert non_mail_reason("IPM.Note") == ""
    assert non_mail_reason("IPM.Note.SMIME.MultipartSigned") == ""
    assert non_mail_reason("IPM.Schedule.Meeting.Request") == ""
    assert non_mail_reason("REPORT.IPM.Note.NDR") == ""
    assert non_mail_reason("IPM.Contact\x00") == "Outlook contact card, not a message"
    assert non_mail_reason("IPM.StickyNote") == "Outlook note, not a message"
    assert non_mail_reason("IPM.Appointment") == "Outlook calendar item, not a message"
    assert "not a message" in non_mail_reason("IPM.Something.Else")


def test_rtf_only_body_and_mapi_headers_without_a_file() -> None:
    item = OutlookItem(
        message_class="IPM.Note",
        subject="Zürich budget",
        sender_name="Ann Example",
        sender_addresses=["/O=EXAMPLE/OU=FIRST/CN=RECIPIENTS/CN=ANN", "ann@example.org"],
        submit_time=datetime(2009, 5, 1, 8, 30, tzinfo=UTC),
        body_rtf=rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\f0 Gr\'fc\'dfe aus \u8364?10\par Ann}",
    )
    message = build_message(item, Provenance(path="x.msg", kind="msg"), "rebuilt-from-msg")
    assert message.body_source == "rtf"
    assert message.body_text == "Grüße aus €10\nAnn"
    # The SMTP address is preferred over the Exchange legacy DN.
    assert message.sender == [Address(name="Ann Example", email="ann@example.org")]
    assert message.date_raw == "2009-05-01T08:30:00+00:00" and message.date_error == ""
    parsed = BytesParser(policy=policy.default).parsebytes(message.raw or b"")
    assert parsed["subject"] == "Zürich budget"
    assert parsed.get_body(("plain",)).get_content().strip() == "Grüße aus €10\nAnn"
