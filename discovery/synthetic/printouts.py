"""Provides write_printouts: the samples' PDF and text releases of some of their own messages, with their gold.

The sheriff's office "released" a few of its emails the way agencies do: printed from Outlook, one message
per page run, a Bates number on every page and phone numbers under (b)(6) boxes. ``release/`` holds the
print-out with a text layer, the same pages scanned (rasterised, slightly rotated, speckled, 1-bit), a
plain-text release of a few of them, and ``release-gold.jsonl`` with what each message must come back as.
One box is a *bad* redaction: drawn over a phone number that is still in the text layer.
"""

from __future__ import annotations

import io
import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from .render import address_field
from .spec import MessageSpec, long_date
from .text import Span, parse

RELEASE = "release"
TEXT_PDF = f"{RELEASE}/hcso-release-text.pdf"
SCANNED_PDF = f"{RELEASE}/hcso-release-scanned.pdf"
TEXT_RELEASE = f"{RELEASE}/hcso-release.txt"
GOLD = f"{RELEASE}/release-gold.jsonl"
BANNER = "HARLOW COUNTY SHERIFF'S OFFICE - RELEASED UNDER ORS 192 - PUBLIC RECORDS REQUEST 2019-0117"
OWNER = "Records Unit, HCSO"
LABEL = "(b)(6)"
FONT_SIZE = 10.0
LEADING = 12.5
LEFT, VALUE_X, TOP, BOTTOM, WIDTH = 56.0, 150.0, 60.0, 740.0, 500.0
WRAP = 95
SCAN_DPI = 200
TEXT_MESSAGES, SCANNED_MESSAGES, TEXT_RELEASE_MESSAGES = 10, 5, 4


@dataclass
class _Seg:
    x: float
    text: str
    bold: bool = False
    redact: bool = False  # drawn as a black box ...
    keep_under: bool = False  # ... over text left in the text layer (a bad redaction)
    tab: bool = False  # set in a column of its own: a text extractor keeps the gap before it


@dataclass
class _Line:
    segs: list[_Seg] = field(default_factory=list)
    size: float = FONT_SIZE


@dataclass
class _Printed:
    spec: MessageSpec
    pages: list[list[_Line]]
    gold: dict[str, Any]


def pick(specs: list[MessageSpec], all_fields: dict[str, dict[str, tuple[str, list[Span]]]],
         is_hcso: Any) -> list[MessageSpec]:
    """The messages to print: the sheriff's office's plain-text mail of up to two pages, phone numbers first."""
    chosen = []
    for spec in sorted(specs, key=lambda s: (s.date, s.message_id)):
        body, spans = all_fields[spec.key]["body"]
        if not is_hcso(spec) or spec.html_only or not body or spec.embedded is not None:
            continue
        if len(_wrap(body, spans)) > 80:
            continue
        chosen.append(spec)
    with_phone = [s for s in chosen if any(sp.type == "PHONE_NUMBER" for sp in all_fields[s.key]["body"][1])]
    rest = [s for s in chosen if s not in with_phone]
    picked = (with_phone[::2] + rest[::5])[:TEXT_MESSAGES]
    return sorted(picked, key=lambda s: (s.date, s.message_id))


