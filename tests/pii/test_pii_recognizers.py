"""Tests every recognizer, positive and negative, through the real Presidio engine (offline mode)."""

from __future__ import annotations

import pytest
from pii_helpers import spans

from discovery.pii.recognizers import (
    AddressFieldDetector,
    ContextNumberDetector,
    EmailDetector,
    IpAddressDetector,
    MessageContext,
    PhoneDetector,
    StreetAddressDetector,
    UrlAccountDetector,
)
from discovery.pii.types import FieldText

BODY = FieldText("body", "body", "")
NO_CONTEXT = MessageContext()


def found(detector: object, text: str, kind: str = "body") -> list[str]:
    field = FieldText(kind, kind, text, "To" if kind == "address" else kind)
    return [text[h.start : h.end] for h in detector.find(text, field, NO_CONTEXT)]  # type: ignore[attr-defined]


# -- email ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("write to dana.w@harlowcounty-or.example today", ["dana.w@harlowcounty-or.example"]),
    ("From: X [mailto:ocastellanos@county.example]", ["ocastellanos@county.example"]),
    ("> On Tue, Dana <dana@x.example> wrote:", ["dana@x.example"]),
    ("paul.y'barbo@enron.com and k..allen@enron.com", ["paul.y'barbo@enron.com", "k..allen@enron.com"]),
    ("dana at example dot com / bob [at] mail [dot] org", ["dana at example dot com", "bob [at] mail [dot] org"]),
])
def test_email_positive(analyze, text: str, expected: list[str]) -> None:
    assert spans(analyze(text), "EMAIL_ADDRESS") == expected


@pytest.mark.parametrize("text", ["user@localhost is not an address", "see @dana on x", "meet at noon dot five",
                                  "version 1.2@3"])
def test_email_negative(text: str) -> None:
    assert found(EmailDetector(), text) == []


# -- phone -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("desk 503-555-0142 | cell (503) 555-0187", ["503-555-0142", "(503) 555-0187"]),
    ("m: +1 206 555 0108 | o: 206.555.0109", ["+1 206 555 0108", "206.555.0109"]),
    ("call (407) 555-0199 ext. 12 today", ["(407) 555-0199"]),
    ("my extension is x3-1769, or x31769", ["x3-1769", "x31769"]),
    ("London +44 20 7946 0958, Berlin +49 (0)30 1234567", ["+44 20 7946 0958", "+49 (0)30 1234567"]),
    ("phone: 5035550142", ["5035550142"]),
    ("tel 020 7946 0958", ["020 7946 0958"]),
    ("1-800-555-0199", ["1-800-555-0199"]),
])
def test_phone_positive(analyze, text: str, expected: list[str]) -> None:
    assert spans(analyze(text), "PHONE_NUMBER") == expected


@pytest.mark.parametrize("text", [
    "Booking #2017-004512 and case 17-018832",  # ids are not phones (Presidio's PhoneRecognizer says they are)
    "10.40.12.20 on 2017-04-11 at 10:06:42",
    "ticket 5035550142",  # ten digits without a phone word
    "the 123-456-7890 placeholder",  # area code 123 is not North American
])
def test_phone_negative(text: str) -> None:
    assert found(PhoneDetector(), text) == []


# -- street addresses ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Office | 1150 NE Courthouse Sq, Kellam, OR 97180\nPhone", "1150 NE Courthouse Sq, Kellam, OR 97180"),
    ("lives at 2200 Westlake Terrace N, Seattle, WA 98109.", "2200 Westlake Terrace N, Seattle, WA 98109"),
    ("at 915 SW Cedar Hollow Rd, Kellam on Tuesday", "915 SW Cedar Hollow Rd, Kellam"),
    ("near 1200 Gulf Breeze Dr. One is", "1200 Gulf Breeze Dr"),
    ("PO Box 40172, Portland, OR 97240 | 971", "PO Box 40172, Portland, OR 97240"),
    ("100 E 42nd St, Apt 4B, New York, NY 10017", "100 E 42nd St, Apt 4B, New York, NY 10017"),
])
def test_street_address_positive(text: str, expected: str) -> None:
    assert found(StreetAddressDetector(), text) == [expected]


@pytest.mark.parametrize("text", ["we have 11 paid holidays in 2018", "Highway 26 near the exit",
                                  "3 cameras down at 4 locations"])
def test_street_address_negative(text: str) -> None:
    assert found(StreetAddressDetector(), text) == []


