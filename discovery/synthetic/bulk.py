"""Provides generate_bulk: a large, deterministic mbox for benchmarks, streamed to disk in constant memory."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import attachments as files
from .people import Person
from .render import message_id_for, render
from .spec import AttachmentSpec, MessageSpec, at, in_zone, short_date
from .text import quote
from .threads import reply_subject
from .writers import from_line, mboxrd_escape

_FIRST = (
    "Avery",
    "Blake",
    "Carmen",
    "Darius",
    "Elena",
    "Felix",
    "Gloria",
    "Hiro",
    "Imani",
    "Jonah",
    "Keiko",
    "Luca",
    "Marisol",
    "Nolan",
    "Odette",
    "Pavel",
    "Quinn",
    "Rosa",
    "Silas",
    "Tamara",
    "Umar",
    "Vera",
    "Wesley",
    "Ximena",
    "Yusuf",
    "Zelda",
    "Anders",
    "Bianca",
    "Cyrus",
    "Delia",
    "Emeka",
    "Farah",
)
_LAST = (
    "Abernathy",
    "Bellweather",
    "Castellano",
    "Dunleavy",
    "Eastwick",
    "Fairbanks",
    "Galloway",
    "Hollister",
    "Ingersoll",
    "Jankowski",
    "Kettering",
    "Lindgren",
    "Marchetti",
    "Northcott",
    "Okonkwo",
    "Pemberton",
    "Quintana",
    "Rasmussen",
    "Sandoval",
    "Thibodeaux",
    "Underhill",
    "Valdivia",
    "Whitlock",
    "Yamamoto",
    "Zielinski",
    "Ashcombe",
    "Brightwater",
    "Coldiron",
    "Delacorte",
    "Everly",
)
_ORGS = (
    ("Cirrus Web Services", "cirrusweb.example", "gmail", "pacific"),
    ("Harlow County Sheriff's Office", "harlowcounty-or.example", "outlook", "pacific"),
    ("Port Mirren Police Department", "portmirren-fl.example", "outlook", "eastern"),
    ("Lindell County", "lindellcounty.example", "outlook", "pacific"),
    ("City of Brackenridge", "brackenridge-fl.example", "outlook", "eastern"),
    ("Personal", "mailbox.example", "webmail", "pacific"),
    ("Personal", "webmail.example", "iphone", "eastern"),
)
_TOPICS = (
    "camera upgrade",
    "budget review",
    "records request",
    "training schedule",
    "pilot results",
    "server migration",
    "policy draft",
    "quarterly report",
    "contract renewal",
    "meeting notes",
    "staffing plan",
    "grant application",
    "network outage",
    "vendor demo",
    "case follow-up",
)
_SENTENCES = (
    "I wanted to follow up on our conversation from last week.",
    "Attached is the latest version with the changes we discussed.",
    "Can you confirm the numbers before Friday so we can send them on?",
    "The vendor says the new release fixes the timeout problem we saw in March.",
    "We still need sign-off from the division commander before anything goes out.",
    "Procurement asked whether this needs a formal solicitation or can go as a renewal.",
    "The storage costs came in lower than the estimate, mostly because of the archive tier.",
    "Please keep this internal until the board has been briefed.",
    "Two of the cameras dropped frames again overnight; facilities is looking at the switch.",
    "I can walk your team through the configuration on a call if that helps.",
    "Legal wants to review the data retention language one more time.",
    "Our analysts ran the test set again and the results were consistent with last quarter.",
    "Training is scheduled for Tuesday and Thursday mornings in the EOC.",
    "The records unit expects a spike in requests after the news coverage.",
    "Let me know if the dial-in works for you or if you'd prefer to meet in person.",
    "We're on track for the end-of-month deadline, barring surprises from the network team.",
    "The draft policy limits use to investigations and requires a supervisor's approval.",
    "I've copied the account team so they can answer the pricing questions directly.",
    "Our IT group needs the list of endpoints and ports before the change window.",
    "Thanks for turning this around so quickly.",
)


@dataclass
class BulkSummary:
    """What generate_bulk wrote."""

    path: Path
    messages: int
    distinct: int
    duplicates: int
    threads: int
    with_attachments: int
    bytes: int


def _people(rng: random.Random) -> list[Person]:
    people = []
    used: set[str] = set()
    while len(people) < 400:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        org, domain, client, zone = rng.choice(_ORGS)
        email = f"{first[0].lower()}{last.lower()}@{domain}"
        if email in used:
            continue
        used.add(email)
        phone = f"{rng.choice(('503', '971', '407', '321', '206'))}-555-01{rng.randrange(100):02d}"
        sig = f"{first} {last}\n{org}\n{phone}" if org != "Personal" else first
        people.append(
            Person(
                f"bulk{len(people)}",
                first,
                last,
                email,
                org,
                client=client,
                zone=zone,
                signature=sig,
                short_sig=first,
            )
        )
    return people


def _paragraphs(rng: random.Random) -> str:
    paras = []
    for _ in range(rng.randint(1, 3)):
        paras.append(" ".join(rng.choice(_SENTENCES) for _ in range(rng.randint(2, 4))))
    return "\n\n".join(paras)


def _attachment(rng: random.Random, n: int) -> AttachmentSpec:
    if rng.random() < 0.5:
        lines = [(f"Report {n}", 14, True)] + [(rng.choice(_SENTENCES), 10, False) for _ in range(6)]
        when = datetime(2018, 1, 1)
        return AttachmentSpec(
            f"report-{n}.pdf", "application/pdf", files.make_pdf(lines, f"Report {n}", when)
        )
    return AttachmentSpec(f"photo-{n}.png", "image/png", files.logo_png())


def generate_bulk(
    out_path: Path, n_messages: int, seed: int = 1, progress: Callable[[int, int], None] | None = None
) -> BulkSummary:
    """Write an mboxrd of ``n_messages`` messages (2-5 KB each) to ``out_path``; same seed, same bytes.

    About 60% of messages reply within a thread, 5% carry a small PDF or PNG and 2% are byte-identical
    re-deliveries of a recent message. Memory stays constant: only a bounded window of recent messages
    is kept.
    """
    rng = random.Random(seed)
    people = _people(rng)
    clock = datetime(2016, 1, 4, 8, 0)
    open_threads: deque[MessageSpec] = deque(maxlen=300)
    recent: deque[tuple[str, datetime, bytes]] = deque(maxlen=200)
    distinct = duplicates = threads = with_att = 0
    size = 0
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("wb") as fh:
        for n in range(n_messages):
            clock += timedelta(minutes=rng.randint(1, 25))
            if recent and rng.random() < 0.02:
                sender_email, moment, raw = recent[rng.randrange(len(recent))]
                duplicates += 1
            else:
                spec = _next_spec(rng, people, open_threads, clock, n)
                if spec.in_reply_to == "":
                    threads += 1
                if spec.attachments:
                    with_att += 1
                raw = render(spec)
                sender_email, moment = spec.sender.email, spec.date
                recent.append((sender_email, moment, raw))
                open_threads.append(spec)
                distinct += 1
            chunk = from_line(sender_email, moment) + mboxrd_escape(raw) + b"\n"
            fh.write(chunk)
            size += len(chunk)
            if progress is not None and (n + 1) % 1000 == 0:
                progress(n + 1, n_messages)
    return BulkSummary(out_path, n_messages, distinct, duplicates, threads, with_att, size)


def _next_spec(
    rng: random.Random, people: list[Person], open_threads: deque[MessageSpec], clock: datetime, n: int
) -> MessageSpec:
    parent = open_threads[rng.randrange(len(open_threads))] if open_threads and rng.random() < 0.6 else None
    if parent is not None:
        sender = parent.to[0] if parent.to else rng.choice(people)
        to = [parent.sender]
        cc = parent.cc[:2]
        subject = reply_subject(parent.subject, "RE: " if sender.client == "outlook" else "Re: ")
        moment = at(sender.zone, in_zone(at("pacific", clock), sender.zone).replace(tzinfo=None))
        history = parent.body if len(parent.body) < 900 else parent.body[:900] + "\n[...]"
        body = (
            f"Hi {parent.sender.first},\n\n{_paragraphs(rng)}\n\nThanks,\n{sender.short_sig}\n\n"
            f"On {short_date(parent.date)}, {parent.sender.name} <{parent.sender.email}> wrote:\n\n"
            f"{quote(history)}"
        )
        refs = (parent.references + [parent.message_id])[-6:]
        in_reply_to = parent.message_id
    else:
        sender = rng.choice(people)
        to = rng.sample(people, rng.randint(1, 3))
        cc = rng.sample(people, rng.randint(0, 2))
        kind = rng.choice(("update", "question", "next steps", "draft"))
        subject = f"{rng.choice(_TOPICS).capitalize()} - {kind}"
        moment = at(sender.zone, in_zone(at("pacific", clock), sender.zone).replace(tzinfo=None))
        body = f"Hi {to[0].first},\n\n{_paragraphs(rng)}\n\nBest,\n{sender.signature}"
        refs, in_reply_to = [], ""
    attachments = [_attachment(rng, n)] if rng.random() < 0.05 else []
    spec = MessageSpec(
        key=f"bulk/{n}",
        sender=sender,
        to=to,
        cc=cc,
        date=moment,
        subject=subject,
        body=body,
        thread="",
        in_reply_to=in_reply_to,
        references=refs,
        attachments=attachments,
    )
    spec.message_id = message_id_for(spec)
    return spec