def write_printouts(out: Path, specs: list[MessageSpec], all_fields: dict[str, dict[str, tuple[str, list[Span]]]],
                    is_hcso: Any) -> list[str]:
    """Write release/ under ``out``; returns the files written (relative, posix)."""
    chosen = pick(specs, all_fields, is_hcso)
    printed: list[_Printed] = []
    page_no = 0
    bad_done = False
    for spec in chosen:
        item, page_no, bad_done = _layout(spec, all_fields[spec.key], page_no, bad_done)
        printed.append(item)
    folder = out / RELEASE
    folder.mkdir(parents=True, exist_ok=True)
    text_pdf = _pdf(printed)
    (out / TEXT_PDF).write_bytes(text_pdf)
    scanned = printed[:SCANNED_MESSAGES]
    (out / SCANNED_PDF).write_bytes(_scan(_pdf(scanned), seed=11))
    (out / TEXT_RELEASE).write_bytes(_text_release(printed[:TEXT_RELEASE_MESSAGES]).encode("utf-8"))
    with (out / GOLD).open("w", encoding="utf-8", newline="\n") as fh:
        for n, item in enumerate(printed):
            files = [TEXT_PDF] + ([SCANNED_PDF] if n < SCANNED_MESSAGES else [])
            files += [TEXT_RELEASE] if n < TEXT_RELEASE_MESSAGES else []
            fh.write(json.dumps({**item.gold, "files": files}, ensure_ascii=False) + "\n")
    return [TEXT_PDF, SCANNED_PDF, TEXT_RELEASE, GOLD]


# --- layout --------------------------------------------------------------------------------------------


def _wrap(body: str, spans: list[Span]) -> list[list[tuple[int, int]]]:
    """Body lines as lists of (start, end) word ranges, wrapped at WRAP characters, never inside a span."""
    protected = [(s.start, s.end) for s in spans if s.type == "PHONE_NUMBER"]
    lines: list[list[tuple[int, int]]] = []
    offset = 0
    for raw in body.split("\n"):
        words: list[tuple[int, int]] = []
        for m in re.finditer(r"\S+", raw):
            start, end = offset + m.start(), offset + m.end()
            if words and any(a < start < b for a, b in protected):
                words[-1] = (words[-1][0], end)  # a phone number with spaces stays one unit
            else:
                words.append((start, end))
        row: list[tuple[int, int]] = []
        for word in words:
            if row and word[1] - row[0][0] > WRAP:
                lines.append(row)
                row = []
            row.append(word)
        lines.append(row)
        offset += len(raw) + 1
    return lines


def _width(text: str, bold: bool = False, size: float = FONT_SIZE) -> float:
    import pymupdf

    return float(pymupdf.get_text_length(text, fontname="hebo" if bold else "helv", fontsize=size))


def _layout(spec: MessageSpec, fields: dict[str, tuple[str, list[Span]]], page_no: int,
            bad_done: bool, layout: str = "outlook") -> tuple[_Printed, int, bool]:
    subject = fields["subject"][0]
    sender = fields["from"][0]
    if layout == "outlook":
        header = _outlook_header(spec, sender, subject)
    else:
        header = LAYOUTS[layout](spec, sender, subject)
    body, spans = fields["body"]
    phones = [s for s in spans if s.type == "PHONE_NUMBER"]
    redacted: list[dict[str, Any]] = []
    body_lines: list[_Line] = []
    for row in _wrap(body, spans):
        line = _Line()
        x = LEFT
        for start, end in row:
            cut = [p for p in phones if start <= p.start and p.end <= end]
            cursor = start
            for phone in cut:
                if phone.start > cursor:
                    text = body[cursor:phone.start]
                    line.segs.append(_Seg(x, text))
                    x += _width(text)
                bad = not bad_done
                bad_done = True
                text = body[phone.start:phone.end]
                line.segs.append(_Seg(x, text, redact=True, keep_under=bad))
                redacted.append({"text": text, "bad": bad, "seg": line.segs[-1], "line": line})
                x += _width(text) + 7
                line.segs.append(_Seg(x, LABEL))
                x += _width(LABEL)
                cursor = phone.end
            if cursor < end:
                text = body[cursor:end]
                line.segs.append(_Seg(x, text))
                x += _width(text)
            x += _width(" ")
        body_lines.append(line)
    lines = header + body_lines
    per_page = int((BOTTOM - TOP) / LEADING) - 2
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    first = page_no + 1
    page_no += len(pages)
    boxes = []
    for p, page in enumerate(pages):
        for r, line in enumerate(page):
            for seg in line.segs:
                if seg.redact:
                    y = TOP + r * LEADING
                    boxes.append({"page": first + p, "box": [round(seg.x - 1, 1), round(y - 9.5, 1),
                                                         round(seg.x + _width(seg.text) + 1, 1), round(y + 3, 1)],
                                  "label": LABEL, "over_text": seg.keep_under})
    redacted_texts = {r["text"] for r in redacted if not r["bad"]}
    pii = []
    for fname in ("from", "to", "cc", "subject", "body"):
        text, fspans = fields[fname]
        for span in fspans:
            if span.text in redacted_texts and span.type == "PHONE_NUMBER":
                continue
            pii.append({"field": fname, "type": span.type, "text": span.text})
    gold = {
        "message_id": spec.message_id,
        "page_first": first, "page_last": page_no,
        "bates_first": _bates(first), "bates_last": _bates(page_no),
        "from": sender, "from_email": spec.sender.email.lower(),
        "date": spec.date.replace(tzinfo=None).isoformat(timespec="minutes"),
        "subject": subject,
        "redactions": boxes,
        "pii": pii,
    }
    return _Printed(spec, pages, gold), page_no, bad_done


