"""Tests every reader through the real pipeline into a real case store."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from mailmaker import make_message, mbox_of

from discovery import Case
from discovery.ingest.base import Origin
from discovery.ingest.detect import detect
from discovery.ingest.mbox import plan_chunks, read_mbox
from discovery.model import Message


def ingest(tmp_path: Path, *paths: Path, **kw: object):  # type: ignore[no-untyped-def]
    case = Case(tmp_path / "case")
    report = case.ingest(list(paths), **kw)  # type: ignore[arg-type]
    return case, report


def test_mbox_with_escaped_from_lines_and_crlf(tmp_path: Path) -> None:
    body = "Hello,\nFrom the sheriff's office we hear nothing.\n>From quoted already\nbye\n"
    raw = [make_message(i, body=body if i == 1 else None) for i in range(5)]
    (tmp_path / "a.txt").write_bytes(mbox_of(raw))  # an mbox named .txt
    (tmp_path / "crlf").write_bytes(mbox_of(raw).replace(b"\n", b"\r\n"))
    assert detect(tmp_path / "a.txt").kind == "mbox"
    assert detect(tmp_path / "crlf").kind == "mbox"
    case, report = ingest(tmp_path, tmp_path / "a.txt", tmp_path / "crlf")
    assert report.ok and report.messages == 10 and report.new_messages == 5  # CRLF copy folds into LF copy
    ids = [r[0] for r in case.store.rows("SELECT id FROM messages WHERE message_id='<msg1@mailbox.example>'")]
    stored = case.message(ids[0])
    assert "From the sheriff's office" in stored.body_text  # mboxrd unescaping
    assert ">From quoted already" in stored.body_text
    assert len(stored.provenance) == 2
    assert {p.locator.split(":")[0] for p in stored.provenance} == {"offset"}


def test_mbox_offsets_point_at_from_lines(tmp_path: Path) -> None:
    data = mbox_of([make_message(i) for i in range(3)])
    path = tmp_path / "x.mbox"
    path.write_bytes(data)
    msgs = [m for m in read_mbox(path, Origin(str(path))) if isinstance(m, Message)]
    for m in msgs:
        offset = int(m.provenance.locator.split(":")[1])
        assert data[offset:offset + 5] == b"From "


def test_mbox_chunks_give_the_same_messages(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    path.write_bytes(mbox_of([make_message(i, body="x" * 3000 + f"\n{i}\n") for i in range(400)]))
    whole = [m.message_id for m in read_mbox(path, Origin(str(path))) if isinstance(m, Message)]
    chunks = plan_chunks(path, 100_000)
    assert len(chunks) > 5
    parts = [m.message_id for a, b in chunks for m in read_mbox(path, Origin(str(path)), a, b)
             if isinstance(m, Message)]
    assert parts == whole and len(whole) == 400


def test_maildir_folders_become_labels(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for folder in ("", ".Sent", ".Vendors.Cirrus"):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
    (root / "cur" / "1.M1:2,S").write_bytes(make_message(1))
    (root / "new" / "2.M2").write_bytes(make_message(2))
    (root / ".Sent" / "cur" / "3.M3:2,S").write_bytes(make_message(3))
    (root / ".Vendors.Cirrus" / "cur" / "4.M4:2,").write_bytes(make_message(4))
    (root / "tmp" / "5.M5").write_bytes(make_message(5))  # still being delivered: not read
    case, report = ingest(tmp_path, root)
    assert report.ok and report.new_messages == 4
    folders = {r[0]: r[1] for r in case.store.rows("SELECT message_id_header, folder FROM provenance")}
    assert folders == {"<msg1@mailbox.example>": "", "<msg2@mailbox.example>": "",
                       "<msg3@mailbox.example>": "Sent", "<msg4@mailbox.example>": "Vendors/Cirrus"}
    kinds = {r[0] for r in case.store.rows("SELECT kind FROM provenance")}
    assert kinds == {"maildir"}


def test_eml_tree_without_extensions(tmp_path: Path) -> None:
    (tmp_path / "tree" / "inbox").mkdir(parents=True)
    (tmp_path / "tree" / "inbox" / "17").write_bytes(make_message(17))
    (tmp_path / "tree" / "note.eml").write_bytes(make_message(18).replace(b"\n", b"\r\n"))
    case, report = ingest(tmp_path, tmp_path / "tree")
    assert report.ok and report.new_messages == 2
    assert {r[0] for r in case.store.rows("SELECT folder FROM provenance")} == {"inbox", ""}


def test_zip_inside_zip_and_tar_gz_keep_inner_paths(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/2.eml", make_message(2))
    outer = tmp_path / "production.zip"
    with zipfile.ZipFile(outer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("mail/1.eml", make_message(1))
        z.write(inner, "attachments/inner.zip")
        z.writestr("mail/box.mbox", mbox_of([make_message(3), make_message(4)]))
    tgz = tmp_path / "bundle.tgz"
    (tmp_path / "5.eml").write_bytes(make_message(5))
    with tarfile.open(tgz, "w:gz") as t:
        t.add(tmp_path / "5.eml", "x/5.eml")
    renamed = tmp_path / "not-a-zip.dat"
    renamed.write_bytes(outer.read_bytes())
    case, report = ingest(tmp_path, outer, tgz)
    assert report.ok, report.problems
    inner_paths = {r[0]: r[1] for r in case.store.rows("SELECT message_id_header, inner_path FROM provenance")}
    assert inner_paths["<msg1@mailbox.example>"] == "mail/1.eml"
    assert inner_paths["<msg2@mailbox.example>"] == "attachments/inner.zip!deep/2.eml"
    assert inner_paths["<msg3@mailbox.example>"] == "mail/box.mbox"
    assert inner_paths["<msg5@mailbox.example>"] == "bundle.tar!x/5.eml"
    assert detect(renamed).kind == "zip"


def test_attachments_hashed_typed_and_text_extracted(tmp_path: Path) -> None:
    csv = b"name,price\nCirrus Recognize,6.00\n"
    (tmp_path / "a.eml").write_bytes(make_message(1, attachment=("pricing.csv", csv, "application/octet-stream")))
    case, report = ingest(tmp_path, tmp_path / "a.eml")
    stored = case.message(next(case.message_ids()))
    (att,) = stored.attachments
    import hashlib

    assert att.filename == "pricing.csv" and att.size == len(csv)
    assert att.sha256 == hashlib.sha256(csv).hexdigest()
    assert att.mime.startswith("text/")  # by content, not the declared octet-stream
    assert "Cirrus Recognize" in (case.attachment_text(stored.id, 0) or "")


def test_forwarded_message_becomes_its_own_linked_message(tmp_path: Path) -> None:
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    inner = message_from_bytes(make_message(7, subject="Pricing for Harlow"), policy=policy.default)
    outer = EmailMessage()
    outer["From"] = "analyst@harlowcounty-or.example"
    outer["To"] = "lt@harlowcounty-or.example"
    outer["Subject"] = "FW: Pricing for Harlow"
    outer["Date"] = "Thu, 03 May 2018 10:00:00 -0700"
    outer["Message-ID"] = "<fw1@harlowcounty-or.example>"
    outer.set_content("See below.")
    outer.add_attachment(inner)
    (tmp_path / "fw.eml").write_bytes(outer.as_bytes())
    case, report = ingest(tmp_path, tmp_path / "fw.eml")
    assert report.new_messages == 2
    child = case.store.rows("SELECT id, parent_id, subject FROM messages WHERE parent_id IS NOT NULL")
    assert len(child) == 1 and child[0]["subject"] == "Pricing for Harlow"
    parent = case.message(child[0]["parent_id"])
    assert parent.subject == "FW: Pricing for Harlow"
    assert any(a.mime == "message/rfc822" for a in parent.attachments)
    assert case.message(child[0]["id"]).provenance[0].locator == "file/part:1"


def test_show_raw_returns_original_bytes(tmp_path: Path) -> None:
    raw = make_message(3)
    (tmp_path / "m.eml").write_bytes(raw)
    case, _ = ingest(tmp_path, tmp_path / "m.eml")
    assert case.raw(next(case.message_ids())) == raw
