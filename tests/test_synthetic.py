"""Tests for discovery.synthetic: samples/ is exactly what the generator writes, and its gold holds."""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from email.message import EmailMessage
from pathlib import Path

import pytest

from discovery.synthetic import generate_bulk, generate_samples
from discovery.synthetic import reference as ref

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

Copy = tuple[str, bytes, EmailMessage]


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    generate_samples(out)
    return out


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    with (SAMPLES / "gold.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def by_id(gold: list[dict]) -> dict[str, dict]:
    """Every Message-ID (canonical and alternative) to its gold record."""
    out: dict[str, dict] = {}
    for record in gold:
        for mid in [record["message_id"], *record.get("alt_message_ids", [])]:
            assert mid not in out, f"Message-ID {mid} appears in two gold records"
            out[mid] = record
    return out


@pytest.fixture(scope="module")
def copies() -> list[Copy]:
    return [(location, raw, ref.parse(raw)) for location, raw in ref.iter_copies(SAMPLES)]


def test_shipped_samples_equal_a_fresh_generation(fresh: Path) -> None:
    shipped, generated = _files(SAMPLES), _files(fresh)
    assert sorted(shipped) == sorted(generated), "samples/ has extra or missing files: regenerate it"
    changed = [name for name in generated if shipped[name].read_bytes() != generated[name].read_bytes()]
    assert not changed, (
        f"samples/ differs from the generator in {changed[:5]}: python -m discovery.synthetic samples"
    )


def test_every_copy_is_in_gold_and_every_gold_copy_exists(
    gold: list[dict], by_id: dict[str, dict], copies: list[Copy]
) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for location, _raw, msg in copies:
        mid = msg["Message-ID"]
        assert mid in by_id, f"{location}: Message-ID {mid} not in gold.jsonl"
        seen[by_id[mid]["message_id"]].append(location)
    for record in gold:
        assert sorted(seen[record["message_id"]]) == record["copies"], record["message_id"]


def _field_texts(msg: EmailMessage, with_pdf: bool) -> dict[str, str]:
    texts = {
        "subject": ref.subject_text(msg),
        "from": ref.address_text(msg, "From"),
        "to": ref.address_text(msg, "To"),
        "cc": ref.address_text(msg, "Cc"),
        "body": ref.body_text(msg),
    }
    for name, part in ref.attachments(msg):
        if name.lower().endswith(".pdf") and not with_pdf:
            continue
        text = ref.attachment_text(name, part)
        if text is not None:
            texts[f"attachment:{name}"] = text
    return texts


def test_gold_spans_match_the_text_of_every_copy(by_id: dict[str, dict], copies: list[Copy]) -> None:
    try:
        import pymupdf  # noqa: F401

        with_pdf = True
    except ImportError:  # the PDF spans are then left unchecked
        with_pdf = False
    checked = 0
    for location, _raw, msg in copies:
        record = by_id[msg["Message-ID"]]
        texts = _field_texts(msg, with_pdf)
        for span in record["pii"]:
            field = span["field"]
            if field not in texts:
                assert field.endswith(".pdf") and not with_pdf, f"{location}: no field {field}"
                continue
            got = texts[field][span["start"] : span["end"]]
            assert got == span["text"], f"{location} {field} {span}: found {got!r}"
            checked += 1
    assert checked > 5000


def test_gold_labels_and_types(gold: list[dict]) -> None:
    assert 280 <= len(gold) <= 320
    for record in gold:
        assert isinstance(record["labels"], list) and record["thread"]
    sales = [r for r in gold if "sales_outreach" in r["labels"]]
    assert 30 <= len(sales) <= 70
    noise = [r for r in gold if "noise" in r["labels"]]
    assert 0.3 <= len(noise) / len(gold) <= 0.5
    types = {span["type"] for r in gold for span in r["pii"]}
    assert types == {
        "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "DATE_OF_BIRTH", "US_SSN",
        "US_DRIVER_LICENSE", "LICENSE_PLATE", "BOOKING_NUMBER", "CASE_NUMBER", "BADGE_NUMBER", "IP_ADDRESS",
    }  # fmt: skip


def test_contact_details_are_fictional(gold: list[dict]) -> None:
    for record in gold:
        for span in record["pii"]:
            text = span["text"]
            if span["type"] == "EMAIL_ADDRESS":
                assert text.endswith(".example"), text
            elif span["type"] == "PHONE_NUMBER":
                assert re.search(r"555[-. ]?01\d\d$", text) or re.fullmatch(r"x\d-01\d\d", text), text
            elif span["type"] == "IP_ADDRESS":
                ip = ipaddress.ip_address(text)
                documentation = any(
                    ip in ipaddress.ip_network(net)
                    for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
                )
                assert ip.is_private or documentation, text


def _readme_number(text: str, label: str) -> int:
    match = re.search(rf"\| {re.escape(label)} \| (\d+)", text)
    assert match, f"README has no row {label!r}"
    return int(match.group(1))


def test_overlap_counts_are_what_the_readme_states(
    gold: list[dict], by_id: dict[str, dict], copies: list[Copy]
) -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    groups: dict[str, list[bytes]] = defaultdict(list)
    for _location, raw, msg in copies:
        groups[by_id[msg["Message-ID"]]["message_id"]].append(raw)
    identical = [g for g in groups.values() if len(g) > 1 and len(set(g)) == 1]
    different = [g for g in groups.values() if len(set(g)) > 1]
    assert _readme_number(readme, "message copies in all containers") == len(copies)
    assert _readme_number(readme, "distinct messages (lines in gold.jsonl)") == len(groups) == len(gold)
    assert _readme_number(readme, "distinct messages found byte-identical in 2-3 places") == len(identical)
    assert _readme_number(readme, "distinct messages with *different* copies") == len(different)
    assert 25 <= len(identical) <= 35 and 8 <= len(different) <= 14
    assert all(len(g) <= 3 for g in groups.values())


def test_mbox_is_mboxrd_with_an_escaped_from_line() -> None:
    data = (SAMPLES / ref.MBOX).read_bytes()
    assert b"\n>From a records standpoint" in data
    bodies = [ref.body_text(ref.parse(raw)) for raw in ref.read_mboxrd(data)]
    assert any(line.startswith("From a records standpoint") for b in bodies for line in b.split("\n"))


def test_bulk_generation_is_deterministic_and_parses(tmp_path: Path) -> None:
    first = generate_bulk(tmp_path / "a.mbox", 2000, seed=7)
    second = generate_bulk(tmp_path / "b.mbox", 2000, seed=7)
    data = (tmp_path / "a.mbox").read_bytes()
    assert data == (tmp_path / "b.mbox").read_bytes()
    assert first.messages == second.messages == 2000 and first.duplicates > 0 and first.with_attachments > 0
    messages = ref.read_mboxrd(data)
    assert len(messages) == 2000
    sizes = sorted(len(m) for m in messages)
    assert 2000 <= sizes[len(sizes) // 2] <= 5000
    for raw in messages[::50]:
        msg = ref.parse(raw)
        assert msg["Message-ID"] and msg["Date"] and ref.body_text(msg)
    assert generate_bulk(tmp_path / "c.mbox", 200, seed=8).bytes != first.bytes
