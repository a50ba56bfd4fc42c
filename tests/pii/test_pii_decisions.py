"""Tests reviewers' decisions on a real case: statuses, audit entries, decisions by value, manual spans."""

from __future__ import annotations

import json

import pytest
from pii_helpers import OFFLINE

from discovery import Case
from discovery.errors import NotFound, UsageError
from discovery.pii import decisions
from discovery.pii.engine import PiiEngine
from discovery.pii.scan import scan_case
from discovery.pii.suggestions import accepted_spans, count_suggestions, get_suggestion, list_suggestions, parse_query


@pytest.fixture()
def scanned(small_case: Case, engine: PiiEngine) -> Case:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    return small_case


def _audit(case: Case, action: str) -> list[dict[str, object]]:
    return [dict(r) | {"detail": json.loads(r["detail"])} for r in case.store.rows(
        "SELECT actor, action, target, detail FROM audit WHERE action=? ORDER BY id", (action,))]


def test_accept_reject_reset_are_audited(scanned: Case) -> None:
    store = scanned.store
    a, b = (s.id for s in list_suggestions(store, parse_query("type:EMAIL_ADDRESS"))[:2])
    assert decisions.accept(store, [a], actor="ann", note="private") == 1
    assert decisions.reject(store, [b], actor="bob") == 1
    assert decisions.accept(store, [a], actor="ann") == 0  # already accepted: nothing to do
    assert get_suggestion(store, a).status == "accepted" and get_suggestion(store, a).decided_by == "ann"  # type: ignore[union-attr]
    entry = _audit(scanned, "pii.accept")[0]
    assert entry["actor"] == "ann" and entry["detail"]["previous"] == "pending" and entry["detail"]["note"] == "private"  # type: ignore[index]
    assert _audit(scanned, "pii.reject")[0]["actor"] == "bob"
    assert decisions.reset(store, [b], actor="bob") == 1
    assert get_suggestion(store, b).status == "pending" and get_suggestion(store, b).decided_at is None  # type: ignore[union-attr]
    assert _audit(scanned, "pii.reset")


def test_unknown_ids_change_nothing(scanned: Case) -> None:
    first = list_suggestions(scanned.store)[0].id
    with pytest.raises(NotFound):
        decisions.accept(scanned.store, [first, 10**9], actor="ann")
    assert get_suggestion(scanned.store, first).status == "pending"  # type: ignore[union-attr]
    with pytest.raises(UsageError):
        decisions.set_status(scanned.store, [first], "maybe", actor="ann")


def test_accept_value_everywhere_adds_missing_spans(scanned: Case) -> None:
    store = scanned.store
    # 'Kellam' is never suggested as a name; a reviewer decides it is one (a surname here) and accepts it everywhere
    assert count_suggestions(store, parse_query("type:PERSON Kellam")) == 0
    result = decisions.accept_value_everywhere(store, "PERSON", "Kellam", actor="ann")
    assert result.created >= 1
    rows = list_suggestions(store, parse_query("origin:value"))
    assert rows and all(r.status == "accepted" and r.text.lower() == "kellam" for r in rows)
    entry = _audit(scanned, "pii.accept_value")[0]
    assert entry["detail"]["created"] == result.created  # type: ignore[index]
    # by value: 'Whitfield, Dana' and 'Dana Whitfield' are one person
    person = decisions.accept_value_everywhere(store, "PERSON", "Dana Whitfield", actor="ann")
    assert person.updated >= 2
    assert {s.status for s in list_suggestions(store, parse_query('type:PERSON "Whitfield, Dana"'))} == {"accepted"}


def test_reject_value_everywhere(scanned: Case) -> None:
    result = decisions.reject_value_everywhere(scanned.store, "EMAIL_ADDRESS", "BKASPRZAK@vendor.example",
                                               actor="ann")
    assert result.updated >= 2 and result.created == 0
    assert {s.status for s in list_suggestions(scanned.store, parse_query("bkasprzak@"))} == {"rejected"}


def test_manual_spans(scanned: Case, engine: PiiEngine) -> None:
    store = scanned.store
    key = store.rows("SELECT id FROM messages WHERE subject='Pricing'")[0][0]
    body = store.rows("SELECT body_text FROM messages WHERE id=?", (key,))[0][0]
    start = body.index("Price sheet")
    s = decisions.add_manual_span(store, key[:8], "body", start, start + 11, "ACCOUNT_ID", actor="ann", note="x")
    assert (s.origin, s.status, s.text) == ("manual", "accepted", "Price sheet")
    assert (start, start + 11, "ACCOUNT_ID", "Price sheet") in accepted_spans(store, key)["body"]
    with pytest.raises(UsageError, match="outside"):
        decisions.add_manual_span(store, key, "body", 0, 10**6, "PERSON", actor="ann")
    with pytest.raises(UsageError, match="no field"):
        decisions.add_manual_span(store, key, "attachment:9", 0, 1, "PERSON", actor="ann")
    with pytest.raises(NotFound):
        decisions.add_manual_span(store, "ffffffffffff", "body", 0, 1, "PERSON", actor="ann")
    scan_case(scanned, policy=OFFLINE, engine=engine, full=True)  # scans never touch manual spans
    kept = get_suggestion(store, s.id)
    assert kept is not None and kept.status == "accepted" and kept.origin == "manual"
    assert _audit(scanned, "pii.manual")
