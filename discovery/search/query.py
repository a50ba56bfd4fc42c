"""Provides the investigator's query language: a parser from text to a small syntax tree (pure, no I/O).

Grammar (operators are case-insensitive; juxtaposition means AND; NOT binds tighter than AND, AND than OR)::

    query   := or
    or      := and (("OR" | "||") and)*
    and     := unary (("AND" | "&&")? unary)*
    unary   := ("NOT" | "-" | "!") unary | "+"? primary
    primary := "(" or ")" | FIELD ":" value | value
    value   := "(" or ")" | '"' phrase '"' ("~" N)? | word ("~" N?)?

Dates (``date:``, ``after:``, ``before:``) become explicit half-open UTC ranges here, never free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from discovery.errors import QuerySyntaxError
from discovery.search.fields import HAS_VALUES, PREFIXES, canonical_prefix
from discovery.search.fuzzy import has_wildcard


# -- syntax tree ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Word:
    """A word (possibly with * and ? wildcards), searched in ``field`` or, when None, everywhere."""

    field: str | None
    text: str
    start: int

    @property
    def wildcard(self) -> bool:
        return has_wildcard(self.text)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Quoted words in order; with ``near`` set, all words within that many positions, in any order."""

    field: str | None
    text: str
    start: int
    near: int | None = None


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """A word matched with up to ``distance`` edits (None: the default for its length)."""

    field: str | None
    text: str
    start: int
    distance: int | None = None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Messages dated in [start, end), naive UTC datetimes; None leaves that side open."""

    start: datetime | None
    end: datetime | None
    position: int


@dataclass(frozen=True, slots=True)
class Has:
    what: str
    position: int


@dataclass(frozen=True, slots=True)
class MatchAll:
    position: int


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Word | Phrase | Fuzzy | DateRange | Has | MatchAll | And | Or | Not


# -- lexer ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ( ) AND OR NOT FIELD WORD PHRASE EOF
    text: str
    start: int
    slop: int | None = None


_SPECIAL = set('()"')
_OPERATORS = {"and": "AND", "&&": "AND", "or": "OR", "||": "OR", "not": "NOT"}
_FIELD_NAME = re.compile(r"[A-Za-z_]+\Z")


def _error(query: str, position: int, message: str, hint: str = "") -> QuerySyntaxError:
    return QuerySyntaxError(message, query=query, position=position, hint=hint)


def _fields_hint() -> str:
    return "Fields: " + ", ".join(f"{name}:" for name in PREFIXES) + ". Quote text that contains a colon."


def tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    after_field = False
    while i < n:
        char = query[i]
        if char.isspace():
            if after_field:
                raise _error(query, i, f"{tokens[-1].text}: needs a value right after the colon",
                             hint='Write e.g. from:dana or subject:"body camera" (no space after the colon).')
            i += 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
            after_field = False
            continue
        if char == '"':
            close = query.find('"', i + 1)
            if close < 0:
                raise _error(query, i, "this quote is never closed", hint='Close the phrase with another ".')
            text = query[i + 1:close]
            j = close + 1
            slop = None
            if j < n and query[j] == "~":
                match = re.match(r"~(\d+)", query[j:])
                if not match:
                    raise _error(query, j, "~ after a phrase needs a number of words",
                                 hint='Write e.g. "face recognition"~5 (both words within 5 words).')
                slop = int(match.group(1))
                j += len(match.group())
            tokens.append(_Token("PHRASE", text, i, slop))
            i = j
            after_field = False
            continue
        if char in "-!+" and not after_field and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            if char != "+":
                tokens.append(_Token("NOT", char, i))
            i += 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
            if query[j] == ":" and not after_field:
                name = query[i:j]
                if _FIELD_NAME.match(name):
                    canonical = canonical_prefix(name)
                    if canonical is not None:
                        tokens.append(_Token("FIELD", canonical, i))
                        i = j + 1
                        break
                    if not query[j + 1:j + 3].startswith("//"):
                        raise _error(query, i, f"unknown field {name!r}", hint=_fields_hint())
            j += 1
        else:
            word = query[i:j]
            if not after_field and word.lower() in _OPERATORS:
                tokens.append(_Token(_OPERATORS[word.lower()], word, i))
            elif word:
                tokens.append(_Token("WORD", word, i))
            after_field = False
            i = j
            continue
        after_field = True
        if i >= n:
            raise _error(query, tokens[-1].start, f"{tokens[-1].text}: needs a value after the colon")
    tokens.append(_Token("EOF", "", n))
    return tokens


# -- parser ---------------------------------------------------------------------------------------------
MAX_DEPTH = 32  # nested groups and NOTs (issue 12: 10,000 parentheses must be an error, not a RecursionError)
MAX_TERMS = 1000  # words, phrases and filters in one query (a 3,000-term OR took 12 s)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0
        self.terms = 0

    def deeper(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(self.query, token.start, f"the query nests groups or NOTs more than {MAX_DEPTH} deep",
                         hint="Write it flatter: (a OR b) AND c needs no more nesting than that.")

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise _error(self.query, 0, "the query is empty", hint="Type some words, or * for every message.")
        node = self.parse_or(None)
        token = self.peek()
        if token.kind == ")":
            raise _error(self.query, token.start, "this ) has no matching (")
        if token.kind != "EOF":  # pragma: no cover - parse_and consumes everything else
            raise _error(self.query, token.start, f"unexpected {token.text!r}")
        return node

    def parse_or(self, field: str | None) -> Node:
        items = [self.parse_and(field)]
        while self.peek().kind == "OR":
            op = self.take()
            if self.peek().kind in ("OR", "AND", ")", "EOF"):
                raise _error(self.query, op.start, f"{op.text} needs something on its right")
            items.append(self.parse_and(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self, field: str | None) -> Node:
        first = self.peek()
        if first.kind in ("AND", "OR"):
            raise _error(self.query, first.start, f"{first.text} needs something on its left")
        items = [self.parse_unary(field)]
        while self.peek().kind not in ("OR", ")", "EOF"):
            if self.peek().kind == "AND":
                op = self.take()
                if self.peek().kind in ("OR", "AND", ")", "EOF"):
                    raise _error(self.query, op.start, f"{op.text} needs something on its right")
            items.append(self.parse_unary(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self, field: str | None) -> Node:
        token = self.peek()
        if token.kind == "NOT":
            self.take()
            if self.peek().kind in ("OR", "AND", ")", "EOF"):
                raise _error(self.query, token.start, f"{token.text} needs something to exclude")
            self.deeper(token)
            node = Not(self.parse_unary(field))
            self.depth -= 1
            return node
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node:
        token = self.take()
        if token.kind == "(":
            return self.parse_group(token, field)
        if token.kind == "FIELD":
            return self.parse_field_value(token)
        if token.kind == "WORD":
            return self.leaf(field, token)
        if token.kind == "PHRASE":
            return self.leaf(field, token)
        if token.kind == ")":
            raise _error(self.query, token.start, "this ) has no matching (")
        raise _error(self.query, token.start, f"unexpected {token.text or 'end of query'}")  # pragma: no cover

    def parse_group(self, opening: _Token, field: str | None) -> Node:
        if self.peek().kind == ")":
            raise _error(self.query, opening.start, "empty parentheses")
        if self.peek().kind == "EOF":
            raise _error(self.query, opening.start, "this ( is never closed")
        self.deeper(opening)
        node = self.parse_or(field)
        if self.peek().kind != ")":
            raise _error(self.query, opening.start, "this ( is never closed", hint="Add the missing ).")
        self.take()
        self.depth -= 1
        return node

    def parse_field_value(self, field_token: _Token) -> Node:
        name = field_token.text
        token = self.take()
        if token.kind == "(":
            if name in ("date", "after", "before", "has"):
                raise _error(self.query, token.start, f"{name}: takes a single value, not a group")
            return self.parse_group(token, name)
        if token.kind in ("WORD", "PHRASE"):
            return self.leaf(name, token)
        # An operator word right after a colon is a value: subject:or
        if token.kind in ("AND", "OR", "NOT") and token.text.isalpha():
            return self.leaf(name, _Token("WORD", token.text, token.start))
        raise _error(self.query, field_token.start, f"{name}: needs a value after the colon")

    def leaf(self, field: str | None, token: _Token) -> Node:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise _error(self.query, token.start, f"the query has more than {MAX_TERMS} terms",
                         hint="Split it, or run the terms as a watch list with 'discovery search --batch FILE'.")
        if field in ("date", "after", "before"):
            return parse_date_filter(self.query, field, token.text, token.start)
        if field == "has":
            what = HAS_VALUES.get(token.text.lower())
            if what is None:
                raise _error(self.query, token.start, f"has:{token.text} is not something a message can have",
                             hint="Use has:attachment, has:tag, has:pii, has:redaction or has:bad-redaction.")
            return Has(what, token.start)
        if token.kind == "PHRASE":
            if not token.text.strip():
                raise _error(self.query, token.start, "empty phrase")
            return Phrase(field, token.text, token.start, token.slop)
        text = token.text
        if text == "*" and field is None:
            return MatchAll(token.start)
        match = re.search(r"~(\d*)\Z", text)
        if match and len(text) > len(match.group()):
            distance = int(match.group(1)) if match.group(1) else None
            if distance is not None and distance > 3:
                raise _error(self.query, token.start + match.start(), "fuzzy matching allows at most 3 edits",
                             hint="Write e.g. rekogniton~ (1-2 edits by word length) or rekogniton~2.")
            return Fuzzy(field, text[:match.start()], token.start, distance)
        if "~" in text:
            tilde = token.start + text.index("~")
            raise _error(self.query, tilde, "~ must end a word and be followed only by a number of edits",
                         hint="Write e.g. rekogniton~ or rekogniton~2.")
        return Word(field, text, token.start)


def parse(query: str) -> Node:
    """Parse a query; raises QuerySyntaxError with the position of the problem."""
    return _Parser(query).parse()


# -- dates ----------------------------------------------------------------------------------------------
_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\Z")


def _date_bounds(query: str, text: str, position: int) -> tuple[datetime, datetime]:
    """The first instant of a year, month or day, and the first instant after it."""
    match = _DATE.match(text)
    if not match:
        raise _error(query, position, f"{text!r} is not a date",
                     hint="Dates are YYYY, YYYY-MM or YYYY-MM-DD (UTC), e.g. date:2018-05 or "
                     "date:2018-01-01..2018-06-30.")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return datetime(year, 1, 1), datetime(year + 1, 1, 1)
        m = int(month)
        start = datetime(year, m, 1 if day is None else int(day))
    except ValueError:
        raise _error(query, position, f"{text!r} is not a valid date") from None
    if day is None:
        end = datetime(year + 1, 1, 1) if m == 12 else datetime(year, m + 1, 1)
    else:
        from datetime import timedelta

        end = start + timedelta(days=1)
    return start, end


def parse_date_filter(query: str, field: str, text: str, position: int) -> DateRange:
    """date:D, date:A..B (either side may be empty), after:D (from D on), before:D (up to, not including, D)."""
    if field == "after":
        return DateRange(_date_bounds(query, text, position)[0], None, position)
    if field == "before":
        return DateRange(None, _date_bounds(query, text, position)[0], position)
    if ".." in text:
        left, right = text.split("..", 1)
        if not left and not right:
            raise _error(query, position, "a date range needs at least one end", hint="e.g. date:2018-01..2018-06")
        start = _date_bounds(query, left, position)[0] if left else None
        end = _date_bounds(query, right, position + len(left) + 2)[1] if right else None
        if start is not None and end is not None and end <= start:
            raise _error(query, position, f"the range {text!r} ends before it starts")
        return DateRange(start, end, position)
    start, end = _date_bounds(query, text, position)
    return DateRange(start, end, position)


def format_error(exc: QuerySyntaxError) -> str:
    """The query with a caret under the problem, for terminals."""
    if not exc.query or exc.position is None:
        return ""
    line = exc.query.replace("\n", " ").replace("\t", " ")
    return f"  {line}\n  {' ' * min(exc.position, len(line))}^"
