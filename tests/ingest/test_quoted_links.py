"""Tests quoted chains as thread links: a printed reply joins the thread of the message its quoted header names
(same sender, date and subject), found among printed and mailbox messages alike; near misses stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery import Case
from discovery.ingest.printed import quoted_headers
from discovery.quoted_links import Candidate, Quoting, quoted_parents

ORIGINAL = """RELEASED UNDER ORS 192

From:        Whitfield, Dana <dwhitfield@harlowcounty-or.example>
Sent:        Monday, April 10, 2017 9:00 AM
To:          Brent Kasprzak <bkasprzak@cirrusweb.example>
Subject:     Update

Brent, where are we on the pilot?

                                                               HCSO-000010"""

REPLY = """RELEASED UNDER ORS 192

From:        Brent Kasprzak <bkasprzak@cirrusweb.example>
Sent:        Monday, April 10, 2017 11:40 AM
To:          Whitfield, Dana <dwhitfield@harlowcounty-or.example>
Subject:     RE: Update

On track for May.

From: Whitfield, Dana [mailto:dwhitfield@harlowcounty-or.example]
Sent: Monday, April 10, 2017 9:00 AM
To: Brent Kasprzak
Subject: Update

Brent, where are we on the pilot?

                                                               HCSO-000011"""

# Same subject and sender, but the quoted date is not that of any message in the case.
STRAY = REPLY.replace("Sent: Monday, April 10, 2017 9:00 AM", "Sent: Friday, April 7, 2017 4:13 PM").replace(
    "HCSO-000011", "HCSO-000012").replace("11:40 AM", "11:55 AM").replace("On track for May.", "Still waiting.")

MAILBOX_ORIGINAL = """From: Dana Whitfield <dwhitfield@harlowcounty-or.example>
To: Brent Kasprzak <bkasprzak@cirrusweb.example>
Subject: Update
Date: Mon, 10 Apr 2017 09:00:00 -0700
Message-ID: <pilot-update-1@harlowcounty-or.example>

Brent, where are we on the pilot?
"""


def test_quoted_headers_lists_the_blocks_of_a_body_nearest_first() -> None:
    body = REPLY.split("Subject:     RE: Update\n", 1)[1]
    [quoted] = quoted_headers(body)
    assert quoted["subject"] == "Update" and quoted["date"] == "Monday, April 10, 2017 9:00 AM"


def test_a_quoted_header_matches_by_sender_subject_and_minute_across_a_zone_gap() -> None:
    quoted = {"from": "Whitfield, Dana", "date": "Monday, April 10, 2017 9:00 AM", "subject": "Update"}
    candidates = [
        Candidate("a", "Update", "2017-04-10T16:00:00+00:00", "Dana Whitfield", "dwhitfield@x.example"),  # UTC-7
        Candidate("b", "Update", "2017-04-10T16:07:00+00:00", "Dana Whitfield", "dwhitfield@x.example"),  # minutes
        Candidate("c", "Update", "2017-04-10T09:00:00+00:00", "Olivia Castellanos", "oc@x.example"),  # sender
    ]
    assert quoted_parents([Quoting("r", "2017-04-10T18:40:00+00:00", quoted)], candidates) == {"r": "a"}
    late = [Quoting("r", "2017-04-09T01:00:00+00:00", quoted)]  # a parent is never after its reply (beyond a zone)
    assert quoted_parents(late, candidates[:1]) == {}
    zoned = {**quoted, "date": "April 10, 2017 at 9:00:00 AM PDT"}  # printed with its zone: the instant counts
    assert quoted_parents([Quoting("r", "", zoned)], candidates) == {"r": "a"}
    assert quoted_parents([Quoting("r", "", {**zoned, "date": "April 10, 2017 at 9:00:00 AM EDT"})], candidates) == {}


def test_a_printed_reply_joins_the_printed_original_it_quotes(tmp_path: Path) -> None:
    release = tmp_path / "release.txt"
    release.write_text("\f".join([ORIGINAL, REPLY, STRAY]) + "\n", encoding="utf-8")
    with Case(tmp_path / "case") as case:
        case.ingest([release])
        rows = {r["bates_first"]: r for r in case.store.rows(
            "SELECT id, bates_first, thread_id, thread_parent FROM messages ORDER BY page_first")}
    original, reply, stray = rows["HCSO-000010"], rows["HCSO-000011"], rows["HCSO-000012"]
    assert reply["thread_parent"] == original["id"] and reply["thread_id"] == original["thread_id"]
    # "Update" is too common a subject to thread by: without a matching quoted header, the stray stays apart.
    assert stray["thread_id"] != original["thread_id"] and stray["thread_parent"] is None


def test_a_printed_reply_joins_the_mailbox_message_it_quotes(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "original.eml").write_text(MAILBOX_ORIGINAL, encoding="utf-8")
    (tmp_path / "src" / "release.txt").write_text(REPLY + "\n", encoding="utf-8")
    with Case(tmp_path / "case") as case:
        case.ingest([tmp_path / "src"])
        rows = case.store.rows("SELECT id, message_id, raw_format, thread_id, thread_parent FROM messages")
    by_format = {r["raw_format"]: r for r in rows}
    mailbox, printed = by_format["rfc822"], by_format["printed"]
    assert printed["thread_parent"] == mailbox["id"] and printed["thread_id"] == mailbox["thread_id"]


def test_dc_bega_printed_reply_joins_the_outlook_message_it_quotes(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "dc-bega-foia" / "20180313-BEGA-JT"
    printed = root / "Re_ possible to delay mtg a day or so_ _Redacted.pdf"
    original = root / "RE  possible to delay mtg a day or so   (35).msg.eml"
    if not (printed.exists() and original.exists()):
        pytest.skip(f"corpus dc-bega-foia not present at {root}")
    with Case(tmp_path / "case") as case:
        case.ingest([printed, original])
        rows = {r["raw_format"]: r for r in case.store.rows(
            "SELECT id, raw_format, thread_id, thread_parent, from_email FROM messages")}
    # The print-out quotes Alana Intrieri's "Friday, October 27, 2017 4:14 PM" (Eastern) reply: 20:14 UTC.
    assert rows["rfc822"]["from_email"] == "alana.intrieri@dc.gov"
    assert rows["printed"]["thread_parent"] == rows["rfc822"]["id"]
