"""Provides quoted_parents: the message a printed email quotes, found in the case by the header block it
quotes (same sender, same date to the minute, same subject), pure over plain data.

A print-out carries no Message-ID, In-Reply-To or References, but a reply or a forward prints the header
of the message it answers ("From: ... Sent: ... Subject: ..."). When exactly that message is in the case
(ingested from a mailbox, or printed elsewhere in the release), the printed one joins its thread under it.
Printed dates have no zone, so a quoted date matches a candidate when the minutes agree and the hours differ
by a whole time-zone offset (at most 14 h); a date printed with its zone must match the instant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from discovery.ingest.fields import normalize_subject
from discovery.ingest.printed import parse_printed_date

MAX_ZONE_GAP = timedelta(hours=14)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A message of the case a quoted header may point at."""

    id: str
    subject: str
    date: str  # ISO 8601 UTC or ""
    from_name: str
    from_email: str


@dataclass(frozen=True, slots=True)
class Quoting:
    """A printed message and the header block it quotes first (field name -> printed value)."""

    id: str
    date: str  # its own ISO 8601 UTC date or "": a parent is never later than its child
    quoted: dict[str, str]


def quoted_parents(quoting: Iterable[Quoting], candidates: Iterable[Candidate]) -> dict[str, str]:
    """Child id -> parent id for every printed message whose quoted header matches one other message (the
    earliest by date and id when copies match); messages without a match are left out."""
    by_subject: dict[str, list[Candidate]] = {}
    for cand in candidates:
        key = normalize_subject(cand.subject)
        if key and cand.date:
            by_subject.setdefault(key, []).append(cand)
    for group in by_subject.values():
        group.sort(key=lambda c: (c.date, c.id))
    parents: dict[str, str] = {}
    for item in quoting:
        key = normalize_subject(item.quoted.get("subject", ""))
        when, note = parse_printed_date(item.quoted.get("date", ""))
        if not key or when is None:
            continue
        zoned = not note
        for cand in by_subject.get(key, []):
            if cand.id == item.id or (item.date and _after(cand.date, item.date)):
                continue
            if _same_sender(item.quoted.get("from", ""), cand) and _same_time(when, zoned, cand.date):
                parents[item.id] = cand.id
                break
    return parents


def _after(parent: str, child: str) -> bool:
    """Whether a parent's date is after its child's by more than a zone gap (a printed child's date is its
    wall-clock time taken as UTC, so it may be off by the sender's zone)."""
    a, b = _instant(parent), _instant(child)
    return a is not None and b is not None and a - b > MAX_ZONE_GAP


def _instant(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _same_sender(printed: str, cand: Candidate) -> bool:
    emails = {e.lower() for e in _EMAIL.findall(printed)}
    if emails and cand.from_email:
        return cand.from_email.lower() in emails
    name = _name_key(_EMAIL.sub("", printed).replace("[mailto:]", "").replace("<>", ""))
    return bool(name) and name == _name_key(cand.from_name)


def _name_key(name: str) -> frozenset[str]:
    """A person's name as a set of words, so "Whitfield, Dana" and "Dana Whitfield" agree."""
    name = name.split("/")[0]  # a Lotus Notes canonical name: its common name
    return frozenset(w for w in re.split(r"[^\w'-]+", name.lower()) if w and w not in ("mailto", "on", "behalf", "of"))


def _same_time(when: datetime, zoned: bool, cand_date: str) -> bool:
    other = _instant(cand_date)
    if other is None:
        return False
    gap = abs(when - other)
    if zoned:
        return gap <= timedelta(minutes=1)
    if gap > MAX_ZONE_GAP:
        return False
    quarter = gap.total_seconds() % 900  # zones are whole hours, a few half or three quarters
    return quarter < 61 or quarter > 900 - 61