def _outlook_header(spec: MessageSpec, sender: str, subject: str) -> list[_Line]:
    """Outlook's memo print: the mailbox owner in bold, then From / Sent / To / Cc / Subject in a table."""
    to = "; ".join(parse(address_field([p]))[0] for p in spec.to)
    cc = "; ".join(parse(address_field([p]))[0] for p in spec.cc)
    header: list[_Line] = [
        _Line([_Seg(LEFT, OWNER, bold=True)], 12.0),
        _Line(),
    ]
    rows = [("From:", sender), ("Sent:", long_date(spec.date)), ("To:", to)]
    if cc:
        rows.append(("Cc:", cc))
    rows.append(("Subject:", subject))
    names = [a.filename for a in spec.attachments if not a.inline]
    if names:
        rows.append(("Attachments:", "; ".join(names)))
    for label, value in rows:
        parts = _split_value(value)
        header.append(_Line([_Seg(LEFT, label, bold=True), _Seg(VALUE_X, parts[0])]))
        header.extend(_Line([_Seg(VALUE_X, part)]) for part in parts[1:])
    header.append(_Line())
    return header


def notes_name(person: Any) -> str:
    """How Lotus Notes prints a mailbox: its canonical name for the agency's own staff ("Michelle
    Tran/HCSO/HarlowCounty@HarlowCounty"), the internet address for everyone else."""
    name = parse(address_field([person]))[0]
    if not person.email.lower().endswith("@harlowcounty-or.example"):
        return name
    display = name.split(" <")[0]
    if ", " in display:
        last, first = display.split(", ", 1)
        display = f"{first} {last}"
    return f"{display}/HCSO/HarlowCounty@HarlowCounty"


def notes_date(moment: Any) -> str:
    """Lotus Notes' date: ``04/11/2017 05:00 PM``."""
    hour = moment.hour % 12 or 12
    return f"{moment.month:02d}/{moment.day:02d}/{moment.year} {hour:02d}:{moment.minute:02d} " + (
        "AM" if moment.hour < 12 else "PM")


def _notes_header(spec: MessageSpec, sender: str, subject: str) -> list[_Line]:
    """Lotus Notes' memo print: From with a Notes name, To / cc in lower case, the date as 05/14/2010 03:22 PM."""
    rows = [("From:", notes_name(spec.sender)), ("To:", ", ".join(notes_name(p) for p in spec.to))]
    rows.append(("cc:", ", ".join(notes_name(p) for p in spec.cc)))
    rows += [("Date:", notes_date(spec.date)), ("Subject:", subject)]
    header = [_Line([_Seg(LEFT, label, bold=True), _Seg(LEFT + 60, value, tab=True)]) for label, value in rows]
    return [*header, _Line()]


