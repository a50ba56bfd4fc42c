"""Tests MIME normalization: body choice, HTML-only mail, calendar parts, RFC 2231 names, decoding notes."""

from __future__ import annotations

from discovery.ingest.mime import parse_rfc822
from discovery.model import Provenance

PROV = Provenance(path="x.eml", kind="eml")
HEAD = (b"From: a@x.example\nTo: b@y.example\nSubject: s\nDate: Wed, 2 May 2018 09:00:00 -0700\n"
        b"Message-ID: <m@x.example>\nMIME-Version: 1.0\n")


def test_alternative_prefers_plain_text() -> None:
    raw = HEAD + (b'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
                  b"plain version\n--b\nContent-Type: text/html\n\n<p>html version</p>\n--b--\n")
    msg = parse_rfc822(raw, PROV)
    assert msg.body_text == "plain version" and msg.body_source == "text/plain"


def test_html_only_mail_becomes_text_with_links() -> None:
    raw = HEAD + (b"Content-Type: text/html; charset=utf-8\n\n"
                  b'<html><body><p>Read the <a href="https://news.example/rek">story</a></p>'
                  b"<ul><li>one</li><li>two</li></ul></body></html>\n")
    msg = parse_rfc822(raw, PROV)
    assert msg.body_source == "text/html"
    assert "story <https://news.example/rek>" in msg.body_text
    assert "- one" in msg.body_text and "<p>" not in msg.body_text


def test_calendar_invite_is_kept_as_searchable_attachment() -> None:
    ics = (b"BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Cirrus Recognize demo\n"
           b"DTSTART:20180502T160000Z\nLOCATION:Dial-in 503-555-0100\nEND:VEVENT\nEND:VCALENDAR\n")
    raw = HEAD + (b'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
                  b"Meeting invite\n--b\nContent-Type: text/calendar; method=REQUEST\n\n" + ics + b"--b--\n")
    msg = parse_rfc822(raw, PROV)
    assert msg.body_text == "Meeting invite"
    (att,) = msg.attachments
    assert "Cirrus Recognize demo" in (att.text or "")


def test_rfc2231_filename() -> None:
    raw = HEAD + (b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee file\n'
                  b"--b\nContent-Type: application/octet-stream\n"
                  b"Content-Disposition: attachment; filename*=utf-8''Camera%20inventory%20%E2%80%93%20PM.csv\n"
                  b"Content-Transfer-Encoding: base64\n\nYSxiCjEsMgo=\n--b--\n")
    msg = parse_rfc822(raw, PROV)
    assert [a.filename for a in msg.attachments] == ["Camera inventory – PM.csv"]
    assert msg.attachments[0].size == 8


def test_bad_base64_is_decoded_as_far_as_possible_and_noted() -> None:
    raw = HEAD + (b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nbody\n'
                  b"--b\nContent-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\n"
                  b"JVBERi0x!!!\n--b--\n")
    msg = parse_rfc822(raw, PROV)
    assert msg.attachments and msg.attachments[0].filename == "x.pdf"
    assert msg.body_text == "body"


def test_missing_closing_boundary_keeps_the_text() -> None:
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\ncut short'
    msg = parse_rfc822(raw, PROV)
    assert msg.body_text == "cut short"
    assert any("defect" in e.lower() or "boundary" in e.lower() for e in msg.errors) or msg.body_text
