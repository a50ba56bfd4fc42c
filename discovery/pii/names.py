"""Provides CorpusNames: the people a case's own headers name, with the variants they go by in bodies."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from discovery.pii import lexicon
from discovery.pii.nicknames import name_variants
from discovery.pii.types import fold, fold_word

_BRACKETS = re.compile(r"\[mailto:[^\]]*\]|<[^>]*>|\([^)]*\)|\[[^\]]*\]")
_LOTUS = re.compile(r"^([^/@]+?)\s*/\s*[A-Za-z0-9&_ -]+(?:/[A-Za-z0-9&_ -]+)*(?:@[\w.-]+)?$")
_NAME_TOKEN = re.compile(r"^[^\W\d_](?:[\w'’.-]*[^\W\d_])?\.?$")
_LOCAL_SPLIT = re.compile(r"[._-]+")
# (the look-behind after the first letter reads the character before it, as one before it would: a pattern that
# starts with a letter lets the regex engine skip to the letters)
_LOWER_WORD = re.compile(r"([a-z](?<![\w@./:-][a-z])[a-z'’-]*[a-z])(?![\w@/-]|\.[A-Za-z0-9])")
_CAP_WORD = re.compile(r"([A-Z](?<![\w@./:-][A-Z])[a-z'’-]*[a-z])(?![\w@/-]|\.[A-Za-z0-9])")
_X_HEADERS = ("x-from", "x-to", "x-cc", "x-bcc")
_PLACE = re.compile(
    r"\b(?:in|near|at|outside|downtown)[ \t]+([A-Z][a-z]+)\b(?![ \t]+[A-Z])"
    r"|\b([A-Z][a-z]+),[ \t]*(?:[A-Z][A-Za-z]\b|Texas|California|Oregon|Florida|New York)"
    r"|\b([A-Z][a-z]+)[ \t]+(?:office|offices|bureau|branch|plant|headquarters|area|airport|market)\b"
)
_ORG_RUN = re.compile(r"((?:[A-Z][\w'’&.-]*[ \t]+){1,4})([A-Z][a-z]+)\b")


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name split into parts, as written ('Dana', ('M.',), 'Whitfield')."""

    first: str
    middle: tuple[str, ...] = ()
    last: str = ""

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.first, *self.middle, self.last) if p)


def _clean_display(name: str) -> str:
    name = name.strip().strip("'\"").strip()
    lotus = _LOTUS.match(name)
    if lotus and "/" in name:
        name = lotus.group(1)
    name = _BRACKETS.sub(" ", name)
    name = name.replace("\u00a0", " ").strip(" ,;'\"")
    return " ".join(name.split())


def _smart_case(token: str) -> str:
    if token.isupper() and len(token) > 1 and token.replace(".", "").isalpha():
        return "-".join(part.capitalize() for part in token.split("-"))
    return token


def _local_resembles(local: str, parts: list[str]) -> bool:
    local = fold(local)
    letters = re.sub(r"[^a-z]", "", local)
    if not letters:
        return False
    folded = [re.sub(r"[^a-z]", "", fold(p)) for p in parts if p]
    return any(len(p) >= 3 and (p in letters or letters in p) for p in folded)


