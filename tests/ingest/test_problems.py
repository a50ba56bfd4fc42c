"""Every problem counted and shown: the ingest report, its exit code, stats and 'discovery problems' list
repaired and partly read messages, skipped files and attachments without text; unchanged files are skipped
on a rerun (by size and mtime, then by hash when only the mtime changed)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
from pathlib import Path

from click.testing import CliRunner, Result
from mailmaker import make_message

from discovery.case import Case
from discovery.cli import main
from discovery.exitcodes import ExitCode


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def outlook_eml(i: int) -> bytes:
    """An Outlook-style export: per-line padded base64, a header continuation without indentation, an unquoted
    display name without address."""
    lines = b"\n".join(base64.b64encode(PDF[j : j + 55]) for j in range(0, len(PDF), 55))
    return (
        b"From: \"Flowers, Brian (BEGA)\" <brian.flowers@dc.example>\n"
        b"To: Collier, Tameka (BEGA)\n"
        b"Subject: Statement " + str(i).encode() + b"\n"
        b"Date: Wed, 29 Nov 2017 14:34:13 +0000\n"
        b"Message-ID: <outlook" + str(i).encode() + b"@dc.example>\n"
        b"x-microsoft-exchange-diagnostics: 1;CY1PR09;5:BTqoTr\nzic8k9pmt2njDUAUqq2M9uL4Ag=;24:99EZ\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"==b==\"\n\n"
        b"--==b==\nContent-Type: text/plain; charset=\"us-ascii\"\n\nPlease see the statement.\n"
        b"--==b==\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment;\n"
        b"filename=\"statement.pdf\"\nMIME-Version: 1.0\n\n" + lines + b"\n--==b==--\n"
    )


def build(folder: Path) -> Path:
    folder.mkdir()
    (folder / "outlook.eml").write_bytes(outlook_eml(1))
    (folder / "clean.eml").write_bytes(make_message(2))
    (folder / "image.eml").write_bytes(make_message(3, attachment=("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                                                                   "image/png")))
    (folder / "notes.txt").write_text("meeting notes, not mail\n")
    return folder


def test_report_exit_code_stats_and_problems_list_every_repair(tmp_path: Path) -> None:
    source = build(tmp_path / "release")
    case_dir = tmp_path / "case"
    result = run("ingest", str(source), "--case", str(case_dir), "--json", "-q")
    assert result.exit_code == ExitCode.OK, result.stderr  # repaired whole: counted and listed, nothing lost
    report = json.loads(result.stdout)["report"]
    assert report["messages_repaired"] == 1 and report["messages_partly_read"] == 0
    assert report["attachments_without_text"] >= 1 and report["sources_skipped"] == 1 and report["ok"]
    human = run("ingest", str(source), "--case", str(tmp_path / "case2"))
    assert "1 messages whole after a repair" in human.stderr and "discovery problems" in human.stderr

    with Case(case_dir, readonly=True) as case:
        problems = case.problems()
        stats = case.stats()
        repaired = [p for p in problems if p.kind == "repaired"]
        assert [Path(p.path).name for p in repaired] == ["outlook.eml"]
        stored = case.message(repaired[0].message)
        assert stored.attachments[0].sha256 == hashlib.sha256(PDF).hexdigest()
        assert [(a.name, a.email) for a in stored.to] == [("Collier, Tameka (BEGA)", "")]
        assert "MIME-Version" not in stored.body_text
        for note in stored.errors:  # every note of the message is in the problem's reason
            assert note in repaired[0].reason
    kinds = {p.kind for p in problems}
    assert {"repaired", "not-mail", "no-text"} <= kinds
    assert stats.problems["repaired"] == 1 and stats.problems["not-mail"] == 1

    listed = json.loads(run("problems", "--case", str(case_dir), "--json").stdout)
    assert [p["kind"] for p in listed] == [p.kind for p in problems]
    assert {"kind", "path", "locator", "message", "attachment", "reason"} == set(listed[0])
    skipped = [p for p in listed if p["kind"] == "not-mail"]
    assert [Path(p["path"]).name for p in skipped] == ["notes.txt"]
    no_text = [p for p in listed if p["kind"] == "no-text"]
    assert any(p["attachment"].endswith("scan.png") for p in no_text)

    rows = list(csv.DictReader(io.StringIO(run("problems", "--case", str(case_dir), "--csv",
                                               "--kind", "repaired").stdout)))
    assert [r["kind"] for r in rows] == ["repaired"] and "padding inside the data" in rows[0]["reason"]
    text = run("problems", "--case", str(case_dir))
    assert text.exit_code == 0 and "outlook.eml" in text.stdout and "notes.txt" in text.stdout
    shown = run("stats", "--case", str(case_dir))
    assert "1 repaired" in shown.stdout and "discovery problems" in shown.stdout
    assert run("problems", "--case", str(case_dir), "--kind", "bogus").exit_code == ExitCode.USAGE


def test_a_message_with_a_loss_is_partly_read_and_exits_one(tmp_path: Path) -> None:
    source = tmp_path / "lossy"
    source.mkdir()
    (source / "long.eml").write_bytes(make_message(1).replace(b"Subject:", b"X-Junk: " + b"a" * 70_000 + b"\nSubject:"))
    result = run("ingest", str(source), "--case", str(tmp_path / "case"), "--json", "-q")
    assert result.exit_code == ExitCode.SOME_FAILED
    report = json.loads(result.stdout)["report"]
    assert report["messages_partly_read"] == 1 and not report["ok"]
    listed = json.loads(run("problems", "--case", str(tmp_path / "case"), "--json", "--kind", "partly-read").stdout)
    assert len(listed) == 1 and "header value cut" in listed[0]["reason"]


def test_clean_ingest_exits_zero_and_lists_no_problem(tmp_path: Path) -> None:
    source = tmp_path / "clean"
    source.mkdir()
    (source / "a.eml").write_bytes(make_message(1))
    result = run("ingest", str(source), "--case", str(tmp_path / "case"), "-q")
    assert result.exit_code == ExitCode.OK
    assert "No problems" in run("problems", "--case", str(tmp_path / "case")).stdout
    assert json.loads(run("problems", "--case", str(tmp_path / "case"), "--json").stdout) == []


def test_unchanged_sources_are_skipped_by_size_mtime_then_hash(tmp_path: Path) -> None:
    source = build(tmp_path / "release")
    case_dir = tmp_path / "case"
    run("ingest", str(source), "--case", str(case_dir), "-q")
    again = json.loads(run("ingest", str(source), "--case", str(case_dir), "--json", "-q").stdout)["report"]
    assert again["sources_unchanged"] == 4 and again["sources_read"] == 0 and again["messages_repaired"] == 0
    touched = source / "outlook.eml"
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same bytes, newer mtime
    third = json.loads(run("ingest", str(source), "--case", str(case_dir), "--json", "-q").stdout)["report"]
    assert third["sources_unchanged"] == 4 and third["sources_read"] == 0
    touched.write_bytes(outlook_eml(1).replace(b"Statement 1", b"Statement 9"))  # same size, new content
    fourth = json.loads(run("ingest", str(source), "--case", str(case_dir), "--json", "-q").stdout)["report"]
    assert fourth["sources_unchanged"] == 3 and fourth["sources_read"] == 1 and fourth["new_messages"] == 1
    assert "unchanged" in run("ingest", str(source), "--case", str(case_dir)).stderr
