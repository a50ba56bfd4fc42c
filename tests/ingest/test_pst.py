"""Provides tests of the Outlook .pst reader against the shared real samples, and of its failure paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from discovery.ingest.base import Origin, SourceUnreadable
from discovery.ingest.pst import pst_password_set, read_pst
from discovery.model import Address, Message

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
PST_DIR = CORPORA / "outlook-pst"
needs_corpus = pytest.mark.skipif(
    not PST_DIR.is_dir(), reason=f"shared corpora not present: {PST_DIR} (see ../shared/corpora/README.md)"
)

# Per file: the (folder path, subject) of each mail item, in reading order. Checked by walking every folder
# with pypff: the 7 files hold 13 items (pypff sub-messages) of which 6 are mail. dist-list.pst has an
# appointment, a distribution list, a contact and free/busy data; passworded.pst the same minus the
# appointment; test_ansi/test_unicode hold IPM.Post items, which count as mail.
EXPECTED = {
    "java-libpst/dist-list.pst": [],
    "java-libpst/passworded.pst": [],
    "pstsdk/sample1.pst": [("/Top of Outlook data file/Sample1", "Here is a sample message")],
    "pstsdk/sample2.pst": [("/Top of Outlook data file/Sample2", "Here is a sample message")],
    "pstsdk/submessage.pst": [
        ("/Top of Outlook data file/submessage", "This is a message which has an embedded message attached")
    ],
    "pstsdk/test_ansi.pst": [("/Top of Personal Folders/Folder", "Post")],
    "pstsdk/test_unicode.pst": [
        ("/Top of Personal Folders", "Test"),
        ("/Top of Personal Folders/Folder", "Post"),
    ],
}
EXCHANGE_HOST = "TK5EX14MBXC114.redmond.corp.microsoft.com"
TERRY_DN = "/o=microsoft/ou=First Administrative Group/cn=Recipients/cn=terrymah"
JPEG_SHA256 = "6cbde5154184f68a2ccefbe1a2d5520efd473576dc60e13665f5706080548f8e"  # = pypff read_buffer


def read_all(path: Path) -> list[Message]:
    results = list(read_pst(path, Origin(str(path))))
    assert all(isinstance(r, Message) for r in results), results
    return [r for r in results if isinstance(r, Message)]


def parse_raw(message: Message):  # type: ignore[no-untyped-def]
    assert message.raw is not None
    return BytesParser(policy=policy.default).parsebytes(message.raw)


@pytest.mark.corpora
@needs_corpus
def test_every_sample_file_is_accounted_for() -> None:
    found = sorted(str(p.relative_to(PST_DIR)) for p in PST_DIR.rglob("*.pst"))
    assert found == sorted(EXPECTED)  # the MANIFEST's 10 files minus the 3 ruby-msg ones absent here
    assert sum(len(v) for v in EXPECTED.values()) == 6


@pytest.mark.parametrize("relative", sorted(EXPECTED))
@pytest.mark.corpora
@needs_corpus
def test_mail_per_file_with_folder_paths(relative: str) -> None:
    messages = read_all(PST_DIR / relative)
    assert [(m.provenance.folder, m.subject) for m in messages] == EXPECTED[relative]
    for index, message in enumerate(messages):
        assert message.provenance.kind == "pst"
        assert message.provenance.locator.startswith(f"folder:{message.provenance.folder}#")
        assert message.raw_format == "rebuilt-from-pst"
        assert message.date is not None and message.date.tzinfo is not None
        parsed = parse_raw(message)
        assert parsed["subject"] == message.subject, index
        for child in message.embedded:
            assert parse_raw(child)["subject"] == child.subject


@pytest.mark.corpora
@needs_corpus
def test_sample1_headers_sender_date_and_attachment() -> None:
    (message,) = read_all(PST_DIR / "pstsdk" / "sample1.pst")
    assert message.provenance.locator == "folder:/Top of Outlook data file/Sample1#0"
    assert message.sender == [Address(name="Terry Mahaffey", email="terrymah@microsoft.com")]
    assert message.to == [Address(name="Terry Mahaffey", email="terrymah@microsoft.com")]
    assert message.date_raw == "Mon, 15 Mar 2010 10:12:05 -0700"
    assert message.date == datetime(2010, 3, 15, 10, 12, 5, tzinfo=timezone(timedelta(hours=-7)))
    assert message.message_id == f"<B2FDDB8BE384C94794441DB4A7F3D8B804AE624B@{EXCHANGE_HOST}>"
    assert message.header("Thread-Index") == "AcrEYpTrzZujccahR9eP7+yUpWTr2g=="
    assert message.body_source == "text/plain"
    assert message.body_text == (
        "With a sample attachment. It\u2019s my daughter and our puppy. Aren\u2019t they cute?"
    )
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.size) == ("leah_thumper.jpg", 93142)
    assert attachment.sha256 == JPEG_SHA256
    assert attachment.mime == "image/jpeg"
    parsed = parse_raw(message)
    # The transport headers describe the original TNEF structure; the rebuild has its own.
    assert parsed.get_content_type() == "multipart/mixed"
    (part,) = list(parsed.iter_attachments())
    assert part.get_filename() == "leah_thumper.jpg" and len(part.get_content()) == 93142
    assert parsed["Received"].startswith("from TK5EX14MBXC114.redmond.corp.microsoft.com")


@pytest.mark.corpora
@needs_corpus
def test_ansi_file_decodes_the_same_text() -> None:
    (message,) = read_all(PST_DIR / "pstsdk" / "sample2.pst")  # format 14 (ANSI) copy of sample1
    assert message.body_text == "With a sample attachment. It's my daughter and our puppy. Aren't they cute?"
    assert message.attachments[0].sha256 == JPEG_SHA256


@pytest.mark.corpora
@needs_corpus
def test_attached_message_becomes_an_embedded_message() -> None:
    (message,) = read_all(PST_DIR / "pstsdk" / "submessage.pst")
    assert message.body_text == "This is the body of the regular message"
    (child,) = message.embedded
    assert child.subject == "This is an embedded message"
    assert child.body_text == "This is the body of an embedded message"
    assert child.provenance.locator == "folder:/Top of Outlook data file/submessage#0/part:1"
    assert child.message_id == f"<B2FDDB8BE384C94794441DB4A7F3D8B804AF79A9@{EXCHANGE_HOST}>"
    assert child.date == datetime(2010, 3, 17, 16, 1, 46, tzinfo=timezone(timedelta(hours=-7)))
    (attachment,) = message.attachments
    assert attachment.filename == "This is an embedded message.eml"
    assert attachment.mime == "message/rfc822" and attachment.size == len(child.raw or b"")
    (part,) = list(parse_raw(message).iter_attachments())
    assert part.get_content_type() == "message/rfc822"
    assert part.get_content()["subject"] == "This is an embedded message"


@pytest.mark.corpora
@needs_corpus
def test_post_without_transport_headers_keeps_the_exchange_address() -> None:
    (message,) = read_all(PST_DIR / "pstsdk" / "test_ansi.pst")
    # Nothing but the X.500 legacy DN is stored for this sender, so it is kept.
    assert message.sender == [Address(name="Terry Mahaffey", email=TERRY_DN)]
    assert message.date == datetime(2008, 7, 9, 18, 11, 5, 559000, tzinfo=UTC)
    assert message.date_raw == "2008-07-09T18:11:05.559000+00:00"
    assert message.body_text == "Post"
    assert [name for name, _ in message.headers] == ["From", "Subject", "Date"]


@pytest.mark.corpora
@needs_corpus
def test_passworded_pst_is_read_regardless() -> None:
    # The .pst password is only a flag Outlook checks (a CRC in the message store); libpff reads the file.
    path = PST_DIR / "java-libpst" / "passworded.pst"
    assert pst_password_set(path)
    assert not pst_password_set(PST_DIR / "java-libpst" / "dist-list.pst")
    assert read_all(path) == []  # it holds a contact and a distribution list only


@pytest.mark.corpora
@needs_corpus
def test_truncated_copy_is_unreadable(tmp_path: Path) -> None:
    source = (PST_DIR / "pstsdk" / "sample1.pst").read_bytes()
    for size in (20_000, 100_000):
        path = tmp_path / f"cut{size}.pst"
        path.write_bytes(source[:size])
        with pytest.raises(SourceUnreadable, match="corrupt or truncated"):
            list(read_pst(path, Origin(str(path))))


def test_random_bytes_are_not_a_pst(tmp_path: Path) -> None:
    path = tmp_path / "random.pst"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(300_000)))
    with pytest.raises(SourceUnreadable, match="not an Outlook .pst/.ost file"):
        list(read_pst(path, Origin(str(path))))


def test_empty_text_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pst"
    empty.write_bytes(b"")
    with pytest.raises(SourceUnreadable, match="empty file"):
        list(read_pst(empty, Origin(str(empty))))
    text = tmp_path / "notes.ost"
    text.write_text("From: someone\n\nnot a pst\n")
    with pytest.raises(SourceUnreadable, match="not an Outlook"):
        list(read_pst(text, Origin(str(text))))
    with pytest.raises(SourceUnreadable, match="cannot open"):
        list(read_pst(tmp_path / "missing.pst", Origin("missing.pst")))