@lru_cache(maxsize=65536)
def parse_person(display: str, email: str = "", *, require_evidence: bool = True) -> PersonName | None:
    """A display name as a person's name, or None when it names a role, list, office or thing.

    Handles 'Last, First M.', 'First Last', Lotus 'First Last/HOU/ECT@ECT', all-caps names, quotes,
    '[mailto:...]' and parenthesised departments. A single given name is kept as first-name-only.
    Without require_evidence (names in From/To lines), a name need not be in the census lists."""
    cleaned = _clean_display(display)
    if not cleaned or "@" in cleaned or any(c.isdigit() for c in cleaned):
        return None
    reversed_order = False
    if cleaned.count(",") == 1:
        left, right = (p.strip() for p in cleaned.split(","))
        if not right or not left:
            cleaned = left or right
        elif fold(right).strip(".") in lexicon.SUFFIXES:
            cleaned = left
        else:
            cleaned, reversed_order = f"{right} {left}", True
    elif "," in cleaned:
        return None
    tokens = [t for t in cleaned.split() if t not in {"-", "|"}]
    while tokens and lexicon.is_title(tokens[0]) and len(tokens) > 1:
        tokens = tokens[1:]
    if reversed_order:  # 'Kilmer III, Robert' -> 'Robert Kilmer III'
        tokens = [t for t in tokens if fold(t).strip(".") not in lexicon.SUFFIXES]
    while tokens and fold(tokens[-1]).strip(".") in lexicon.SUFFIXES:
        tokens = tokens[:-1]
    if not 1 <= len(tokens) <= 4 or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    all_caps = all(t.isupper() for t in tokens)
    if not all_caps and any(t.isupper() and len(t.strip(".")) > 1 for t in tokens):
        return None  # an acronym beside words: 'HCSO Records Unit', 'ITS Service Desk'
    tokens = [_smart_case(t) for t in tokens]
    if any(lexicon.is_org_word(t) for t in tokens) or not tokens[0][0].isupper():
        return None
    first_names, surnames = lexicon.census()
    local = email.partition("@")[0] if email else ""
    if len(tokens) == 1:
        token = tokens[0]
        if fold(token) in first_names or (local and _local_resembles(local, tokens)):
            return PersonName(token)
        if not require_evidence and not lexicon.is_name_word(token) and len(token) > 1:
            return PersonName(token)
        return None
    first, last, middle = tokens[0], tokens[-1], tuple(tokens[1:-1])
    evidence = (
        fold(first) in first_names
        or fold(last) in surnames
        or (local and _local_resembles(local, [first, last]))
    )
    if lexicon.is_name_word(first) and lexicon.is_name_word(last):
        return None
    if not evidence and (require_evidence or any(
            lexicon.is_name_word(t) or fold(t).strip(".") in lexicon.ROLE_WORDS or lexicon.is_title(t)
            for t in tokens)):
        return None
    return PersonName(first, middle, last)


def person_from_local_part(email: str) -> PersonName | None:
    """'heather.dunton@enron.com' -> Heather Dunton, when the local part is first.last of a known first name."""
    local = email.partition("@")[0]
    parts = [p for p in _LOCAL_SPLIT.split(local) if p]
    if len(parts) not in (2, 3) or not all(p.isalpha() and len(p) >= 2 for p in (parts[0], parts[-1])):
        return None
    first_names, _ = lexicon.census()
    if fold(parts[0]) not in first_names or lexicon.is_name_word(parts[-1]):
        return None
    middle = tuple(p.capitalize() for p in parts[1:-1] if p.isalpha())
    return PersonName(parts[0].capitalize(), middle, parts[-1].capitalize())


def split_name_list(value: str) -> list[str]:
    """Entries of an address-list header as written ('A <a@x>, "Last, First" <b@x>', 'A; B', 'Last, First')."""
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        return [p.strip() for p in value.split(";") if p.strip()]
    if "<" in value or "[mailto:" in value:
        parts = re.split(r"(?<=[>\]])\s*,\s*", value)
        return [p.strip() for p in parts if p.strip()]
    raw = [p.strip() for p in value.split(",") if p.strip()]
    first_names, _ = lexicon.census()
    out: list[str] = []
    i = 0
    while i < len(raw):
        part = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        nxt_words = _BRACKETS.sub(" ", nxt).split()
        if (nxt_words and len(part.split()) in (1, 2) and "@" not in part and "/" not in nxt
                and 1 <= len(nxt_words) <= 3 and "@" not in " ".join(nxt_words)
                and fold(nxt_words[0]).strip(".") in first_names
                and (len(part.split()) == 1 or fold(part.split()[1]).strip(".") in lexicon.SUFFIXES)):
            out.append(f"{part}, {nxt}")
            i += 2
            continue
        out.append(part)
        i += 1
    return out


