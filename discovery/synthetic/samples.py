"""Provides generate_samples: the shipped demo corpus, its containers and overlaps, gold.jsonl and README."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from discovery.errors import UsageError

from . import cross, hcso, noise, pmpd, reference
from .people import CAST, Person
from .readme import readme_text
from .render import address_field, render
from .spec import MessageSpec
from .text import Span, parse
from .threads import Corpus
from .writers import maildir_name, make_maildir, mbox_bytes, write_file, zip_bytes

SEED = 2018
MBOX = reference.MBOX
MAILDIR = reference.MAILDIR
ARCHIVE = reference.ARCHIVE
OLDER = "attachments/older.zip"

# Byte-identical extra copies: where else each message turns up.
ZIP_COPIES = [
    "pmpd-cameras/6",
    "pmpd-cameras/8",
    "pmpd-volunteers/4",
    "pmpd-launch-partner/1",
    "pmpd-launch-partner/5",
    "pmpd-launch-partner/9",
    "pmpd-agreement/6",
    "pmpd-phase1-summary/4",
    "pmpd-phase2/1",
    "pmpd-phase2/3",
    "pmpd-closeout-2019/3",
    "pmpd-webinar-2018/1",
    "pmpd-stream-drops/2",
    "pmpd-alert-tuning/2",
]
OLDER_COPIES = [
    "pmpd-intro-2017/1",
    "pmpd-intro-2017/3",
    "pmpd-intro-2017/5",
    "pmpd-poc-scope/1",
    "pmpd-poc-scope/5",
]
EML_COPIES = [
    "hcso-intro-2017/1",
    "hcso-intro-2017/3",
    "hcso-video-2018/1",
    "hcso-checkins/4",
    "hcso-reference-2017/3",
    "hcso-summit-2017/1",
    "cross-intro-2018/1",
    "pmpd-launch-partner/1",
]
# Different copies of one message.
RECEIVED_COPIES = {  # sent by the custodian (Sent folder copy) and also found as delivered elsewhere
    "pmpd-volunteers/1": "zip",
    "pmpd-launch-partner/8": "zip",
    "pmpd-phase1-summary/1": "zip",
    "pmpd-intro-2017/2": "older",
}
ENRON_COPIES = {
    "hcso-case-17-018832/2": ("\\Whitfield, Dana\\Cases", "WHITFIELD-D", "dwhitfield (Non-Privileged).pst"),
    "hcso-internal-pricing/5": ("\\Castellanos, Owen\\Legal", "CASTELLANOS-O", "ocastellanos.pst"),
    "hcso-records-request-2018/1": ("\\Records Unit\\Inbox", "RECORDS", "records_2018.pst"),
}
REEXPORTS = ["pmpd-agreement/1", "pmpd-closeout-2019/2"]
EML_ONLY = ("pmpd-press-2018/", "pmpd-resident-letter/1", "noise-crash-report-sorensen", "noise-tip-anon")
EML_NAMES = {  # unusual names: no extension, a .txt, and the one CRLF file
    "noise-crash-report-sorensen": "Crash report request",
    "pmpd-press-2018/5": "msg-0005",
    "noise-tip-anon": "forwarded-email.txt",
}
CRLF_KEYS = {"pmpd-press-2018/4"}
BCC_ON_SENT_COPY = {
    "pmpd-volunteers/1": [
        ("Darnell Hughes", "dhughes"),
        ("Tamsin Reyes", "treyes"),
        ("Luis Carranza", "lcarranza"),
        ("Bethany Oyelaran", "boyelaran"),
        ("Grant Whitlock", "gwhitlock"),
        ("Priscilla Nguyen", "pnguyen"),
        ("Aaron Sobczak", "asobczak"),
        ("Monique Ferrante", "mferrante"),
        ("Kevin Aldana", "kaldana"),
    ],
}
FLAGGED = {"pmpd-launch-partner/7"}
TRAPS = [  # (what, spec key) - listed with their copies in the README
    ("body declared iso-8859-1 but written in windows-1252 (curly quotes)", "pmpd-resident-letter/1"),
    ("body declared us-ascii but sent as raw UTF-8, 8bit", "cross-analysts/1"),
    ("8bit ISO-8859-1 body with no charset parameter", "noise-tip-anon"),
    ("raw 8-bit UTF-8 in the Subject header", "noise-personal-mom70/1"),
    ("RFC 2047 subject (B, UTF-8) and display name", "pmpd-resident-letter/1"),
    ("RFC 2047 ISO-8859-1 display name (José Ibáñez)", "pmpd-rtcc-alerts/1"),
    ("RFC 2231 encoded attachment file name", "pmpd-cameras/2"),
    ("message/rfc822 attachment (a forwarded message)", "hcso-briefing-attachment/1"),
    ("group address `To: undisclosed-recipients:;`", "pmpd-volunteers/1"),
    ("group address `To: undisclosed-recipients:;`", "noise-fantasy/1"),
    ("body line starting with `From ` (stored as `>From ` in the mbox)", "hcso-internal-pricing/6"),
    ("CRLF line ends (the eml copy)", "pmpd-press-2018/4"),
    ("meeting request (text/calendar METHOD:REQUEST + invite.ics)", "hcso-intro-2017/4"),
    ("HTML-only newsletter", "noise-govtech-dana-20170207"),
    ("multipart/related HTML with an inline PNG (Content-ID)", "noise-bulletin-20170630"),
    ("reply without In-Reply-To/References (subject threading)", "hcso-checkins/4"),
    ("German Outlook reply (AW:, Von:/Gesendet:)", "pmpd-cameras/6"),
    (
        "same newsletter issue to both custodians: not a duplicate (other recipient and Message-ID)",
        "noise-digest-dana-201703",
    ),
    (
        "same newsletter issue to both custodians: not a duplicate (other recipient and Message-ID)",
        "noise-digest-curtis-201703",
    ),
]


@dataclass
class Copy:
    """One copy of a message in one container."""

    location: str
    raw: bytes
    message_id: str
    kind: str  # canonical | sent | received | enron | reexport


@dataclass
class Summary:
    """What generate_samples wrote."""

    out_dir: Path
    files: list[str]
    copies: int
    distinct: int
    duplicate_groups: int  # distinct messages found 2+ times, all copies byte-identical
    duplicate_extra_copies: int
    variant_groups: int  # distinct messages whose copies differ in bytes
    variant_new_message_id: int
    threads: int
    multi_message_threads: int
    sales_outreach: int
    noise: int
    pii_by_type: dict[str, int]
    per_container: dict[str, int]
    total_bytes: int
    gold: list[dict[str, object]] = field(default_factory=list, repr=False)
    traps: list[tuple[str, str, str, list[str]]] = field(default_factory=list, repr=False)


def build_corpus(seed: int = SEED) -> list[MessageSpec]:
    """Every distinct message of the sample corpus, in creation order."""
    c = Corpus(seed)
    hcso.build(c)
    hcso.build_more(c)
    pmpd.build(c)
    pmpd.build_more(c)
    cross.build(c)
    noise.build(c)
    return c.specs


# --- gold --------------------------------------------------------------------------------------------


def _body_gold(spec: MessageSpec) -> tuple[str, list[Span]]:
    if spec.html_only:
        return "", []
    text, spans = parse(spec.body)
    if spec.charset == "windows-1252" and spec.declared_charset == "iso-8859-1":
        # the body is decoded as declared (ISO-8859-1): curly quotes become C1 controls, offsets unchanged
        text = text.encode("windows-1252").decode("iso-8859-1")
    stripped = text.rstrip()
    if any(s.end > len(stripped) for s in spans):
        raise AssertionError(f"{spec.key}: span in trailing whitespace")
    return stripped, spans


def gold_fields(spec: MessageSpec) -> dict[str, tuple[str, list[Span]]]:
    """Field name -> (gold text, spans) for subject, from, to, cc, body and text-bearing attachments."""
    fields: dict[str, tuple[str, list[Span]]] = {
        "subject": parse(spec.subject),
        "from": parse(address_field([spec.sender])),
        "to": ("", []) if spec.to_group else parse(address_field(spec.to)),
        "cc": parse(address_field(spec.cc)),
        "body": _body_gold(spec),
    }
    names: set[str] = set()
    for att in spec.attachments:
        if att.filename in names:
            raise AssertionError(f"{spec.key}: two attachments named {att.filename}")
        names.add(att.filename)
        if att.text:
            text, spans = parse(att.text)
            fields[f"attachment:{att.filename}"] = (text.rstrip(), spans)
    if spec.calendar:
        fields["attachment:invite.ics"] = parse(spec.calendar)
    return fields


def check_against_reference(spec: MessageSpec, raw: bytes, fields: dict[str, tuple[str, list[Span]]]) -> None:
    """Parse the rendered bytes as a reader would and insist every gold text is reproduced exactly."""
    msg = reference.parse(raw)
    got = {
        "subject": reference.subject_text(msg),
        "from": reference.address_text(msg, "From"),
        "to": reference.address_text(msg, "To"),
        "cc": reference.address_text(msg, "Cc"),
        "body": reference.body_text(msg),
    }
    for name, part in reference.attachments(msg):
        key = f"attachment:{name}"
        if key in fields and not name.lower().endswith(".pdf"):
            got[key] = reference.attachment_text(name, part) or ""
    for key, (text, spans) in fields.items():
        if key in got and got[key] != text:
            raise AssertionError(
                f"{spec.key}: {key} differs from the reference reading:\n{got[key]!r}\n!=\n{text!r}"
            )
        for span in spans:
            if text[span.start : span.end] != span.text:
                raise AssertionError(f"{spec.key}: {key} span {span} does not match")


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"555[-. ]?01\d\d|x\d-\d{4}")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")


def check_unmarked(all_fields: dict[str, dict[str, tuple[str, list[Span]]]]) -> None:
    """Fail when a name, email, phone, IP or SSN-like string appears outside any gold span."""
    tokens: set[str] = set()
    for fields in all_fields.values():
        for _text, spans in fields.values():
            for span in spans:
                if span.type == "PERSON":
                    tokens.update(
                        t for t in re.findall(r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-z]+)?", span.text) if len(t) >= 3
                    )
    for p in CAST.values():
        if p.is_person:
            tokens.update(t for t in (p.first, p.last) if len(t) >= 3)
    name_re = re.compile(r"\b(" + "|".join(sorted(map(re.escape, tokens), key=len, reverse=True)) + r")\b")
    problems: list[str] = []
    for key, fields in all_fields.items():
        for fname, (text, spans) in fields.items():
            covered = [(s.start, s.end) for s in spans]

            def inside(start: int, end: int, covered: list[tuple[int, int]] = covered) -> bool:
                return any(a <= start and end <= b for a, b in covered)

            for regex in (name_re, _EMAIL, _PHONE, _IPV4, _SSN):
                for m in regex.finditer(text):
                    if not inside(m.start(), m.end()):
                        problems.append(
                            f"{key} {fname}: unmarked {m.group(0)!r} in "
                            f"{text[max(0, m.start() - 30) : m.end() + 30]!r}"
                        )
    if problems:
        raise AssertionError("unmarked PII:\n" + "\n".join(problems[:40]))


# --- copies ------------------------------------------------------------------------------------------


def _people(spec: MessageSpec) -> list[Person]:
    return [spec.sender, *spec.to, *spec.cc, *spec.bcc]


def _is_hcso(spec: MessageSpec) -> bool:
    return any(p.email.endswith("@harlowcounty-or.example") for p in _people(spec))


def _is_curtis(spec: MessageSpec) -> bool:
    return any(p.key == "curtis" for p in _people(spec))


def _maildir_folder(spec: MessageSpec) -> str:
    if spec.sender.key == "curtis":
        return ".Sent"
    if spec.client == "newsletter":
        return ".Newsletters"
    if spec.sender.email.endswith("@cirrusweb.example"):
        return ".Vendors.Cirrus"
    return ""


def _variant(spec: MessageSpec, kind: str) -> tuple[bytes, str]:
    """Bytes and Message-ID of one kind of copy of ``spec``."""
    if kind == "sent":
        bcc = [
            Person(f"bcc-{login}", *name.split(" ", 1), f"{login}@portmirren-fl.example", zone="eastern")
            for name, login in BCC_ON_SENT_COPY.get(spec.key, [])
        ]
        return render(replace(spec, received=False, bcc=bcc)), spec.message_id
    if kind == "enron":
        folder, origin, filename = ENRON_COPIES[spec.key]
        extra = [("X-Folder", folder), ("X-Origin", origin), ("X-FileName", filename)]
        return render(replace(spec, extra_headers=spec.extra_headers + extra)), spec.message_id
    if kind == "reexport":
        new_id = f"<{spec.digest('reexport')[:24].upper()}@records.portmirren-fl.example>"
        extra = [
            ("X-Exported-By", "Port Mirren Records Export 2.1"),
            ("X-Original-Message-ID", "not preserved"),
        ]
        return render(replace(spec, message_id=new_id, extra_headers=spec.extra_headers + extra)), new_id
    return render(spec), spec.message_id


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60]


def plan_copies(specs: list[MessageSpec]) -> dict[str, list[tuple[str, str]]]:
    """Spec key -> [(container, copy kind)]; containers: mbox, maildir:<folder>, eml, zip, older."""
    plan: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        places: list[tuple[str, str]] = []
        if _is_hcso(spec):
            places.append(("mbox", "canonical"))
        if _is_curtis(spec):
            folder = _maildir_folder(spec)
            places.append((f"maildir:{folder}", "sent" if folder == ".Sent" else "canonical"))
        if not places:
            if spec.key.startswith(EML_ONLY):
                places.append(("eml", "canonical"))
            elif spec.date.year < 2018:
                places.append(("older", "canonical"))
            else:
                places.append(("zip", "canonical"))
        plan[spec.key] = places
    for key in ZIP_COPIES:
        plan[key].append(("zip", "canonical"))
    for key in OLDER_COPIES:
        plan[key].append(("older", "canonical"))
    for key in EML_COPIES:
        plan[key].append(("eml", "canonical"))
    for key, where in RECEIVED_COPIES.items():
        plan[key].append((where, "canonical"))
    for key in ENRON_COPIES:
        plan[key].append(("eml", "enron"))
    for key in REEXPORTS:
        plan[key].append(("zip", "reexport"))
    return plan


@dataclass
class _Placed:
    spec: MessageSpec
    container: str
    kind: str
    raw: bytes
    message_id: str
    location: str = ""


def place(specs: list[MessageSpec]) -> list[_Placed]:
    """Render every planned copy; locations are assigned by the writers."""
    plan = plan_copies(specs)
    placed: list[_Placed] = []
    for spec in specs:
        for container, kind in plan[spec.key]:
            raw, mid = _variant(spec, kind)
            if spec.key in CRLF_KEYS and container == "eml":
                raw = raw.replace(b"\n", b"\r\n")
            placed.append(_Placed(spec, container, kind, raw, mid))
    return placed


def _order(p: _Placed) -> tuple[datetime, str]:
    return (p.spec.date.astimezone(UTC), p.spec.key)


def write_containers(out: Path, placed: list[_Placed]) -> None:
    """Write mbox, maildir, eml and zip files; fill in each copy's location."""
    # mbox
    in_mbox = sorted((p for p in placed if p.container == "mbox"), key=_order)
    for p in in_mbox:
        p.location = MBOX
    write_file(out / MBOX, mbox_bytes((p.spec.sender.email, p.spec.date, p.raw) for p in in_mbox))
    # maildir
    root = out / MAILDIR
    in_maildir = sorted((p for p in placed if p.container.startswith("maildir:")), key=_order)
    folders = sorted({p.container.split(":", 1)[1] for p in in_maildir} - {""})
    make_maildir(root, folders)
    replied = {s.in_reply_to for s in (p.spec for p in placed) if s.sender.key == "curtis" and s.in_reply_to}
    last_in_folder: dict[str, _Placed] = {}
    for p in in_maildir:
        last_in_folder[p.container] = p
    for seq, p in enumerate(in_maildir, start=1):
        folder = p.container.split(":", 1)[1]
        pid = 2000 + int(p.spec.digest("pid")[:4], 16) % 7000
        is_new = last_in_folder[p.container] is p
        flags = (
            None
            if is_new
            else "S" + ("R" if p.spec.message_id in replied else "") + ("F" if p.spec.key in FLAGGED else "")
        )
        name = maildir_name(p.spec.date, seq, pid, flags)
        rel = (
            f"{folder}/{'new' if is_new else 'cur'}/{name}"
            if folder
            else f"{'new' if is_new else 'cur'}/{name}"
        )
        p.location = f"{MAILDIR}/{rel}"
        write_file(out / p.location, p.raw)
    # loose eml files
    used: set[str] = set()
    for p in sorted((p for p in placed if p.container == "eml"), key=_order):
        name = EML_NAMES.get(p.spec.key) if p.kind == "canonical" else None
        if name is None:
            stem = f"{p.spec.date:%Y-%m-%d}_{_slug(parse(p.spec.subject)[0])}"
            if p.kind != "canonical":
                stem += f"_{p.kind}-export"
            name = f"{stem}.eml"
        if name in used:
            raise AssertionError(f"eml name clash {name}")
        used.add(name)
        p.location = f"eml/{name}"
        write_file(out / p.location, p.raw)
    # production zip with a nested zip of older mail
    older = sorted((p for p in placed if p.container == "older"), key=_order)
    older_members = []
    for n, p in enumerate(older, start=1):
        member = f"PMPD-PROD-OLD-{n:04d}.eml"
        p.location = f"{ARCHIVE}!{OLDER}!{member}"
        older_members.append((member, p.raw, p.spec.date))
    in_zip = sorted((p for p in placed if p.container == "zip"), key=_order)
    members = []
    for n, p in enumerate(in_zip, start=1):
        member = f"PMPD-PROD-{n:06d}.eml"
        p.location = f"{ARCHIVE}!{member}"
        members.append((member, p.raw, p.spec.date))
    stamp = datetime(2019, 8, 1, 9, 0)
    members.append((OLDER, zip_bytes(older_members), stamp))
    write_file(out / ARCHIVE, zip_bytes(members))


