"""Tests the splitter on the print layouts of Lotus Notes, Gmail and Apple Mail: fixtures printed by the sample
generator's own code (as text-layer PDFs and as a release's text), From, Date and Subject checked against their gold."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from discovery.ingest.base import Origin
from discovery.ingest.release import read_pdf, read_text_release
from discovery.model import Message
from discovery.synthetic.printouts import PrintedRelease, pick, print_release
from discovery.synthetic.samples import _is_hcso, build_corpus, gold_fields

LAYOUTS = ("lotus", "gmail", "apple")


@pytest.fixture(scope="module")
def chosen() -> tuple[list[Any], dict[str, Any]]:
    specs = build_corpus()
    fields = {spec.key: gold_fields(spec) for spec in specs}
    return pick(specs, fields, _is_hcso), fields


def _read(release: PrintedRelease, form: str, tmp_path: Path) -> list[Message]:
    path = tmp_path / ("release.pdf" if form == "pdf" else "release.txt")
    if form == "pdf":
        path.write_bytes(release.pdf)
        items = read_pdf(path, Origin(str(path)))
    else:
        path.write_text(release.text, encoding="utf-8")
        items = read_text_release(path, Origin(str(path)))
    return [m for m in items if isinstance(m, Message)]


def _sender_ok(msg: Message, gold: dict[str, Any], layout: str) -> bool:
    if not msg.sender:
        return False
    if layout == "lotus" and gold["from_email"].endswith("@harlowcounty-or.example"):
        name = gold["from_name"]
        first_last = " ".join(reversed(name.split(", "))) if ", " in name else name
        return msg.sender[0].name == first_last and not msg.sender[0].email  # a Notes name holds no address
    return msg.sender[0].email == gold["from_email"]


def _date_ok(msg: Message, gold: dict[str, Any], layout: str) -> bool:
    if msg.date is None:
        return False
    if layout == "apple":  # Apple Mail prints the zone: the instant is known
        return msg.date.astimezone(UTC).isoformat()[:16] == gold["date_utc"]
    return msg.date.isoformat()[:16] == gold["date"]  # wall-clock time, no zone printed


@pytest.mark.parametrize("form", ["pdf", "text"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_recovers_from_date_subject_and_pages(chosen: tuple[list[Any], dict[str, Any]], layout: str,
                                                          form: str, tmp_path: Path) -> None:
    specs, fields = chosen
    release = print_release(specs, fields, layout)
    messages = _read(release, form, tmp_path)
    assert [(m.page_first, m.page_last) for m in messages] == [(g["page_first"], g["page_last"]) for g in release.gold]
    for msg, gold in zip(messages, release.gold, strict=True):
        assert msg.item_kind == "email"
        assert _sender_ok(msg, gold, layout), (msg.sender, gold["from"])
        assert _date_ok(msg, gold, layout), (msg.date, msg.date_raw, gold["date"])
        assert msg.subject == gold["subject"]
        assert msg.bates_first == gold["bates_first"]
        assert msg.split_confidence >= 0.9


def test_a_gmail_conversation_print_is_one_message_per_sender_line() -> None:
    from discovery.ingest.printed import split_pages

    page = """Gmail    Records Unit <records.hcso@gmail.example>

Budget meeting
3 messages

Dana Whitfield <dwhitfield@harlowcounty-or.example>    Mon, Apr 10, 2017 at 9:00 AM
To: Olivia Castellanos <ocastellanos@harlowcounty-or.example>

Can we meet Thursday?

Olivia Castellanos <ocastellanos@harlowcounty-or.example>    Mon, Apr 10, 2017 at 9:30 AM
To: Dana Whitfield <dwhitfield@harlowcounty-or.example>

Thursday at 2 works.
[Quoted text hidden]

Dana Whitfield <dwhitfield@harlowcounty-or.example>    Mon, Apr 10, 2017 at 10:02 AM
To: Olivia Castellanos <ocastellanos@harlowcounty-or.example>
Cc: Brent Kasprzak <bkasprzak@cirrusweb.example>

See you then."""
    items = split_pages([page])
    assert [i.kind for i in items] == ["email"] * 3
    assert [i.fields["subject"] for i in items] == ["Budget meeting"] * 3
    assert [i.fields["date"] for i in items] == ["Mon, Apr 10, 2017 at 9:00 AM", "Mon, Apr 10, 2017 at 9:30 AM",
                                                 "Mon, Apr 10, 2017 at 10:02 AM"]
    assert items[1].body.startswith("Thursday at 2 works.") and "bkasprzak" in items[2].fields["cc"]
