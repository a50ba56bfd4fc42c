"""Provides the container writers: mboxrd, Maildir (with Maildir++ folders), loose .eml files and zips."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from .attachments import stable_zip

_FROM_LINE = re.compile(rb"^>*From ")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def from_line(sender: str, moment: datetime) -> bytes:
    """The mbox separator line, ``From addr Tue Apr 11 17:12:05 2017`` (UTC, asctime layout)."""
    u = moment.astimezone(UTC)
    stamp = f"{_DAYS[u.weekday()]} {_MONTHS[u.month - 1]} {u.day:2d} {u:%H:%M:%S} {u.year}"
    return f"From {sender} {stamp}\n".encode("ascii")


def mboxrd_escape(raw: bytes) -> bytes:
    """Quote every line matching ``^>*From `` with one more ``>`` (the mboxrd rule)."""
    lines = raw.splitlines(keepends=True)
    return b"".join(b">" + line if _FROM_LINE.match(line) else line for line in lines)


def mbox_bytes(entries: Iterable[tuple[str, datetime, bytes]]) -> bytes:
    """An mboxrd file: From_ line, escaped message (ending in LF), one empty separator line."""
    out = bytearray()
    for sender, moment, raw in entries:
        body = mboxrd_escape(raw)
        if not body.endswith(b"\n"):
            body += b"\n"
        out += from_line(sender, moment) + body + b"\n"
    return bytes(out)


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def make_maildir(root: Path, folders: Iterable[str]) -> None:
    """Create cur/new/tmp for the top folder and each Maildir++ subfolder (``.Sent``, ``.Vendors.Cirrus``)."""
    for folder in ["", *folders]:
        base = root / folder if folder else root
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        if folder:
            (base / "maildirfolder").write_bytes(b"")


def maildir_name(moment: datetime, seq: int, pid: int, flags: str | None) -> str:
    """``1514764800.M12P4021.pmmail01:2,S``; no info suffix for messages in new/ (flags None)."""
    base = f"{int(moment.timestamp())}.M{seq}P{pid}.pmmail01"
    return base if flags is None else f"{base}:2,{''.join(sorted(flags))}"


def zip_bytes(members: Iterable[tuple[str, bytes, datetime]]) -> bytes:
    """A deterministic zip (stored members); each member dated with its message's local time."""
    items = list(members)
    buf: list[tuple[str, bytes]] = []
    dates: dict[str, tuple[int, ...]] = {}
    for name, data, moment in items:
        buf.append((name, data))
        dates[name] = (
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second - moment.second % 2,
        )
    return _zip_with_dates(buf, dates)


def _zip_with_dates(members: list[tuple[str, bytes]], dates: dict[str, tuple[int, ...]]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=dates[name])  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data)
    return out.getvalue()


__all__ = [
    "from_line",
    "mbox_bytes",
    "mboxrd_escape",
    "make_maildir",
    "maildir_name",
    "stable_zip",
    "write_file",
    "zip_bytes",
]
