"""Tests 'pii eval': the arithmetic on a tiny hand-checked gold file, gold-file errors, the samples' targets in
offline mode, and person names on the Enron CoNLL annotations (skipped where ../shared/corpora is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pii_helpers import OFFLINE

from discovery import Case
from discovery.errors import UsageError
from discovery.pii.engine import PiiEngine
from discovery.pii.evaluate import Counts, evaluate_case, evaluate_conll, load_gold, read_conll, score
from discovery.pii.policy import Policy, PolicyFilter
from discovery.pii.scan import scan_case

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ENRON = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "enron-entity-annotations"


def test_score_arithmetic_by_hand() -> None:
    gold = [("m1", "body", 0, 5, "PERSON"), ("m1", "body", 10, 20, "PERSON"), ("m1", "body", 30, 42, "PHONE_NUMBER"),
            ("m2", "subject", 0, 4, "CASE_NUMBER")]
    pred = [("m1", "body", 0, 5, "PERSON"),  # exact
            ("m1", "body", 12, 20, "PERSON"),  # overlaps gold 10-20 only
            ("m1", "body", 30, 42, "EMAIL_ADDRESS"),  # right span, wrong type: wrong twice
            ("m1", "body", 50, 55, "PERSON"),  # nothing there
            ("m2", "body", 0, 4, "CASE_NUMBER")]  # right offsets, wrong field
    exact, overlap = score(gold, pred)
    person = exact.by_type["PERSON"]
    assert (person.gold, person.predicted, person.gold_found, person.predicted_right) == (2, 3, 1, 1)
    assert person.precision == pytest.approx(1 / 3) and person.recall == pytest.approx(1 / 2)
    assert person.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert overlap.by_type["PERSON"].gold_found == 2 and overlap.by_type["PERSON"].predicted_right == 2
    assert exact.by_type["PHONE_NUMBER"].recall == 0 and exact.by_type["EMAIL_ADDRESS"].precision == 0
    total = exact.overall
    assert (total.gold, total.predicted, total.gold_found, total.predicted_right) == (4, 5, 1, 1)
    assert Counts().precision == 1.0 and Counts(gold=1).precision == 0.0 and Counts().recall == 1.0


def test_gold_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"message_id": "<a@x>", "pii": []}\n\n{"message_id": "<b@x>", "pii": [{"field": "body"}]}\n')
    with pytest.raises(UsageError, match=r"gold.jsonl:3"):
        load_gold(path)


def test_evaluate_case_maps_fields_and_copies(small_case: Case, engine: PiiEngine, tmp_path: Path) -> None:
    scan_case(small_case, policy=OFFLINE, engine=engine)
    store = small_case.store
    body = store.rows("SELECT body_text FROM messages WHERE message_id='<m1@test.example>'")[0][0]
    to = "Sam Nakagawa <sam@county.example>"
    start = body.index("503-555-0142")
    gold = [
        {"message_id": "<m1@test.example>", "pii": [
            {"field": "body", "start": start, "end": start + 12, "type": "PHONE_NUMBER", "text": "503-555-0142"},
            {"field": "to", "start": 0, "end": 12, "type": "PERSON", "text": "Sam Nakagawa"},
            # one character short of the address: an overlap, not an exact match
            {"field": "to", "start": 14, "end": 31, "type": "EMAIL_ADDRESS", "text": "sam@county.exampl"},
            {"field": "subject", "start": 5, "end": 14, "type": "CASE_NUMBER", "text": "17-018832"},
            {"field": "body", "start": 0, "end": 3, "type": "PERSON", "text": "???"}]},  # misaligned: left out
        {"message_id": "<nowhere@x>", "pii": []},
    ]
    assert to[14:31] == "sam@county.exampl"
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in gold))
    result = evaluate_case(store, path)
    assert result.matched == 1 and result.missing == ["<nowhere@x>"]
    assert result.unaligned_fields and result.unaligned_fields[0]["field"] == "body"
    assert result.exact.by_type["CASE_NUMBER"].recall == 1.0
    assert result.exact.by_type["PERSON"].gold_found == 1  # 'to' offsets line up with the rendered addresses
    assert result.overlap.by_type["EMAIL_ADDRESS"].gold_found == 1 and result.exact.by_type[
        "EMAIL_ADDRESS"].gold_found == 0


def test_samples_meet_the_offline_targets(samples_case: Path) -> None:
    with Case(samples_case, readonly=True) as case:
        result = evaluate_case(case.store, SAMPLES / "gold.jsonl")
    assert result.matched == result.messages and not result.missing
    # invite.ics: the case stores a readable summary before the source the gold offsets point into; realigned
    assert result.unaligned_spans == 0 and not result.unaligned_fields
    assert result.unscored_predictions.get("(outside the gold text of its field)", 0) > 0
    exact = result.exact.by_type
    assert exact["EMAIL_ADDRESS"].recall >= 0.98 and exact["PHONE_NUMBER"].recall >= 0.98
    assert exact["PERSON"].recall >= 0.90 and exact["PERSON"].precision >= 0.80
    for entity, counts in exact.items():
        assert counts.recall >= 0.9 and counts.precision >= 0.9, (entity, counts.to_dict())


@pytest.mark.corpora
def test_enron_person_names(engine: PiiEngine) -> None:
    if not ENRON.exists():
        pytest.skip(f"shared corpus not present: {ENRON}")
    paths = sorted((ENRON / "train").glob("*.conll"))
    docs = read_conll(paths[0])
    assert docs and docs[0].persons and all(docs[0].text[s:e].strip() for s, e in docs[0].persons)
    saved = engine.names
    try:
        exact, overlap, n = evaluate_conll(paths, engine, PolicyFilter.build(Policy()))
    finally:
        engine.names = saved
    person = overlap.by_type["PERSON"]
    assert n == 36 and person.gold > 1000
    assert person.recall >= 0.85 and person.precision >= 0.90, person.to_dict()
    assert exact.by_type["PERSON"].f1 >= 0.85


def test_untyped_dev_files_are_read_only_when_asked(tmp_path: Path) -> None:
    """The COLING dev layout (two tabs between columns, mentions '(0' ... '0)' without a type)."""
    rows = [("Hi", "-", "-"), ("Tina", "(0", "(1"), ("Valadez", "0)", "1)"), ("at", "-", "-"), ("Koch", "(0", "(2"),
            ("Co", "0)", "2)"), ("and", "-", "-"), ("she", "(0)", "(1)")]
    path = tmp_path / "dev.1.conll"
    path.write_text("#begin document farmer-d_1.txt\n" + "".join(
        f"{tok}\t\t1\t\t1\t\tTina\t\t-\t\t{mark}\t\t{cluster}\n" for tok, mark, cluster in rows)
        + "#end document\n", encoding="utf-8")
    assert read_conll(path) == []  # no entity types: not scored for PERSON
    (doc,) = read_conll(path, untyped=True)
    assert doc.text == "Hi Tina Valadez at Koch Co and she"
    assert [doc.text[s:e] for s, e in doc.persons] == ["Tina Valadez", "Koch Co"]  # named mentions, no pronoun
