"""Provides detectors that read email structure: address fields, quoted From/To/Cc lines, 'wrote:' lines and
signature blocks (name line, then title, phones and address below a sign-off)."""

from __future__ import annotations

import re

from discovery.pii import lexicon
from discovery.pii.names import PersonName, parse_person, split_entry, split_name_list
from discovery.pii.recognizers.base import Hit, MessageContext, strip_quote
from discovery.pii.types import FieldText, fold

_LIST_LABELS = {"from", "to", "cc", "bcc", "reply-to", "sender", "sent by", "von", "an", "kopie", "de", "para",
                "à", "a", "da", "cci", "x-from", "x-to", "x-cc", "x-bcc", "attendee", "organizer", "invitees",
                "required", "optional"}
_OTHER_LABELS = {"sent", "date", "subject", "gesendet", "betreff", "datum", "envoyé", "objet", "enviado", "asunto",
                 "fecha", "inviato", "oggetto", "importance", "when", "where", "location"}
HEADER_LINE = re.compile(
    r"^(?P<quote>[ \t]*(?:>[ \t]?)*)\*?(?P<label>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ -]{0,12}?)\*?[ \t]*:[ \t]*(?P<value>.*)$",
    re.MULTILINE,
)
WROTE = re.compile(
    r"(?:^|\n)[ \t>]*(?:On|Am|Le|El|Il)[ \t]+(?:[^\n]|\n(?![ \t>]*\n)){4,90}?"
    r"(?:AM|PM|am|pm|\d{1,2}:\d{2}|\d{4}|\d{1,2}h\d{2})[ \t]*,?[ \t\n>]+"
    r"(?P<who>(?:[^\n<>\[]|\n(?![ \t>]*\n)){2,100}?)[ \t\n>]*(?:<[^>\n]*>|\[mailto:[^\]\n]*\])?[ \t\n>]*"
    r"(?:wrote|schrieb|a écrit|escribió|ha scritto)[ \t]*:",
)
WROTE_SHORT = re.compile(
    r"^[ \t>]*(?P<who>[^\n<>:,]{2,60}?)[ \t]*(?:<[^>\n]*>|\[mailto:[^\]\n]*\])?[ \t]+(?:wrote|writes)[ \t]*:[ \t]*$",
    re.MULTILINE,
)
_SIGNOFF_LINE = re.compile(r"^[ \t>]*(?P<word>[A-Za-zÀ-ÿ ,!/'’.]{2,40}?)[ \t]*[,!.]?[ \t]*$")
_SIG_DASH = re.compile(r"^[ \t>]*--[ \t]*$")
_NAME_LINE = re.compile(
    r"^(?P<quote>[ \t]*(?:>[ \t]?)*)(?P<name>(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*[ \t]+){0,4}[A-ZÀ-ÖØ-Þ][\w'’-]*\.?)"
    r"(?P<rest>[ \t]*(?:[|,#(/–—-]|[ \t]{2,}|\t).*)?$"
)


def person_spans(value: str, offset: int, message: MessageContext, *, lenient: bool = True) -> list[tuple[int, int]]:
    """Where the people are in an address-list value ('Whitfield, Dana [mailto:...]; Brent Kasprzak')."""
    spans = []
    pos = 0
    for entry in split_name_list(value):
        at = value.find(entry, pos)
        if at < 0:
            continue
        pos = at + len(entry)
        name, email = split_entry(entry)
        if not name:
            continue
        n_at = entry.find(name)
        start, end = at + n_at, at + n_at + len(name)
        # trim quotes, Lotus suffixes ('/HOU/ECT@ECT') and bracketed departments
        text = value[start:end]
        cut = len(text)
        for mark in ("/", " (", "(", " [", "["):
            i = text.find(mark)
            if 0 < i < cut:
                cut = i
        text = text[:cut]
        lead = len(text) - len(text.lstrip(" '\"\t"))
        text = text.strip(" '\"\t")
        if not text:
            continue
        start += lead
        end = start + len(text)
        person = parse_person(text, email, require_evidence=not lenient)
        if person is None and not _known(text, message):
            continue
        if person is not None and not email and not _known(text, message) and _unlisted(person, message):
            continue  # 'Crime Analyst': capitalised everyday words, no address, nobody the case knows
        spans.append((offset + start, offset + end))
    return spans


def _unlisted(person: PersonName, message: MessageContext) -> bool:
    """True when no part of the name is a census name and some part is an everyday word of this case."""
    parts = [p for p in (person.first, *person.middle, person.last) if p]
    if any(lexicon.is_first_name(p) or lexicon.is_surname(p) for p in parts):
        return False
    return any(message.names.is_common(p) or message.names.is_org(p) for p in parts)


def _known(text: str, message: MessageContext) -> bool:
    keys = tuple(fold(t).strip(".,") for t in text.replace(",", " ").split())
    if len(keys) >= 2 and (message.names.match(keys) or message.names.match((keys[-1], keys[0]))):
        return True
    return False