# --- gold.jsonl and summary ----------------------------------------------------------------------------


def gold_records(
    specs: list[MessageSpec], placed: list[_Placed], all_fields: dict[str, dict[str, tuple[str, list[Span]]]]
) -> list[dict[str, object]]:
    by_key: dict[str, list[_Placed]] = {}
    for p in placed:
        by_key.setdefault(p.spec.key, []).append(p)
    embedded_in: dict[str, list[str]] = {}
    for spec in specs:
        if spec.embedded is not None:
            embedded_in.setdefault(spec.embedded.key, []).append(spec.message_id)
    records = []
    for spec in sorted(specs, key=lambda s: (s.date.astimezone(UTC), s.message_id)):
        copies = by_key[spec.key]
        pii = []
        for fname, (_text, spans) in all_fields[spec.key].items():
            for span in spans:
                pii.append(
                    {
                        "field": fname,
                        "start": span.start,
                        "end": span.end,
                        "type": span.type,
                        "text": span.text,
                    }
                )
        record: dict[str, object] = {"message_id": spec.message_id}
        alt = sorted({p.message_id for p in copies} - {spec.message_id})
        if alt:
            record["alt_message_ids"] = alt
        record.update(
            {
                "labels": spec.labels,
                "thread": spec.thread,
                "date": spec.date.isoformat(),
                "subject": all_fields[spec.key]["subject"][0],
                "copies": sorted(p.location for p in copies),
                "distinct_copies": len({p.raw for p in copies}),
            }
        )
        if spec.key in embedded_in:
            record["embedded_in"] = embedded_in[spec.key]
        record["pii"] = pii
        records.append(record)
    return records