# -- numbers known by their label -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, entity, expected", [
    ("Top candidate: Cody Allen Trask, 04/12/1986, Booking #2015", "DATE_OF_BIRTH", ["04/12/1986"]),
    ("My name is Rosalind Achterberg, DOB 02/17/1961.", "DATE_OF_BIRTH", ["02/17/1961"]),
    ("Her birthday is 07/21/1948 in case", "DATE_OF_BIRTH", ["07/21/1948"]),
    ("Driver: Harold Sorensen, DOB 1958-05-02, FL DL S652-114-58-162-0.", "US_DRIVER_LICENSE",
     ["S652-114-58-162-0"]),
    ("my OR driver license is 5528107, born 11/21/1972", "US_DRIVER_LICENSE", ["5528107"]),
    ("a silver Honda Civic, plate 418 KTV, registered", "LICENSE_PLATE", ["418 KTV"]),
    ("a gray Nissan Altima, tag NKW 318.", "LICENSE_PLATE", ["NKW 318"]),
    ("Booking #2015-002291 and #2017-004512. OR", "BOOKING_NUMBER", ["2015-002291", "2017-004512"]),
    ("skipped three bookings this week: #2018-000311, #2018-000312 and #2018-000340.", "BOOKING_NUMBER",
     ["2018-000311", "2018-000312", "2018-000340"]),
    ("he's booked under #2017-005130.", "BOOKING_NUMBER", ["2017-005130"]),
    ("The case number is 17-003391. I need", "CASE_NUMBER", ["17-003391"]),
    ("I'll open an inquiry, PSU-17-031. Please", "CASE_NUMBER", ["PSU-17-031"]),
    ("assigned request number PRR-2018-0147.", "CASE_NUMBER", ["PRR-2018-0147"]),
    ("Det. Sam Nakagawa #0962\nProperty Crimes", "BADGE_NUMBER", ["0962"]),
    ("count me in. Badge #3318. I'm on days", "BADGE_NUMBER", ["3318"]),
    ("incl. Ofc. Darnell Hughes (#3318) and", "BADGE_NUMBER", ["3318"]),
    ("My SSN is 541-22-7093 and", "US_SSN", ["541-22-7093"]),
])
def test_context_numbers_positive(analyze, text: str, entity: str, expected: list[str]) -> None:
    assert spans(analyze(text), entity) == expected


@pytest.mark.parametrize("text", [
    "License #CHL-21873 is a handgun licence, not a driver's licence",
    "the 2018-2019 report",  # a range of years
    "case 2018-05-02 hearing",  # a date
    "the public records law",  # Presidio's substring context finds 'lic' in 'public'
    "we met on 4/12/2018 with John Smith, 04/12/2018",  # a recent date after a name is not a birth date
    "tag 2018 budget",  # plates need letters and digits
])
def test_context_numbers_negative(analyze, text: str) -> None:
    assert [f.entity_type for f in analyze(text) if f.entity_type != "PERSON"] == []


def test_dl_catch_all_is_not_loaded(analyze) -> None:
    # Presidio's UsLicenseRecognizer flags any 'A1234567'-shaped word; ours needs a licence word before it
    assert spans(analyze("Order A1234567 shipped, serial W12345678"), "US_DRIVER_LICENSE") == []
    assert spans(analyze("OR DL A1234567 expired"), "US_DRIVER_LICENSE") == ["A1234567"]


# -- network ----------------------------------------------------------------------------------------------------
def test_ip_addresses() -> None:
    text = "Gateway 10.112.40.5 via 198.51.100.77; v6 2001:db8:4a::17; at 10:06:42; ::1; a::b; 1.2.3.4.5; 999.1.1.1"
    assert found(IpAddressDetector(), text) == ["10.112.40.5", "198.51.100.77", "2001:db8:4a::17"]


def test_ip_addresses_that_address_nobody_and_versions() -> None:
    text = ("iscsiadm -p 0.0.0.0:3260 and 127.0.0.1, mask 255.255.255.0, :: and ::1; iscsi-initiator-utils-6.2.1.2-1;"
            " git version 2.17.1.1; v1.8.3.1\n-- \n1.8.3.1\n\n> -- \n> 2.25.1.4\nhost 1.8.3.1 is down\n10.35.18.220\n")
    assert found(IpAddressDetector(), text) == ["1.8.3.1", "10.35.18.220"]  # a host named in prose stays


def test_url_accounts() -> None:
    text = ("https://www.facebook.com/jane.doe?ref=x https://portal.example/users/48213/edit "
            "https://x.example/a?user=jdoe&page=2 http://www.example.edu/~jsmith/ https://pstdigest.example/alpr "
            "dana@mail.example.com")
    assert found(UrlAccountDetector(), text) == ["jane.doe", "48213", "jdoe", "jsmith"]


def test_urls_inside_emails_are_not_flagged(analyze) -> None:
    findings = analyze("write dana.whitfield@mail.harlowcounty.com now")
    assert [(f.entity_type, f.text) for f in findings] == [("EMAIL_ADDRESS", "dana.whitfield@mail.harlowcounty.com")]


# -- people ------------------------------------------------------------------------------------------------------
def test_person_from_census_and_titles(analyze) -> None:
    text = ("Store manager Gary Pellegrino saw him. Registered to Janice Trask. Deputy Ostrander and Ms. Achterberg "
            "met Sgt. Mulkey and Ofc. Grant Whitlock.")
    assert spans(analyze(text), "PERSON") == ["Gary Pellegrino", "Janice Trask", "Ostrander", "Achterberg", "Mulkey",
                                              "Grant Whitlock"]