def gmail_date(moment: Any) -> str:
    """Gmail's print date: ``Tue, Apr 11, 2017 at 5:00 PM``."""
    hour = moment.hour % 12 or 12
    return (f"{moment.strftime('%a')}, {moment.strftime('%b')} {moment.day}, {moment.year} at {hour}:"
            f"{moment.minute:02d} " + ("AM" if moment.hour < 12 else "PM"))


def _gmail_header(spec: MessageSpec, sender: str, subject: str) -> list[_Line]:
    """Gmail's print: the account on the top line, the subject as a title, "1 message", the sender with the date
    on the right, then To: and Cc: lines."""
    account = "Records Unit <records.hcso@gmail.example>"
    to = ", ".join(parse(address_field([p]))[0] for p in spec.to)
    cc = ", ".join(parse(address_field([p]))[0] for p in spec.cc)
    date = gmail_date(spec.date)
    header = [
        _Line([_Seg(LEFT, "Gmail", bold=True), _Seg(556 - _width(account), account, tab=True)]),
        _Line(),
        _Line([_Seg(LEFT, subject, bold=True)], 12.0),
        _Line([_Seg(LEFT, "1 message")]),
        _Line(),
        _Line([_Seg(LEFT, sender, bold=True), _Seg(556 - _width(date), date, tab=True)]),
        _Line([_Seg(LEFT, f"To: {to}")]),
    ]
    if cc:
        header.append(_Line([_Seg(LEFT, f"Cc: {cc}")]))
    return [*header, _Line()]


def apple_date(moment: Any) -> str:
    """Apple Mail's print date: ``April 11, 2017 at 5:00:00 PM PDT`` (US zones by their abbreviation)."""
    hour = moment.hour % 12 or 12
    offset = moment.utcoffset().total_seconds() / 3600 if moment.utcoffset() is not None else 0
    zone = {-8: "PST", -7: "PDT", -5: "EST", -4: "EDT", 0: "GMT"}.get(int(offset), "")
    text = long_date(moment).split(", ", 1)[1].rsplit(" ", 2)[0]  # "April 11, 2017"
    return f"{text} at {hour}:{moment.minute:02d}:00 " + ("AM" if moment.hour < 12 else "PM") + (
        f" {zone}" if zone else "")


def _apple_header(spec: MessageSpec, sender: str, subject: str) -> list[_Line]:
    """Apple Mail's print: bold labels right-aligned on a column (From, Subject, Date, To, Cc), values beside."""
    to = ", ".join(parse(address_field([p]))[0] for p in spec.to)
    cc = ", ".join(parse(address_field([p]))[0] for p in spec.cc)
    rows = [("From:", sender), ("Subject:", subject), ("Date:", apple_date(spec.date)), ("To:", to)]
    if cc:
        rows.append(("Cc:", cc))
    column = LEFT + 50
    header = [_Line([_Seg(column - _width(label, bold=True), label, bold=True), _Seg(column + 4, value)])
              for label, value in rows]
    return [*header, _Line()]


LAYOUTS = {"lotus": _notes_header, "gmail": _gmail_header, "apple": _apple_header}


@dataclass
class PrintedRelease:
    """One print-out of some messages in one mail program's layout: a PDF with a text layer, the text a release
    extractor makes of it, and the gold of each message."""

    pdf: bytes
    text: str
    gold: list[dict[str, Any]]


def print_release(specs: list[MessageSpec], all_fields: dict[str, dict[str, tuple[str, list[Span]]]],
                  layout: str) -> PrintedRelease:
    """Print ``specs`` as ``layout`` ("outlook", "lotus", "gmail", "apple") prints them, Bates-stamped."""
    printed: list[_Printed] = []
    page_no = 0
    bad_done = True  # no bad redaction in these
    for spec in specs:
        item, page_no, bad_done = _layout(spec, all_fields[spec.key], page_no, bad_done, layout)
        item.gold["from_name"] = parse(address_field([spec.sender]))[0].split(" <")[0]
        item.gold["date_utc"] = spec.date.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="minutes")
        printed.append(item)
    return PrintedRelease(_pdf(printed), _text_release(printed), [p.gold for p in printed])


