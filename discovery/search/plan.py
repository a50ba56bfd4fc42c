"""Provides the search plan: the few node types a parsed query is compiled into (terms, phrases, date ranges,
boolean operators), after field routing and wildcard/fuzzy expansion. Pure data; execute.py runs it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Phrase:
    """Terms at consecutive positions; with ``near``, all within a stretch holding at most ``near`` other words,
    in any order."""

    field: str
    terms: tuple[str, ...]
    near: int | None = None
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class DateIn:
    """Dated in [start, end) (naive UTC; None = open). Undated messages never match."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, slots=True)
class All:
    pass


@dataclass(frozen=True, slots=True)
class Nothing:
    pass


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AndNot:
    positive: Node
    negative: Node


Node = Term | Phrase | DateIn | All | Nothing | And | Or | AndNot
NOTHING = Nothing()
ALL = All()


def and_(items: Iterable[Node]) -> Node:
    kept: list[Node] = []
    for item in items:
        if isinstance(item, Nothing):
            return NOTHING
        if isinstance(item, All):
            continue
        kept.extend(item.items if isinstance(item, And) else (item,))
    if not kept:
        return ALL
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def or_(items: Iterable[Node]) -> Node:
    kept: list[Node] = []
    for item in items:
        if isinstance(item, Nothing):
            continue
        if isinstance(item, All):
            return ALL
        kept.extend(item.items if isinstance(item, Or) else (item,))
    if not kept:
        return NOTHING
    return kept[0] if len(kept) == 1 else Or(tuple(dict.fromkeys(kept)))


def and_not(positive: Node, negative: Node) -> Node:
    if isinstance(negative, Nothing) or isinstance(positive, Nothing):
        return positive
    if isinstance(negative, All):
        return NOTHING
    return AndNot(positive, negative)


def phrase(field: str, terms: tuple[str, ...], boost: float = 1.0, near: int | None = None) -> Node:
    if not terms:
        return NOTHING
    if len(terms) == 1:
        return Term(field, terms[0], boost)
    return Phrase(field, terms, near, boost)


def leaves(node: Node, positive: bool = True) -> Iterator[tuple[Term | Phrase, bool]]:
    """Every term and phrase with whether it counts for relevance (not under a negation)."""
    if isinstance(node, Term | Phrase):
        yield node, positive
    elif isinstance(node, And | Or):
        for item in node.items:
            yield from leaves(item, positive)
    elif isinstance(node, AndNot):
        yield from leaves(node.positive, positive)
        yield from leaves(node.negative, False)
