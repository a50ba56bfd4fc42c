"""Tests the reviewer's questions: one suggestion per value or person and message (pii.groups), decided whole,
counted by the CLI's readers, kept across rescans, and the store migration that adds them to an old case."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pii_helpers import OFFLINE, build_case

from discovery import Case
from discovery.pii import decisions
from discovery.pii.engine import PiiEngine
from discovery.pii.groups import group_keys
from discovery.pii.headers import is_list_address, is_machine_address
from discovery.pii.policy import Policy, PolicyFilter
from discovery.pii.scan import scan_case, scan_status
from discovery.pii.suggestions import (
    accepted_spans,
    count_questions,
    list_questions,
    message_suggestions,
    parse_query,
    question_counts,
)
from discovery.pii.types import FieldText, Finding
from discovery.store import SCHEMA_VERSION, Store


def _f(field: str, start: int, text: str, kind: str) -> Finding:
    return Finding(field, start, start + len(text), kind, 0.9, "test", text)


def test_a_mailbox_links_a_name_and_its_address() -> None:
    body = "Signed-off-by: Lee Duncan <lduncan@suse.example>\nCc: Chris Leech <cleech@redhat.example>\n"
    found = [_f("address:from:0", 0, "Lee Duncan", "PERSON"), _f("address:from:0", 12, "lduncan@suse.example",
             "EMAIL_ADDRESS"), _f("body", 15, "Lee Duncan", "PERSON"), _f("body", 27, "lduncan@suse.example",
             "EMAIL_ADDRESS"), _f("body", 53, "Chris Leech", "PERSON"),
             _f("body", 66, "cleech@redhat.example", "EMAIL_ADDRESS")]
    assert body[53:64] == "Chris Leech" and body[66:87] == "cleech@redhat.example"
    keys = group_keys(found)
    assert keys[:4] == ["PERSON:lee duncan"] * 4
    assert keys[4:] == ["PERSON:chris leech"] * 2


def test_short_forms_join_one_fuller_name_only() -> None:
    found = [_f("address:from:0", 0, "Lee Duncan", "PERSON"), _f("body", 0, "Lee", "PERSON"),
             _f("body", 10, "Duncan", "PERSON"), _f("body", 20, "Mike Christie", "PERSON"),
             _f("body", 40, "Michael Christie", "PERSON"), _f("body", 60, "Chris", "PERSON"),
             _f("body", 70, "Chris Leech", "PERSON"), _f("body", 90, "Chris Mason", "PERSON"),
             _f("body", 110, "555-0142", "PHONE_NUMBER")]
    keys = group_keys(found)
    assert keys[0] == keys[1] == keys[2] == "PERSON:lee duncan"
    assert keys[3] == keys[4] == "PERSON:michael christie"  # a nickname
    assert keys[5] == "PERSON:chris"  # two Chrises: not guessed
    assert len({keys[6], keys[7], keys[8]}) == 3 and keys[8].startswith("PHONE_NUMBER:")


def test_the_case_address_book_links_a_bare_address() -> None:
    found = [_f("address:cc:0", 0, "jejb@ibm.example", "EMAIL_ADDRESS"),
             _f("body", 5, "James Bottomley", "PERSON"), _f("address:cc:1", 0, "other@ibm.example", "EMAIL_ADDRESS")]
    keys = group_keys(found, {"jejb@ibm.example": frozenset({"james bottomley"})})
    assert keys == ["PERSON:james bottomley", "PERSON:james bottomley", "EMAIL_ADDRESS:other@ibm.example"]
    assert group_keys(found)[0] == "EMAIL_ADDRESS:jejb@ibm.example"


def test_list_and_robot_addresses_and_their_names_are_not_people() -> None:
    assert is_list_address("linux-nvme@lists.infradead.example") and is_list_address("ocfs2-devel@oss.example")
    assert is_list_address("megaraidlinux.pdl@broadcom.example") and is_list_address("drbd-dev@lists.x.example")
    assert not is_list_address("lduncan@suse.example") and not is_list_address("develyn@x.example")
    assert not is_list_address("linux@roeck-us.example") and not is_list_address("penguin-kernel@x.example")
    assert is_machine_address("syzbot+3f2a@syzkaller.example") and is_machine_address("lkp@intel.example")
    assert is_machine_address("patchwork-bot+netdevbpf@kernel.example")
    assert not is_machine_address("abbot@x.example") and not is_machine_address("robert@x.example")
    field = FieldText("address:cc:0", "address", "LKML <linux-kernel@vger.kernel.org>", "Cc")
    found = [_f(field.key, 0, "LKML", "PERSON"), _f(field.key, 6, "linux-kernel@vger.kernel.org", "EMAIL_ADDRESS")]
    kept, allowed = PolicyFilter.build(Policy()).apply(found, [field])
    assert kept == [] and allowed == 2


@pytest.fixture()
def scanned(small_case: Case, engine: PiiEngine) -> Case:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    return small_case


def _dana(case: Case) -> list[object]:
    mid = case.store.scalar("SELECT id FROM messages WHERE message_id LIKE '%m1@test.example%'")
    assert mid
    return [q for q in list_questions(case.store, parse_query(f"msg:{mid}")) if q.lead.entity_type == "PERSON"
            and "whitfield" in q.lead.value_key]


def test_one_question_per_person_across_the_case_decided_whole(scanned: Case) -> None:
    store = scanned.store
    (dana,) = _dana(scanned)  # type: ignore[misc]
    places = {(s.field, s.text) for s in dana.spans}
    assert ("address:from:0", "dwhitfield@county.example") in places and ("body", "Dana Whitfield") in places
    assert dana.messages == 2 and dana.places >= 6 and dana.status == "pending"  # From in m1, To and 'Hi Dana' in m2
    # any of its ids decides it whole, in every message, and redaction gets every span
    other = next(s.id for s in dana.spans if s.id != dana.id)
    result = decisions.decide_ids(store, [other], "accepted", actor="ann")
    assert result.questions == 1 and result.places == dana.places and result.messages == 2
    for mid in {s.message_id for s in dana.spans}:
        mine = [s for s in dana.spans if s.message_id == mid]
        assert sum(len(v) for v in accepted_spans(store, mid).values()) == len(mine)
    # the counts the user sees are questions, with their places
    questions, places_total = count_questions(store, parse_query("status:accepted"))
    assert questions == 1 and places_total == dana.places
    counts = question_counts(store)
    assert counts["accepted"] == {"questions": 1, "places": dana.places}
    status = scan_status(scanned)
    assert status.suggestions["accepted"] == 1 and status.places["accepted"] == dana.places
    assert decisions.reset(store, [dana.id], actor="ann") == 1
    assert all(s.status == "pending" for s in message_suggestions(store, dana.lead.message_id)
               if s.question_key == dana.lead.question_key)


def test_a_rescan_gives_a_new_span_its_question_s_decision(scanned: Case, engine: PiiEngine) -> None:
    store = scanned.store
    (dana,) = _dana(scanned)  # type: ignore[misc]
    decisions.reject(store, [dana.id], actor="ann")
    dropped = [s for s in dana.spans if s.field == "body"]
    assert {s.message_id for s in dropped} == {s.message_id for s in dana.spans}  # both messages
    with store.db:  # as if an older scan had not found these spans
        store.db.executemany("DELETE FROM pii_suggestions WHERE id=?", [(s.id,) for s in dropped])
    scan_case(scanned, policy=OFFLINE, engine=engine, full=True)
    again = [s for s in message_suggestions(store, dana.lead.message_id) if s.question_key == dana.lead.question_key]
    assert {s.status for s in again} == {"rejected"} and {s.decision_scope for s in again} == {"case"}
    (now,) = _dana(scanned)  # type: ignore[misc]
    assert now.places == dana.places and now.status == "rejected"  # the other message's new place too


def test_accepting_a_value_decides_the_questions_it_is_in(scanned: Case) -> None:
    store = scanned.store
    decision = decisions.accept_value_everywhere(store, "PERSON", "Dana Whitfield", actor="ann")
    (dana,) = _dana(scanned)  # type: ignore[misc]
    assert decision.updated >= dana.places - 1 and dana.status == "accepted"
    assert {s.status for s in dana.spans} == {"accepted"}  # the address written with the name too


def _downgrade(path: Path, version: int) -> None:
    """The store as an older discovery left it: schema 8 (questions per message) or 7 (no questions at all)."""
    db = sqlite3.connect(path / "store.sqlite")
    db.executescript("DROP INDEX pii_suggestions_question; ALTER TABLE pii_suggestions DROP COLUMN question_key;"
                     "ALTER TABLE pii_suggestions DROP COLUMN decision_scope; DELETE FROM meta WHERE key = "
                     "'pii_questions_joined';")
    if version == 7:
        db.executescript("DROP INDEX pii_suggestions_group; ALTER TABLE pii_suggestions DROP COLUMN group_key;")
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def test_migration_groups_an_old_case_by_value(tmp_path: Path, engine: PiiEngine) -> None:
    case = build_case(tmp_path)
    scan_case(case, policy=OFFLINE, engine=engine)
    rows = case.store.scalar("SELECT count(*) FROM pii_suggestions")
    case.close()
    _downgrade(tmp_path / "case", 7)
    with Store(tmp_path / "case") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.scalar("SELECT count(*) FROM pii_suggestions") == rows
        assert store.scalar("SELECT count(*) FROM pii_suggestions WHERE group_key != entity_type || ':' || "
                            "value_key OR question_key != group_key") == 0
        by_value = store.scalar("SELECT count(*) FROM (SELECT DISTINCT entity_type, value_key FROM pii_suggestions)")
        assert count_questions(store)[0] == by_value < rows


def test_migration_keeps_per_message_decisions_and_the_next_status_joins(tmp_path: Path, engine: PiiEngine) -> None:
    case = build_case(tmp_path)
    scan_case(case, policy=OFFLINE, engine=engine)
    (dana,) = _dana(case)  # type: ignore[misc]
    m1 = dana.lead.message_id
    decisions.decide_ids(case.store, [dana.id], "rejected", actor="ann", scope="message")  # as schema 8 did
    before = count_questions(case.store)[0]
    case.close()
    _downgrade(tmp_path / "case", 8)
    with Case(tmp_path / "case") as upgraded:
        store = upgraded.store
        assert store.schema_version == SCHEMA_VERSION
        assert store.scalar("SELECT count(*) FROM pii_suggestions WHERE question_key != group_key") == 0
        assert {r[0] for r in store.rows("SELECT DISTINCT decision_scope FROM pii_suggestions WHERE status != "
                                         "'pending'")} == {"legacy"}
        status = scan_status(upgraded)  # the upgrade's join: one question per person across the case
        assert store.scalar("SELECT value FROM meta WHERE key='pii_questions_joined'") == "1"
        assert status.questions["questions"] == count_questions(store)[0] <= before
        (joined,) = _dana(upgraded)  # type: ignore[misc]
        assert joined.messages == 2 and joined.status == "pending"  # m2's places were never decided
        # deciding it for the case leaves m1's own (older, per-message) decision alone
        result = decisions.decide_ids(store, [joined.id], "accepted", actor="ann")
        assert result.kept == len([s for s in joined.spans if s.message_id == m1])
        assert {s.status for s in message_suggestions(store, m1) if s.question_key == joined.lead.question_key} \
            == {"rejected"}
