"""Tests the reviewer's questions: one suggestion per value or person and message (pii.groups), decided whole,
counted by the CLI's readers, kept across rescans, and the store migration that adds them to an old case."""

from __future__ import annotations

import sqlite3

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


def test_one_question_per_person_and_message_decided_whole(scanned: Case) -> None:
    store = scanned.store
    (dana,) = _dana(scanned)  # type: ignore[misc]
    places = {(s.field, s.text) for s in dana.spans}
    assert ("address:from:0", "dwhitfield@county.example") in places and ("body", "Dana Whitfield") in places
    assert dana.places >= 4 and dana.status == "pending"
    # any of its ids decides it whole, and redaction gets every span
    other = next(s.id for s in dana.spans if s.id != dana.id)
    result = decisions.decide_ids(store, [other], "accepted", actor="ann")
    assert result.questions == 1 and result.places == dana.places
    spans = accepted_spans(store, dana.lead.message_id)
    assert sum(len(v) for v in spans.values()) == dana.places
    # the counts the user sees are questions, with their places
    questions, places_total = count_questions(store, parse_query("status:accepted"))
    assert questions == 1 and places_total == dana.places
    counts = question_counts(store)
    assert counts["accepted"] == {"questions": 1, "places": dana.places}
    status = scan_status(scanned)
    assert status.suggestions["accepted"] == 1 and status.places["accepted"] == dana.places
    assert decisions.reset(store, [dana.id], actor="ann") == 1
    assert all(s.status == "pending" for s in message_suggestions(store, dana.lead.message_id)
               if s.group_key == dana.lead.group_key)


def test_a_rescan_gives_a_new_span_its_question_s_decision(scanned: Case, engine: PiiEngine) -> None:
    store = scanned.store
    (dana,) = _dana(scanned)  # type: ignore[misc]
    decisions.reject(store, [dana.id], actor="ann")
    dropped = next(s for s in dana.spans if s.field == "body")
    with store.db:  # as if an older scan had not found this span
        store.db.execute("DELETE FROM pii_suggestions WHERE id=?", (dropped.id,))
    scan_case(scanned, policy=OFFLINE, engine=engine, full=True)
    again = [s for s in message_suggestions(store, dana.lead.message_id) if s.group_key == dana.lead.group_key]
    assert len(again) == dana.places and {s.status for s in again} == {"rejected"}


def test_accepting_a_value_decides_the_questions_it_is_in(scanned: Case) -> None:
    store = scanned.store
    decision = decisions.accept_value_everywhere(store, "PERSON", "Dana Whitfield", actor="ann")
    (dana,) = _dana(scanned)  # type: ignore[misc]
    assert decision.updated >= dana.places - 1 and dana.status == "accepted"
    assert {s.status for s in dana.spans} == {"accepted"}  # the address written with the name too


def test_migration_groups_an_old_case_by_value(tmp_path, engine: PiiEngine) -> None:  # type: ignore[no-untyped-def]
    case = build_case(tmp_path)
    scan_case(case, policy=OFFLINE, engine=engine)
    rows = case.store.scalar("SELECT count(*) FROM pii_suggestions")
    case.close()
    db = sqlite3.connect(tmp_path / "case" / "store.sqlite")  # back to schema 7, as an older discovery left it
    db.executescript("DROP INDEX pii_suggestions_group; ALTER TABLE pii_suggestions DROP COLUMN group_key;"
                     f"PRAGMA user_version = {SCHEMA_VERSION - 1};")
    db.close()
    with Store(tmp_path / "case") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.scalar("SELECT count(*) FROM pii_suggestions") == rows
        assert store.scalar("SELECT count(*) FROM pii_suggestions WHERE group_key != entity_type || ':' || "
                            "value_key") == 0
        by_value = store.scalar("SELECT count(*) FROM (SELECT DISTINCT message_id, entity_type, value_key "
                                "FROM pii_suggestions)")
        assert count_questions(store)[0] == by_value < rows
