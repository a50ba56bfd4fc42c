"""Provides compile_query: our query syntax tree to a search plan, routing each word to its fields, expanding
wildcards and fuzzy words against the index (unstemmed vocabulary, then stems) and collecting the terms to
highlight."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from discovery.search import engine
from discovery.search import plan as p
from discovery.search.analysis import normalize, stem_word, terms
from discovery.search.fields import (
    ADDRESS_FIELDS,
    DEFAULT_FIELDS,
    DOMAIN_FIELDS,
    FIELD_BOOSTS,
    ID_FIELD,
    NAME_FIELDS,
    PII_ALIASES,
    PII_STATUSES,
    ROLES,
    TEXT_FIELDS,
    VOCAB_FIELD,
    exemption_code,
)
from discovery.search.fuzzy import (
    default_distance,
    has_wildcard,
    literal_prefix,
    osa_distance,
    wildcard_regex,
)
from discovery.search.query import And, DateRange, Fuzzy, Has, MatchAll, Node, Not, Or, Phrase, Word
from discovery.search.wordlists import WordLists

MAX_EXPANSION = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_PII_SEPARATORS = re.compile(r"[\s-]+")
_DOMAIN = re.compile(r"@?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\Z", re.IGNORECASE)


@dataclass(slots=True)
class Compiled:
    """A search plan, the indexed terms worth highlighting per field, and notes for the user."""

    query: p.Node
    highlights: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def is_domain(text: str) -> bool:
    return bool(_DOMAIN.match(text)) and not text.replace(".", "").isdigit()


class _Compiler:
    def __init__(self, searcher: engine.Searcher, words: WordLists) -> None:
        self.searcher = searcher
        self.words = words
        self.highlights: dict[str, set[str]] = {}
        self.notes: list[str] = []
        self._within: dict[tuple[str, str, int], set[str]] = {}

    # -- tree ---------------------------------------------------------------------------------------
    def node(self, node: Node, positive: bool = True) -> p.Node:
        if isinstance(node, And):
            pos = [self.node(n, positive) for n in node.items if not isinstance(n, Not)]
            neg = [self.node(n.item, not positive) for n in node.items if isinstance(n, Not)]
            base = p.and_(pos) if pos else p.ALL
            return p.and_not(base, p.or_(neg)) if neg else base
        if isinstance(node, Or):
            return p.or_([self.node(n, positive) for n in node.items])
        if isinstance(node, Not):
            return p.and_not(p.ALL, self.node(node.item, not positive))
        if isinstance(node, MatchAll):
            return p.ALL
        if isinstance(node, DateRange):
            return p.DateIn(node.start, node.end)
        if isinstance(node, Has):
            return p.Term("has", node.what)
        if isinstance(node, Phrase):
            return self.phrase(node, positive)
        if isinstance(node, Fuzzy):
            return self.fuzzy(node, positive)
        return self.word(node, positive)

    # -- leaves -------------------------------------------------------------------------------------
    def word(self, node: Word, positive: bool) -> p.Node:
        name, text = node.field, node.text
        if name is None:
            if is_email(text) and not node.wildcard:
                return self.addresses(ROLES, text)
            if is_domain(text) and not node.wildcard:
                return self.domains(ROLES, text)
            return p.or_([self.text_word(f, text, positive, boost) for f, boost in DEFAULT_FIELDS.items()])
        if name in TEXT_FIELDS:
            return self.text_word(name, text, positive, FIELD_BOOSTS.get(name, 1.0))
        if name in ("from", "to", "cc", "bcc", "participant"):
            roles = ROLES if name == "participant" else (name,)
            if "@" in text:
                if node.wildcard:
                    return p.or_([self.wildcard(ADDRESS_FIELDS[r], text.lower()) for r in roles])
                if text.startswith("@"):
                    return self.domains(roles, text)
                return self.addresses(roles, text)
            if is_domain(text) and not node.wildcard:
                return self.domains(roles, text)
            return p.or_([self.text_word(r, text, positive) for r in roles])
        if name == "domain":
            value = text.rsplit("@", 1)[-1]
            if node.wildcard:
                return p.or_([self.wildcard(DOMAIN_FIELDS[r], value.lower()) for r in ROLES])
            return self.domains(ROLES, value)
        if name == "id":
            value = text.lower()
            return self.wildcard(ID_FIELD, value if node.wildcard else value + "*")
        if name == "pii":
            return self.pii(text)
        if name == "exemption":
            return self.keyword(name, exemption_code(text))
        return self.keyword(name, text)

    def phrase(self, node: Phrase, positive: bool) -> p.Node:
        name, text = node.field, node.text
        if name is None:
            fields = list(DEFAULT_FIELDS.items())
        elif name in TEXT_FIELDS:
            fields = [(name, FIELD_BOOSTS.get(name, 1.0))]
        elif name in ("from", "to", "cc", "bcc", "participant"):
            roles = ROLES if name == "participant" else (name,)
            value = text.strip()
            if is_email(value):
                return self.addresses(roles, value)
            fields = [(r, 1.0) for r in roles]
        elif name == "domain":
            return self.domains(ROLES, text.strip())
        elif name == "id":
            return self.wildcard(ID_FIELD, text.strip().lower() + "*")
        elif name == "pii":
            return self.pii(text)
        elif name == "exemption":
            return self.keyword(name, exemption_code(text))
        else:
            return self.keyword(name, text)
        parts = []
        for fieldname, boost in fields:
            words = terms(text, stemmed=fieldname in TEXT_FIELDS)
            if not words:
                continue
            if positive:
                self.highlights.setdefault(fieldname, set()).update(words)
            parts.append(p.phrase(fieldname, tuple(words), boost, node.near))
        return p.or_(parts)

    def text_word(self, fieldname: str, text: str, positive: bool, boost: float = 1.0) -> p.Node:
        stemmed = fieldname in TEXT_FIELDS
        if has_wildcard(text):
            found = self.expand_wildcard(fieldname, normalize(text), stemmed)
            if positive:
                self.highlights.setdefault(fieldname, set()).update(found)
            return p.or_([p.Term(fieldname, t, boost) for t in sorted(found)])
        words = terms(text, stemmed=stemmed)
        if not words:
            return p.NOTHING
        if positive:
            self.highlights.setdefault(fieldname, set()).update(words)
        return p.phrase(fieldname, tuple(words), boost)

    def fuzzy(self, node: Fuzzy, positive: bool) -> p.Node:
        word = normalize(node.text)
        distance = node.distance if node.distance is not None else default_distance(word)
        name = node.field
        if name is None:
            fields = list(DEFAULT_FIELDS.items())
        elif name in TEXT_FIELDS:
            fields = [(name, FIELD_BOOSTS.get(name, 1.0))]
        elif name in ("from", "to", "cc", "bcc", "participant"):
            fields = [(r, 1.0) for r in (ROLES if name == "participant" else (name,))]
        elif name == "domain":
            fields = [(DOMAIN_FIELDS[r], 1.0) for r in ROLES]
        else:
            fields = [(name, 1.0)]
        parts = []
        matched: set[str] = set()
        for fieldname, boost in fields:
            if fieldname in TEXT_FIELDS:  # unstemmed words within reach, then their stems
                words = self.within(VOCAB_FIELD, word, distance)
                matched.update(words)
                found = {s for s in (stem_word(w) for w in words) if s is not None}
            else:
                found = self.within(fieldname, word, distance)
                matched.update(found)
            found = {t for t in found if engine.has_term(self.searcher, fieldname, t)}
            if positive and fieldname in (*TEXT_FIELDS, *NAME_FIELDS):
                self.highlights.setdefault(fieldname, set()).update(found)
            parts.extend(p.Term(fieldname, t, boost) for t in sorted(found))
        if matched:
            shown = ", ".join(sorted(matched)[:12]) + (" ..." if len(matched) > 12 else "")
            self.notes.append(f"{node.text}~ matched {shown}")
        return p.or_(parts)

    def keyword(self, fieldname: str, text: str) -> p.Node:
        value = " ".join(text.lower().split())
        if fieldname == "folder":
            value = value.replace("\\", "/").strip("/")
        if has_wildcard(value):
            return self.wildcard(fieldname, value)
        return p.Term(fieldname, value)

    def pii(self, text: str) -> p.Node:
        """pii:VALUE: a review state (pending, accepted), a short name (phone, ssn ...) or an entity type; spaces
        and hyphens stand for underscores (pii:"phone number")."""
        value = _PII_SEPARATORS.sub("_", text.strip().lower()).strip("_")
        if value in PII_STATUSES:
            return p.Term("pii_status", value)
        if value in PII_ALIASES:
            return p.or_([p.Term("pii", t) for t in PII_ALIASES[value]])
        if has_wildcard(value):
            return self.wildcard("pii", value)
        if not engine.has_term(self.searcher, "pii", value):
            known = ", ".join(sorted(engine.field_terms(self.searcher, "pii"))) or "none yet (run 'discovery pii scan')"
            self.notes.append(f"pii:{text}: no suggestion of that type in this case. Types found: {known}; short "
                              "names such as pii:phone, pii:name or pii:ssn, and pii:pending or pii:accepted, work too")
        return p.Term("pii", value)

    def addresses(self, roles: Iterable[str], email: str) -> p.Node:
        return p.or_([p.Term(ADDRESS_FIELDS[r], email.lower()) for r in roles])

    def domains(self, roles: Iterable[str], domain: str) -> p.Node:
        """The domain itself and its subdomains (cirrusweb.example matches mail.cirrusweb.example)."""
        value = domain.lower().lstrip("@").strip(".")
        parts = []
        for role in roles:
            fieldname = DOMAIN_FIELDS[role]
            parts.append(p.Term(fieldname, value))
            parts.append(self.wildcard(fieldname, "*." + value))
        return p.or_(parts)

    def wildcard(self, fieldname: str, pattern: str) -> p.Node:
        """A keyword field's terms that match a wildcard pattern."""
        regex = wildcard_regex(pattern)
        found = [t for t in engine.field_terms(self.searcher, fieldname, literal_prefix(pattern)) if regex.match(t)]
        if len(found) > MAX_EXPANSION:
            self.notes.append(f"{pattern} matched more than {MAX_EXPANSION} values; only the first were searched")
            found = found[:MAX_EXPANSION]
        return p.or_(p.Term(fieldname, t) for t in found)

    # -- expansion ----------------------------------------------------------------------------------
    def expand_wildcard(self, fieldname: str, pattern: str, stemmed: bool) -> set[str]:
        """Indexed terms for a wildcard: unstemmed words that match, stemmed, plus matching stems."""
        regex = wildcard_regex(pattern)
        prefix = literal_prefix(pattern)
        found: set[str] = set()
        sources = [(VOCAB_FIELD, True), (fieldname, False)] if stemmed else [(fieldname, False)]
        for source, via_stem in sources:
            for term in engine.field_terms(self.searcher, source, prefix):
                if regex.match(term):
                    indexed = stem_word(term) if via_stem else term
                    if indexed is not None and engine.has_term(self.searcher, fieldname, indexed):
                        found.add(indexed)
                        if len(found) >= MAX_EXPANSION:
                            self.notes.append(f"{pattern} matched more than {MAX_EXPANSION} words; "
                                              "only the first were searched")
                            return found
        return found

    def within(self, fieldname: str, word: str, distance: int) -> set[str]:
        """Terms of a field within ``distance`` edits of word, counting a transposition as one edit."""
        key = (fieldname, word, distance)
        found = self._within.get(key)
        if found is None:
            found = self._within[key] = self.words.within(self.searcher, fieldname, word, distance)
        return found


