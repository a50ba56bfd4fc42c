"""Tests the scan's block cache: blocks() cuts quoted runs and forwarded messages and covers the text end to end,
and an engine that re-uses the findings of repeated blocks, addresses and headers finds exactly what an engine
analysing every text afresh finds (fixtures written here; a shared release where it is present)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pii_helpers import build_case

from discovery import Case
from discovery.pii.blocks import blocks, boundaries
from discovery.pii.engine import PiiEngine, resolve_engine
from discovery.pii.fields import MessageFields, load_fields
from discovery.pii.names import learn_from_store
from discovery.pii.types import Finding

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

PARENT = ("Hi Chris,\n\nThe session recovery in iscsid retries the login forever when the target resets. Sasha "
          "Levin saw it on 5.10 as well; call Dana Whitfield at 503-555-0142 if the lab is down.\n\n"
          + "The log shows the connection dropping every few seconds, then the login again.\n" * 8
          + "\nThanks,\nLee\n\nLee Duncan\n")
QUOTED = "".join(f"> {line}\n" if line else ">\n" for line in PARENT.splitlines())
FORWARDED = ("-----Original Message-----\nFrom: Collier, Tameka (BEGA)\nSent: Monday, March 5, 2018 9:12 AM\n"
             "To: Grimaldi, John J. (BEGA) <john.grimaldi@dc.gov>\nSubject: Agenda\n\nJohn,\n\n"
             + "Please see the agenda for the board meeting; Sonia Weil will present the ethics item.\n" * 9
             + "\nThanks,\nTameka\n202-555-0144\n")
REPORT = ("ETHICS BOARD REPORT\n\nPrepared by Traci Hughes, 441 4th Street NW, Washington, DC 20001.\n"
          + "The board met and reviewed the complaints filed in the last quarter of the year.\n" * 15).encode()


def _mails() -> list[dict[str, object]]:
    return [
        dict(name="p1", sender="Lee Duncan <lduncan@suse.example>", to=["Chris Leech <cleech@redhat.example>"],
             subject="iscsid retries", body=PARENT, attachments=[("report.txt", REPORT)]),
        dict(name="p2", sender="Chris Leech <cleech@redhat.example>", to=["Lee Duncan <lduncan@suse.example>"],
             subject="Re: iscsid retries", minutes=5,
             body="On Tue, Lee Duncan wrote:\n" + QUOTED + "\nAgreed, I will send a patch.\n\nChris\n"),
        dict(name="p3", sender="Sasha Levin <sashal@kernel.example>", to=["Lee Duncan <lduncan@suse.example>"],
             subject="Re: iscsid retries", minutes=9, attachments=[("report.txt", REPORT)],
             body="Same here.\n\nSasha\n\nOn Tue, Lee Duncan wrote:\n" + QUOTED),
        dict(name="b1", sender='"Grimaldi, John J. (BEGA)" <john.grimaldi@dc.gov>',
             to=['"Collier, Tameka (BEGA)" <tameka.collier@dc.gov>'], subject="RE: Agenda", minutes=20,
             body="Tameka,\n\nLooks good. Ask Brian Flowers to print it.\n\nJack\n\n" + FORWARDED),
        dict(name="b2", sender='"Flowers, Brian (BEGA)" <brian.flowers@dc.gov>',
             to=['"Grimaldi, John J. (BEGA)" <john.grimaldi@dc.gov>'], subject="RE: Agenda", minutes=30,
             body="Printed.\n\nBrian\n\n" + FORWARDED),
    ]


def _sorted(findings: list[Finding]) -> list[tuple[object, ...]]:
    return sorted((f.field, f.start, f.end, f.entity_type, f.score, f.recognizer, f.text, repr(f.explanation))
                  for f in findings)


def _compare(items: list[MessageFields], cached: PiiEngine, fresh: PiiEngine, batch: int = 8) -> int:
    """Scan items in batches with both engines; assert equal results; return the number of findings."""
    total = 0
    for i in range(0, len(items), batch):
        part = items[i : i + batch]
        for item, (a, pa), (b, pb) in zip(part, cached.analyze_messages(part), fresh.analyze_messages(part),
                                          strict=True):
            assert _sorted(a) == _sorted(b), item.message_id
            assert [p.to_dict() for p in pa] == [p.to_dict() for p in pb]
            texts = {f.key: f.text for f in item.fields}
            assert all(texts[f.field][f.start : f.end] == f.text for f in a)  # re-based to this occurrence
            total += len(a)
    return total


def test_blocks_cover_the_text_and_cut_quotes_and_forwards() -> None:
    body = "Agreed.\n\nOn Tue, Lee Duncan wrote:\n" + QUOTED + "\nChris\n\n" + FORWARDED
    parts = blocks(body)
    assert "".join(text for _, text in parts) == body
    assert all(body[offset : offset + len(text)] == text for offset, text in parts)
    assert "\n" + QUOTED.rstrip("\n") in [text for _, text in parts]  # alone: it recurs in other replies
    assert any(text.startswith("\n-----Original Message-----\nFrom:") for _, text in parts)
    assert blocks(body) == parts and blocks("short text") == [(0, "short text")]
    assert boundaries("a\n> b\n>\n> c\n\nd\n") == [1, 11]  # a bare ">" keeps a quoted run, a blank line ends it


def test_cached_scan_equals_a_fresh_scan(tmp_path: Path) -> None:
    case = build_case(tmp_path, _mails())
    try:
        names = learn_from_store(case.store)
        items = load_fields(case.store, [r[0] for r in case.store.rows("SELECT id FROM messages ORDER BY id")],
                            transport=False)
    finally:
        case.close()
    spec = resolve_engine("offline")
    cached, fresh = PiiEngine(spec, names), PiiEngine(spec, names, cache=False)
    calls = {"n": 0}
    analyze = cached.analyzer.analyze

    def counting(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        return analyze(*args, **kwargs)

    cached.analyzer.analyze = counting  # type: ignore[method-assign]
    assert _compare(items, cached, fresh, batch=2) > 20
    texts = sum(1 for item in items for f in item.fields
                for _ in (blocks(f.text) if f.kind in ("body", "attachment") else [None]))
    assert calls["n"] < texts - 4  # the quoted run, the forwarded message, the report and the addresses: once
    found = {(f.field, f.text) for f, in ((x,) for r in cached.analyze_messages(items) for x in r[0])}
    assert ("body", "Dana Whitfield") in found and ("body", "Sonia Weil") in found  # found in re-used blocks too


def test_cached_scan_equals_a_fresh_scan_on_a_release(tmp_path: Path) -> None:
    source = CORPORA / "dc-bega-foia"
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared corpora are not on this machine)")
    files = sorted(p for p in source.rglob("*.eml"))[:60]  # enough for threads that repeat earlier messages
    folder = tmp_path / "release"
    for i, path in enumerate(files):
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / f"{i:03d}-{path.name}")
    with Case(tmp_path / "case") as case:
        case.ingest([folder])
        names = learn_from_store(case.store)
        items = load_fields(case.store, [r[0] for r in case.store.rows("SELECT id FROM messages ORDER BY id")],
                            transport=False)
    spec = resolve_engine("offline")
    assert _compare(items, PiiEngine(spec, names), PiiEngine(spec, names, cache=False), batch=16) > 100