def test_person_negatives(analyze) -> None:
    text = ("Harlow County Sheriff's Office and Cirrus Web Services, Inc. met at Kellam Hardware in a Honda Civic. "
            "I will grant it. Will you mark it? Under Chapter 119, Florida Statutes, PUBLIC SAFETY TECH DIGEST. "
            "Open it in MS Word. Houston, Texas.")
    assert spans(analyze(text), "PERSON") == []


def test_person_greetings_and_signoffs(analyze) -> None:
    text = "Hi Hector,\n\nThanks, Owen. Curtis, the change is approved.\n\nRespectfully,\nPriya\n"
    assert spans(analyze(text), "PERSON") == ["Hector", "Owen", "Curtis", "Priya"]


def test_person_names_learned_from_headers(analyze) -> None:
    people = [("Whitfield, Dana", "dwhitfield@county.example"), ("Beverly Lindahl", "blindahl@county.example")]
    text = ("Dana, can you run it? Whitfield, Dana and D. Whitfield and DANA WHITFIELD. Bev said so. "
            "Thanks,\nBeverly\n")
    assert spans(analyze(text, people), "PERSON") == ["Dana", "Whitfield, Dana", "D. Whitfield", "DANA WHITFIELD",
                                                      "Bev", "Beverly"]


def test_quoted_headers_and_wrote_lines(analyze) -> None:
    text = ("-----Original Message-----\nFrom: Castellanos, Owen [mailto:oc@county.example]\nSent: Monday\n"
            "To: Whitfield, Dana\nCc: Brent Kasprzak; Feeney, Marcus\nSubject: RE: x\n\n"
            "On Tue, Jan 9, 2018 at 11:53 AM, Xochitl Quetzalcoatl <xq@county.example> wrote:\n> hi\n"
            "Von: Katrin Vogelsang\nGesendet: Montag\nAn: HCSO Records Unit\nBetreff: x\n")
    assert spans(analyze(text), "PERSON") == ["Castellanos, Owen", "Whitfield, Dana", "Brent Kasprzak",
                                              "Feeney, Marcus", "Xochitl Quetzalcoatl", "Katrin Vogelsang"]


def test_signature_block(analyze) -> None:
    text = ("Let me know.\n\nThank you,\nKyle\n\nDeputy Kyle Ostrander #1187 | Patrol Division\n"
            "Harlow County Sheriff's Office | 1150 NE Courthouse Sq, Kellam, OR 97180\nOffice (503) 555-0131\n")
    found_ = [(f.entity_type, f.text) for f in analyze(text)]
    assert ("PERSON", "Kyle") in found_ and ("PERSON", "Kyle Ostrander") in found_
    assert ("BADGE_NUMBER", "1187") in found_ and ("PHONE_NUMBER", "(503) 555-0131") in found_
    assert ("STREET_ADDRESS", "1150 NE Courthouse Sq, Kellam, OR 97180") in found_
    person = next(f for f in analyze(text) if f.text == "Kyle Ostrander")
    assert person.recognizer in ("SignatureDetector", "PersonNameDetector")
    assert person.explanation["textual_explanation"]  # the reason a reviewer reads


def test_address_fields() -> None:
    detector = AddressFieldDetector()
    assert found(detector, "Whitfield, Dana <dwhitfield@harlowcounty-or.example>", "address") == ["Whitfield, Dana"]
    assert found(detector, "Phillip K Allen/HOU/ECT@ECT", "address") == ["Phillip K Allen"]
    assert found(detector, "HCSO Records Unit <records@county.example>", "address") == []
    assert found(detector, "GovTech Weekly <newsletter@govtech.example>", "address") == []
    assert found(detector, "newsletter@govtech.example", "address") == []


def test_lotus_and_all_caps(analyze) -> None:
    text = "cc: Phillip K Allen/HOU/ECT@ECT, John Arnold/HOU/ECT\nMEMO FROM MARY SMITH TO ALL STAFF"
    assert spans(analyze(text), "PERSON") == ["Phillip K Allen", "John Arnold", "MARY SMITH"]


def test_every_finding_is_explained(analyze) -> None:
    for f in analyze("Hi Dana, call 503-555-0142 or mail dana@x.example. SSN 541-22-7093."):
        assert f.recognizer and f.explanation.get("recognizer") and f.explanation.get("textual_explanation")
        assert "threshold" in f.explanation


def test_context_numbers_detector_lists_its_types() -> None:
    assert set(ContextNumberDetector.entities) == {"US_DRIVER_LICENSE", "LICENSE_PLATE", "BOOKING_NUMBER",
                                                  "CASE_NUMBER", "BADGE_NUMBER"}
