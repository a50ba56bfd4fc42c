"""Expected search results computed straight from the case store with Whoosh's own analyzers (through
discovery.search.engine) and plain Python: no index, no query parser, no fast analysis path."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from discovery.search import engine

ROLES = ("from", "to", "cc", "bcc")


def osa(a: str, b: str) -> int:
    """Reference optimal-string-alignment distance (a transposition is one edit)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@dataclass
class Tokens:
    """Per message and field: (position, term, unstemmed word) from Whoosh's analyzers."""

    by_field: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)


class Corpus:
    def __init__(self, case_dir: Path) -> None:
        self.db = sqlite3.connect(f"file:{case_dir / 'store.sqlite'}?mode=ro", uri=True)
        self.ids = [r[0] for r in self.db.execute("SELECT id FROM messages")]
        self.rows = {r[0]: r for r in self.db.execute(
            "SELECT id, subject, body_text, date_utc, thread_id, attachment_count, message_id FROM messages")}
        self.addresses: dict[str, dict[str, list[tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(list))
        for key, role, name, email, domain in self.db.execute(
                "SELECT message_id, role, name, email, domain FROM addresses ORDER BY message_id, role, position"):
            self.addresses[key][role].append((name, email.lower(), domain.lower()))
        attachments: dict[str, list[str]] = defaultdict(list)
        self.attachment_types: dict[str, set[str]] = defaultdict(set)
        for key, filename, mime, text in self.db.execute(
                "SELECT message_id, filename, mime, text FROM attachments ORDER BY message_id, position"):
            attachments[key] += [p for p in (filename, text) if p]
            if "." in filename:
                self.attachment_types[key].add(filename.rsplit(".", 1)[1].lower())
            self.attachment_types[key].add(mime.lower())
        text_analyzer, name_analyzer = engine.text_analyzer(), engine.name_analyzer()
        self.tokens: dict[str, Tokens] = {}
        for key, row in self.rows.items():
            fields = {"subject": row[1] or "", "body": row[2] or "", "attachment": "\n".join(attachments[key])}
            tokens = Tokens()
            for name, text in fields.items():
                tokens.by_field[name] = self._analyze(text_analyzer, text, stemmed=True)
            for role in ROLES:
                people = self.addresses[key].get(role, [])
                text = " ".join(f"{n} {e}" for n, e, _ in people)
                tokens.by_field[role] = self._analyze(name_analyzer, text, stemmed=False)
            self.tokens[key] = tokens

    @staticmethod
    def _analyze(analyzer: object, text: str, *, stemmed: bool) -> list[tuple[int, str, str]]:
        if not text:
            return []
        out = []
        for token in analyzer(text, positions=True, keeporiginal=True):  # type: ignore[operator]
            word = token.original.lower()
            if not word.isascii():
                word = word.translate(engine.ACCENT_MAP)
            out.append((token.pos, token.text, word))
        return out

    # -- text -------------------------------------------------------------------------------------------
    def with_term(self, fields: tuple[str, ...], term: str) -> set[str]:
        return {k for k, t in self.tokens.items() if any(term == x[1] for f in fields for x in t.by_field[f])}

    def with_phrase(self, fields: tuple[str, ...], terms: list[str]) -> set[str]:
        out = set()
        for key, tokens in self.tokens.items():
            for f in fields:
                seq = tokens.by_field[f]
                positions = {(pos, term) for pos, term, _ in seq}
                if any(all((pos + i, t) in positions for i, t in enumerate(terms)) for pos, term, _ in seq
                       if term == terms[0]):
                    out.add(key)
        return out

    def with_near(self, fields: tuple[str, ...], a: str, b: str, between: int) -> set[str]:
        out = set()
        for key, tokens in self.tokens.items():
            for f in fields:
                pa = [p for p, t, _ in tokens.by_field[f] if t == a]
                pb = [p for p, t, _ in tokens.by_field[f] if t == b]
                if any(0 < abs(x - y) <= between + 1 for x in pa for y in pb):
                    out.add(key)
        return out

    def with_word_matching(self, fields: tuple[str, ...], predicate: object) -> set[str]:
        """Messages containing a word for which predicate(word) holds, or any inflection of such a word in
        stemmed fields (the index holds stems: a word found by a wildcard or fuzzy query brings its stem)."""
        words = {word for t in self.tokens.values() for f in fields for _, _, word in t.by_field[f]}
        matching = {w for w in words if predicate(w)}  # type: ignore[operator]
        stems = {term for t in self.tokens.values() for f in fields if f in ("subject", "body", "attachment")
                 for _, term, word in t.by_field[f] if word in matching}
        out = set()
        for key, tokens in self.tokens.items():
            for f in fields:
                for _, term, word in tokens.by_field[f]:
                    if (f in ("subject", "body", "attachment") and term in stems) or (f in ROLES and word in matching):
                        out.add(key)
        return out

    # -- headers ----------------------------------------------------------------------------------------
    def with_address(self, roles: tuple[str, ...], email: str) -> set[str]:
        return {k for k, a in self.addresses.items() if any(e == email.lower() for r in roles for _, e, _ in a[r])}

    def with_domain(self, roles: tuple[str, ...], domain: str) -> set[str]:
        d = domain.lower()
        return {k for k, a in self.addresses.items()
                if any(x == d or x.endswith("." + d) for r in roles for _, _, x in a[r])}

    def dated(self, start: str | None, end: str | None) -> set[str]:
        return {k for k, r in self.rows.items() if r[3] and (start is None or r[3] >= start)
                and (end is None or r[3] < end)}

    def sql_ids(self, sql: str, params: tuple[object, ...] = ()) -> set[str]:
        return {r[0] for r in self.db.execute(sql, params)}

    def all(self) -> set[str]:
        return set(self.ids)


WORD = re.compile(r"\w+")


def hit_ids(searcher: object, query: str, **options: object) -> set[str]:
    """Every hit of a query, checking each message appears once and the total is exact."""
    results = searcher.search(query, limit=None, snippets=False, **options)  # type: ignore[attr-defined]
    ids = [h.id for h in results.hits]
    assert len(ids) == len(set(ids)) == results.total, "a message appeared twice"
    return set(ids)
