"""Provides message threading (Jamie Zawinski's algorithm) over plain data: no files, no clock."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from discovery.ingest.fields import is_reply_subject, normalize_subject

# How JWZ's algorithm (https://www.jwz.org/doc/threading.html) is applied here, and where we depart from it:
#
# * Messages are first put in a canonical order: by date, messages without a date last, ties broken by id.
#   Every "first one wins" rule below follows that order, so the result does not depend on input order.
# * Steps 1-4 after JWZ: one container per Message-ID. A message's own headers give its parent: In-Reply-To,
#   else the last of its References; its own Message-ID in them is ignored (self-reference). Consecutive
#   ids in References (+ In-Reply-To) presume parents for containers that have none, the first message in
#   canonical order winning; a message's own headers replace a presumed parent. Loops are then cut in one
#   pass (JWZ refuses each looping link as it goes, which costs a walk up the tree per link): a presumed
#   link before an own one, and then the link of the earliest container.
# * Duplicate Message-IDs: the first message in canonical order claims the id; later ones get a fresh
#   container nobody can reference, and still hang under their own In-Reply-To/References.
# * Empty containers (ids referenced but not in the dump) are pruned: children move up to the nearest real
#   message. An empty root keeps its children together as one thread; they get parent_id "".
# * Step 5, grouping the root set by subject, is narrower than JWZ's, because it exists for replies whose
#   headers were lost, not for every "Weekly report":
#     - subjects are compared with fields.normalize_subject; a root is a reply when its subject carries a
#       prefix (fields.is_reply_subject, after removing leading [list] tags, which are not replies);
#       an empty root with several messages under it (replies to a missing message) counts as a reply,
#       with the subject and date of the earliest of them;
#     - a reply root goes under the latest non-reply root with the same subject dated before it (or up to
#       CLOCK_SKEW after it, for wrong clocks and zones), however long before: as in JWZ, and as a FOIA
#       release shows, a vendor's "RE: <original subject>" can come back a year later;
#     - reply roots with no such parent are grouped with the reply roots of the same subject before them
#       when the gap to the latest of those is at most SUBJECT_WINDOW, as siblings (parent_id "") of one
#       thread;
#     - two non-reply roots are never merged (JWZ would put both under a new empty container);
#     - nothing is merged by subject when the subject is generic (GENERIC_SUBJECTS, or fewer than
#       MIN_SUBJECT_CHARS letters/digits) or when a date is missing or unparseable.
# * Dates are ordered as strings, so they must all be written the same way (the ISO 8601 UTC of the
#   contract); they are parsed only to measure the subject window.
# * Every pass is a loop over arrays of ints, linear in the number of messages and ids, never recursion,
#   so chains of any length are fine.

SUBJECT_WINDOW = timedelta(days=90)
CLOCK_SKEW = timedelta(days=1)
MIN_SUBJECT_CHARS = 3

# Normalized subjects (lower-case, prefixes removed) too common to say two messages belong together.
GENERIC_SUBJECTS = frozenset(
    {
        "",
        "(no subject)",
        "no subject",
        "(none)",
        "none",
        "(untitled)",
        "untitled",
        "(kein betreff)",
        "kein betreff",
        "(sans objet)",
        "sans objet",
        "(sin asunto)",
        "sin asunto",
        "hi",
        "hey",
        "hello",
        "hi there",
        "hello there",
        "question",
        "questions",
        "quick question",
        "meeting",
        "call",
        "lunch",
        "update",
        "updates",
        "fyi",
        "info",
        "thanks",
        "thank you",
        "follow up",
        "follow-up",
        "followup",
        "checking in",
        "reminder",
        "request",
        "urgent",
        "important",
        "test",
        "document",
        "documents",
        "attachment",
        "scan",
        "scanned document",
    }
)

_UNDATED = "\U0010ffff"
_LIST_TAGS = re.compile(r"^\s*(?:\[[^\]]*\]\s*)+")


@dataclass(frozen=True, slots=True)
class ThreadInput:
    """What threading needs to know about one message."""

    id: str  # our stable message id
    message_id: str  # "<...>" or ""
    in_reply_to: str  # "<...>" or ""
    references: tuple[str, ...]
    subject: str
    date: str  # ISO 8601 UTC string or "" (sortable)


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """Where one message sits in its thread."""

    thread_id: str  # id of the thread's earliest message (by date, undated last, ties by id)
    parent_id: str  # id of the message this one replies to; "" for the root and for replies to a missing one
    depth: int  # number of messages above this one in the thread


def assign_threads(items: Iterable[ThreadInput]) -> dict[str, ThreadLink]:
    """Thread messages by their Message-ID, In-Reply-To and References headers, then by subject.

    Every input id is a key of the result. Raises ValueError when two inputs share an ``id``.
    """
    msgs = sorted(items, key=_order_key)
    count = len(msgs)
    ids = [m.id for m in msgs]
    if len(set(ids)) != count:
        raise ValueError("assign_threads needs distinct ThreadInput.id values; some ids occur twice")

    parent, holder, msg_container = _link(msgs)
    root, near, depth = _resolve(parent, holder)

    # The top of each root's tree: the root itself if it is a message, else the messages whose nearest real
    # ancestor is missing (children of an empty root, kept together). rep is the earliest of them.
    size = len(parent)
    rep = array("l", [-1]) * size
    ntop = array("l", [0]) * size
    for i in range(count):
        c = msg_container[i]
        if near[c] == -1:
            r = root[c]
            if rep[r] == -1:
                rep[r] = i
            ntop[r] += 1

    group, attach = _group_by_subject(msgs, msg_container, root, rep, ntop)

    first = array("l", [-1]) * size
    for i in range(count):
        r = root[msg_container[i]]
        g = group.get(r, r)
        if first[g] == -1:
            first[g] = i

    result: dict[str, ThreadLink] = {}
    for i in range(count):
        c = msg_container[i]
        r = root[c]
        thread_id = ids[first[group.get(r, r)]]
        above = attach.get(r, -1)
        p = near[c]
        if p != -1:
            link = ThreadLink(thread_id, ids[holder[p]], depth[c] + (above != -1))
        elif above != -1:
            link = ThreadLink(thread_id, ids[above], 1)
        else:
            link = ThreadLink(thread_id, "", 0)
        result[ids[i]] = link
    return result


def _order_key(m: ThreadInput) -> str:
    """Date, undated last, then id. One string compares much faster than a tuple; NUL sorts first."""
    return f"{m.date or _UNDATED}\x00{m.id}"


def _link(msgs: list[ThreadInput]) -> tuple[array[int], array[int], array[int]]:
    """JWZ steps 1-2: containers per Message-ID, linked by In-Reply-To/References, loops then broken.

    Returns (parent, holder, msg_container): parent container per container (-1 for roots), the message
    index a container holds (-1 for empty ones) and the container of each message.
    """
    parent = array("l")
    holder = array("l")
    own_link = bytearray()  # 1 where the parent comes from the message's own headers
    msg_container = array("l", [0]) * len(msgs)
    table: dict[str, int] = {}

    for i, m in enumerate(msgs):
        own = m.message_id
        c = table.get(own, -1) if own else -1
        if c == -1 or holder[c] != -1:  # new id, or a duplicate Message-ID: a fresh container
            c = len(parent)
            parent.append(-1)
            holder.append(-1)
            own_link.append(0)
            if own and own not in table:
                table[own] = c
        holder[c] = i
        msg_container[i] = c

        refs = [ref for ref in m.references if ref and ref != own]
        irt = m.in_reply_to if m.in_reply_to != own else ""
        if irt:
            refs.append(irt)
        if not refs:
            continue
        # Consecutive ids presume a parent for containers that have none yet (first message wins).
        prev = -1
        for ref in dict.fromkeys(refs) if len(refs) > 1 else refs:
            x = table.get(ref, -1)
            if x == -1:
                x = len(parent)
                parent.append(-1)
                holder.append(-1)
                own_link.append(0)
                table[ref] = x
            if prev != -1 and parent[x] == -1:
                parent[x] = prev
            prev = x
        # The message's own headers beat any presumed parent: In-Reply-To, else the last reference.
        parent[c] = table[refs[-1]]
        own_link[c] = 1

    _break_cycles(parent, own_link)
    return parent, holder, msg_container


def _break_cycles(parent: array[int], own_link: bytearray) -> None:
    """Cut one link in every loop of parent pointers, in one pass.

    The link cut is a presumed one if the loop has any, else one from a message's own headers; among
    those, the one of the container created first (earliest message), which then heads the thread.
    """
    state = bytearray(len(parent))  # 0 unseen, 1 on the current path, 2 done
    path: list[int] = []
    for start in range(len(parent)):
        if state[start]:
            continue
        x = start
        while x != -1 and not state[x]:
            state[x] = 1
            path.append(x)
            x = parent[x]
        if x != -1 and state[x] == 1:
            loop = path[path.index(x) :]
            cut = min(loop, key=lambda y: (own_link[y], y))
            parent[cut] = -1
        for y in path:
            state[y] = 2
        path.clear()


def _resolve(parent: array[int], holder: array[int]) -> tuple[array[int], array[int], array[int]]:
    """Per container: its root, its nearest ancestor holding a message (-1 if none), and how many of its
    ancestors hold messages. This is JWZ's pruning of empty containers, done without recursion."""
    size = len(parent)
    root = array("l", [-1]) * size
    near = array("l", [-1]) * size
    depth = array("l", [0]) * size
    path: list[int] = []
    for start in range(size):
        if root[start] != -1:
            continue
        x = start
        while x != -1 and root[x] == -1:
            path.append(x)
            x = parent[x]
        while path:
            y = path.pop()
            p = parent[y]
            if p == -1:
                root[y] = y
            else:
                root[y] = root[p]
                if holder[p] != -1:
                    near[y] = p
                    depth[y] = depth[p] + 1
                else:
                    near[y] = near[p]
                    depth[y] = depth[p]
    return root, near, depth