def _split_value(value: str) -> list[str]:
    """A long To/Cc value wrapped after a ';' the way Outlook's print does."""
    parts: list[str] = []
    current = ""
    for piece in value.split("; "):
        candidate = f"{current}; {piece}" if current else piece
        if current and len(candidate) > 70:
            parts.append(current + ";")
            current = piece
        else:
            current = candidate
    parts.append(current)
    return parts


def _bates(n: int) -> str:
    return f"HCSO-{n:06d}"


# --- writers -------------------------------------------------------------------------------------------


def _pdf(printed: list[_Printed]) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    n = 0
    for item in printed:
        for page_lines in item.pages:
            n += 1
            page = doc.new_page(width=612, height=792)
            page.insert_text((LEFT, 34), BANNER, fontname="helv", fontsize=7)
            for r, line in enumerate(page_lines):
                y = TOP + r * LEADING
                for seg in line.segs:
                    if seg.redact and not seg.keep_under:
                        continue
                    page.insert_text((seg.x, y), seg.text, fontname="hebo" if seg.bold else "helv",
                                     fontsize=line.size)
                for seg in line.segs:
                    if seg.redact:
                        rect = pymupdf.Rect(seg.x - 1, y - 9.5, seg.x + _width(seg.text) + 1, y + 3)
                        page.draw_rect(rect, color=(0, 0, 0), fill=(0, 0, 0), width=0)
            page.insert_text((612 - 56 - _width(_bates(n), size=9), 772), _bates(n), fontname="helv", fontsize=9)
            page.clean_contents()  # one content stream per page, not one per insert
    return _fixed_bytes(doc)


def _fixed_bytes(doc: Any) -> bytes:
    stamp = "D:20190805120000-07'00'"
    doc.set_metadata({"producer": "HCSO Records Print 1.0", "creator": "discovery.synthetic", "title": "",
                      "creationDate": stamp, "modDate": stamp})
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return bytes(data)


def _scan(pdf: bytes, seed: int) -> bytes:
    """The pages as a scanner makes them: 1-bit images at SCAN_DPI, slightly rotated, with speckles; no text."""
    import pymupdf
    from PIL import Image

    rng = random.Random(seed)
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=SCAN_DPI, colorspace="gray", alpha=False)
        img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        angle = rng.choice([-0.8, -0.5, 0.4, 0.7])
        img = img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
        pixels = img.load()
        assert pixels is not None
        for _ in range(1800):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            pixels[x, y] = 0
            if rng.random() < 0.3 and x + 1 < img.width:
                pixels[x + 1, y] = 0
        bw = img.point(lambda v: 255 if v > 150 else 0).convert("1")
        buf = io.BytesIO()
        bw.save(buf, format="PNG", optimize=False)
        target = out.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=buf.getvalue())
    src.close()
    return _fixed_bytes(out)


def _text_release(printed: list[_Printed]) -> str:
    """The release as a text extractor prints it: banner, the aligned header table, body, Bates; form feeds."""
    pages: list[str] = []
    n = 0
    for item in printed:
        for page_lines in item.pages:
            n += 1
            out = [BANNER, ""]
            for line in page_lines:
                text = ""
                for seg in line.segs:
                    col = int((seg.x - LEFT) / 5.0)
                    if (seg.x == VALUE_X or seg.tab) and len(text) < col:
                        text = text.ljust(col)
                    elif seg.tab:
                        text += "    "
                    elif text and not text.endswith(" "):
                        text += " "
                    text += "" if seg.redact and not seg.keep_under else seg.text
                out.append(text.rstrip())
            out += ["", " " * 80 + _bates(n)]
            pages.append("\n".join(out) + "\n")
    return "\f".join(pages)
