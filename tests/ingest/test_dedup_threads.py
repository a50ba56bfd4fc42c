"""Tests duplicates (one message, several provenances) and thread ids over a real case."""

from __future__ import annotations

from pathlib import Path

from mailmaker import make_message, mbox_of

from discovery import Case


def test_copies_with_different_message_ids_are_one_message(tmp_path: Path) -> None:
    a = make_message(1, message_id="<copy-a@x.example>")
    b = make_message(1, message_id="<copy-b@x.example>")  # Enron-style: every copy its own id
    b = b.replace(b"Subject:", b"X-Folder: \\Inbox\nSubject:")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "all_documents").mkdir()
    (tmp_path / "inbox" / "1").write_bytes(a)
    (tmp_path / "all_documents" / "1").write_bytes(b)
    case = Case(tmp_path / "case")
    report = case.ingest([tmp_path / "inbox", tmp_path / "all_documents"], custodian="allen-p")
    assert report.messages == 2 and report.new_messages == 1
    (key,) = list(case.message_ids())
    stored = case.message(key)
    assert sorted(p.message_id for p in stored.provenance) == ["<copy-a@x.example>", "<copy-b@x.example>"]
    assert {p.custodian for p in stored.provenance} == {"allen-p"}
    stats = case.stats()
    assert stats.messages == 1 and stats.copies == 2 and stats.duplicates == 1


def test_reused_message_id_for_different_messages_stays_apart(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(make_message(1, message_id="<same@x.example>", body="first text"))
    (tmp_path / "b.eml").write_bytes(make_message(2, message_id="<same@x.example>", body="second text"))
    case = Case(tmp_path / "case")
    assert case.ingest([tmp_path]).new_messages == 2


def test_sent_copy_with_bcc_matches_received_copy(tmp_path: Path) -> None:
    received = make_message(4)
    sent = received.replace(b"To:", b"Bcc: boss@cirrusweb.example\nTo:")
    (tmp_path / "received.eml").write_bytes(received)
    (tmp_path / "sent.eml").write_bytes(sent)
    case = Case(tmp_path / "case")
    assert case.ingest([tmp_path]).new_messages == 1


def test_threads_by_headers_and_by_subject(tmp_path: Path) -> None:
    root = make_message(1, subject="Face recognition pilot", message_id="<root@v.example>")
    reply = make_message(2, subject="RE: Face recognition pilot", message_id="<r1@v.example>",
                         in_reply_to="<root@v.example>")
    # a reply whose client dropped the headers: threaded by subject
    bare = make_message(3, subject="AW: Face recognition pilot", message_id="<r2@v.example>")
    other = make_message(4, subject="Holiday schedule", message_id="<hr@v.example>")
    (tmp_path / "box.mbox").write_bytes(mbox_of([root, reply, bare, other]))
    case = Case(tmp_path / "case")
    case.ingest([tmp_path / "box.mbox"])
    rows = {r["message_id"]: (r["thread_id"], r["thread_parent"], r["id"])
            for r in case.store.rows("SELECT id, message_id, thread_id, thread_parent FROM messages")}
    root_id = rows["<root@v.example>"][2]
    assert rows["<r1@v.example>"][0] == root_id and rows["<r1@v.example>"][1] == root_id
    assert rows["<r2@v.example>"][0] == root_id
    assert rows["<hr@v.example>"][0] == rows["<hr@v.example>"][2]


def test_text_normalization_is_the_regex_it_replaced() -> None:
    """Content hashes are stable across releases: _norm_text (str.split) equals re.sub(r"\\s+", " ").strip() on
    every code point and on random mixes of every whitespace character with text."""
    import random
    import re
    import sys
    import unicodedata

    from discovery.dedup import _norm_text

    def regex(text: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()

    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert _norm_text(everything) == regex(everything)
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] + ["\u200b", "\ufeff", "\x1c"]
    other = ["a", "é", "e\u0301", "\u0301", "\x00", "\U0001f600", "Å", "\u212b", "-"]
    rng = random.Random(13)
    for _ in range(3000):
        text = "".join(rng.choice(spaces if rng.random() < 0.5 else other) for _ in range(rng.randrange(12)))
        assert _norm_text(text) == regex(text), repr(text)