class AddressFieldDetector:
    """The display name in a From/To/Cc/Bcc/Reply-To field ('Whitfield, Dana <dwhitfield@...>') and the people
    in X-From/X-To style header fields. Role and list names ('HCSO Records Unit', 'GovTech Weekly') are not
    people; Lotus suffixes and departments in brackets are left out of the span."""

    name = "AddressFieldDetector"
    entities: tuple[str, ...] = ("PERSON",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if field.kind == "address":
            spans = person_spans(text, 0, message)
            return [Hit(s, e, "PERSON", 0.95, f"display name in the {field.label or 'address'} field",
                        "display name") for s, e in spans[:1]]
        if field.kind == "header" and field.label.lower() in _LIST_LABELS | {"return-path", "delivered-to"}:
            return [Hit(s, e, "PERSON", 0.9, f"person in the {field.label} header", "header name")
                    for s, e in person_spans(text, 0, message)]
        return []


class QuotedHeaderDetector:
    """People in the From/To/Cc lines of quoted and forwarded messages (Outlook, German, French and Spanish
    labels), and in 'On <date>, <name> <email> wrote:' lines."""

    name = "QuotedHeaderDetector"
    entities: tuple[str, ...] = ("PERSON",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if field.kind not in ("body", "attachment") or ":" not in text:
            return []
        hits: list[Hit] = []
        lines = [(m, m.group("label").strip().lower()) for m in HEADER_LINE.finditer(text)]
        labels_at = [(m.start(), label) for m, label in lines]
        for m, label in lines:
            if label not in _LIST_LABELS:
                continue
            near = [lab for pos, lab in labels_at if abs(pos - m.start()) < 400 and pos != m.start()]
            if not any(lab in _OTHER_LABELS or lab in _LIST_LABELS for lab in near):
                continue  # a lone 'To:' in prose is not a header block
            for s, e in person_spans(m.group("value"), m.start("value"), message):
                hits.append(Hit(s, e, "PERSON", 0.9, f"person in a quoted '{m.group('label').strip()}:' line",
                                "quoted header"))
        if "wrote" in text or "schrieb" in text or "écrit" in text or "escribió" in text:
            for regex in (WROTE, WROTE_SHORT):
                for m in regex.finditer(text):
                    who = m.group("who")
                    lead = len(who) - len(who.lstrip(" \t\n>'\","))
                    clean = who.strip(" \t\n>'\",")
                    start = m.start("who") + lead
                    for s, e in person_spans(clean, start, message):
                        hits.append(Hit(s, e, "PERSON", 0.9, "the writer in an '... wrote:' line", "wrote line"))
        return hits


class SignatureDetector:
    """Signature blocks: the name line after a sign-off ('Thanks,' / 'Regards,' / '--') and the full-name line
    that follows ('Deputy Kyle Ostrander #1187 | Patrol Division'), even for names in no list."""

    name = "SignatureDetector"
    entities: tuple[str, ...] = ("PERSON",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if field.kind not in ("body", "attachment"):
            return []
        lines = text.split("\n")
        offsets = []
        pos = 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        hits: list[Hit] = []
        for i, line in enumerate(lines):
            _, bare = strip_quote(line)
            word = bare.strip().rstrip(",!.").strip().lower()
            if not (word in lexicon.SIGNOFFS or _SIG_DASH.match(line)):
                continue
            first_name = ""
            seen = 0
            for j in range(i + 1, min(i + 6, len(lines))):
                _, nbare = strip_quote(lines[j])
                if not nbare.strip():
                    continue
                seen += 1
                hit = _name_line(lines[j], offsets[j], message, first_name)
                if hit is None:
                    break
                hits.append(hit)
                if not first_name:
                    first_name = fold(text[hit.start : hit.end].split()[0])
                if seen >= 2:
                    break
        return hits


def _job_title_word(token: str) -> bool:
    """A job title word that is not a common given name or surname ('Advisor', not 'Junior')."""
    if not lexicon.is_common_noun(token):
        return False
    first_names, surnames = lexicon.census()
    key = fold(token).strip(".,")
    return first_names.get(key, 10**6) > 1500 and surnames.get(key, 10**6) > 2000


def _name_line(line: str, offset: int, message: MessageContext, first_name: str) -> Hit | None:
    m = _NAME_LINE.match(line)
    if m is None:
        return None
    name = m.group("name")
    tokens = name.split()
    start = m.start("name")
    while tokens and lexicon.is_title(tokens[0]) and len(tokens) > 1:
        start += line[start:].find(tokens[1], len(tokens[0]))
        tokens = tokens[1:]
    if not tokens or len(tokens) > 4:
        return None
    name = " ".join(tokens)
    if name.endswith(".") and not tokens[-1][:-1].isupper():
        name = name[:-1]
    if any(lexicon.is_org_word(t) or fold(t).strip(".") in lexicon.NOT_NAMES for t in tokens):
        return None
    if lexicon.is_known_org(tokens) or any(_job_title_word(t) for t in tokens):
        return None  # 'Western Digital Research', 'Senior Attorney Advisor': a title or company line
    if all(t.isupper() and len(t) > 1 for t in tokens) and len(tokens) == 1:
        return None  # 'HCSO'
    if first_name and fold(tokens[0]) != first_name and len(tokens) == 1:
        return None
    if len(tokens) == 1 and (lexicon.is_name_word(tokens[0]) or message.names.is_common(tokens[0])):
        if fold(tokens[0]) not in message.names.firsts:
            return None
    listed = any(lexicon.is_first_name(t) or lexicon.is_surname(t) or fold(t) in message.names.firsts
                 or fold(t) in message.names.lasts for t in tokens)
    if not listed and any(message.names.seen_lower(t) or message.names.is_org(t) for t in tokens):
        return None  # 'Conferences Assistant': a title line, not a name
    end = start + len(name)
    return Hit(offset + start, offset + end, "PERSON", 0.9 if first_name else 0.85,
               "name line of a signature block (after a sign-off)", "signature")
