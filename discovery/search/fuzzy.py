"""Provides edit distance with transpositions (optimal string alignment) and wildcard matching, as plain
functions used to expand fuzzy and wildcard query words against the index's vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache


def osa_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, substitute, swap two adjacent letters) to turn a into b.

    Unlike plain Levenshtein distance, a transposition counts as one edit: "mreger" is one edit from
    "merger". With ``limit``, returns limit + 1 as soon as the distance is known to exceed it.
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if limit is not None and abs(la - lb) > limit:
        return limit + 1
    if not la or not lb:
        return max(la, lb)
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        ca = a[i - 1]
        row_min = current[0]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            if value < row_min:
                row_min = value
        if limit is not None and row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[lb]


def transpositions(word: str) -> Iterator[str]:
    """Every distinct word made by swapping two adjacent, different letters."""
    seen = set()
    for i in range(len(word) - 1):
        if word[i] != word[i + 1]:
            variant = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if variant not in seen:
                seen.add(variant)
                yield variant


def default_distance(word: str) -> int:
    """The edits allowed for ``word~`` with no number: 1 for short words, 2 from six letters on."""
    return 1 if len(word) < 6 else 2


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def literal_prefix(pattern: str) -> str:
    """The part of a wildcard pattern before its first wildcard."""
    match = re.match(r"[^*?]*", pattern)
    return match.group() if match else ""


@lru_cache(maxsize=256)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``*`` is any run of characters, ``?`` exactly one; the whole term must match."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)
