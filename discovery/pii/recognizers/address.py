"""Provides StreetAddressDetector: US-style street addresses and PO boxes, with city, state and ZIP."""

from __future__ import annotations

import re

from discovery.pii.recognizers.base import Hit, MessageContext
from discovery.pii.types import FieldText

_DIGIT = re.compile(r"\d")

SUFFIXES = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Drive|Dr|Court|Ct|Lane|Ln|Way|Boulevard|Blvd|Circle|Cir|Parkway|Pkwy|Place|Pl|"
    "Square|Sq|Terrace|Ter|Terr|Highway|Hwy|Trail|Trl|Loop|Plaza|Plz|Pike|Row|Run|Alley|Aly|Path|Crescent|Cres|"
    "Landing|Lndg|Point|Pt|Crossing|Xing|Ridge|Rdg|Bend|Cove|Cv|Creek|Crk|Glen|Grove|Grv|Heights|Hts|Hill|Hollow|"
    "Holw|Isle|Junction|Jct|Knoll|Manor|Mnr|Meadow|Mdw|Meadows|Mews|Park|Pass|Passage|Pointe|Port|Ranch|Shore|"
    "Shores|Spur|Station|Sta|Summit|Trace|Trce|Turnpike|Tpke|View|Vista|Walk|Estates|Expressway|Expy|Freeway|Fwy|"
    "Causeway|Cswy|Close|Green|Gardens|Gdns|Oval|Quay|Wharf|Commons"
)
_DIR = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.?"
_WORD = r"(?:[A-Z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th)|[A-Z]\.)"
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Bldg|Building|Fl|Floor|Rm|Room|#)\.?\s*#?\s*[\w-]{1,6})"
_STATE = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|PR|RI|S[CD]|T[NX]|UT|"
    r"V[TA]|W[AVIY]|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    r"Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|"
    r"Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|"
    r"North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|"
    r"Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming)"
)
_CITY = r"[A-Z][A-Za-z'’.-]+(?:[ \t]+[A-Z][A-Za-z'’.-]+){0,3}"
_TAIL = (
    rf"(?:,[ \t]*(?P<city>{_CITY}))?"
    rf"(?:,?[ \t]+(?P<state>{_STATE})\b\.?)?"
    r"(?:,?[ \t]+(?P<zip>\d{5}(?:-\d{4})?))?"
)
STREET = re.compile(
    # (the look-behind after the first digit reads the character before it: a pattern that starts with a digit
    # lets the regex engine skip to the digits)
    r"(?P<number>\d(?<![\w#/.-]\d)\d{0,5}(?:-?[A-Z])?(?:-\d{1,5})?)[ \t]+"
    rf"(?:{_DIR}[ \t]+)?"
    rf"(?P<name>(?:{_WORD}[ \t]+){{0,4}}{_WORD}|\d{{1,3}}(?:st|nd|rd|th))[ \t]+"
    rf"(?P<suffix>{SUFFIXES})\b\.?"
    rf"(?:[ \t]+{_DIR}(?![\w]))?"
    rf"{_UNIT}?"
    + _TAIL
)
PO_BOX = re.compile(
    r"(?<![\w])(?P<box>P\.?[ \t]?O\.?[ \t]+Box|Post[ \t]+Office[ \t]+Box|PO[ \t]?Box)[ \t]+#?\d{1,7}" + _TAIL,
    re.IGNORECASE,
)
_BOX = re.compile("box", re.IGNORECASE)  # in every PO_BOX match, read as PO_BOX reads it
_CITY_STOP = {"On", "At", "In", "And", "Or", "The", "For", "To", "From", "By", "Near", "Between", "Thanks", "Please"}


class StreetAddressDetector:
    """Street addresses ('1418 SE Bramble Ct, Kellam, OR 97180', '2200 Westlake Terrace N, Seattle, WA 98109')
    and PO boxes, including city, state and ZIP when they follow on the same line."""

    name = "StreetAddressDetector"
    entities: tuple[str, ...] = ("STREET_ADDRESS",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if not _DIGIT.search(text):
            return []
        hits: list[Hit] = []
        for regex, kind in ((STREET, "street"), (PO_BOX, "po box")):
            if regex is PO_BOX and not _BOX.search(text):
                continue
            for m in regex.finditer(text):
                end = m.end()
                city = m.group("city")
                if city and city.split()[0] in _CITY_STOP:
                    end = m.start("city") - 1
                    while end > m.start() and text[end - 1] in ", \t":
                        end -= 1
                elif city:
                    end = max(end, m.end("city"))
                while end > m.start() and text[end - 1] in ",. \t" and not text[m.start():end].endswith(
                        tuple(f"{s}." for s in ("St", "Ave", "Rd", "Dr", "Ct", "Ln", "Blvd"))):
                    end -= 1
                if end > m.start() and text[end - 1] == "." and (end >= len(text) or text[end:end + 1] in " \n"):
                    end -= 1  # the full stop ending the sentence
                full = bool(m.group("zip") or m.group("state"))
                score = 0.9 if full else 0.75 if city else 0.6
                reason = f"{kind} address" + (" with city/state/ZIP" if full else "")
                hits.append(Hit(m.start(), end, "STREET_ADDRESS", score, reason, kind))
        return hits
