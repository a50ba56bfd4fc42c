"""Provides the grouping of one message's PII findings into the reviewer's questions: one per value, and one per
person where a name and an address are written together ('Dana Whitfield <dana@x.org>' in From, Cc or a
'Signed-off-by:' line), so the same question is never asked twice about one message."""

from __future__ import annotations

from collections.abc import Sequence

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


def group_keys(findings: Sequence[Finding]) -> list[str]:
    """The group of each finding of one message (same order). Findings of one value share a group; a name and
    an address linked as a mailbox anywhere in the message join their two values into one group, named after
    the person."""
    nodes = [value_group(f.entity_type, value_key(f.entity_type, f.text)) for f in findings]
    parent: dict[str, str] = {n: n for n in nodes}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

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
                a, b = root(nodes[i]), root(nodes[j])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for n in parent:
        members.setdefault(root(n), []).append(n)
    name = {r: min(ms, key=lambda n: (not n.startswith("PERSON:"), n)) for r, ms in members.items()}
    return [name[root(n)] for n in nodes]
