"""Small hand-made mailboxes for search tests that need a case they can change."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from discovery.case import Case


def write_eml(folder: Path, name: str, *, subject: str, body: str, sender: str = "Ann Lee <ann@vendor.example>",
              to: str = "Bob Roe <bob@agency.example>", cc: str = "", bcc: str = "",
              date: str = "Tue, 01 May 2018 10:00:00 +0000", attachment: tuple[str, bytes] | None = None) -> Path:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if bcc:
        msg["Bcc"] = bcc
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = make_msgid(domain="test.example")
    msg.set_content(body)
    if attachment is not None:
        filename, data = attachment
        msg.add_attachment(data, maintype="text", subtype="plain", filename=filename)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(bytes(msg))
    return path


def filler(n: int, seed: int = 0) -> str:
    words = ["schedule", "report", "meeting", "network", "budget", "county", "vendor", "storage", "training",
             "contract", "invoice", "policy", "update", "review", "server", "camera", "license", "deadline"]
    return " ".join(words[(i * 7 + seed) % len(words)] for i in range(n))


def make_case(tmp_path: Path, count: int = 12, *, name: str = "case") -> Path:
    """A case with ``count`` simple messages (one mention of 'merger' in message 3), ingested and indexed."""
    source = tmp_path / f"{name}-src"
    for i in range(count):
        body = filler(40, i) + (" the merger talks stalled" if i == 3 else "")
        write_eml(source, f"m{i:03}.eml", subject=f"Note {i} about {filler(2, i)}", body=body,
                  date=f"Tue, {1 + i % 28:02d} May 2018 10:00:00 +0000")
    case_dir = tmp_path / name
    with Case(case_dir) as case:
        case.ingest([source])
    return case_dir