def compile_query(node: Node, searcher: engine.Searcher, words: WordLists | None = None) -> Compiled:
    """Translate a parsed query for this searcher's index (``words``: a long-lived fuzzy-lookup cache)."""
    compiler = _Compiler(searcher, words or WordLists())
    q = compiler.node(node)
    return Compiled(q, compiler.highlights, compiler.notes)


SPELL_TWO_EDITS = 8  # shorter words get suggestions one edit away only


def suggest(node: Node, searcher: engine.Searcher, words: WordLists | None = None, limit: int = 3) -> list[str]:
    """Spelling suggestions for words of a query that are in no text field: the case's own indexed words
    (unstemmed, from the vocabulary, so never bare stems) with the same first letter, within one edit (two for
    words of SPELL_TWO_EDITS letters or more), closest and most frequent first. A word typed with a capital is
    taken as a name and gets none: an unknown surname is not a misspelt common word ("Rockett" is not "pockets")."""
    compiler = _Compiler(searcher, words or WordLists())
    out: list[str] = []
    for leaf in _positive_words(node):
        if leaf.text[:1].isupper():
            continue
        word = normalize(leaf.text)
        term = stem_word(word)
        if term is None or any(engine.has_term(searcher, f, term) for f in TEXT_FIELDS):
            continue
        ranked = []
        for candidate in compiler.within(VOCAB_FIELD, word, 2 if len(word) >= SPELL_TWO_EDITS else 1):
            if candidate[:1] != word[:1]:
                continue
            cstem = stem_word(candidate) or candidate
            frequency = sum(engine.doc_frequency(searcher, f, cstem) for f in TEXT_FIELDS)
            if frequency:
                ranked.append((osa_distance(word, candidate), -frequency, candidate))
        out.extend(c for _, _, c in sorted(ranked)[:limit])
    return list(dict.fromkeys(out))


def _positive_words(node: Node) -> list[Word]:
    if isinstance(node, Word):
        return [node] if not node.wildcard and node.field in (None, *TEXT_FIELDS) else []
    if isinstance(node, And | Or):
        return [w for item in node.items for w in _positive_words(item)]
    return []