def summarize(out: Path, records: list[dict[str, object]], placed: list[_Placed]) -> Summary:
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    dup = [r for r in records if len(r["copies"]) > 1 and r["distinct_copies"] == 1]  # type: ignore[arg-type]
    var = [r for r in records if r["distinct_copies"] != 1]
    threads = Counter(str(r["thread"]) for r in records)
    pii: Counter[str] = Counter()
    for r in records:
        for span in r["pii"]:  # type: ignore[attr-defined]
            pii[span["type"]] += 1
    per_container: Counter[str] = Counter()
    for p in placed:
        per_container[
            {"older": "archive (nested older.zip)", "zip": "archive (top level)"}.get(
                p.container, p.container.split(":")[0]
            )
        ] += 1
    return Summary(
        out_dir=out,
        files=files,
        copies=len(placed),
        distinct=len(records),
        duplicate_groups=len(dup),
        duplicate_extra_copies=sum(len(r["copies"]) - 1 for r in dup),  # type: ignore[arg-type]
        variant_groups=len(var),
        variant_new_message_id=sum(1 for r in var if "alt_message_ids" in r),
        threads=len(threads),
        multi_message_threads=sum(1 for n in threads.values() if n > 1),
        sales_outreach=sum(1 for r in records if "sales_outreach" in r["labels"]),  # type: ignore[operator]
        noise=sum(1 for r in records if "noise" in r["labels"]),  # type: ignore[operator]
        pii_by_type=dict(sorted(pii.items())),
        per_container=dict(sorted(per_container.items())),
        total_bytes=0,
        gold=records,
    )


