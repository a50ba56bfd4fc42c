"""The query parser, date ranges, fuzzy distance and wildcard matching: pure functions, strings only."""

from __future__ import annotations

from datetime import datetime

import pytest

from discovery.errors import QuerySyntaxError
from discovery.search.fuzzy import default_distance, osa_distance, transpositions, wildcard_regex
from discovery.search.query import (
    And,
    DateRange,
    Fuzzy,
    Has,
    MatchAll,
    Not,
    Or,
    Phrase,
    Word,
    format_error,
    parse,
)


def test_implicit_and_precedence_and_grouping() -> None:
    assert parse("a b OR c") == Or((And((Word(None, "a", 0), Word(None, "b", 2))), Word(None, "c", 7)))
    assert parse("a (b OR c)") == And((Word(None, "a", 0), Or((Word(None, "b", 3), Word(None, "c", 8)))))
    assert parse("a AND NOT b") == And((Word(None, "a", 0), Not(Word(None, "b", 10))))
    assert parse("-a") == Not(Word(None, "a", 1))
    assert parse("!a +b") == And((Not(Word(None, "a", 1)), Word(None, "b", 4)))
    assert parse("a or b") == parse("a OR b") == Or((Word(None, "a", 0), Word(None, "b", 5)))
    assert parse("a || b") == Or((Word(None, "a", 0), Word(None, "b", 5)))
    assert parse("a and b") == And((Word(None, "a", 0), Word(None, "b", 6)))
    assert parse("a && b") == And((Word(None, "a", 0), Word(None, "b", 5)))


def test_fields_aliases_and_scoped_groups() -> None:
    assert parse("from:dana") == Word("from", "dana", 5)
    assert parse("SENDER:dana") == Word("from", "dana", 7)
    assert parse("subject:(pilot OR launch)") == Or((Word("subject", "pilot", 9), Word("subject", "launch", 18)))
    assert parse('to:"Whitfield, Dana"') == Phrase("to", "Whitfield, Dana", 3)
    assert parse("has:attachment") == Has("attachment", 4)
    assert parse("subject:or") == Word("subject", "or", 8)
    assert parse("http://example.org/x") == Word(None, "http://example.org/x", 0)
    assert parse("10:30") == Word(None, "10:30", 0)
    assert parse("*") == MatchAll(0)
    assert parse("tag:*") == Word("tag", "*", 4)


def test_phrases_proximity_wildcards_and_fuzzy() -> None:
    assert parse('"face recognition"~5') == Phrase(None, "face recognition", 0, 5)
    assert parse("recogni*").wildcard  # type: ignore[union-attr]
    assert parse("rekogniton~") == Fuzzy(None, "rekogniton", 0, None)
    assert parse("body:mreger~1") == Fuzzy("body", "mreger", 5, 1)


@pytest.mark.parametrize(("query", "start", "end"), [
    ("date:2018", datetime(2018, 1, 1), datetime(2019, 1, 1)),
    ("date:2018-05", datetime(2018, 5, 1), datetime(2018, 6, 1)),
    ("date:2018-12", datetime(2018, 12, 1), datetime(2019, 1, 1)),
    ("date:2018-02-28", datetime(2018, 2, 28), datetime(2018, 3, 1)),
    ("date:2018/5/3", datetime(2018, 5, 3), datetime(2018, 5, 4)),
    ("date:2018-01-01..2018-06-30", datetime(2018, 1, 1), datetime(2018, 7, 1)),
    ("date:2019-01-01..2019-06-30", datetime(2019, 1, 1), datetime(2019, 7, 1)),
    ("date:2017-05..2018-06", datetime(2017, 5, 1), datetime(2018, 7, 1)),
    ("date:2018..", datetime(2018, 1, 1), None),
    ("date:..2018-06", None, datetime(2018, 7, 1)),
    ("after:2018-01-01", datetime(2018, 1, 1), None),
    ("before:2018-07-01", None, datetime(2018, 7, 1)),
    ("until:2018", None, datetime(2018, 1, 1)),
])
def test_dates_are_explicit_half_open_ranges(query: str, start: datetime | None, end: datetime | None) -> None:
    node = parse(query)
    assert isinstance(node, DateRange)
    assert (node.start, node.end) == (start, end)


@pytest.mark.parametrize(("query", "position", "words"), [
    ('from:dana "face recog', 10, "never closed"),
    ("(pilot OR launch", 0, "never closed"),
    ("pilot)", 5, "no matching ("),
    ("pilot AND", 6, "on its right"),
    ("OR pilot", 0, "on its left"),
    ("pilot OR OR launch", 6, "on its right"),
    ("frm:dana", 0, "unknown field"),
    ("from: dana", 5, "right after the colon"),
    ("from:", 0, "needs a value"),
    ("date:2018-13", 5, "not a valid date"),
    ("date:May", 5, "not a date"),
    ("date:2018-06..2018-01", 5, "ends before it starts"),
    ("has:kittens", 4, "not something"),
    ("()", 0, "empty parentheses"),
    ('""', 0, "empty phrase"),
    ('"a b"~x', 5, "needs a number"),
    ("pilot~9", 5, "at most 3 edits"),
    ("pi~lot", 2, "must end a word"),
    ("", 0, "empty"),
    ("NOT", 0, "something to exclude"),
    ("date:(2018 OR 2019)", 5, "single value"),
])
def test_errors_say_where(query: str, position: int, words: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position
    assert words in info.value.message
    caret = format_error(info.value)
    if query:
        line, marker = caret.splitlines()
        assert marker.index("^") - 2 == position and line.strip() == query.strip()


def test_osa_distance_counts_a_transposition_once() -> None:
    assert osa_distance("mreger", "merger") == 1
    assert osa_distance("rekogniton", "recognition") == 2
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("abc", "abc") == 0
    assert osa_distance("", "abc") == 3
    assert osa_distance("ca", "abc") == 3  # optimal string alignment, not unrestricted Damerau
    assert osa_distance("pilto", "pilot", limit=1) == 1
    assert osa_distance("aaaaaa", "bbbbbb", limit=2) == 3
    assert sorted(transpositions("abca")) == ["abac", "acba", "baca"]
    assert default_distance("word") == 1 and default_distance("longer") == 2


def test_wildcard_regex() -> None:
    assert wildcard_regex("recogni*").match("recognition")
    assert not wildcard_regex("recogni*").match("precognition")
    assert wildcard_regex("c?mera").match("camera") and not wildcard_regex("c?mera").match("cmera")
    assert wildcard_regex("*.example").match("mail.cirrusweb.example")
    assert wildcard_regex("a.b").match("a.b") and not wildcard_regex("a.b").match("axb")
