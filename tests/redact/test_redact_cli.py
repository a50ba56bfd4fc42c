"""Tests 'discovery redact' and Case.redact end to end: exit codes, --json, formats, quarantine, Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from redact_helpers import write_eml

from discovery import Case
from discovery.cli import main
from discovery.exitcodes import ExitCode
from discovery.pii.decisions import add_manual_span
from discovery.redact import produce as produce_module
from discovery.redact.produce import LeakFound


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    write_eml(folder, "m1", sender="Brent Kasprzak <brent@vendor.example>", to=["Sam Lee <sam@county.example>"],
              subject="Witness", body="The witness is Dana Whitfield, (503) 555-0142.\n")
    write_eml(folder, "m2", sender="Sam Lee <sam@county.example>", to=["Brent Kasprzak <brent@vendor.example>"],
              subject="RE: Witness", body="> The witness is Dana\n> Whitfield.\nOK.\n", minutes=3, in_reply_to="m1")
    with Case(tmp_path / "case") as case:
        assert case.ingest([folder]).ok
        mid = str(case.store.scalar("SELECT id FROM messages WHERE subject='Witness'"))
        body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
        start = body.index("Dana Whitfield")
        add_manual_span(case.store, mid, "body", start, start + 14, "PERSON", actor="tester")
    return tmp_path / "case"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_all_formats_are_produced_and_checked(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run("redact", "--all", "--out", str(out), "--case", str(small), "--format",
                          "txt,eml,mbox,pdf", "--bates", "HC-:7", "--json")
    assert code == 0, stdout
    report = json.loads(stdout)
    assert report["verified"] and report["documents"] == 2 and report["bates_first"] == "HC-000007"
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"txt/HC-000007.txt", "eml/HC-000007.eml", "mbox/production.mbox", "pdf/HC-000007.pdf",
            "manifest.json", "redaction-log.csv", "redaction-log.json", "withheld.csv"} <= names
    assert "Whitfield" not in (out / "txt" / "HC-000008.txt").read_text()


def test_pending_refuse_exits_with_its_code_and_counts(scanned_samples: Path, tmp_path: Path) -> None:
    import shutil

    case_dir = tmp_path / "case"
    shutil.copytree(scanned_samples, case_dir)
    code, _, stderr = run("redact", "--all", "--out", str(tmp_path / "out"), "--case", str(case_dir), "--json")
    assert code == ExitCode.PENDING
    error = json.loads(stderr)["error"]
    with Case(case_dir) as case:
        assert error["places"] == case.store.scalar(
            "SELECT count(*) FROM pii_suggestions WHERE status='pending' AND current=1")
        assert error["pending"] == case.store.scalar(
            "SELECT count(DISTINCT question_key) FROM pii_suggestions WHERE status='pending' AND current=1")
    assert sum(m["pending"] for m in error["messages"]) == error["places"]
    assert all(1 <= m["questions"] <= m["pending"] for m in error["messages"])
    assert not (tmp_path / "out").exists()


def test_a_missing_writer_is_refused_not_faked(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(produce_module.WRITERS, "pdf", ("discovery.redact.no_such_writer", "write_pdf"))
    code, _, stderr = run("redact", "--all", "--out", str(tmp_path / "out"), "--case", str(small), "--format", "pdf")
    assert code == ExitCode.USAGE and "not available" in stderr
    assert not (tmp_path / "out").exists()


def test_a_leak_is_quarantined_and_nothing_published(small: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(produce_module.WRITERS, "pdf", ("redact_helpers", "leaky_writer"))
    out = tmp_path / "out"
    with Case(small) as case, pytest.raises(LeakFound) as info:
        case.redact(all=True, out=out, formats=("txt", "pdf"))
    assert "pdf/leak.txt" in str(info.value)
    assert not out.exists() and info.value.quarantine.is_dir()
    code, _, stderr = run("redact", "--all", "--out", str(out), "--case", str(small), "--format", "txt,pdf")
    assert code == ExitCode.LEAK_FOUND and "leak" in stderr


def test_interrupted_production_leaves_nothing(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Case(small) as case, pytest.raises(KeyboardInterrupt):
        case.redact(all=True, out=out, cancel=lambda: True)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("out")]


def test_a_digest_in_the_manifest_is_not_a_leak_but_a_value_is(tmp_path: Path) -> None:
    from discovery.redact.verify import verify_production

    folder = tmp_path / "mail"
    write_eml(folder, "m1", sender="Sam Lee <sam@county.example>", to=["Ann Po <ann@county.example>"],
              subject="Badge", body="Deputy badge 1187 was on scene.\n")
    with Case(tmp_path / "case") as case:
        assert case.ingest([folder]).ok
        mid = str(case.store.scalar("SELECT id FROM messages"))
        start = str(case.store.scalar("SELECT body_text FROM messages")).index("1187")
        add_manual_span(case.store, mid, "body", start, start + 4, "BADGE_NUMBER", actor="tester")
        out = tmp_path / "out"
        case.redact(all=True, out=out)
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["note"] = "ab" + "1187" + "c" * 58
        (out / "manifest.json").write_text(json.dumps(manifest))
        assert verify_production(case, out).ok
        manifest["note"] = "badge 1187"
        (out / "manifest.json").write_text(json.dumps(manifest))
        assert not verify_production(case, out).ok
