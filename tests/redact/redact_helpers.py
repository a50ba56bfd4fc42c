"""Provides helpers for the redaction tests: eml files written in tmp_path and a leak search over outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from discovery.redact.variants import CompactText, compact


def write_eml(folder: Path, name: str, *, sender: str, to: Sequence[str], subject: str, body: str,
              minutes: int = 0, in_reply_to: str = "", attachments: Sequence[tuple[str, bytes]] = ()) -> Path:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2018, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes))
    msg["Message-ID"] = f"<{name}@mail.county.example>"
    msg["Received"] = "from mail.county.example (10.1.2.3) by mx.county.example"
    msg["X-Originating-IP"] = "[10.1.2.3]"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}@mail.county.example>"
        msg["References"] = f"<{in_reply_to}@mail.county.example>"
    msg.set_content(body)
    for filename, data in attachments:
        maintype, subtype = ("text", "plain") if filename.endswith(".txt") else ("image", "png")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(msg))
    return path


def survivors(texts: Iterable[str], values: Iterable[str], *, skip_prefixes: tuple[str, ...] = ()) -> set[str]:
    """The values found (compact, whole words) in any of the texts; lines starting with skip_prefixes ignored."""
    compacts = []
    for text in texts:
        if skip_prefixes:
            text = "\n".join(line for line in text.split("\n") if not line.startswith(skip_prefixes))
        compacts.append(CompactText.of(text))
    found = set()
    for value in values:
        needle = compact(value)
        if len(needle) < 2:
            continue
        if any(next(iter(c.find(needle)), None) for c in compacts):
            found.add(value)
    return found


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leaky_writer(production: object, doc: object) -> dict[str, bytes]:
    """A broken per-document writer for the quarantine test: publishes a value the production redacts."""
    return {"pdf/leak.txt": b"call Dana Whitfield\n"}
