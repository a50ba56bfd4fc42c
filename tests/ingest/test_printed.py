"""Tests the printed-email splitter, exemption labels and Bates numbers on strings (no files)."""

from __future__ import annotations

from discovery.ingest.exemptions import find_bates, find_labels
from discovery.ingest.pagetext import Word, deskew, lines_from_words
from discovery.ingest.printed import parse_printed_date, split_pages

OUTLOOK = """Records Unit, HCSO

From:        Whitfield, Dana <dwhitfield@harlowcounty-or.example>
Sent:        Tuesday, April 11, 2017 5:00 PM
To:          Brent Kasprzak <bkasprzak@cirrusweb.example>; Castellanos, Olivia
             <ocastellanos@harlowcounty-or.example>
Subject:     RE: Cirrus Recognize - Harlow County

Thanks Brent, Thursday works.

From: Brent Kasprzak [mailto:bkasprzak@cirrusweb.example]
Sent: Tuesday, April 11, 2017 10:12 AM
To: Whitfield, Dana
Subject: Cirrus Recognize - Harlow County

Hi Dana, call me at (b)(6) any time.

                                                               HCSO-000004"""


def test_outlook_table_layout_with_a_quoted_block_and_a_wrapped_to() -> None:
    [item] = split_pages([OUTLOOK])
    assert item.kind == "email" and item.fields["from"].startswith("Whitfield, Dana <")
    assert item.fields["subject"] == "RE: Cirrus Recognize - Harlow County"
    assert "ocastellanos@harlowcounty-or.example" in item.fields["to"]  # the wrapped To line joined
    assert "Brent Kasprzak [mailto:" in item.body  # the quoted header stays in the body
    assert item.quoted and item.quoted[0]["date"] == "Tuesday, April 11, 2017 10:12 AM"
    assert item.bates_first == item.bates_last == "HCSO-000004"
    assert "HCSO-000004" not in item.body and item.confidence == 1.0
    when, note = parse_printed_date(item.fields["date"])
    assert when is not None and when.isoformat() == "2017-04-11T17:00:00+00:00" and "no time zone" in note


def test_each_page_topped_by_a_table_block_is_a_new_message_and_a_quoted_block_continues() -> None:
    second = OUTLOOK.replace("HCSO-000004", "HCSO-000005").replace("RE: Cirrus", "FW: Cirrus")
    continuation = "From: Someone Else\nSent: Monday, April 10, 2017 9:00 AM\nTo: Dana\nSubject: older\n\nquoted."
    items = split_pages([OUTLOOK, continuation, second])
    assert [(i.page_first, i.page_last) for i in items] == [(1, 2), (3, 3)]
    assert "quoted." in items[0].body and "\f" in items[0].source_text
    assert items[1].fields["subject"].startswith("FW:") and items[1].bates_first == "HCSO-000005"


def test_labels_in_a_column_then_values() -> None:
    page = ("From:\nTo:\nSubject:\nDate:\nAttachments:\n\nWalker, Steven (EOM)\nCollier, Tameka (BEGA)\nRe: BEGA\n"
            "Thursday, December 07, 2017 8:38:23 AM\nimage001.png\n\nSure, I'm free until 8:55.")
    [item] = split_pages([page])
    assert item.fields == {"from": "Walker, Steven (EOM)", "to": "Collier, Tameka (BEGA)", "subject": "Re: BEGA",
                           "date": "Thursday, December 07, 2017 8:38:23 AM", "attachments": "image001.png"}
    assert item.body == "Sure, I'm free until 8:55."


def test_outlook_web_print_layout() -> None:
    page = ("Re: Chair's Phone No.\n\nGrimaldi, John J. (BEGA)\nFri 2/16/2018 9:59 PM\n"
            "To:Mitchell, Katherine (Council) <kmitchell@DCCOUNCIL.US>;\n\nHere it is.")
    [item] = split_pages([page])
    assert item.fields["subject"] == "Re: Chair's Phone No." and item.fields["from"] == "Grimaldi, John J. (BEGA)"
    assert parse_printed_date(item.fields["date"])[0].isoformat() == "2018-02-16T21:59:00+00:00"  # type: ignore[union-attr]


def test_a_cover_letter_before_the_first_email_and_a_page_without_mail_are_documents() -> None:
    letter = "Dear Ms. Reporter,\n\n" + "Enclosed are the records responsive to your request of May 1, 2019. " * 3
    items = split_pages([letter, OUTLOOK])
    assert [i.kind for i in items] == ["document", "email"]
    assert items[0].title == "Dear Ms. Reporter," and items[0].fields["date"] == "May 1, 2019"
    [memo] = split_pages(["MEMORANDUM\n\nThe board met on March 3, 2018 and decided nothing."])
    assert memo.kind == "document" and memo.body.startswith("MEMORANDUM")
    assert split_pages([]) == []


def test_exemption_labels_and_redaction_words() -> None:
    text = "call (b)(6) or (b) (7)(C), B6 B5 and [REDACTED]; Carol_Redacted.pdf; not B52 or AB6"
    assert [h.code for h in find_labels(text)] == ["b6", "b7c", "b6", "b5", "redacted", "redacted"]
    assert find_labels("nothing here, Bob") == []


def test_bates_numbers_near_the_top_or_bottom_of_a_page() -> None:
    assert find_bates(["banner", "body", "", "        STATE-5CB0045247"]) == "STATE-5CB0045247"
    assert find_bates(["HCSO-000123", "body text"]) == "HCSO-000123"
    assert find_bates(["Case No. F-2015-04841", "body", "Doc No. C05739545   2015"]) == ""


def test_lines_from_words_keep_table_gaps_and_deskew_levels_rotated_lines() -> None:
    words = [Word(56, 100, 80, 110, "From:"), Word(150, 100, 190, 110, "Dana"), Word(56, 114, 70, 124, "To:"),
             Word(74, 114, 100, 124, "Brent")]
    assert lines_from_words(words) == ["From:    Dana", "To: Brent"]
    slope = 0.02  # about 1.1 degrees: the end of a 500-point line sits 10 points lower
    tilted = [Word(x, 100 + slope * (x + 20), x + 40, 110 + slope * (x + 20), f"w{x}", group=1)
              for x in range(0, 500, 45)]
    assert len(lines_from_words(tilted)) > 1 and len(lines_from_words(deskew(tilted))) == 1