from .printouts import RELEASE, write_printouts  # noqa: E402 - kept next to its only caller


def generate_samples(out_dir: Path) -> Summary:
    """Write the whole sample corpus into ``out_dir``: new, empty, or a previous samples folder.

    The generator owns mbox/, maildir/, eml/, archive/, gold.jsonl and README.md there and replaces them.
    """
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not (out / "gold.jsonl").exists():
        raise UsageError(
            f"{out} is not empty and holds no gold.jsonl, so it does not look like a samples folder.",
            hint="Pass an empty or new folder, or the existing samples/ folder, to --out.",
        )
    for sub in ("mbox", "maildir", "eml", "archive", RELEASE):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    specs = build_corpus()
    all_fields: dict[str, dict[str, tuple[str, list[Span]]]] = {}
    for spec in specs:
        fields = gold_fields(spec)
        check_against_reference(spec, render(spec), fields)
        all_fields[spec.key] = fields
    check_unmarked(all_fields)
    placed = place(specs)
    write_containers(out, placed)
    write_printouts(out, specs, all_fields, _is_hcso)
    records = gold_records(specs, placed, all_fields)
    with (out / "gold.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary = summarize(out, records, placed)
    by_key: dict[str, list[str]] = {}
    for p in placed:
        by_key.setdefault(p.spec.key, []).append(p.location)
    specs_by_key = {spec.key: spec for spec in specs}
    summary.traps = [
        (what, specs_by_key[key].message_id, all_fields[key]["subject"][0], sorted(by_key[key]))
        for what, key in TRAPS
    ]
    summary.total_bytes = sum((out / f).stat().st_size for f in summary.files if f != "README.md")
    (out / "README.md").write_text(readme_text(summary), encoding="utf-8", newline="\n")
    summary.files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    return summary
