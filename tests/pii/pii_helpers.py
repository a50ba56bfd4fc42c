"""Provides helpers for the PII tests: a small mail writer, a three-message case and span listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from discovery import Case
from discovery.pii.policy import Policy
from discovery.pii.types import Finding

OFFLINE = Policy(mode="offline")


def spans(findings: Sequence[Finding], entity_type: str | None = None) -> list[str]:
    return [f.text for f in findings if entity_type is None or f.entity_type == entity_type]


# -- cases built from mail written in tmp_path -------------------------------------------------------------
def write_eml(folder: Path, name: str, *, sender: str, to: Sequence[str], subject: str, body: str,
              cc: Sequence[str] = (), minutes: int = 0, attachments: Sequence[tuple[str, bytes]] = (),
              headers: Sequence[tuple[str, str]] = ()) -> Path:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2018, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes))
    msg["Message-ID"] = f"<{name}@test.example>"
    for key, value in headers:
        msg[key] = value
    msg.set_content(body)
    for filename, data in attachments:
        msg.add_attachment(data, maintype="text", subtype="plain", filename=filename)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(msg))
    return path


MAIL = [
    dict(name="m1", sender='"Whitfield, Dana" <dwhitfield@county.example>', to=["Sam Nakagawa <sam@county.example>"],
         subject="Case 17-018832 - possible ID",
         body="Sam,\n\nTop candidate: Cody Allen Trask, DOB 04/12/1986, Booking #2015-002291. OR DL 7731904.\n"
              "He lives at 1418 SE Bramble Ct, Kellam, OR 97180. Call me at 503-555-0142 or x3-1769.\n\n"
              "Thanks,\nDana\n\nDana Whitfield | Crime Analyst | desk (503) 555-0131\n"),
    dict(name="m2", sender="Sam Nakagawa <sam@county.example>", to=['"Whitfield, Dana" <dwhitfield@county.example>'],
         subject="RE: Case 17-018832 - possible ID",
         body="Hi Dana,\n\nGot him. Please ask Brent Kasprzak at the vendor (bkasprzak@vendor.example) too.\n\n"
              "Thx,\nSam\n\nDet. Sam Nakagawa #0962\n"),
    dict(name="m3", sender="Brent Kasprzak <bkasprzak@vendor.example>", to=["Sam Nakagawa <sam@county.example>"],
         subject="Pricing", body="Hello Sam,\n\nPrice sheet attached. Reach me on +1 206 555 0108.\n\nBest,\nBrent\n",
         attachments=[("notes.txt", b"Contact Gary Pellegrino or priyav@vendor.example, 206-555-0126.\n")]),
]


def build_case(root: Path, mails: Sequence[dict[str, object]] = MAIL) -> Case:
    folder = root / "mail"
    for m in mails:
        write_eml(folder, **m)  # type: ignore[arg-type]
    case = Case(root / "case")
    report = case.ingest([folder])
    assert report.ok, report.problems
    return case
