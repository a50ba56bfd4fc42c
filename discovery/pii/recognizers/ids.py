"""Provides detectors for numbers that identify a person by context: DOB, driver's licence, plate, booking,
case and badge numbers. The span is the value only, never its label ('Booking #2017-004512' -> '2017-004512')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from discovery.pii.recognizers.base import (
    Hit,
    MessageContext,
    Phrases,
    context_before,
    digit_lines,
    phrase_regex,
    words_where,
)
from discovery.pii.types import FieldText

_DIGIT = re.compile(r"\d")

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DATE = re.compile(
    r"(?<![\w/.-])("
    r"(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:19|20)?\d{2}"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    rf"|{_MONTH}\.?\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:0?[1-9]|[12]\d|3[01])\s+{_MONTH}\.?,?\s+(?:19|20)\d{{2}}"
    r")(?![\w/-]|\.\d)"
)
DOB_WORDS = phrase_regex([
    "dob", "d.o.b", "d.o.b.", "date of birth", "birth date", "birthdate", "born", "born on", "birthday", "b.",
    "fecha de nacimiento", "geburtsdatum", "geb.", "date de naissance", "née le", "né le",
])
# 'Cody Allen Trask, 04/12/1986' -- a date right after a name is a birth date more often than not.
_NAME_BEFORE = re.compile(r"(?:^|[\s:(])[A-Z][\w'’-]+(?:\s+[A-Z][\w'’.-]*){1,3},\s*$")


class DateOfBirthDetector:
    """Dates of birth: a date after 'DOB', 'date of birth', 'born', 'birthday', or right after a name."""

    name = "DateOfBirthDetector"
    entities: tuple[str, ...] = ("DATE_OF_BIRTH",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        hits = []
        for m in DATE.finditer(text):
            context = context_before(text, m.start(1), DOB_WORDS, 40)
            if context:
                hits.append(Hit(m.start(1), m.end(1), "DATE_OF_BIRTH", 0.95, f"date after '{context}'", "date",
                                context))
                continue
            year = _year(m.group(1))
            before = text[max(0, m.start(1) - 60) : m.start(1)]
            if year is not None and year <= 2008 and _NAME_BEFORE.search(before):
                hits.append(Hit(m.start(1), m.end(1), "DATE_OF_BIRTH", 0.65,
                                "date right after a person's name (name, DOB)", "name, date"))
        return hits


def _year(value: str) -> int | None:
    digits = re.findall(r"\d+", value)
    for d in (digits[0], digits[-1]) if digits else ():
        if len(d) == 4:
            return int(d)
    if digits and len(digits[-1]) == 2:
        yy = int(digits[-1])
        return 1900 + yy if yy > 30 else 2000 + yy
    return None


@dataclass(frozen=True, slots=True)
class ContextRule:
    """A value that is PII when a label precedes it: 'DL 7731904', 'plate 418 KTV', 'case 17-018832'."""

    entity: str
    context: Phrases
    value: re.Pattern[str]
    score: float
    gap_words: int = 0  # lower-case words allowed between label and value ('bookings this week: #...')
    lists: bool = True  # '#2018-000311, #2018-000312 and #2018-000340'


_FILLER = re.compile(
    r"(?:[ \t]*(?:[:#=]|no\.?|nos\.?|number|numbers|num\.?|is|was|are|were|of|as|under|reads|shows|"
    r"ending in|(?:[A-Z]{2})(?=[ \t]+[A-Z0-9]*\d)|\((?:[A-Z]{2})\))[ \t]*)*[ \t]*",
)
_GAP_WORD = re.compile(r"[ \t]*[a-z][a-z'’]*[ \t]*[:,]?")
_LIST_SEP = re.compile(r"[ \t]*(?:,|;|&|\band\b|\bor\b|,[ \t]*and\b)[ \t]*#?[ \t]*")

_ID_TAIL = r"(?![\w-]|\.\w)"
DL_VALUE = re.compile(r"(?=(?:[A-Z-]*\d){5})([A-Z]{0,2}\d[A-Z0-9]*(?:-[A-Z0-9]+){0,5})" + _ID_TAIL)
PLATE_VALUE = re.compile(
    r"(?=[A-Z0-9 -]{4,9}(?![\w]))(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])([A-Z0-9]{1,4}(?:[ -][A-Z0-9]{1,5})?)"
    + _ID_TAIL
)
BOOKING_VALUE = re.compile(r"#?((?:[A-Z]{1,3}-?)?\d{2,4}-\d{4,8}|[A-Z]{0,3}\d{5,10})" + _ID_TAIL)
CASE_VALUE = re.compile(
    r"#?((?:[A-Z]{1,5}-?)?\d{2,4}(?:-[A-Z]{0,3}\d{2,8}){1,2}|[A-Z]{1,5}-\d{3,10}|[A-Z]{0,3}\d{5,12})" + _ID_TAIL
)
BADGE_VALUE = re.compile(r"#?(\d{2,6})(?![\w-])")

RULES: tuple[ContextRule, ...] = (
    ContextRule("US_DRIVER_LICENSE", phrase_regex([
        "dl", "d.l.", "dl#", "driver's license", "drivers license", "driver license", "driver's licence",
        "drivers licence", "driver licence", "driving licence", "driving license", "drivers lic", "driver's lic",
        "operator's license", "operator license", "operators license", "ol#", "cdl", "license number", "lic#",
        "lic. no", "licence number", "license no", "dl no",
    ]), DL_VALUE, 0.9),
    ContextRule("LICENSE_PLATE", phrase_regex([
        "plate", "plates", "license plate", "licence plate", "plate number", "tag", "tags", "tag number",
        "registration", "reg. no", "lic plate", "lp", "vehicle tag", "matrícula", "kennzeichen",
    ]), PLATE_VALUE, 0.85),
    ContextRule("BOOKING_NUMBER", phrase_regex([
        "booking", "bookings", "booked", "booking number", "inmate", "inmate number", "jail number", "jail id",
        "so#", "so number", "arrest number", "arrest #", "custody number", "prisoner number", "doc number",
        "doc#", "offender number", "spn", "cin",
    ]), BOOKING_VALUE, 0.9, gap_words=3),
    ContextRule("CASE_NUMBER", phrase_regex([
        "case", "cases", "case number", "incident", "incident number", "report", "report number", "request",
        "request number", "records request", "reference", "ref", "ref.", "inquiry", "complaint", "complaints",
        "file", "file number", "docket", "citation", "ticket", "claim", "claim number", "matter", "investigation",
        "warrant", "cad", "event number", "call number", "control number", "tracking number", "cr", "ia", "psu",
        "assigned number", "assigned", "aktenzeichen", "expediente",
    ]), CASE_VALUE, 0.85, gap_words=1),
    ContextRule("BADGE_NUMBER", phrase_regex([
        "badge", "badge number", "shield", "shield number", "star number", "employee number", "employee id",
        "personnel number", "serial number", "unit number", "dienstnummer",
    ]), BADGE_VALUE, 0.85),
)
_ANY_LABEL = Phrases(p for rule in RULES for p in rule.context.phrases)  # every rule's phrases
# Reference numbers shaped like 'PRR-2018-0147', 'CR-2018-0311', 'PSU-17-031' need no label.
CASE_SHAPED = re.compile(r"(?<![\w-])([A-Z]{2,5}-(?:19|20)?\d{2}-\d{3,7})(?![\w-])")
_RANKS = (r"(?:Det|Detective|Ofc|Officer|Sgt|Sergeant|Deputy|Dep|Lt|Lieutenant|Cpl|Corporal|Capt|Captain|"
          r"Trooper|Tpr|Agent|SA|Inv|Investigator|Cmdr|Commander|Chief|Sheriff|Undersheriff|Marshal|Constable)")
# 'Det. Sam Nakagawa #0962', 'Ofc. Darnell Hughes #3318', 'Deputy Kyle Ostrander #1187'.
RANK_BADGE = re.compile(
    rf"\b{_RANKS}\.?[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){{0,3}}[A-Z][\w'’-]*,?[ \t]+\(?#[ \t]?(\d{{2,6}})(?![\w-])"
)
def _letter_dash_digit(text: str, at: int) -> bool:
    """A '-' after a capital A-Z and before a digit ('\\d' as patterns read it), as every CASE_SHAPED match holds."""
    return 0 < at < len(text) - 1 and "A" <= text[at - 1] <= "Z" and text[at + 1].isdecimal()


_YEARISH = re.compile(r"^(?:19|20)\d\d-(?:19|20)?\d\d$")
_ISO_DATE = re.compile(r"^(?:19|20)\d\d-\d\d-\d\d$")


class ContextNumberDetector:
    """Identifying numbers recognised by the label before them (and lists after one label)."""

    name = "ContextNumberDetector"
    entities: tuple[str, ...] = tuple(rule.entity for rule in RULES)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if not _DIGIT.search(text):
            return []
        hits: list[Hit] = []
        # A value holds a digit and follows its label on the same line (fillers, gap words and list separators
        # never cross a line), so labels are looked for only in runs of lines that hold a digit.
        segments = [(start, end, text[start:end]) for start, end in digit_lines(text)]
        lowered = [segment.lower() for _, _, segment in segments]
        # (a segment where no rule's phrase occurs at all, even inside a word, is left out for every rule)
        labelled = [(seg, low) for seg, low in zip(segments, lowered, strict=True) if _ANY_LABEL.may_match(seg[2], low)]
        for rule in RULES:
            for (start, _, segment), low in labelled:
                for ctx in rule.context.finditer(segment, low):
                    hits.extend(self._values(text, start + ctx.end(), ctx.group(0), rule))
        # (both shapes below hold a digit and stay on one line; the look-behinds see the text before a segment):
        # a reference holds 'X-d' and no blank, a rank badge a '#'
        for m in (m for start, end in words_where(text, "-", _letter_dash_digit)
                  for m in CASE_SHAPED.finditer(text, start, end)):
            hits.append(Hit(m.start(1), m.end(1), "CASE_NUMBER", 0.6, "reference number shaped like 'PRR-2018-0147'",
                            "reference shape"))
        for m in (m for start, end, segment in segments if "#" in segment
                  for m in RANK_BADGE.finditer(text, start, end)):
            hits.append(Hit(m.start(1), m.end(1), "BADGE_NUMBER", 0.85,
                            "number after a rank and name ('Det. ... #0962')", "rank name #"))
        return hits

    @staticmethod
    def _values(text: str, pos: int, context: str, rule: ContextRule) -> list[Hit]:
        out: list[Hit] = []
        filler = _FILLER.match(text, pos)
        at = filler.end() if filler else pos
        value = rule.value.match(text, at)
        gaps = 0
        while value is None and gaps < rule.gap_words:
            gap = _GAP_WORD.match(text, at)
            if gap is None or gap.end() == at or "\n" in gap.group(0):
                break
            filler = _FILLER.match(text, gap.end())
            at = filler.end() if filler else gap.end()
            value = rule.value.match(text, at)
            gaps += 1
        while value is not None:
            raw = value.group(1)
            if _YEARISH.match(raw) or _ISO_DATE.match(raw):
                break
            out.append(Hit(value.start(1), value.end(1), rule.entity, rule.score if not gaps else rule.score - 0.1,
                           f"value after '{context}'", "label value", context))
            if not rule.lists:
                break
            sep = _LIST_SEP.match(text, value.end())
            if sep is None:
                break
            value = rule.value.match(text, sep.end())
        return out