def split_entry(entry: str) -> tuple[str, str]:
    """(display name, email) of one address-list entry."""
    entry = entry.strip()
    m = re.search(r"<([^<>]*)>|\[(?:mailto:)?([^\]\s]+@[^\]\s]+)\]", entry)
    if m:
        email = (m.group(1) or m.group(2) or "").strip()
        return entry[: m.start()].strip().strip("'\""), email if "@" in email else ""
    if "@" in entry and " " not in entry.strip():
        return "", entry
    return entry, ""


@dataclass(slots=True)
class CorpusNames:
    """Names learned from a case's headers, folded for matching, and the case's everyday lower-case words."""

    full: dict[tuple[str, ...], str] = field(default_factory=dict)  # folded token tuple -> display form
    firsts: Counter[str] = field(default_factory=Counter)  # folded given names and their nicknames
    lasts: Counter[str] = field(default_factory=Counter)
    common: frozenset[str] = frozenset()  # lower-case words used as words in this case ('grant', 'chase')
    org_tokens: frozenset[str] = frozenset()  # words that start organisation names here ('cirrus', 'harlow')
    lower_seen: frozenset[str] = frozenset()  # words written lower-case at least 3 times here ('buy')
    people: int = 0

    def add(self, person: PersonName) -> None:
        first = fold(person.first).strip(".")
        last = fold(person.last).strip(".") if person.last else ""
        if not first:
            return
        self.people += 1
        given = {first} | set(name_variants(first))
        self.firsts.update(given)
        if not last:
            return
        self.lasts[last] += 1
        middles = tuple(fold(m).strip(".") for m in person.middle)
        display = person.display
        self.full.setdefault((first, *middles, last), display)
        for g in given:
            self.full.setdefault((g, last), display)
        if middles:
            self.full.setdefault((first, middles[0][:1], last), display)
        if len(first) > 1:
            self.full.setdefault((first[0], last), display)
        if len(middles) == 1 and len(middles[0]) > 1:  # 'Mary Kay Miller' also goes by 'Mary Kay'
            self.full.setdefault((first, middles[0]), display)

    def add_display(self, name: str, email: str = "") -> PersonName | None:
        person = parse_person(name, email) if name else None
        if person is None and email:
            person = person_from_local_part(email)
        if person is not None and self._weak(person):
            return None
        if person is not None:
            self.add(person)
        return person

    def _weak(self, person: PersonName) -> bool:
        """A 'name' that only its address vouches for and that holds an everyday word of this case:
        'Enron Announcements' <enron.announcements@...>, 'Public Relations' <public.relations@...>."""
        parts = [p for p in (person.first, *person.middle, person.last) if len(p.strip(".")) > 1]
        first_names, surnames = lexicon.census()
        if fold_word(person.first) in self.org_tokens and fold_word(person.first) not in first_names:
            return True  # 'Enron Announcements': the first word starts organisation names in this case
        if any(fold_word(p) in first_names or fold_word(p) in surnames for p in parts):
            return False
        return any(fold_word(p) in self.lower_seen for p in parts)

    def match(self, tokens: tuple[str, ...]) -> str | None:
        """The display form of a known person for these folded tokens ('dana', 'whitfield'), if any."""
        return self.full.get(tokens)

    def is_common(self, token: str) -> bool:
        return fold_word(token) in self.common

    def seen_lower(self, token: str) -> bool:
        return fold_word(token) in self.lower_seen

    def is_org(self, token: str) -> bool:
        return fold_word(token) in self.org_tokens

    def version(self) -> str:
        payload = json.dumps([sorted(" ".join(k) for k in self.full), sorted(self.firsts), sorted(self.lasts)])
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def __len__(self) -> int:
        return len(self.full)