def _group_by_subject(
    msgs: list[ThreadInput], msg_container: array[int], root: array[int], rep: array[int], ntop: array[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """JWZ step 5, narrowed (see the notes at the top of this module).

    Returns (group, attach): for each root merged into another thread, the root whose thread it joins;
    and for each root placed under a message, the index of that message.
    """
    buckets: dict[str, list[int]] = {}
    for i, m in enumerate(msgs):
        r = root[msg_container[i]]
        if rep[r] != i or not m.date:
            continue
        key = normalize_subject(m.subject)
        if _is_generic(key):
            continue
        buckets.setdefault(key, []).append(r)

    group: dict[int, int] = {}
    attach: dict[int, int] = {}
    for roots in buckets.values():
        if len(roots) < 2:
            continue
        originals: list[tuple[datetime, int]] = []
        replies: list[tuple[datetime, int]] = []
        for r in roots:
            m = msgs[rep[r]]
            when = _parse_date(m.date)
            if when is None:
                continue
            is_reply = ntop[r] > 1 or is_reply_subject(_LIST_TAGS.sub("", m.subject))
            (replies if is_reply else originals).append((when, r))
        if not replies:
            continue
        originals.sort(key=lambda pair: (pair[0], rep[pair[1]]))
        replies.sort(key=lambda pair: (pair[0], rep[pair[1]]))
        original_dates = [when for when, _ in originals]
        anchor = -1
        anchor_date = datetime.min.replace(tzinfo=UTC)
        for when, r in replies:
            j = bisect_right(original_dates, when + CLOCK_SKEW)
            if j:
                target = originals[j - 1][1]
                group[r] = target
                attach[r] = rep[target]
            elif anchor != -1 and when - anchor_date <= SUBJECT_WINDOW:
                group[r] = anchor
                anchor_date = when  # the conversation goes on: measure the gap from its latest reply
            else:
                anchor, anchor_date = r, when
    return group, attach


def _is_generic(key: str) -> bool:
    return key in GENERIC_SUBJECTS or sum(ch.isalnum() for ch in key) < MIN_SUBJECT_CHARS


def _parse_date(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
