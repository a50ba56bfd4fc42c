"""Tests 'discovery withhold' (a message, an attachment or a field, listed and undone) and 'discovery pii exemption'
/ 'pii accept --exemption': each decision is read back from the production's own files."""

from __future__ import annotations

import csv
import email
import email.policy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from redact_helpers import write_eml

from discovery import Case
from discovery.cli import main
from discovery.exitcodes import ExitCode
from discovery.pii.decisions import add_manual_span


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    """Two messages: 'Witness' (Dana Whitfield marked in the body, a text attachment) and its reply."""
    folder = tmp_path / "mail"
    write_eml(folder, "m1", sender="Brent Kasprzak <brent@vendor.example>", to=["Sam Lee <sam@county.example>"],
              subject="Witness statement", body="The witness is Dana Whitfield.\nShe saw the truck.\n",
              attachments=[("statement.txt", b"Statement of the witness: the truck was red.\n")])
    write_eml(folder, "m2", sender="Sam Lee <sam@county.example>", to=["Brent Kasprzak <brent@vendor.example>"],
              subject="RE: Witness statement", body="Thanks, filed.\n", minutes=3, in_reply_to="m1")
    with Case(tmp_path / "case") as case:
        assert case.ingest([folder]).ok
        mid = _id(case, "Witness statement")
        body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
        start = body.index("Dana Whitfield")
        add_manual_span(case.store, mid, "body", start, start + 14, "PERSON", actor="tester")
    return tmp_path / "case"


def _id(case: Case, subject: str) -> str:
    return str(case.store.scalar("SELECT id FROM messages WHERE subject=?", (subject,)))


def _message_id(case_dir: Path, subject: str) -> str:
    with Case(case_dir) as case:
        return _id(case, subject)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def produce(case_dir: Path, out: Path, formats: str = "txt,eml") -> dict[str, object]:
    code, stdout, stderr = run("redact", "--all", "--out", str(out), "--case", str(case_dir), "--format", formats,
                               "--bates", "HC-", "--json")
    assert code == 0, stdout + stderr
    return dict(json.loads(stdout))


