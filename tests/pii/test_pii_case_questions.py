"""Tests the case's questions: a person's message groups joined across messages (pii.groups.case_questions), the
scopes of a decision (case, message, place) and their overrides, the counts 'pii status' and 'pii scan' report,
and the CLI's --scope; on the open-iscsi list (skipped where ../shared is absent) at most 5 questions per message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pii_helpers import OFFLINE

from discovery import Case
from discovery.cli import main as discovery_cli
from discovery.pii import decisions
from discovery.pii.engine import PiiEngine
from discovery.pii.groups import case_questions
from discovery.pii.scan import scan_case, scan_status
from discovery.pii.suggestions import list_questions, message_suggestions, parse_query, question_figures

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


def test_a_person_s_groups_join_across_messages_by_address_and_full_name() -> None:
    members = [  # (a message's group, a value it holds)
        ("PERSON:mike christie", "PERSON:mike christie"), ("PERSON:mike christie", "EMAIL_ADDRESS:mc@redhat.x"),
        ("PERSON:michael christie", "PERSON:michael christie"), ("PERSON:michael christie", "PERSON:mike christie"),
        ("PERSON:michael christie", "EMAIL_ADDRESS:michael.christie@oracle.x"),
        ("EMAIL_ADDRESS:mc@redhat.x", "EMAIL_ADDRESS:mc@redhat.x"),  # his address alone, in another message
        ("PERSON:lee duncan", "PERSON:lee duncan"), ("PERSON:lee duncan", "PERSON:lee"),
        ("PERSON:lee", "PERSON:lee"),  # a lone 'Lee' elsewhere: not guessed to be Lee Duncan
        ("PERSON:lee", "EMAIL_ADDRESS:lduncan@suse.x"), ("PERSON:lee duncan", "EMAIL_ADDRESS:lduncan@suse.x"),
        ("PHONE_NUMBER:5035550142", "PHONE_NUMBER:5035550142"),
    ]
    weights = {"PERSON:mike christie": 40, "PERSON:michael christie": 3}
    asked = case_questions(members, weights)
    mike = {asked[g] for g in ("PERSON:mike christie", "PERSON:michael christie", "EMAIL_ADDRESS:mc@redhat.x")}
    assert mike == {"PERSON:mike christie"}  # named after the form written most often
    # 'Lee' written with Lee Duncan's address is him; the same one word written alone is a question of its own
    assert asked["PERSON:lee duncan"] == "PERSON:lee duncan"
    assert asked["PHONE_NUMBER:5035550142"] == "PHONE_NUMBER:5035550142"
    lone = case_questions([("PERSON:lee", "PERSON:lee")])
    assert lone == {"PERSON:lee": "PERSON:lee"}
    assert len(set(asked.values())) == 3


@pytest.fixture()
def scanned(small_case: Case, engine: PiiEngine) -> Case:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    return small_case


def _sam(case: Case):  # type: ignore[no-untyped-def]
    (sam,) = [q for q in list_questions(case.store, parse_query("type:PERSON nakagawa"))
              if q.lead.question_key == "PERSON:sam nakagawa"]
    return sam


def test_scopes_case_message_and_place(scanned: Case) -> None:
    store = scanned.store
    sam = _sam(scanned)
    assert sam.messages == 3  # To of m1 and m3, From and signature of m2: one question
    by_message: dict[str, list[int]] = {}
    for s in sam.spans:
        by_message.setdefault(s.message_id, []).append(s.id)
    here, *others = sorted(by_message, key=lambda m: -len(by_message[m]))
    # a message decision first, then the case decision: the message keeps its own
    decisions.decide_ids(store, [by_message[here][0]], "rejected", actor="ann", scope="message")
    case_wide = decisions.decide_ids(store, [by_message[others[0]][0]], "accepted", actor="ann")
    assert case_wide.kept == len(by_message[here]) and case_wide.messages == len(others)
    status = {s.id: s.status for s in message_suggestions(store, here)}
    assert {status[i] for i in by_message[here]} == {"rejected"}
    assert _sam(scanned).status == "accepted"  # no place pending; accepted where not kept
    # undoing the message's own decision gives it the question's decision again
    decisions.decide_ids(store, [by_message[here][0]], "pending", actor="ann", scope="message")
    assert {s.status for s in _sam(scanned).spans} == {"accepted"}
    # one place alone
    one = decisions.decide_ids(store, [by_message[here][-1]], "rejected", actor="ann", scope="place")
    assert one.places == 1
    assert sum(s.status == "rejected" for s in _sam(scanned).spans) == 1
    # a case undo resets every place, overrides too
    decisions.decide_ids(store, [sam.id], "pending", actor="ann")
    assert {(s.status, s.decision_scope) for s in _sam(scanned).spans} == {("pending", "")}
    entry = json.loads(str(store.scalar("SELECT detail FROM audit WHERE action='pii.reject' ORDER BY id DESC")))
    assert entry["scope"] == "place" and entry["question"] == "PERSON:sam nakagawa"


def test_counts_report_case_questions_and_the_per_message_view(scanned: Case) -> None:
    figures = question_figures(scanned.store)
    assert figures["messages"] == 3
    assert figures["questions"] < figures["message_questions"] < figures["places"]
    assert figures["per_message"] == round(figures["questions"] / 3, 2)
    status = scan_status(scanned)
    assert status.questions == figures and sum(status.suggestions.values()) == figures["questions"]


def test_cli_scope_and_counts(scanned: Case) -> None:
    runner = CliRunner()
    case_dir = str(scanned.path)
    sam = _sam(scanned)
    place = next(s for s in sam.spans if s.field == "body")
    result = runner.invoke(discovery_cli, ["pii", "accept", str(sam.id), "--case", case_dir, "--reviewer", "ann",
                                           "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["changed"] == 1 and data["places"] == sam.places and data["messages"] == 3 and data["scope"] == "case"
    result = runner.invoke(discovery_cli, ["pii", "reject", str(place.id), "--scope", "place", "--case", case_dir,
                                           "--reviewer", "ann"])
    assert result.exit_code == 0 and "1 place(s) in 1 message(s), this place only" in result.output
    result = runner.invoke(discovery_cli, ["pii", "status", "--case", case_dir])
    assert result.exit_code == 0 and "per message" in result.output and "across the case" in result.output
    result = runner.invoke(discovery_cli, ["pii", "list", "nakagawa", "--case", case_dir, "--json"])
    listed = json.loads(result.output)
    assert listed["total"] == 1 and listed["suggestions"][0]["messages"] == 3


@pytest.mark.skipif(not (CORPORA / "mbox-open-iscsi").exists(), reason="../shared/corpora is absent")
def test_open_iscsi_asks_at_most_five_questions_per_message(tmp_path, engine: PiiEngine) -> None:  # type: ignore[no-untyped-def]
    with Case(tmp_path / "case") as case:
        case.ingest([CORPORA / "mbox-open-iscsi"])
        scan_case(case, policy=OFFLINE, engine=engine, limit=300)
        figures = question_figures(case.store)
        scanned = int(case.store.scalar("SELECT count(*) FROM pii_scans") or 0)
        per_scanned = figures["questions"] / scanned
        assert per_scanned <= 5, figures
        assert figures["message_questions"] / scanned > per_scanned  # what the join saves
