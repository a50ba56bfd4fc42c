"""Provides the corpus builder: threads of replies and forwards with realistic quoting, dates, sign-offs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from .people import Person
from .render import message_id_for
from .spec import MessageSpec, at, in_zone, long_date, phone_date, short_date
from .text import quote

_CLOSINGS = {
    "gmail": ("Thanks,", "Best,", "Thanks!", "Cheers,", "Best regards,", "Thank you,", "Talk soon,"),
    "outlook": ("Thanks,", "Thank you,", "Regards,", "Thanks again,", "Respectfully,", "Thx,"),
    "iphone": ("Thanks", "Thx", ""),
    "webmail": ("Thank you,", "Sincerely,", "Regards,", "Thanks,"),
}
_DE_DAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_DE_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def reply_subject(subject: str, prefix: str) -> str:
    """Prefix a reply subject the way clients do: no second ``RE:`` on top of an existing one."""
    low = subject.lower()
    if prefix == "AW: ":
        return subject if subject.startswith("AW: ") else prefix + subject
    for existing in ("re: ", "aw: ", "re:"):
        if low.startswith(existing):
            if prefix == "RE: " and subject.startswith("Re: "):
                return "RE: " + subject[4:]
            return subject
    return prefix + subject


class Corpus:
    """Collects MessageSpecs in creation order; every random choice comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.specs: list[MessageSpec] = []
        self._keys: set[str] = set()
        self._ids: set[str] = set()

    def add(self, spec: MessageSpec) -> MessageSpec:
        if spec.key in self._keys:
            raise ValueError(f"duplicate spec key {spec.key}")
        self._keys.add(spec.key)
        if not spec.message_id:
            spec.message_id = message_id_for(spec)
        if spec.message_id in self._ids:
            raise ValueError(f"duplicate Message-ID {spec.message_id}")
        self._ids.add(spec.message_id)
        self.specs.append(spec)
        return spec

    def thread(self, key: str, subject: str, labels: Sequence[str] = (), conversation: str = "") -> Thread:
        """A new thread; ``conversation`` is the gold thread key when it continues another thread."""
        return Thread(self, key, subject, list(labels), conversation or key)

    def single(
        self,
        key: str,
        sender: Person,
        to: Sequence[Person],
        when: datetime,
        subject: str,
        body: str,
        labels: Sequence[str] = ("noise",),
        **kwargs: object,
    ) -> MessageSpec:
        """A message outside any conversation; ``when`` is naive local time in the sender's zone."""
        moment = at(sender.zone, when.replace(second=self.rng.randrange(60)))
        spec = MessageSpec(
            key=key,
            sender=sender,
            to=list(to),
            date=moment,
            subject=subject,
            body=body,
            thread=key,
            labels=list(labels),
            **kwargs,
        )  # type: ignore[arg-type]
        return self.add(spec)

    def closing(self, client: str) -> str:
        pool = _CLOSINGS.get(client, _CLOSINGS["outlook"])
        return pool[self.rng.randrange(len(pool))]

    def advance(
        self, prev: datetime, zone: str, lo_hours: float, hi_hours: float, business: bool = True
    ) -> datetime:
        """A later moment in ``zone`` local time, pushed into business hours when asked."""
        minutes = self.rng.randint(max(1, int(lo_hours * 60)), max(2, int(hi_hours * 60)))
        local = in_zone(prev + timedelta(minutes=minutes), zone).replace(tzinfo=None)
        if business:
            while local.weekday() >= 5 or local.hour < 7 or local.hour >= 19:
                if local.hour >= 19 or local.weekday() >= 5:
                    local = (local + timedelta(days=1)).replace(hour=7, minute=0)
                else:
                    local = local.replace(hour=7, minute=0)
                local += timedelta(minutes=self.rng.randint(5, 150))
        local = local.replace(second=self.rng.randrange(60), microsecond=0)
        moment = at(zone, local)
        if moment <= prev:
            moment = prev + timedelta(minutes=3)
        return moment


class Thread:
    """One conversation: ``post`` adds a new message, a reply (quoting) or a forward."""

    def __init__(self, corpus: Corpus, key: str, subject: str, labels: list[str], conversation: str) -> None:
        self.corpus = corpus
        self.key = key
        self.conversation = conversation
        self.subject = subject
        self.labels = labels
        self.msgs: list[MessageSpec] = []
        self._signed: set[str] = set()

    def signoff(self, sender: Person, client: str, closing: str | None, sig: str) -> str:
        if sig == "none":
            return ""
        text = closing if closing is not None else self.corpus.closing(client)
        full = sig == "full" or (sig == "auto" and sender.key not in self._signed and bool(sender.signature))
        self._signed.add(sender.key)
        name = sender.sign(False)
        lines = [text] if text else []
        if full:
            lines += [sender.f, "", sender.signature] if sender.is_person else [sender.signature]
        else:
            lines.append(name)
        out = "\n\n" + "\n".join(lines)
        if client == "iphone":
            out += "\n\nSent from my iPhone"
        return out

    def _attribution(self, prev: MessageSpec, sender: Person, client: str, forward: bool) -> str:
        moment = in_zone(prev.date, sender.zone)
        who = prev.sender
        if client == "outlook":
            if sender.key == "katrin":
                to = "; ".join(p.ne for p in prev.to)
                cc = "; ".join(p.ne for p in prev.cc)
                when = (
                    f"{_DE_DAYS[moment.weekday()]}, {moment.day}. {_DE_MONTHS[moment.month - 1]} "
                    f"{moment.year} {moment.hour:02d}:{moment.minute:02d}"
                )
                lines = ["", "", "Von: " + who.ne, "Gesendet: " + when, "An: " + to]
                if cc:
                    lines.append("Cc: " + cc)
                lines += ["Betreff: " + prev.subject, "", ""]
                return "\n".join(lines)
            if sender.email.endswith("harlowcounty-or.example"):
                to = "; ".join(p.hn for p in prev.to)
                cc = "; ".join(p.hn for p in prev.cc)
                lines = [
                    "",
                    "",
                    "-----Original Message-----",
                    f"From: {who.hn} [mailto:{who.e}]",
                    "Sent: " + long_date(moment),
                    "To: " + to,
                ]
            else:
                to = "; ".join(p.ne for p in prev.to)
                cc = "; ".join(p.ne for p in prev.cc)
                lines = [
                    "",
                    "",
                    "________________________________",
                    f"From: {who.ne}",
                    "Sent: " + long_date(moment),
                    "To: " + to,
                ]
            if cc:
                lines.append("Cc: " + cc)
            lines += ["Subject: " + prev.subject, "", ""]
            return "\n".join(lines)
        if forward:
            lines = [
                "",
                "",
                "---------- Forwarded message ----------",
                f"From: {who.ne}",
                "Date: " + short_date(moment),
                "Subject: " + prev.subject,
                "To: " + ", ".join(p.ne for p in prev.to),
            ]
            if prev.cc:
                lines.append("Cc: " + ", ".join(p.ne for p in prev.cc))
            return "\n".join(lines) + "\n\n\n"
        if client == "iphone":
            return f"\n\nOn {phone_date(moment)}, {who.ne} wrote:\n\n"
        if client == "webmail":
            stamp = f"{moment.year}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
            return f"\n\nOn {stamp}, {who.hn} wrote:\n"
        return f"\n\nOn {short_date(moment)}, {who.ne} wrote:\n\n"

    def post(
        self,
        sender: Person,
        to: Sequence[Person],
        body: str,
        *,
        cc: Sequence[Person] = (),
        bcc: Sequence[Person] = (),
        when: datetime | None = None,
        after: tuple[float, float] = (0.4, 7.0),
        business: bool = True,
        reply_to: int | None = -1,
        forward: bool = False,
        sales: bool = False,
        labels: Sequence[str] | None = None,
        subject: str | None = None,
        threaded: bool = True,
        prefix: str | None = None,
        closing: str | None = None,
        sig: str = "auto",
        quote_prev: bool = True,
        keep_attachments: bool = False,
        conversation: str | None = None,
        **kwargs: object,
    ) -> MessageSpec:
        """Add a message. ``when`` is naive local time in the sender's zone, else ``after`` hours later."""
        corpus = self.corpus
        client = str(kwargs.get("style") or sender.client)
        prev = self.msgs[reply_to] if (reply_to is not None and self.msgs) else None
        if when is not None:
            moment = at(sender.zone, when.replace(second=corpus.rng.randrange(60)))
        elif self.msgs:
            moment = corpus.advance(self.msgs[-1].date, sender.zone, after[0], after[1], business)
        else:
            raise ValueError(f"the first message of {self.key} needs a time")
        if subject is None:
            if prev is None:
                subject = self.subject
            elif forward:
                subject = (prefix or ("FW: " if client == "outlook" else "Fwd: ")) + prev.subject
            else:
                subject = reply_subject(prev.subject, prefix or ("RE: " if client == "outlook" else "Re: "))
        text = body + self.signoff(sender, client, closing, sig)
        if prev is not None and quote_prev:
            attribution = self._attribution(prev, sender, client, forward)
            if client == "outlook" or forward:
                text += attribution + prev.body
            else:
                text += attribution + quote(prev.body)
        in_reply_to = ""
        references: list[str] = []
        if prev is not None and threaded and not (forward and client == "outlook"):
            in_reply_to = prev.message_id
            references = (prev.references + [prev.message_id])[-8:]
        if prev is not None:
            thread_key = prev.thread  # replies and forwards stay in the conversation they answer
        elif conversation is not None:
            thread_key = conversation
        else:
            thread_key = self.conversation if not self.msgs else f"{self.key}~{len(self.msgs) + 1}"
        msg_labels = (["sales_outreach"] if sales else []) + list(self.labels if labels is None else labels)
        attachments = list(kwargs.pop("attachments", []) or [])  # type: ignore[call-overload]
        if forward and keep_attachments and prev is not None:
            attachments = list(prev.attachments) + attachments
        spec = MessageSpec(
            key=f"{self.key}/{len(self.msgs) + 1}",
            sender=sender,
            to=list(to),
            cc=list(cc),
            bcc=list(bcc),
            date=moment,
            subject=subject,
            body=text,
            thread=thread_key,
            labels=msg_labels,
            in_reply_to=in_reply_to,
            references=references,
            attachments=attachments,
            **kwargs,
        )  # type: ignore[arg-type]
        corpus.add(spec)
        self.msgs.append(spec)
        return spec
