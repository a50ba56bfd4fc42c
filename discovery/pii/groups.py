"""Provides the grouping of one message's PII findings into the reviewer's questions: one per value, and one per
person where a name and an address are written together ('Dana Whitfield <dana@x.org>' in From, Cc or a
'Signed-off-by:' line), so the same question is never asked twice about one message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from discovery.pii.nicknames import name_variants
from discovery.pii.types import Finding, value_key

_MAILBOX_GAP = 3  # 'Name <addr>', 'Name" <addr>': what may stand between a name and its address


def value_group(entity_type: str, vkey: str) -> str:
    """The group of a value on its own: 'PERSON:dana whitfield', 'EMAIL_ADDRESS:dana@x.org'."""
    return f"{entity_type}:{vkey}"


def _linked(a: Finding, b: Finding) -> bool:
    """A name and an address written as one mailbox."""
    if {a.entity_type, b.entity_type} != {"PERSON", "EMAIL_ADDRESS"} or a.field != b.field:
        return False
    if a.field.startswith("address:"):  # one address field is one mailbox: 'Name <email>'
        return True
    name, address = (a, b) if a.entity_type == "PERSON" else (b, a)
    return 0 < address.start - name.end <= _MAILBOX_GAP


def _token_match(short: str, full: str) -> bool:
    """A token of a shorter form of a name against the full name's: equal, an initial, or a nickname."""
    if short == full:
        return True
    if len(short) == 1:
        return full.startswith(short)
    return short in name_variants(full) or short.replace("-", "") == full.replace("-", "")


def _short_form(short: str, full: str) -> bool:
    """'lee' / 'duncan' / 'lee d' / 'martin petersen' / 'mike christie' are short forms of 'lee duncan' ... ."""
    a, b = short.split(), full.split()
    if not a or a == b or len(a) > len(b):
        return False
    if len(a) == 1:
        return _token_match(a[0], b[0]) or a[0] == b[-1]
    if len(a) == len(b):  # 'mike christie', 'michael christie'
        return all(_token_match(x, y) for x, y in zip(a, b, strict=True))
    return _token_match(a[0], b[0]) and _token_match(a[-1], b[-1])


def group_keys(findings: Sequence[Finding], owners: Mapping[str, frozenset[str]] | None = None) -> list[str]:
    """The group of each finding of one message (same order). Findings of one value share a group; so do one
    person's forms in the message: a name and an address written as a mailbox, an address and the name the case's
    headers show with it (owners: address -> name value keys), and a shorter form of exactly one fuller name
    ('Lee', 'Lee D.' with 'Lee Duncan'). A group is named after its person."""
    nodes = [value_group(f.entity_type, value_key(f.entity_type, f.text)) for f in findings]
    parent: dict[str, str] = {n: n for n in nodes}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def link(a: str, b: str) -> None:
        a, b = root(a), root(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_field: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        if f.entity_type in ("PERSON", "EMAIL_ADDRESS"):
            by_field.setdefault(f.field, []).append(i)
    for indexes in by_field.values():
        if len(indexes) < 2:
            continue
        ordered = sorted(indexes, key=lambda i: findings[i].start)
        pairs = ([(i, j) for i in ordered for j in ordered if i < j] if findings[ordered[0]].field.startswith(
            "address:") else list(zip(ordered, ordered[1:], strict=False)))
        for i, j in pairs:
            if _linked(findings[i], findings[j]):
                link(nodes[i], nodes[j])
    people = sorted({n for n in parent if n.startswith("PERSON:")})
    if owners:
        for n in parent:
            if n.startswith("EMAIL_ADDRESS:"):
                names = owners.get(n.partition(":")[2], frozenset())
                for person in people:
                    if person.partition(":")[2] in names:
                        link(n, person)
    tokens = {p: p.partition(":")[2].split() for p in people}
    by_token: dict[str, list[str]] = {}  # first or last token, and the first token's nicknames -> fuller names
    for full in people:
        words = tokens[full]
        if len(words) > 1:
            for word in {words[0], words[-1], words[0][:1], *name_variants(words[0])}:
                by_token.setdefault(word, []).append(full)
    for short in people:
        words = tokens[short]
        if not words:
            continue
        short_key = " ".join(words)
        fuller = {root(full) for full in by_token.get(words[0], ()) if full != short
                  and _short_form(short_key, " ".join(tokens[full]))}
        if len(fuller) == 1:  # 'Chris' beside 'Chris Leech' and 'Chris Smith' stays a question of its own
            link(short, fuller.pop())
    members: dict[str, list[str]] = {}
    for n in parent:
        members.setdefault(root(n), []).append(n)
    name = {r: min(ms, key=_rank) for r, ms in members.items()}
    return [name[root(n)] for n in nodes]


def _strong(node: str) -> bool:
    """A member that names one person or value across the case: an address, a name of two words or more, any
    other value. A one-word name ('Lee', 'Chris') is not: it joins a fuller name only inside one message."""
    kind, _, key = node.partition(":")
    return kind != "PERSON" or len(key.split()) > 1


def case_questions(members: Iterable[tuple[str, str]], weights: Mapping[str, int] | None = None) -> dict[str, str]:
    """The case's question of each message group: members are (group, member value group) pairs of the whole case
    ('PERSON:mike christie', 'EMAIL_ADDRESS:michaelc@cs.wisc.edu'), one per value a message's group holds.

    A message's group is one person or value, so its strong members (addresses, full names, other values: see
    _strong) are joined across the case; a group holding none (a lone 'Lee') stays the question of that value.
    A question is named after its person's name written most often (weights: value group -> places), else as a
    message's group is. Returns group -> question."""
    strong: dict[str, list[str]] = {}
    for group, member in members:
        bucket = strong.setdefault(group, [])
        if _strong(member):
            bucket.append(member)
    parent: dict[str, str] = {}

    def root(n: str) -> str:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for nodes in strong.values():
        for other in nodes:
            a, b = root(nodes[0]), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    named: dict[str, str] = {}
    counts = weights or {}

    def rank(n: str) -> tuple[bool, int, int, str]:
        return not n.startswith("PERSON:"), -counts.get(n, 0), -len(n), n

    for n in list(parent):
        r = root(n)
        best = named.get(r)
        if best is None or rank(n) < rank(best):
            named[r] = n
    return {group: named[root(nodes[0])] if nodes else group for group, nodes in strong.items()}


def _rank(node: str) -> tuple[bool, int, str]:
    """How a group is named: a person before a value, the longest name, then the first in order."""
    return not node.startswith("PERSON:"), -len(node), node
