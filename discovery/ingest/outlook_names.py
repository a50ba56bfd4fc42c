"""Provides parse_recipients: address headers where Outlook wrote display names unquoted or without any
address (``Last, First (ORG)``, ``Last, First``, ``First Last/ORG``), kept as one recipient each."""

from __future__ import annotations

import re
from functools import lru_cache

from discovery.ingest.fields import parse_addresses
from discovery.model import Address

_CONTROL = re.compile(r"\x00+")  # NULs after Outlook display names (other controls are kept: shown safely)
# A bare surname: one or two words, letters with hyphens/apostrophes/periods, no address, no brackets.
_SURNAME = re.compile(r"^'?[^\W\d_][\w'.\-]*(?:\s+[^\W\d_][\w'.\-]*)?$")
# Lotus/Outlook "First Last/ORG" (or /OU/ORG) with no address.
_SLASHED = re.compile(r"^[^\W\d_][\w'.\- ]{0,60}(?:/[\w.\- ]{1,40}){1,4}$")
# What follows the comma: given names and initials, an optional (ORG), an optional <address>.
_GIVEN = re.compile(r"^[^\W\d_][\w'.\-]*(?:\s+[\w'.\-]+){0,3}(?:\s*\([^()<>]{1,80}\)){0,3}'?(?:\s*<[^<>]*>)?$")
_PAREN_EMAIL = re.compile(r"\(\s*([^()\s]+@[^()\s]+)\s*\)\s*$")


def parse_recipients(value: str) -> tuple[list[Address], str]:
    """Mailboxes of one decoded address header (see _parse), with Outlook's single quotes around a display
    name or an address ('Porcello, Michael (Council)', 'kmitchell@dccouncil.us') taken off."""
    if len(value) > _MEMO_LONGEST:
        found, note = _parse(value)
        return [_unquote(a) for a in found], note
    people, note = _parse_memo(value)
    return list(people), note


_MEMO_LONGEST = 1024  # header values up to this long are remembered (a dump repeats its senders and lists);
# with at most 2,048 of them a worker keeps a few MB at worst, whatever the mail


@lru_cache(maxsize=2048)
def _parse_memo(value: str) -> tuple[tuple[Address, ...], str]:
    """parse_recipients' work, remembered per value (Address is frozen, the tuple immutable: safe to share)."""
    found, note = _parse(value)
    return tuple(_unquote(a) for a in found), note


def _unquote(address: Address) -> Address:
    name, email = address.name, address.email
    if len(name) > 2 and name[0] == name[-1] == "'":
        name = name[1:-1].strip()
    if len(email) > 2 and email[0] == email[-1] == "'":
        email = email[1:-1].strip()
    return address if (name, email) == (address.name, address.email) else Address(name=name, email=email)


def _parse(value: str) -> tuple[list[Address], str]:
    """Mailboxes of one decoded address header, and a note when unquoted display names were re-joined.

    ``Collier, Tameka (BEGA)`` is one recipient named so, with no address, not "Collier" and "Tameka (BEGA)";
    ``Sampson, Erie (DCRB) <erie.sampson@dc.gov>`` keeps its address. Everything else goes to parse_addresses.
    """
    value = _CONTROL.sub("", value or "")
    if not value or ("," not in value and ";" not in value and "/" not in value):
        return parse_addresses(value), ""
    if "/" not in value and value.count("@") > value.count(",") + value.count(";"):
        return parse_addresses(value), ""  # as many addresses as pieces: nothing to re-join (the common case)
    segments = _split_top_level(value)
    merged: list[tuple[str, bool]] = []
    joined = slashed = 0
    i = 0
    while i < len(segments):
        here = segments[i].strip()
        after = segments[i + 1].strip() if i + 1 < len(segments) else ""
        if after and _SURNAME.match(here) and _GIVEN.match(after) and "@" not in _outside_brackets(after):
            merged.append((f"{here}, {after}", True))
            joined += 1
            i += 2
            continue
        if _SLASHED.match(here):
            slashed += 1
        merged.append((here, False))
        i += 1
    if not joined and not slashed:
        return parse_addresses(value), ""
    found: list[Address] = []
    for segment, was_joined in merged:
        if not segment:
            continue
        if was_joined:
            name, _, rest = segment.partition("<")
            email = rest.rstrip(">").strip() if rest else ""
            in_parens = _PAREN_EMAIL.search(name)
            if in_parens and not email:  # "Weil, Sonia (Council) (sweil@dccouncil.us)"
                email, name = in_parens.group(1), name[: in_parens.start()]
            name = name.strip()
            if name.startswith("'") and name.endswith("'"):
                name = name[1:-1].strip()
            found.append(Address(name=name, email=email if "@" in email else ""))
        elif _SLASHED.match(segment):
            found.append(Address(name=segment, email=""))
        else:
            found.extend(parse_addresses(segment))
    example = next(text for text, flag in merged if flag or _SLASHED.match(text))
    example = example.partition("<")[0].strip()
    note = f"{joined + slashed} unquoted Outlook display name(s) (like {example!r}) kept as one recipient each"
    return found, note


def _outside_brackets(text: str) -> str:
    return re.sub(r"<[^<>]*>|\([^()]*\)", "", text)


def _split_top_level(value: str) -> list[str]:
    """Split on commas and semicolons that are not inside <...>, (...) or quotes."""
    parts: list[str] = []
    depth_angle = depth_paren = 0
    quoted = False
    current: list[str] = []
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            pass
        elif ch == "<":
            depth_angle += 1
        elif ch == ">":
            depth_angle = max(0, depth_angle - 1)
        elif ch == "(":
            depth_paren += 1
        elif ch == ")":
            depth_paren = max(0, depth_paren - 1)
        if ch in ",;" and not depth_angle and not depth_paren and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts
