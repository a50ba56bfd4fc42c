"""Attachments as evidence and the smaller CLI fixes of issue 9: 'show --save/--save-dir' write the original
bytes (never overwriting, names chosen by us), search CSV/JSON cite the source, custodian and Cc, tag counts are
distinct messages, id prefixes and unknown ids get their own exit codes, spelling suggestions never for names."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from search_mail import write_eml  # noqa: E402

from discovery.attachments import safe_filename  # noqa: E402
from discovery.case import Case  # noqa: E402
from discovery.cli import main  # noqa: E402
from discovery.exitcodes import ExitCode  # noqa: E402

PDF = b"%PDF-1.4\n" + os.urandom(3000)
DOC = b"\xd0\xcf\x11\xe0" + os.urandom(2000)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def outlook_lines(data: bytes) -> bytes:
    return b"\n".join(base64.b64encode(data[i : i + 55]) for i in range(0, len(data), 55))


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    source = tmp_path / "release"
    source.mkdir()
    raw = (b"From: \"Flowers, Brian (BEGA)\" <brian@dc.example>\nTo: Collier, Tameka (BEGA)\n"
           b"Cc: Sampson, Erie (DCRB) <erie@dc.example>\nSubject: statements\nDate: Wed, 29 Nov 2017 14:34:13 +0000\n"
           b"Message-ID: <s1@dc.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
           b"--B\nContent-Type: text/plain\n\nTwo statements attached about pockets.\n"
           b"--B\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment;\n"
           b"filename=\"../../etc/statement.pdf\"\n\n" + outlook_lines(PDF) + b"\n"
           b"--B\nContent-Type: application/msword\nContent-Transfer-Encoding: base64\n"
           b"Content-Disposition: attachment; filename=\"notes.doc\"\n\n" + outlook_lines(DOC) + b"\n--B--\n")
    (source / "statements.eml").write_bytes(raw)
    write_eml(source, "other.eml", subject="Budget", body="the budget talks", cc="Carla Diaz <carla@agency.example>")
    case = tmp_path / "case"
    assert run("ingest", str(source), "--case", str(case), "--custodian", "bega", "-q").exit_code == 0
    return case


def _statement_id(case_dir: Path) -> str:
    with Case(case_dir, readonly=True) as case:
        return str(case.store.scalar("SELECT id FROM messages WHERE subject='statements'"))


def test_save_one_attachment_writes_the_original_bytes_and_never_overwrites(case_dir: Path, tmp_path: Path) -> None:
    key = _statement_id(case_dir)
    target = tmp_path / "out.pdf"
    result = run("show", key[:8], "--attachment", "0", "--save", str(target), "--case", str(case_dir))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == PDF
    with Case(case_dir, readonly=True) as case:
        att, data = case.attachment_bytes(key, 1)
        assert data == DOC and att.sha256 == hashlib.sha256(DOC).hexdigest()
    again = run("show", key, "--attachment", "0", "--save", str(target), "--case", str(case_dir))
    assert again.exit_code == ExitCode.USAGE and "not overwritten" in again.stderr
    assert run("show", key, "--save", str(tmp_path / "x"), "--case", str(case_dir)).exit_code == ExitCode.USAGE
    missing = run("show", key, "--attachment", "7", "--save", str(tmp_path / "y"), "--case", str(case_dir))
    assert missing.exit_code == ExitCode.NOT_FOUND and not (tmp_path / "y").exists()


def test_save_dir_writes_every_attachment_under_names_we_choose(case_dir: Path, tmp_path: Path) -> None:
    key = _statement_id(case_dir)
    folder = tmp_path / "evidence"
    result = run("show", key, "--save-dir", str(folder), "--case", str(case_dir), "--json")
    assert result.exit_code == 0, result.stderr
    saved = json.loads(result.stdout)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and names[0].startswith("00-") and names[0].endswith("statement.pdf")
    assert names[1] == "01-notes.doc"
    assert all(Path(s["path"]).parent == folder for s in saved)  # never a path taken from the message
    assert (folder / names[0]).read_bytes() == PDF and (folder / names[1]).read_bytes() == DOC
    assert run("show", key, "--save-dir", str(folder), "--case", str(case_dir)).exit_code == ExitCode.USAGE
    assert safe_filename("..\\..\\x/\x00evil .exe", 3) == "03-evil .exe"
    assert safe_filename("", 1) == "01-attachment" and safe_filename("...", 2) == "02-attachment"


def test_search_csv_and_json_cite_source_custodian_and_cc(case_dir: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("search", "*", "--csv", "--case", str(case_dir)).stdout)))
    by_subject = {r["subject"]: r for r in rows}
    statements = by_subject["statements"]
    assert statements["to"] == "Collier, Tameka (BEGA)" and statements["cc"] == "erie@dc.example"
    assert statements["custodian"] == "bega" and statements["sources"].endswith("statements.eml")
    assert by_subject["Budget"]["cc"] == "carla@agency.example"
    hits = json.loads(run("search", "budget", "--json", "--case", str(case_dir)).stdout)["hits"]
    assert hits[0]["cc"] == ["carla@agency.example"] and hits[0]["custodians"] == ["bega"]
    assert hits[0]["sources"][0].endswith("other.eml")


def test_tag_add_counts_distinct_messages(case_dir: Path) -> None:
    key = _statement_id(case_dir)
    result = run("tag", "add", "hot", key, key[:10], "--case", str(case_dir), "--json")
    data = json.loads(result.stdout)
    assert data["added"] == 1 and data["messages"] == 1
    again = run("tag", "add", "hot", key, "--case", str(case_dir))
    assert "tagged 0 message(s)" in again.stdout and "1 already had it" in again.stdout
    removed = json.loads(run("tag", "remove", "hot", key, key, "--case", str(case_dir), "--json").stdout)
    assert removed["removed"] == 1


def test_id_prefix_errors_have_their_own_exit_codes(case_dir: Path) -> None:
    short = run("show", "abc", "--case", str(case_dir))
    assert short.exit_code == ExitCode.USAGE and "too short" in short.stderr
    unknown = run("show", "ffffffffffff", "--case", str(case_dir), "--json")
    assert unknown.exit_code == ExitCode.NOT_FOUND == 4
    assert json.loads(unknown.stderr)["error"]["type"] == "NotFound"
    assert run("tag", "add", "x", "abc", "--case", str(case_dir)).exit_code == ExitCode.USAGE
    assert run("tag", "add", "x", "ffffffffffff", "--case", str(case_dir)).exit_code == ExitCode.NOT_FOUND
    assert run("show", "abcdef", "--case", str(case_dir.parent / "nowhere")).exit_code == ExitCode.ERROR
    assert len({int(c) for c in (ExitCode.USAGE, ExitCode.ERROR, ExitCode.NOT_FOUND, ExitCode.INTERRUPTED)}) == 4


def test_no_spelling_suggestion_for_names(case_dir: Path) -> None:
    with Case(case_dir, readonly=True) as case:
        assert case.search("rockett").suggestions == []  # two edits from "pockets", first letter differs
        assert case.search("Pockett").suggestions == []  # a capitalised word is taken as a name
        assert case.search("budgte").suggestions == ["budget"]  # a real typo still gets the case's own word