def vocabulary(texts: Iterable[str], *, min_count: int = 3
               ) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(everyday words, organisation words, words seen lower-case) of these texts. Everyday: seen lower-case at
    least min_count times and at least a third as often as capitalised -- how a case tells 'grant' the verb from
    'Grant' the person.
    Organisation words: capitalised words that begin names ending in 'County', 'Services', 'Department' ...
    ('Cirrus' of 'Cirrus Web Services'), seen at least twice. Words seen lower-case: at least min_count times,
    whatever the capitalised count ('buy', though 'Strong Buy' fills a newsletter)."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    first_names = lexicon.census()[0]
    places: Counter[str] = Counter()
    runs: Counter[tuple[str, str]] = Counter()  # (words before, last word) of organisation-like runs
    for text in texts:
        lower.update(_LOWER_WORD.findall(text))
        upper.update(map(str.lower, _CAP_WORD.findall(text)))
        places.update(fold(next(g for g in m.groups() if g)) for m in _PLACE.finditer(text))
        runs.update(_ORG_RUN.findall(text))
    for (before, last), n in runs.items():
        if not lexicon.is_org_word(last):
            continue
        for word in before.split():
            key = fold(word).strip(".")
            if key not in first_names and not lexicon.is_title(word) and key not in lexicon.NOT_NAMES:
                orgs[key] += n
    common = frozenset(w for w, n in lower.items() if n >= min_count and n * 3 >= upper.get(w, 0))
    seen = frozenset(w for w, n in lower.items() if n >= min_count)
    for word, n in places.items():  # 'in Houston', 'Houston, TX', 'the Houston office': a place here
        if n >= 2 and n * 5 >= upper.get(word, 0):
            orgs[word] += 2
    return common, frozenset(w for w, n in orgs.items() if n >= 2), seen


def names_from_header_value(value: str) -> list[tuple[str, str]]:
    """(name, email) pairs of an X-From/X-To style header value ('Dunton, Heather </O=ENRON/...>')."""
    pairs = []
    for entry in split_name_list(value):
        name, email = split_entry(entry)
        if "/O=" in entry.upper() or "/CN=" in entry.upper():
            name, email = _BRACKETS.sub(" ", entry).strip(), ""
        pairs.append((name, email))
    return pairs


def learn_names(pairs: Iterable[tuple[str, str]], texts: Iterable[str] = ()) -> CorpusNames:
    """CorpusNames from (display name, email) pairs and the case's texts (for its everyday words)."""
    names = CorpusNames()
    names.common, names.org_tokens, names.lower_seen = vocabulary(texts)
    seen: set[tuple[str, str]] = set()
    for name, email in pairs:
        key = (name.strip(), email.strip().lower())
        if key in seen:
            continue
        seen.add(key)
        names.add_display(*key)
    return names


def learn_from_store(store: object, *, text_sample: int = 20000) -> CorpusNames:
    """Learn the people of a case from its From/To/Cc/Bcc/Reply-To addresses and X-From/X-To/X-cc headers."""
    rows = store.rows("SELECT DISTINCT name, email FROM addresses")  # type: ignore[attr-defined]
    pairs: list[tuple[str, str]] = [(r[0] or "", r[1] or "") for r in rows]
    for row in store.iter_rows(  # type: ignore[attr-defined]
        "SELECT headers FROM messages WHERE instr(headers, '\"X-') > 0"
    ):
        try:
            headers = json.loads(row[0])
        except ValueError:
            continue
        for pair in headers:
            if len(pair) == 2 and str(pair[0]).lower() in _X_HEADERS:
                pairs.extend(names_from_header_value(str(pair[1])))
    texts = (r[0] for r in store.iter_rows(  # type: ignore[attr-defined]
        "SELECT body_text FROM messages ORDER BY id LIMIT ?", (text_sample,)))
    return learn_names(pairs, texts)
