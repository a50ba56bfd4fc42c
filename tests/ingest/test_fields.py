"""Tests header field decoding: addresses, dates, encoded words, subjects (pure functions, strings only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.ingest.fields import (
    bare_address_pairs,
    decode_bytes,
    decode_header_value,
    normalize_subject,
    parse_addresses,
    parse_date,
    parse_message_ids,
)
from discovery.model import Address


@pytest.mark.parametrize("value, expected", [
    ('"Whitfield, Dana" <dwhitfield@harlowcounty-or.example>',
     [Address("Whitfield, Dana", "dwhitfield@harlowcounty-or.example")]),
    ("undisclosed-recipients:;", []),
    ("Team: a@x.example, \"B, C\" <b@y.example>;, d@z.example",
     [Address("", "a@x.example"), Address("B, C", "b@y.example"), Address("", "d@z.example")]),
    ("plain@x.example", [Address("", "plain@x.example")]),
    ("Phillip K Allen/HOU/ECT@ECT", [Address("", "Phillip K Allen/HOU/ECT@ECT")]),
    ("", []),
])  # fmt: skip
def test_addresses(value: str, expected: list[Address]) -> None:
    assert parse_addresses(value) == expected


def test_address_domain_is_lowercase() -> None:
    assert Address("x", "Dana@HarlowCounty-OR.Example").domain == "harlowcounty-or.example"


def test_garbage_address_is_kept_not_dropped() -> None:
    found = parse_addresses("<<< not an address >>>")
    assert found and (found[0].name or found[0].email)


@pytest.mark.parametrize("value, expected", [
    ("Mon, 14 May 2001 16:39:00 -0700 (PDT)", datetime(2001, 5, 14, 16, 39, tzinfo=timezone(timedelta(hours=-7)))),
    ("Tue, 3 Apr 18 09:15:00 +0000", datetime(2018, 4, 3, 9, 15, tzinfo=UTC)),
    ("2018-01-02T10:00:00+02:00", datetime(2018, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=2)))),
])  # fmt: skip
def test_dates(value: str, expected: datetime) -> None:
    parsed, note = parse_date(value)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


def test_date_without_zone_is_utc_and_noted() -> None:
    parsed, note = parse_date("Wed, 02 May 2018 09:00:00")
    assert parsed == datetime(2018, 5, 2, 9, 0, tzinfo=UTC) and "no time zone" in note


@pytest.mark.parametrize("value", ["", "sometime last week", "Fri, 31 Feb 2018 10:00:00 +0000"])
def test_bad_dates_are_flagged(value: str) -> None:
    parsed, note = parse_date(value)
    assert parsed is None and note


def test_implausible_year_is_noted() -> None:
    parsed, note = parse_date("Mon, 1 Jan 2091 00:00:00 +0000", now=datetime(2020, 1, 1, tzinfo=UTC))
    assert parsed is not None and "implausible" in note


def test_encoded_words_and_raw_8bit() -> None:
    assert decode_header_value("=?utf-8?q?Jos=C3=A9?= Mu=?iso-8859-1?q?=F1oz?=")[0] == "José Muñoz"
    assert decode_header_value("=?UTF-8?B?w5xiZXIgZGllIEthbWVyYXM=?=")[0] == "Über die Kameras"
    raw = "Caf\udcc3\udca9 Lisboa"  # raw UTF-8 bytes as the stdlib parser keeps them
    assert decode_header_value(raw)[0] == "Café Lisboa"
    text, notes = decode_header_value("=?x-unknown?q?abc=E9?=")
    assert text.startswith("abc") and notes


def test_folded_and_overlong_headers() -> None:
    assert decode_header_value("Face recognition\n  pilot")[0] == "Face recognition pilot"
    text, notes = decode_header_value("a" * 100_000)
    assert len(text) == 64_000 and "cut" in notes[0]


def test_decode_bytes_with_wrong_declarations() -> None:
    assert decode_bytes("Zoë".encode(), "us-ascii") == ("Zoë", "declared us-ascii but was utf-8")
    text, note = decode_bytes("“quoted”".encode("cp1252"), "iso-8859-1")
    assert text == "“quoted”"  # mail labelled latin-1 is read as Windows-1252
    text, note = decode_bytes(b"\xff\xfe\xfa", "utf-8")
    assert text and note


@pytest.mark.parametrize("subject, key", [
    ("RE: Fwd: AW: Face recognition pilot", "face recognition pilot"),
    ("[foia-list] Re[2]: Budget", "budget"),
    ("WG: SV: Treffen", "treffen"),
    ("Recap", "recap"),
])  # fmt: skip
def test_normalize_subject(subject: str, key: str) -> None:
    assert normalize_subject(subject) == key


def test_message_ids() -> None:
    assert parse_message_ids("<a@x> <b@y>\n <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert parse_message_ids("bare@id") == ["<bare@id>"]


# -- the bare-address fast path must say exactly what getaddresses says --------------------------------------
_ADDRESS_ALPHABET = "ab.@, \t-_'+=\"<>();:[]\\\x0b\xa0é\x00"


@pytest.mark.parametrize("value", [
    "a@b", "a.@b", ".a@b", "a@b.", "a@b..c", "k..allen@enron.com", "tim.o'rourke@enron.com",
    "a@b,  c@d", " a@b ,\tc@d\t", "a!#$%&*+/=?^_`{|}~-@b", "=?x@y",
    "Joe <a@b>", "legal <.hall@enron.com>", "a@b, e-mail <.tom@enron.com>,  <c@d>", "Joe  Smith<a@b>", "- <a@b.>",
])
def test_bare_address_pairs_match_getaddresses(value: str) -> None:
    assert bare_address_pairs(value) == getaddresses([value])


@pytest.mark.parametrize("value", [
    "a@b@c", "a@b,,c@d", '"Joe" <a@b>', "Joe, Smith <a@b>", "J. Smith <a@b>", "<a@b", "Joe <a@b> x",
    '"a"@b', "a@b (home)", "a@b\x0bc@d", "a\xa0@b", "aé@b", "a@b\x00",
    "team: a@b;", "a@b;c@d", "", " ", "a@b,",
])
def test_bare_address_pairs_leave_the_rest_to_getaddresses(value: str) -> None:
    assert bare_address_pairs(value) is None


@given(st.text(alphabet=_ADDRESS_ALPHABET, max_size=40))
@settings(max_examples=400, deadline=None)
def test_bare_address_pairs_agree_with_getaddresses_on_any_text(value: str) -> None:
    fast = bare_address_pairs(value)
    if fast is not None:
        assert fast == getaddresses([value])


@given(st.lists(st.tuples(st.text(alphabet="ab1- \t.", max_size=6), st.text(alphabet="ab.'-_+", max_size=4),
                          st.text(alphabet="ab.'-_+", max_size=4), st.sampled_from([",", ", ", " ,", ",\t", ";"])),
                min_size=1, max_size=4))
@settings(max_examples=400, deadline=None)
def test_named_address_pairs_agree_with_getaddresses(parts: list[tuple[str, str, str, str]]) -> None:
    value = "".join(f"{name} <{local}@{domain}>{sep}" for name, local, domain, sep in parts).rstrip(",; \t")
    fast = bare_address_pairs(value)
    if fast is not None:
        assert fast == getaddresses([value])


_PART = st.text(alphabet="ab.'-_+", max_size=5)
_SEPARATOR = st.sampled_from([",", ", ", " ,", ",\t", ",  ", ",,", " ", ";"])


@given(st.lists(st.tuples(_PART, _PART, _SEPARATOR), min_size=1, max_size=5))
@settings(max_examples=400, deadline=None)
def test_bare_address_pairs_agree_with_getaddresses_on_address_lists(parts: list[tuple[str, str, str]]) -> None:
    value = "".join(f"{local}@{domain}{sep}" for local, domain, sep in parts)[:-1]
    fast = bare_address_pairs(value)
    if fast is not None:
        assert fast == getaddresses([value])
