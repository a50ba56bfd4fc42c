"""Tests that one question decides every place of a person across the case in a production: a Cc'd maintainer
accepted once is redacted in every message and format, and a per-place rejection (a public official quoted in a
press release) is honoured by the pipeline and accepted by the independent leak check only where it was made."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from discovery import Case
from discovery.pii.decisions import decide_ids
from discovery.pii.policy import Policy
from discovery.pii.scan import scan_case
from discovery.pii.suggestions import list_questions, parse_query
from discovery.redact.verify import verify_production

MIKE = "Mike Christie <mchristi@redhat.example>"
LEE = "Lee Duncan <lduncan@suse.example>"
MAIL = [
    ("m1", "Wenchao Hao <haowenchao@huawei.example>", "[PATCH] iscsi: fix a hang on logout",
     "Hi,\n\nThis fixes the hang Mike Christie reported last week.\n\nWenchao\n"),
    ("m2", "Bo Wu <wubo@huawei.example>", "[PATCH] iscsi: check the session state",
     "Hello,\n\nPlease review.\n\nThanks,\nBo\n"),
    ("m3", "Wenchao Hao <haowenchao@huawei.example>", "Re: [PATCH] iscsi: fix a hang on logout",
     "On Monday Mike Christie wrote:\n> Looks good.\n\nThanks for the review.\n"),
    ("m4", "Press Office <press@county.example>", "Press release: county adopts open-source storage",
     "The county's new storage runs on open-iscsi, said Mike Christie, the project's maintainer.\n"),
]


def _write(folder: Path, n: int, name: str, sender: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "open-iscsi list <open-iscsi@googlegroups.example>"
    msg["Cc"] = ", ".join([MIKE, LEE])
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2021, 10, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n))
    msg["Message-ID"] = f"<{name}@iscsi.example>"
    msg.set_content(body)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(bytes(msg))


@pytest.fixture()
def case(tmp_path: Path) -> Case:
    for n, (name, sender, subject, body) in enumerate(MAIL):
        _write(tmp_path / "mail", n, name, sender, subject, body)
    c = Case(tmp_path / "case")
    assert c.ingest([tmp_path / "mail"]).ok
    scan_case(c, policy=Policy(mode="offline"))
    return c


def _mike(case: Case):  # type: ignore[no-untyped-def]
    (question,) = [q for q in list_questions(case.store, parse_query('"mchristi@redhat.example"'))]
    return question


def _files(out: Path) -> dict[str, list[str]]:
    """message subject -> its own files' texts (txt and eml)."""
    manifest = json.loads((out / "manifest.json").read_text())
    return {str(d["id"]): [(out / f).read_text(encoding="utf-8", errors="replace") for f in d["files"]]
            for d in manifest["documents"]}


def test_one_acceptance_redacts_a_recurring_cc_person_in_every_message(case: Case, tmp_path: Path) -> None:
    mike = _mike(case)
    assert mike.messages == 4 and mike.lead.question_key == "PERSON:mike christie"  # one question, Cc'd everywhere
    assert {s.text for s in mike.spans} >= {"Mike Christie", "mchristi@redhat.example"}
    first = next(s.id for s in mike.spans if s.field.startswith("address:cc"))
    decided = decide_ids(case.store, [first], "accepted", actor="ann")
    assert decided.questions == 1 and decided.places == mike.places and decided.messages == 4
    out = tmp_path / "out"
    report = case.redact(all=True, out=out, formats=("txt", "eml", "mbox"), pending="keep")
    assert report.documents == 4
    texts = _files(out)
    assert len(texts) == 4
    for own in texts.values():
        for text in own:
            assert "Mike Christie" not in text and "mchristi@redhat.example" not in text
            assert "Lee Duncan" in text  # never decided: kept under --pending keep
    mbox = (out / "mbox" / "production.mbox").read_text(encoding="utf-8", errors="replace")
    assert "mchristi@redhat.example" not in mbox and mbox.count("Lee Duncan") >= 4


def test_a_per_place_rejection_is_honoured_and_only_there(case: Case, tmp_path: Path) -> None:
    mike = _mike(case)
    decide_ids(case.store, [mike.id], "accepted", actor="ann")
    press = str(case.store.scalar("SELECT id FROM messages WHERE subject LIKE 'Press release%'"))
    quoted = next(s for s in mike.spans if s.message_id == press and s.field == "body")
    kept = decide_ids(case.store, [quoted.id], "rejected", actor="ann", scope="place",
                      note="a public official quoted in a press release")
    assert kept.places == 1 and kept.messages == 1
    again = decide_ids(case.store, [mike.id], "accepted", actor="bob")  # the case decision again: kept stays kept
    assert again.kept == 1 and again.places == 0
    out = tmp_path / "out"
    case.redact(all=True, out=out, formats=("txt", "eml", "mbox"), pending="keep")  # its leak check passes
    texts = _files(out)
    for doc, own in texts.items():
        for text in own:
            assert "mchristi@redhat.example" not in text  # his address, Cc'd in the press release too, still goes
            if doc == press:
                assert "said Mike Christie" in text
            else:
                assert "Mike Christie" not in text
    report = verify_production(case, out)
    assert report.ok and report.kept >= 3  # the txt, the eml and the mbox's copy of the press release
    # the leak check reads the decision from the case: undo the rejection and the same files leak there
    decide_ids(case.store, [quoted.id], "pending", actor="ann", scope="place")
    assert {s.status for s in _mike(case).spans} == {"accepted"}  # back to the question's decision
    report = verify_production(case, out)
    assert not report.ok and report.kept == 0
    assert {leak.file for leak in report.leaks if leak.kind == "value"} >= {
        f for f in json.loads((out / "manifest.json").read_text())["documents"][3]["files"]}


def test_a_rejection_from_before_the_case_s_questions_does_not_stop_following(case: Case, tmp_path: Path) -> None:
    """A case upgraded from per-message questions: its old rejections ('legacy') stay rejections for the review,
    but, as before the upgrade, a value accepted elsewhere is still redacted there."""
    mike = _mike(case)
    press = str(case.store.scalar("SELECT id FROM messages WHERE subject LIKE 'Press release%'"))
    decide_ids(case.store, [mike.id], "accepted", actor="ann")
    quoted = next(s for s in mike.spans if s.message_id == press and s.field == "body")
    decide_ids(case.store, [quoted.id], "rejected", actor="ann", scope="message")
    with case.store.db:  # as migration 9 leaves a decision made under schema 8
        case.store.db.execute("UPDATE pii_suggestions SET decision_scope='legacy' WHERE message_id=? AND "
                              "status='rejected'", (press,))
    again = decide_ids(case.store, [mike.id], "accepted", actor="bob")
    assert again.kept >= 1  # kept for the review, like a message's own decision
    out = tmp_path / "out"
    case.redact(all=True, out=out, formats=("txt",), pending="keep")  # the leak check looks for him everywhere
    press_text = "".join(_files(out)[press])
    assert "Mike Christie" not in press_text
    assert verify_production(case, out).kept == 0
