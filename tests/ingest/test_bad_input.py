"""Tests that bad input is recorded, counted and never stops an ingest or shows a traceback."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from mailmaker import make_message, mbox_of

from discovery import Case
from discovery.exitcodes import ExitCode


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "discovery.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_truncated_mbox_keeps_what_is_there(tmp_path: Path) -> None:
    data = mbox_of([make_message(i) for i in range(4)])
    (tmp_path / "cut.mbox").write_bytes(data[: len(data) - 40])
    case = Case(tmp_path / "case")
    report = case.ingest([tmp_path / "cut.mbox"])
    assert report.new_messages == 4  # the last one is short, but kept


def test_random_bytes_and_empty_files_are_reported_not_fatal(tmp_path: Path) -> None:
    rng = random.Random(7)
    (tmp_path / "junk.eml").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    (tmp_path / "empty.mbox").write_bytes(b"")
    (tmp_path / "good.eml").write_bytes(make_message(1))
    case = Case(tmp_path / "case")
    report = case.ingest([tmp_path])
    assert report.new_messages == 1
    statuses = {Path(s.path).name: (s.status, s.reason) for s in case.store.sources()}
    assert statuses["good.eml"][0] == "done"
    assert statuses["junk.eml"][0] == "skipped" and "not mail" in statuses["junk.eml"][1]
    assert statuses["empty.mbox"] == ("skipped", "empty file")


def test_one_megabyte_header_line(tmp_path: Path) -> None:
    raw = make_message(1).replace(b"Subject:", b"X-Junk: " + b"a" * 1_048_576 + b"\nSubject:")
    (tmp_path / "long.eml").write_bytes(raw)
    case = Case(tmp_path / "case")
    report = case.ingest([tmp_path / "long.eml"])
    assert report.new_messages == 1
    assert not report.ok and report.messages_partly_read == 1  # the cut header is counted, not hidden
    stored = case.message(next(case.message_ids()))
    assert stored.subject == "Message number 1"
    assert any("header value cut" in e for e in stored.errors)


def test_mime_nested_a_thousand_deep(tmp_path: Path) -> None:
    head = (b"From: a@x.example\nTo: b@y.example\nSubject: deep\nDate: Wed, 2 May 2018 09:00:00 -0700\n"
            b"Message-ID: <deep@x.example>\nMIME-Version: 1.0\n")
    parts = [b'Content-Type: multipart/mixed; boundary="b0"\n\n']
    for level in range(1, 1000):
        parts.append(b"--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (level - 1, level))
    parts.append(b"--b999\nContent-Type: text/plain\n\ninnermost text\n")
    for level in range(999, -1, -1):
        parts.append(b"--b%d--\n" % level)
    (tmp_path / "deep.eml").write_bytes(head + b"".join(parts))
    case = Case(tmp_path / "case")
    report = case.ingest([tmp_path / "deep.eml"])
    assert report.new_messages == 1
    stored = case.message(next(case.message_ids()))
    assert stored.subject == "deep"
    assert any("nesting deeper" in e or "MIME" in e for e in stored.errors)


def test_archive_bomb_is_stopped_and_reported(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.eml", b"\0" * (200 * 1024 * 1024))  # 200 MB that compresses ~1000x
        z.writestr("ok.eml", make_message(1))
    assert bomb.stat().st_size < 1024 * 1024
    case = Case(tmp_path / "case")
    report = case.ingest([bomb])
    assert report.new_messages == 1
    reasons = [r[0] for r in case.store.rows("SELECT reason FROM failures")]
    assert any("archive-bomb guard" in r and "zeros.eml" in r for r in reasons)
    assert case.store.sources()[0].status == "partial"


def test_encrypted_zip_member_is_reported(tmp_path: Path) -> None:
    # A zip whose member has the 'encrypted' flag set (as password-protected zips do).
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("secret.eml", make_message(1))
    data = bytearray(plain.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        pos = data.find(sig)
        flag_at = pos + (6 if sig == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x1
    enc = tmp_path / "locked.zip"
    enc.write_bytes(bytes(data))
    case = Case(tmp_path / "case")
    report = case.ingest([enc])
    assert report.new_messages == 0 and report.sources_failed == 1
    reasons = [r[0] for r in case.store.rows("SELECT reason FROM failures")]
    assert any("encrypted" in r for r in reasons)


def test_wrong_charset_is_decoded_and_noted(tmp_path: Path) -> None:
    raw = (b"From: =?iso-8859-1?q?Jos=E9_Mu=F1oz?= <jmunoz@mailbox.example>\nTo: records@x.example\n"
           b"Subject: Queja\nDate: Wed, 2 May 2018 09:00:00 -0700\nMessage-ID: <cs@x.example>\n"
           b"MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n"
           + "Zoë called about the camera on 5th Ave. Señor Muñoz".encode("latin-1") + b"\n")
    (tmp_path / "cs.eml").write_bytes(raw)
    case = Case(tmp_path / "case")
    case.ingest([tmp_path / "cs.eml"])
    stored = case.message(next(case.message_ids()))
    assert stored.sender[0].name == "José Muñoz"
    assert "Zoë called" in stored.body_text and "Señor Muñoz" in stored.body_text
    assert any("declared us-ascii" in e for e in stored.errors)


def test_raw_8bit_utf8_header(tmp_path: Path) -> None:
    raw = make_message(1).replace(b"Subject: Message number 1", "Subject: Über die Kameras".encode())
    (tmp_path / "h.eml").write_bytes(raw)
    case = Case(tmp_path / "case")
    case.ingest([tmp_path / "h.eml"])
    assert case.message(next(case.message_ids())).subject == "Über die Kameras"


def test_unparseable_date_is_flagged_not_dropped(tmp_path: Path) -> None:
    raw = make_message(1).replace(b"Date: ", b"Date: sometime last week\nX-Old-Date: ")
    (tmp_path / "d.eml").write_bytes(raw)
    case = Case(tmp_path / "case")
    case.ingest([tmp_path / "d.eml"])
    stored = case.message(next(case.message_ids()))
    assert stored.date is None and stored.date_raw == "sometime last week"
    assert "unparseable" in stored.date_error


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files whatever their mode")
def test_unreadable_path_is_recorded(tmp_path: Path) -> None:
    locked = tmp_path / "locked.eml"
    locked.write_bytes(make_message(1))
    locked.chmod(0)
    case = Case(tmp_path / "case")
    report = case.ingest([locked, tmp_path / "missing.mbox"])
    assert report.sources_failed == 2


def test_missing_path_gives_exit_code_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "ok.eml").write_bytes(make_message(1))
    result = run_cli("ingest", str(tmp_path / "ok.eml"), str(tmp_path / "nope"), "--case", str(tmp_path / "c"),
                     cwd=tmp_path)
    assert result.returncode == ExitCode.SOME_FAILED, result.stderr
    assert "Traceback" not in result.stderr and "no such file" in result.stderr
    result = run_cli("ingest", "--jobs", "zero", str(tmp_path), cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE


def test_sources_are_never_modified(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.mbox").write_bytes(mbox_of([make_message(i) for i in range(3)]))
    (src / "b.eml").write_bytes(make_message(9))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in src.iterdir()}
    Case(tmp_path / "case").ingest([src], jobs=2)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in src.iterdir()} == before
    assert sorted(p.name for p in src.iterdir()) == ["a.mbox", "b.eml"]
