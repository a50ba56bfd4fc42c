"""Tests the scan on real cases: storage, incrementality, rescans keeping decisions, the process pool,
progress and cancel, and bad input (empty, 10 MB, non-English, binary junk)."""

from __future__ import annotations

import json
from pathlib import Path

from pii_helpers import OFFLINE, build_case, write_eml

from discovery import Case
from discovery.pii import decisions
from discovery.pii.engine import PiiEngine
from discovery.pii.policy import parse_policy
from discovery.pii.scan import ScanProgress, scan_case, scan_status
from discovery.pii.suggestions import Query, accepted_spans, list_suggestions, message_suggestions, parse_query


def _rows(case: Case, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    return [tuple(r) for r in case.store.rows(sql, params)]


def test_scan_stores_suggestions_for_every_field(small_case: Case, engine: PiiEngine) -> None:
    report = scan_case(small_case, policy=OFFLINE, engine=engine)
    assert report.ok and report.scanned == 3 and report.findings > 20
    fields = {r[0].split(":")[0] for r in _rows(small_case, "SELECT DISTINCT field FROM pii_suggestions")}
    assert {"body", "subject", "address", "attachment"} <= fields
    found = {(r[0], r[1]) for r in _rows(small_case, "SELECT entity_type, text FROM pii_suggestions")}
    for expected in [("PERSON", "Whitfield, Dana"), ("EMAIL_ADDRESS", "dwhitfield@county.example"),
                     ("CASE_NUMBER", "17-018832"), ("DATE_OF_BIRTH", "04/12/1986"), ("BOOKING_NUMBER", "2015-002291"),
                     ("US_DRIVER_LICENSE", "7731904"), ("PHONE_NUMBER", "x3-1769"), ("BADGE_NUMBER", "0962"),
                     ("STREET_ADDRESS", "1418 SE Bramble Ct, Kellam, OR 97180"),
                     ("PERSON", "Cody Allen Trask"), ("PHONE_NUMBER", "+1 206 555 0108"),
                     ("PERSON", "Gary Pellegrino"), ("EMAIL_ADDRESS", "priyav@vendor.example")]:
        assert expected in found, expected
    # offsets point into the stored field text
    for s in list_suggestions(small_case.store, Query(limit=None)):
        texts = {f.key: f.text for m in __import__("discovery.pii.fields", fromlist=["x"]).load_fields(
            small_case.store, [s.message_id]) for f in m.fields}
        assert texts[s.field][s.start : s.end] == s.text
    assert _rows(small_case, "SELECT action FROM audit WHERE action='pii.scan'")


def test_scan_is_incremental(small_case: Case, engine: PiiEngine) -> None:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    again = scan_case(small_case, policy=OFFLINE, engine=engine)
    assert again.to_scan == 0 and again.up_to_date == 3
    (small_case.path / "pii-policy.toml").write_text('[engine]\nmode = "offline"\n')
    assert scan_status(small_case).up_to_date == 3  # the same rules, now from the case's file
    key = _rows(small_case, "SELECT id FROM messages ORDER BY id")[0][0]
    with small_case.store.db:  # a re-ingest that changed one message bumps its rev
        small_case.store.db.execute("UPDATE messages SET rev = rev + 1 WHERE id=?", (key,))
    assert scan_case(small_case, policy=OFFLINE, engine=engine).scanned == 1
    status = scan_status(small_case)
    assert status.up_to_date == 3 and status.mode == "offline" and status.changed == 0


def test_policy_change_rescans_and_keeps_every_decision(small_case: Case, engine: PiiEngine) -> None:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    store = small_case.store
    phone = list_suggestions(store, parse_query("type:PHONE_NUMBER 503-555-0142"))[0]
    brent = list_suggestions(store, parse_query('type:PERSON "Brent Kasprzak"'))[0]
    decisions.accept(store, [phone.id], actor="ann")
    decisions.reject(store, [brent.id], actor="ann", note="vendor staff, acting in the job")
    # the new policy suggests no phones and allows the vendor: decided rows stay, pending ones go
    policy = parse_policy({"engine": {"mode": "offline"},
                           "entities": {"suggest": ["PERSON", "EMAIL_ADDRESS"]},
                           "allow": {"domains": ["vendor.example"]}})
    report = scan_case(small_case, policy=policy, engine=engine)
    assert report.to_scan == 3 and report.merge.kept >= 2 and report.merge.removed > 0
    kept_phone = [s for s in message_suggestions(store, phone.message_id) if s.id == phone.id][0]
    assert kept_phone.status == "accepted" and not kept_phone.current
    kept_brent = [s for s in message_suggestions(store, brent.message_id) if s.id == brent.id][0]
    assert kept_brent.status == "rejected" and kept_brent.note.startswith("vendor")
    assert not list_suggestions(store, parse_query("type:PHONE_NUMBER status:pending"))
    # back to the default policy: the accepted phone is current again, with its decision
    scan_case(small_case, policy=OFFLINE, engine=engine)
    again = [s for s in message_suggestions(store, phone.message_id) if s.id == phone.id][0]
    assert again.status == "accepted" and again.current


def test_decisions_follow_their_text_when_a_message_changes(small_case: Case, engine: PiiEngine) -> None:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    store = small_case.store
    phone = list_suggestions(store, parse_query("type:PHONE_NUMBER 503-555-0142"))[0]
    decisions.accept(store, [phone.id], actor="ann")
    with store.db:  # the body gains a line at the top (re-extraction, a fixed charset ...)
        store.db.execute("UPDATE messages SET body_text = 'PRIVILEGED\n' || body_text, rev = rev + 1 WHERE id=?",
                         (phone.message_id,))
    report = scan_case(small_case, policy=OFFLINE, engine=engine)
    assert report.merge.moved >= 1
    moved = [s for s in message_suggestions(store, phone.message_id) if s.id == phone.id][0]
    assert (moved.start, moved.status, moved.text) == (phone.start + 11, "accepted", "503-555-0142")
    spans = accepted_spans(store, phone.message_id)["body"]
    assert (moved.start, moved.end, "PHONE_NUMBER", "503-555-0142") in spans


def test_value_decisions_apply_to_future_scans(tmp_path: Path, engine: PiiEngine) -> None:
    case = build_case(tmp_path)
    scan_case(case, policy=OFFLINE, engine=engine)
    decision = decisions.accept_value_everywhere(case.store, "PERSON", "Brent Kasprzak", actor="ann")
    assert decision.updated >= 2
    decisions.reject_value_everywhere(case.store, "EMAIL_ADDRESS", "SAM@county.example", actor="ann")
    write_eml(tmp_path / "more", "m4", sender="Sam Nakagawa <sam@county.example>", to=["x@county.example"],
              subject="fyi", body="Brent Kasprzak called again.\n", minutes=9)
    case.ingest([tmp_path / "more"])
    scan_case(case, policy=OFFLINE, engine=engine)
    rows = _rows(case, "SELECT text, status, decided_by FROM pii_suggestions WHERE value_key IN "
                       "('brent kasprzak', 'sam@county.example')")
    assert rows and all(r[1] in ("accepted", "rejected") for r in rows)
    assert {r[1] for r in rows if r[0] == "Brent Kasprzak"} == {"accepted"}
    assert {r[1] for r in rows if r[0] == "sam@county.example"} == {"rejected"}
    case.close()


def test_process_pool_scan_matches_in_process(tmp_path: Path, engine: PiiEngine) -> None:
    one = build_case(tmp_path / "a")
    two = build_case(tmp_path / "b")
    r1 = scan_case(one, policy=OFFLINE, engine=engine)
    r2 = scan_case(two, policy=OFFLINE, jobs=2, batch_size=1)
    assert r2.jobs == 2 and r1.findings == r2.findings and r2.scanned == 3
    key = "SELECT field, start, end, entity_type, text FROM pii_suggestions ORDER BY 1, 2, 3, 4"
    assert _rows(one, key) == _rows(two, key)
    one.close()
    two.close()


def test_progress_and_cancel(small_case: Case, engine: PiiEngine) -> None:
    seen: list[ScanProgress] = []
    report = scan_case(small_case, policy=OFFLINE, engine=engine, progress=lambda p: seen.append(
        ScanProgress(p.phase, p.done, p.total)), batch_size=1, cancel=lambda: len(seen) >= 2)
    assert report.interrupted and report.scanned == 1
    assert seen[0].phase == "learning" and seen[-1].phase == "done"
    rest = scan_case(small_case, policy=OFFLINE, engine=engine)
    assert rest.scanned == 2 and not rest.interrupted


def test_bad_input_is_handled_and_reported(tmp_path: Path, engine: PiiEngine) -> None:
    folder = tmp_path / "bad"
    huge = ("get /index.html 200 ok, nothing to see in this log line\n" * 180_000) + "Call Dana at 503-555-0142.\n"
    assert len(huge) > 10_000_000
    write_eml(folder, "empty", sender="a@x.example", to=["b@x.example"], subject="empty", body="")
    write_eml(folder, "huge", sender="a@x.example", to=["b@x.example"], subject="log", body=huge, minutes=1)
    write_eml(folder, "spanish", sender="a@x.example", to=["b@x.example"], subject="hola", minutes=2,
              body="Buenos días, le escribo porque las cámaras de la calle grabaron mi coche y quiero saber "
                   "quién tiene acceso a las imágenes, cuánto tiempo se guardan y si puedo pedir una copia de "
                   "ellas para mi abogado. Mi teléfono es 407-555-0112. Gracias por su atención y su tiempo, "
                   "espero su respuesta lo antes posible porque es muy importante para mí y mi familia.\n")
    junk = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) * 400 + "\ufffd" * 500
    write_eml(folder, "junk", sender="a@x.example", to=["b@x.example"], subject="scan", minutes=3,
              body="Report attached.\n" + junk + "\nmail dana@x.example\n")
    with Case(tmp_path / "case") as case:
        case.ingest([folder])
        report = scan_case(case, policy=OFFLINE, engine=engine)
        assert report.ok and report.scanned == 4
        kinds = report.problem_counts
        assert kinds.get("empty") == 1 and kinds.get("chunked") == 1 and kinds.get("non_english") == 1
        assert kinds.get("binary") == 1
        found = {(r[0], r[1]) for r in case.store.rows("SELECT entity_type, text FROM pii_suggestions")}
        assert ("PHONE_NUMBER", "503-555-0142") in found  # at the very end of the 10 MB body
        assert ("PHONE_NUMBER", "407-555-0112") in found and ("EMAIL_ADDRESS", "dana@x.example") in found
        problems = [json.loads(r[0]) for r in case.store.rows("SELECT problems FROM pii_scans")]
        assert any(p and p[0]["kind"] == "chunked" for p in problems)
        assert scan_status(case).problems.get("binary") == 1
