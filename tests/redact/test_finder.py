"""Tests ValueFinder (one Aho-Corasick automaton over every value's forms) against the search it replaced (one
str.find loop per needle), and the leak check's reading of a big log in overlapping runs of lines."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.redact.finder import ValueFinder, _plausible, find_values
from discovery.redact.variants import CompactText, value_forms


def reference(fields: list[tuple[str, str]], needles: list[tuple[str, int]], marks: list[str]) -> list[tuple]:
    """The former pipeline.find_values: every needle searched on its own in the joined compact texts."""
    compacts = [CompactText.of(text) for _, text in fields]
    joined = "\x00".join(c.folded for c in compacts)
    starts, pos = [], 0
    for c in compacts:
        starts.append(pos)
        pos += len(c.folded) + 1
    found = set()
    for needle, vindex in needles:
        at = joined.find(needle)
        while at != -1:
            fi = bisect.bisect_right(starts, at) - 1
            c = compacts[fi]
            local = at - starts[fi]
            start, end = c.origin[local], c.origin[local + len(needle) - 1] + 1
            if c._boundary(start, end) and _plausible(c.text[start:end], marks[vindex]):
                found.add((fi, start, end, vindex))
            at = joined.find(needle, at + 1)
    return sorted(found)


VALUES = [("PERSON", "Dana Whitfield"), ("PERSON", "Whitfield, Dana"), ("PERSON", "Dana"), ("PHONE_NUMBER",
          "(503) 555-0142"), ("EMAIL_ADDRESS", "dwhitfield@county.example"), ("PERSON", "Ana"),
          ("PERSON", "José Núñez"), ("BADGE_NUMBER", "1502")]


def needles_and_marks() -> tuple[list[tuple[str, int]], list[str]]:
    needles = [(form, i) for i, (t, v) in enumerate(VALUES) for form in value_forms(t, v) if len(form) >= 2]
    marks = ["".join(sorted({c for c in v if not c.isalnum() and not c.isspace()})) for _, v in VALUES]
    return needles, marks


def test_same_matches_as_one_search_per_needle_on_hand_made_texts() -> None:
    needles, marks = needles_and_marks()
    fields = [("subject", "RE: Dana"), ("body", "Dana  Whitfield called; WHITFIELD, DANA too.\n> Dana\n> Whitfield"
              " at 503.555.0142 or 1-503-555-0142, dwhitfield@county.example; Danaher, Ana, Anna; jose nunez; "
              "15:02 and badge 1502"), ("attachment:0", ""), ("address:to:0", "Dana Whitfield <dw@x.example>")]
    got = find_values(fields, needles, marks)
    assert got == reference(fields, needles, marks)
    assert {fields[fi][1][s:e] for fi, s, e, _ in got} >= {"Dana  Whitfield", "WHITFIELD, DANA", "503.555.0142",
                                                          "dwhitfield@county.example", "Ana", "jose nunez", "1502"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="dan whitfield,>\n.@-0123456789éANA ", max_size=80), min_size=1, max_size=4))
def test_same_matches_as_one_search_per_needle_on_random_texts(texts: list[str]) -> None:
    needles, marks = needles_and_marks()
    fields = [(f"f{i}", t) for i, t in enumerate(texts)]
    assert ValueFinder(needles, marks).find(fields) == reference(fields, needles, marks)


def test_no_needles_find_nothing() -> None:
    assert ValueFinder([], []).find([("body", "Dana Whitfield")]) == []


def test_a_big_log_is_read_in_overlapping_runs_and_hits_keep_their_line() -> None:
    from discovery.redact.verify.check import _hits
    from discovery.redact.verify.tables import CHUNK_LINES, table_places
    from discovery.redact.verify.values import RedactedValue, build_matcher

    rows = ["bates,field,label"] + [f"T-{n:06d},body,[(b)(6)]" for n in range(2 * CHUNK_LINES)]
    rows[CHUNK_LINES - 1] = "T-x,body,Dana"  # the first chunk's last line and the second's first new one
    rows[CHUNK_LINES] = "Whitfield,x,y"
    rows[-1] = "T-y,body,call Dana Whitfield"
    places = list(table_places(("\n".join(rows) + "\n").encode(), ".csv"))
    assert len(places) == 2 and places[1].first_line == CHUNK_LINES + 1
    matcher = build_matcher([RedactedValue("PERSON", "Dana Whitfield", "suggestion 1")])
    hits = sorted({where for where, _ in _hits(matcher, places)})
    assert hits == [f"text line {CHUNK_LINES} col 10", f"text line {len(rows)} col 15"]
