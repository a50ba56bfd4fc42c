"""Provides split_pages: printed emails found in a document's page texts (a pure function over strings).

A document (a PDF's pages, or a text release split at form feeds) is a run of pages. A header block
(``From: / Sent: / To: / Subject:``) starts a message when it is the first one in the document or when it
sits at the top of a page in the table layout mail programs print (labels in a column, values aligned to
their right, or all labels and then all values); any other header block is a quoted or forwarded one and
stays in the body of the message it is in. Pages before the first message, and documents without any
printed email, become one ``document`` item. Every item keeps its pages, Bates numbers, the page text it
came from and a confidence, so a reviewer can check a split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from discovery.ingest.exemptions import find_bates

# Labels of printed headers and the field each one fills.
_LABELS = {
    "from": "from", "sent": "date", "date": "date", "sent date": "date", "to": "to", "cc": "cc", "bcc": "bcc",
    "subject": "subject", "attachments": "attachments", "importance": "importance", "sent by": "sent_by",
}
# Lotus Notes prints "cc:" and "bcc:" in lower case.
_LABEL_LINE = re.compile(
    r"^\s{0,40}(From|Sent|Date|Sent Date|To|Cc|CC|cc|Bcc|BCC|bcc|Subject|Attachments|Importance|Sent by)\s*:(\s*)(.*)$"
)
# Gmail's print: "Name <address>", a wide gap, the date on the right ("Tue, Apr 11, 2017 at 5:00 PM").
_GMAIL_SENDER = re.compile(r"^\s*(\S(?:.*\S)?\s*<[^<>\s]+@[^<>\s]+>|[^<>\s]+@[^<>\s]+)\s{3,}(\S.*\S)\s*$")
_GMAIL_COUNT = re.compile(r"^\s*\d+ messages?\s*$")
_FORWARD_INTRO = re.compile(r"^\s*(Begin forwarded message:|-+ ?Forwarded message ?-+|-+ ?Original Message ?-+)\s*$",
                            re.IGNORECASE)
# US time zones as mail programs print them after a date (Apple Mail: "... at 5:00:00 PM PDT").
_ZONES = {"UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
          "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10}
_ZONE_AFTER = re.compile(r"^\s*\(?(" + "|".join(_ZONES) + r")\)?\b")
_TOP_LINES = 14  # a header block starting within this many non-empty lines of a page is "at the top"
_OWA_DATE = re.compile(
    r"^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? \d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})? ?[AP]M\s*$"
)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_LONG_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),?\s*(\d{4})"
    r"(?:(?:\s+at)?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)
_DMY_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(\d{1,2})\s+([A-Z][a-z]{2,8})\.?,?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")


@dataclass(slots=True)
class HeaderBlock:
    """One printed header block: where it is and what it says."""

    page: int  # index into the pages
    line: int  # first line of the block
    end: int  # line after the block
    style: str  # "table" (aligned values), "column" (labels, then values), "owa" (web print), "gmail",
    # "apple" (Apple Mail's From / Subject / Date order), "inline" (a quoted or forwarded header)
    fields: dict[str, str] = field(default_factory=dict)
    at_top: bool = False


@dataclass(slots=True)
class PrintedItem:
    """A message (or a document) found in pages: header values as printed, body, pages and a confidence."""

    kind: str  # "email" or "document"
    page_first: int  # 1-based
    page_last: int
    fields: dict[str, str]
    body: str
    source_text: str  # the page text the item came from
    confidence: float
    bates_first: str = ""
    bates_last: str = ""
    quoted: list[dict[str, str]] = field(default_factory=list)  # header blocks quoted in the body
    title: str = ""


def split_pages(pages: Sequence[str]) -> list[PrintedItem]:
    """Messages and documents in the page texts of one document, in page order."""
    page_lines = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in pages]
    bates = [find_bates(lines) for lines in page_lines]
    blocks = [b for i, lines in enumerate(page_lines) for b in _blocks(i, lines)]
    title = ""
    for block in blocks:  # Gmail prints a conversation's subject once, as the title above its messages
        if block.style == "gmail":
            title = block.fields.get("subject") or title
            block.fields["subject"] = title
    starts: list[HeaderBlock] = []
    for block in blocks:
        # Gmail hides quoted text ("[Quoted text hidden]"): each of its sender lines is a message of its own.
        if not starts or block.style == "gmail" or (block.at_top and block.style != "inline"):
            starts.append(block)
    items: list[PrintedItem] = []
    cursor = (0, 0)
    for n, start in enumerate(starts):
        if n == 0 and _has_words(page_lines, (0, 0), (start.page, start.line), 12 if start.page else 80):
            items.append(_document(page_lines, bates, (0, 0), (start.page, start.line)))
        # A message that starts at the top of a page owns that page's banner lines too.
        nxt = starts[n + 1] if n + 1 < len(starts) else None
        end = (len(pages), 0) if nxt is None else (nxt.page, 0) if nxt.at_top and nxt.page > start.page \
            else (nxt.page, nxt.line)
        inner = [b for b in blocks if (start.page, start.line) < (b.page, b.line) < end]
        items.append(_email(page_lines, bates, start, end, inner))
        cursor = end
    if not starts and pages:
        items.append(_document(page_lines, bates, cursor, (len(pages), 0)))
    return items


def _has_words(page_lines: list[list[str]], start: tuple[int, int], end: tuple[int, int], least: int) -> bool:
    """Whether the text before the first message is a document of its own (a cover letter), not a banner."""
    return sum(len(line.split()) for line in _slice(page_lines, start, end)) >= least


def _slice(page_lines: list[list[str]], start: tuple[int, int], end: tuple[int, int]) -> list[str]:
    out: list[str] = []
    for p in range(start[0], min(end[0] + 1, len(page_lines))):
        lines = page_lines[p]
        lo = start[1] if p == start[0] else 0
        hi = end[1] if p == end[0] else len(lines)
        out.extend(lines[lo:hi])
        if p != end[0] and hi == len(lines):
            out.append("\f")
    while out and out[-1] == "\f":
        out.pop()
    return out


def _text(lines: list[str]) -> str:
    return "\n".join(lines).replace("\n\f\n", "\n\f").strip("\n")


def _body(lines: list[str], page_lines: list[list[str]], bates: list[str]) -> str:
    """Body text without release banners: the Bates line of each page is dropped, page breaks kept."""
    stamps = {b for b in bates if b}
    kept = [line for line in lines if not (line.strip() and line.strip() in stamps)]
    text = "\n".join(kept)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _email(page_lines: list[list[str]], bates: list[str], start: HeaderBlock, end: tuple[int, int],
           inner: list[HeaderBlock]) -> PrintedItem:
    last_page = end[0] - 1 if end[1] == 0 else end[0]
    last_page = max(start.page, min(last_page, len(page_lines) - 1))
    body_lines = _slice(page_lines, (start.page, start.end), end)
    source = _text(_slice(page_lines, (start.page, 0), end))
    fields = dict(start.fields)
    score = 0.4 + 0.15 * ("from" in fields) + 0.15 * bool(fields.get("date")) + 0.15 * ("subject" in fields)
    score += 0.15 * (start.style != "inline")
    if fields.get("date") and parse_printed_date(fields["date"])[0] is None:
        score -= 0.2
    return PrintedItem(
        kind="email", page_first=start.page + 1, page_last=last_page + 1, fields=fields,
        body=_body(body_lines, page_lines, bates), source_text=source, confidence=round(min(score, 1.0), 2),
        bates_first=bates[start.page], bates_last=bates[last_page] or bates[start.page],
        quoted=[dict(b.fields) for b in inner],
    )


def _document(page_lines: list[list[str]], bates: list[str], start: tuple[int, int],
              end: tuple[int, int]) -> PrintedItem:
    last_page = end[0] - 1 if end[1] == 0 else end[0]
    last_page = max(start[0], min(last_page, len(page_lines) - 1))
    lines = _slice(page_lines, start, end)
    stamps = {b for b in bates if b}
    title = next((ln.strip() for ln in lines if len(ln.split()) >= 2 and ln.strip() not in stamps), "")
    text = _text(lines)
    date = ""
    for pattern in (_LONG_DATE, _DMY_DATE, _US_DATE):
        m = pattern.search(text[:4000])
        if m and parse_printed_date(m.group(0))[0] is not None:
            date = m.group(0)
            break
    return PrintedItem(
        kind="document", page_first=start[0] + 1, page_last=last_page + 1,
        fields={"subject": title[:200], "date": date}, body=_body(lines, page_lines, bates), source_text=text,
        confidence=0.5 if title else 0.3, bates_first=bates[start[0]], bates_last=bates[last_page] or bates[start[0]],
        title=title[:200],
    )


# --- header blocks ---------------------------------------------------------------------------------------


def _blocks(page: int, lines: list[str]) -> list[HeaderBlock]:
    found: list[HeaderBlock] = []
    nonempty_before = 0
    i = 0
    while i < len(lines):
        block = _block_at(page, lines, i) or _owa_at(page, lines, i) or _gmail_at(page, lines, i)
        if block is not None:
            block.at_top = nonempty_before < _TOP_LINES
            found.append(block)
            nonempty_before += sum(1 for ln in lines[i:block.end] if ln.strip())
            i = block.end
            continue
        if lines[i].strip():
            nonempty_before += 1
        i += 1
    return found


def _label(line: str) -> tuple[str, str, str] | None:
    m = _LABEL_LINE.match(line)
    if not m:
        return None
    return _LABELS[m.group(1).lower()], m.group(2), m.group(3).strip()


def _block_at(page: int, lines: list[str], i: int) -> HeaderBlock | None:
    first = _label(lines[i])
    if first is None or first[0] not in ("from", "to", "date", "subject"):
        return None
    # The labels-in-a-column layout: several label lines with nothing after them, then the values.
    labels: list[str] = []
    j = i
    while j < len(lines) and (hit := _label(lines[j])) is not None and not hit[2]:
        labels.append(hit[0])
        j += 1
    if len(labels) >= 3 and "from" in labels:
        return _column_block(page, lines, i, j, labels)
    fields: dict[str, str] = {}
    aligned = 0
    j = i
    last = ""
    continuation = 0
    while j < len(lines):
        hit = _label(lines[j])
        if hit is not None:
            name, gap, value = hit
            if name in fields and name != "attachments":
                break
            fields[name] = value
            last = name
            continuation = 0
            aligned += len(gap) >= 2 or "\t" in gap
            j += 1
            continue
        line = lines[j]
        # Wrapped header values: To/Cc lists and long subjects continue on indented or ';'-ended lines.
        if line.strip() and last in ("to", "cc", "bcc", "subject", "attachments") and continuation < 4 and (
            fields[last].endswith((";", ",")) or line.startswith((" ", "\t")) and _indent(line) >= 8
            or last in ("to", "cc", "bcc") and "@" in line and len(line.split()) <= 8
        ):
            fields[last] = (fields[last] + " " + line.strip()).strip()
            continuation += 1
            j += 1
            continue
        break
    if "from" not in fields or not (("date" in fields) or ("subject" in fields and "to" in fields)):
        return None
    style = "table" if aligned >= max(2, len(fields) // 2) else "inline"
    if list(fields)[:3] == ["from", "subject", "date"] and not _after_forward_intro(lines, i):
        style = "apple"  # Apple Mail's print order; its forwarded blocks follow "Begin forwarded message:"
    return HeaderBlock(page, i, j, style, fields)


def _after_forward_intro(lines: list[str], i: int) -> bool:
    above = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
    return bool(_FORWARD_INTRO.match(above))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _column_block(page: int, lines: list[str], i: int, j: int, labels: list[str]) -> HeaderBlock | None:
    k = j
    while k < len(lines) and not lines[k].strip():
        k += 1
    values: list[str] = []
    while k < len(lines) and lines[k].strip() and len(values) < len(labels):
        values.append(lines[k].strip())
        k += 1
    if len(values) < min(3, len(labels)):
        return None
    # Empty values are not printed at all, so later labels may have no value: pair them in order, then
    # check that the one which must look like a date does.
    fields = dict(zip(labels, values, strict=False))
    if "date" in fields and parse_printed_date(fields["date"])[0] is None:
        dated = [v for v in values if parse_printed_date(v)[0] is not None]
        if dated:
            fields["date"] = dated[0]
    return HeaderBlock(page, i, k, "column", fields)


def _owa_at(page: int, lines: list[str], i: int) -> HeaderBlock | None:
    """Outlook on the web prints: subject, sender, 'Fri 2/16/2018 9:59 PM', 'To:...;' (at a page's top)."""
    if not _OWA_DATE.match(lines[i]) or not any(
        (hit := _label(ln)) is not None and hit[0] == "to" for ln in lines[i + 1:i + 3]
    ):
        return None
    above = [k for k in range(i - 1, -1, -1) if lines[k].strip()][:2]
    if len(above) < 2 or any(lines[k].strip() for k in range(0, above[1])) and above[1] > 6:
        return None
    fields = {"subject": lines[above[1]].strip(), "from": lines[above[0]].strip(), "date": lines[i].strip()}
    j = i + 1
    while j < len(lines) and (hit := _label(lines[j])) is not None:
        fields[hit[0]] = hit[2].rstrip(";")
        j += 1
    return HeaderBlock(page, above[1], j, "owa", fields)


def _gmail_at(page: int, lines: list[str], i: int) -> HeaderBlock | None:
    """Gmail prints each message as 'Name <address>    date' then 'To: ...' (and 'Cc: ...'); the conversation's
    subject is the title line above 'N messages' near the top of the print."""
    m = _GMAIL_SENDER.match(lines[i])
    if m is None or parse_printed_date(m.group(2))[0] is None:
        return None
    following = [k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()]
    if not following or (hit := _label(lines[following[0]])) is None or hit[0] != "to":
        return None
    fields = {"from": m.group(1).strip(), "date": m.group(2).strip()}
    j = following[0]
    while j < len(lines) and (hit := _label(lines[j])) is not None and hit[0] in ("to", "cc", "bcc"):
        fields[hit[0]] = hit[2]
        j += 1
    for k in range(i - 1, max(-1, i - 12), -1):
        if _GMAIL_COUNT.match(lines[k]):
            title = next((ln.strip() for ln in reversed(lines[:k]) if ln.strip()), "")
            if title:
                fields["subject"] = title
            break
    return HeaderBlock(page, i, j, "gmail", fields)


# --- values ----------------------------------------------------------------------------------------------


def parse_printed_date(text: str) -> tuple[datetime | None, str]:
    """A printed date ('Wednesday, September 12, 2012 10:16 AM', 'Fri 2/16/2018 9:59 PM', RFC 2822 ...).

    Print-outs carry no time zone: the wall-clock time is kept and taken as UTC, with a note saying so.
    """
    from discovery.ingest.fields import parse_date

    value = " ".join(text.split())
    if not value:
        return None, "no date printed"
    m = _LONG_DATE.search(value)
    if m and m.group(1)[:3].lower() in _MONTHS:
        return _build(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)), m.group(4), m.group(5),
                      m.group(6), m.group(7), value, _zone_after(value, m.end()) if m.group(4) else None)
    m = _DMY_DATE.search(value)
    if m and m.group(2)[:3].lower() in _MONTHS and not re.search(r"[+-]\d{4}\b|\bGMT\b|\bUTC\b", value):
        return _build(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)), m.group(4), m.group(5),
                      m.group(6), m.group(7), value)
    if re.search(r"[+-]\d{4}\b", value):
        return parse_date(value)
    m = _US_DATE.search(value)
    if m:
        year = int(m.group(3))
        year += 2000 if year < 100 else 0
        return _build(year, int(m.group(1)), int(m.group(2)), m.group(4), m.group(5), m.group(6), m.group(7), value)
    return parse_date(value)


def _zone_after(value: str, end: int) -> int | None:
    """The UTC offset (hours) of a US zone abbreviation printed right after a date's time, else None."""
    m = _ZONE_AFTER.match(value[end:])
    return _ZONES[m.group(1)] if m else None


def _build(year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None,
           ampm: str | None, value: str, zone: int | None = None) -> tuple[datetime | None, str]:
    h = int(hour or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        h = h % 12 + (12 if pm else 0)
    try:
        when = datetime(year, month, day, h, int(minute or 0), int(second or 0), tzinfo=UTC)
    except ValueError:
        return None, f"impossible date {value[:80]!r}"
    if zone is not None:
        return when.replace(tzinfo=timezone(timedelta(hours=zone))), ""
    return when, "printed date has no time zone; taken as UTC"


def quoted_headers(body: str) -> list[dict[str, str]]:
    """The header blocks quoted or forwarded in a printed message's body (its own header is not in the body),
    nearest first: the first one is the message it replies to or forwards."""
    found: list[dict[str, str]] = []
    for n, page in enumerate(body.split("\f")):
        found.extend(dict(block.fields) for block in _blocks(n, page.split("\n")))
    return found
