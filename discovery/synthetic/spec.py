"""Provides the abstract description of one generated message, before it is rendered to MIME bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from .people import Person

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass
class AttachmentSpec:
    """A file attached to a message. ``text`` is the marked text whose plain form is the gold text."""

    filename: str
    content_type: str
    data: bytes
    text: str = ""
    inline: bool = False
    content_id: str = ""
    rfc2231: bool = False


@dataclass
class MessageSpec:
    """Everything needed to render one message and to write its gold record."""

    key: str
    sender: Person
    to: list[Person]
    date: datetime
    subject: str  # marked
    body: str  # marked; "" for HTML-only mail
    thread: str
    labels: list[str] = field(default_factory=list)
    cc: list[Person] = field(default_factory=list)
    bcc: list[Person] = field(default_factory=list)
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    attachments: list[AttachmentSpec] = field(default_factory=list)
    calendar: str = ""  # marked iCalendar text (LF line ends) for a meeting request
    embedded: MessageSpec | None = None  # forwarded as a message/rfc822 attachment
    html: str = ""  # the HTML body of HTML-only mail, or an explicit alternative
    style: str = ""  # defaults to the sender's client
    html_only: bool = False
    plain_only: bool = False  # no HTML alternative even if the client usually adds one
    charset: str = ""  # the codec the body is encoded with
    declared_charset: str | None = None  # what Content-Type says; None = same as charset, "" = no param
    cte: str = ""  # 7bit | 8bit | quoted-printable | base64
    subject_encoding: str = ""  # "" (auto) | "b" | "q" | "raw8"
    encode_names: bool = False  # RFC 2047-encode ASCII display names too (some clients do)
    to_group: str = ""  # e.g. "undisclosed-recipients": To becomes an empty group
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    received: bool = True  # add Received headers (the copy as delivered)

    @property
    def client(self) -> str:
        return self.style or self.sender.client

    def digest(self, salt: str = "") -> str:
        return hashlib.sha256(f"{self.key}|{salt}".encode()).hexdigest()


# --- time ------------------------------------------------------------------------------------------

_STD = {"pacific": -8, "eastern": -5}


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (6 - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def local_tz(zone: str, naive: datetime) -> timezone:
    """The US offset (with daylight saving time, 2007 rules) in force at a naive local time."""
    std = _STD[zone]
    start = datetime.combine(_nth_sunday(naive.year, 3, 2), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_nth_sunday(naive.year, 11, 1), datetime.min.time()).replace(hour=2)
    hours = std + 1 if start <= naive < end else std
    return timezone(timedelta(hours=hours))


def at(zone: str, naive: datetime) -> datetime:
    """A naive local time in ``zone`` made timezone-aware."""
    return naive.replace(tzinfo=local_tz(zone, naive))


def in_zone(moment: datetime, zone: str) -> datetime:
    """``moment`` expressed in the local time of ``zone``."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    guess = utc + timedelta(hours=_STD[zone])
    tz = local_tz(zone, guess)
    return moment.astimezone(tz)


def long_date(moment: datetime) -> str:
    """``Tuesday, March 6, 2018 9:14 AM`` (Outlook's quoted-header style, no locale involved)."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_DAYS[moment.weekday()]}, {_MONTHS[moment.month - 1]} {moment.day}, {moment.year} "
        f"{hour}:{moment.minute:02d} {ampm}"
    )


def short_date(moment: datetime) -> str:
    """``Tue, Mar 6, 2018 at 9:14 AM`` (the Gmail attribution style)."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_DAYS[moment.weekday()][:3]}, {_MONTHS[moment.month - 1][:3]} {moment.day}, {moment.year} at "
        f"{hour}:{moment.minute:02d} {ampm}"
    )


def phone_date(moment: datetime) -> str:
    """``Mar 6, 2018, at 9:14 AM`` (the iPhone attribution style)."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_MONTHS[moment.month - 1][:3]} {moment.day}, {moment.year}, at {hour}:{moment.minute:02d} {ampm}"
    )


def month_name(month: int) -> str:
    return _MONTHS[month - 1]


def day_name(moment: datetime | date) -> str:
    return _DAYS[moment.weekday()]