def withheld_rows(out: Path) -> list[dict[str, str]]:
    with (out / "withheld.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def log_rows(out: Path) -> list[dict[str, str]]:
    with (out / "redaction-log.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_withhold_a_message_puts_a_slip_sheet_in_every_format_and_undo_publishes_it(small: Path,
                                                                                   tmp_path: Path) -> None:
    mid = _message_id(small, "Witness statement")
    code, stdout, _ = run("withhold", mid[:10], "--exemption", "(b)(7)(C)", "--reason", "ongoing investigation",
                          "--reviewer", "ana", "--case", str(small), "--json")
    assert code == 0, stdout
    decision = json.loads(stdout)
    assert decision == decision | {"action": "withheld", "message": mid, "unit": "message",
                                   "exemption": "(b)(7)(C)", "decided_by": "ana", "reason": "ongoing investigation"}
    code, stdout, _ = run("withhold", "--list", "--case", str(small), "--json")
    assert code == 0 and json.loads(stdout)["count"] == 1
    assert json.loads(stdout)["withheld"][0]["unit"] == "message"

    out = tmp_path / "out"
    produce(small, out, "txt,eml,pdf")
    txt = (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert "WITHHELD IN FULL [(b)(7)(C)]" in txt
    assert "truck" not in txt and "Statement of the witness" not in txt
    eml = email.message_from_bytes((out / "eml" / "HC-000001.eml").read_bytes(), policy=email.policy.default)
    eml_text = "\n".join(p.get_content() for p in eml.walk() if p.get_content_maintype() == "text")
    assert "WITHHELD IN FULL" in eml_text and "truck" not in eml_text
    assert not [p for p in eml.walk() if p.get_filename()]  # no attachment goes out with a withheld message
    from pypdf import PdfReader

    pdf_text = "\n".join(page.extract_text() for page in PdfReader(out / "pdf" / "HC-000001.pdf").pages)
    assert "WITHHELD IN FULL" in pdf_text and "truck" not in pdf_text
    rows = [r for r in withheld_rows(out) if r["document"] == mid]
    assert [(r["unit"], r["reason"], r["exemption"], r["reviewer"]) for r in rows] == [
        ("message", "reviewer", "(b)(7)(C)", "ana")]
    assert "ongoing investigation" not in (out / "withheld.csv").read_text(encoding="utf-8")  # the note stays private
    assert "Thanks, filed." in (out / "txt" / "HC-000002.txt").read_text(encoding="utf-8")

    code, stdout, _ = run("withhold", mid, "--undo", "--case", str(small), "--json")
    assert code == 0 and json.loads(stdout)["action"] == "released"
    produce(small, out, "txt")
    txt = (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert "WITHHELD" not in txt and "She saw the truck." in txt and "Whitfield" not in txt
    code, stdout, _ = run("withhold", "--list", "--case", str(small), "--json")
    assert json.loads(stdout)["count"] == 0


def test_withhold_an_attachment_lists_it_with_its_code_and_sends_no_copy(small: Path, tmp_path: Path) -> None:
    mid = _message_id(small, "Witness statement")
    code, stdout, stderr = run("withhold", mid, "--attachment", "0", "--exemption", "(b)(6)", "--reason", "medical",
                               "--case", str(small))
    assert code == 0, stderr
    assert "attachment:0" in stdout
    out = tmp_path / "out"
    produce(small, out)
    txt = (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert "Statement of the witness" not in txt and "She saw the truck." in txt
    assert "statement.txt (text/plain) [withheld: reviewer]" in txt
    eml_bytes = (out / "eml" / "HC-000001.eml").read_bytes()
    eml = email.message_from_bytes(eml_bytes, policy=email.policy.default)
    assert b"the truck was red" not in eml_bytes
    assert "the truck was red" not in "\n".join(
        p.get_content() for p in eml.walk() if p.get_content_maintype() == "text")
    rows = [r for r in withheld_rows(out) if r["unit"] == "attachment:0"]
    assert len(rows) == 1 and rows[0]["exemption"] == "(b)(6)" and rows[0]["reason"] == "reviewer"


def test_withhold_a_field_replaces_it_with_a_slip(small: Path, tmp_path: Path) -> None:
    mid = _message_id(small, "Witness statement")
    assert run("withhold", mid, "--field", "subject", "--exemption", "(b)(6)", "--case", str(small))[0] == 0
    out = tmp_path / "out"
    produce(small, out)
    txt = (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert "Subject: [WITHHELD (b)(6)]" in txt and "Witness statement" not in txt.split("\n\n")[0]
    eml = email.message_from_bytes((out / "eml" / "HC-000001.eml").read_bytes(), policy=email.policy.default)
    assert str(eml["Subject"]) == "[WITHHELD (b)(6)]"
    assert any(r["unit"] == "subject" and r["exemption"] == "(b)(6)" for r in withheld_rows(out))
    assert any(r["field"] == "subject" and r["entity_type"] == "WITHHELD" for r in log_rows(out))


def test_withhold_errors_have_their_exit_codes(small: Path) -> None:
    mid = _message_id(small, "Witness statement")
    code, _, stderr = run("withhold", "ffffffffffff", "--case", str(small), "--json")
    assert code == ExitCode.NOT_FOUND and json.loads(stderr)["error"]["type"] == "NotFound"
    code, _, stderr = run("withhold", mid, "--attachment", "7", "--case", str(small), "--json")
    assert code == ExitCode.NOT_FOUND and "no attachment 7" in json.loads(stderr)["error"]["message"]
    assert run("withhold", mid, "--field", "from", "--case", str(small))[0] == ExitCode.USAGE
    assert run("withhold", mid, "--field", "body", "--attachment", "0", "--case", str(small))[0] == ExitCode.USAGE
    assert run("withhold", "--case", str(small))[0] == ExitCode.USAGE
    assert run("withhold", mid, "--undo", "--case", str(small))[0] == ExitCode.NOT_FOUND  # nothing to undo
    assert run("withhold", mid, "--exemption", "x" * 30, "--case", str(small))[0] == ExitCode.USAGE


def _suggestion(case_dir: Path) -> int:
    with Case(case_dir) as case:
        return int(case.store.scalar("SELECT id FROM pii_suggestions WHERE text='Dana Whitfield'"))


def test_exemption_of_a_decision_labels_and_logs_the_redaction(small: Path, tmp_path: Path) -> None:
    sid = _suggestion(small)
    out = tmp_path / "out"
    produce(small, out)
    assert {r["exemption"] for r in log_rows(out)} == {"(b)(6)"}
    code, stdout, _ = run("pii", "exemption", "(b)(7)(C)", str(sid), "--case", str(small), "--json")
    assert code == 0 and json.loads(stdout) == {"exemption": "(b)(7)(C)", "changed": 1}
    produce(small, out)
    assert {r["exemption"] for r in log_rows(out)} == {"(b)(7)(C)"}
    assert {r["label"] for r in log_rows(out)} == {"[(b)(7)(C)]"}
    assert "The witness is [(b)(7)(C)]" in (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert run("pii", "exemption", "default", str(sid), "--case", str(small))[0] == 0
    produce(small, out)
    assert {r["exemption"] for r in log_rows(out)} == {"(b)(6)"}
    assert run("pii", "exemption", "(b)(6)", "999999", "--case", str(small))[0] == ExitCode.NOT_FOUND
    assert run("pii", "exemption", "(b)(6)", "--case", str(small))[0] == ExitCode.USAGE


def test_accept_can_set_the_exemption_and_a_value_decision_can_change_it(small: Path, tmp_path: Path) -> None:
    with Case(small) as case:
        mid = _id(case, "RE: Witness statement")
        body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
        add_manual_span(case.store, mid, "body", body.index("filed"), body.index("filed") + 5, "PERSON",
                        actor="tester")
        sid = int(case.store.scalar("SELECT id FROM pii_suggestions WHERE text='filed'"))
        case.store.db.execute("UPDATE pii_suggestions SET status='pending' WHERE id=?", (sid,))
        case.store.db.commit()
    code, stdout, _ = run("pii", "accept", str(sid), "--exemption", "(b)(3)", "--case", str(small), "--json")
    assert code == 0 and json.loads(stdout)["exemption"] == "(b)(3)"
    out = tmp_path / "out"
    produce(small, out)
    assert "Thanks, [(b)(3)]." in (out / "txt" / "HC-000002.txt").read_text(encoding="utf-8")
    assert run("pii", "reject", str(sid), "--exemption", "(b)(3)", "--case", str(small))[0] == ExitCode.USAGE

    assert run("pii", "accept-value", "PERSON", "Sam Lee", "--case", str(small))[0] == 0
    code, stdout, _ = run("pii", "exemption", "(b)(7)(C)", "--value", "PERSON", "sam lee", "--case", str(small),
                          "--json")
    assert code == 0 and json.loads(stdout)["changed"] == 1
    produce(small, out)
    txt = (out / "txt" / "HC-000001.txt").read_text(encoding="utf-8")
    assert "Sam Lee" not in txt
    assert "To: [(b)(7)(C)]" in txt and "The witness is [(b)(6)]" in txt  # the value's code; others keep theirs
    assert run("pii", "exemption", "(b)(6)", "--value", "PERSON", "Nobody Here", "--case",
               str(small))[0] == ExitCode.NOT_FOUND
