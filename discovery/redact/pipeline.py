"""Provides ProductionStream and build_production: (case, selection, decisions, policy) -> Production, the pure
redaction step that every writer's input comes from, one document at a time (produce writes each as it comes) or
whole in memory (previews, tests). Reads the store; writes nothing."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import sys
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discovery.errors import RedactionError, UsageError
from discovery.ingest.repair import repair_header_blocks
from discovery.pii.fields import ADDRESS_ROLES, MessageFields, load_fields
from discovery.pii.policy import PolicyFilter, load_policy
from discovery.pii.types import Finding, value_key
from discovery.redact.decisions import case_key, earlier_bates, keyed_hash, unit_decisions
from discovery.redact.finder import ValueFinder
from discovery.redact.labels import LABEL_STYLES, Labeler
from discovery.redact.mimetree import mime_skeleton
from discovery.redact.pages import paginate
from discovery.redact.policy import RedactPolicy, load_redact_policy
from discovery.redact.prepare import DocPrepared, DocWork, init_worker, prepare, prepare_batch, worker_args
from discovery.redact.production import (
    AppliedRedaction,
    MimePart,
    ProducedAddress,
    ProducedAttachment,
    ProducedDocument,
    Production,
    WithheldUnit,
    bates_label,
)
from discovery.redact.release import ENTITY_TYPE as RELEASE_TYPE
from discovery.redact.release import RULE as RELEASE_RULE
from discovery.redact.release import bad_redactions
from discovery.redact.release import variant_type as release_variant_type
from discovery.redact.spans import Span, apply_spans
from discovery.redact.variants import compact, value_forms
from discovery.store import Store, decompress_raw

if TYPE_CHECKING:
    from discovery.case import Case
    from discovery.redact.pdf import ImageValues

PENDING_MODES = ("refuse", "redact", "keep")
FORMATS = ("txt", "eml", "mbox", "pdf")
TEXT_CONTENT_TYPES = ("text/plain", "text/csv", "text/calendar")
ROLE_HEADERS = {"from": "From", "to": "To", "cc": "Cc", "bcc": "Bcc", "reply-to": "Reply-To"}
# Headers always rebuilt from reviewed fields (never copied), or written by the mail writers themselves.
REBUILT = frozenset(h.lower() for h in (
    "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
    "Content-Length", "Lines"))
ProgressFn = Callable[[str, int, int], None]


class PendingSuggestions(RedactionError):
    """Suggestions nobody decided, under --pending refuse: how many questions (one per person or value of the
    case, as the reviewer is asked), the places they hold in the selection, and which messages (id, places there,
    questions there)."""

    def __init__(self, count: int, where: list[tuple[str, int, int]], places: int | None = None) -> None:
        places = sum(n for _, n, _ in where) if places is None else places
        shown = ", ".join(f"{mid} ({n})" for mid, n, _ in where[:10])
        more = f" and {len(where) - 10} more message(s)" if len(where) > 10 else ""
        super().__init__(
            f"{count} PII suggestion(s) are still pending, at {places} place(s) in {len(where)} message(s): "
            f"{shown}{more}. Nothing was produced.",
            hint="Review them ('discovery tui', 'discovery pii list --status pending'; deciding one decides all its "
            "places), or choose --pending redact (treat them as accepted) or --pending keep (treat them as rejected).")
        self.count = count
        self.places = places
        self.where = where


@dataclass(frozen=True, slots=True)
class Selection:
    """What to produce: a search query, a tag, a saved search, or everything (exactly one)."""

    query: str = ""
    tag: str = ""
    saved: str = ""
    all: bool = False

    def describe(self) -> str:
        if self.all:
            return "--all"
        if self.tag:
            return f"tag: {self.tag}"
        if self.saved:
            return f"saved: {self.saved}"
        return f"query: {self.query}"

    def check(self) -> None:
        if sum(bool(x) for x in (self.query.strip(), self.tag, self.saved, self.all)) != 1:
            raise UsageError("choose exactly one of QUERY, --tag, --saved or --all",
                             hint="e.g. 'discovery redact --all --out exports/release-1'.")


@dataclass(frozen=True, slots=True)
class RedactOptions:
    """How to produce (the CLI's options)."""

    pending: str = "refuse"
    label: str = "code"
    bates_prefix: str = "DOC-"
    bates_start: int = 1
    formats: tuple[str, ...] = ("txt",)
    jobs: int = 1

    def check(self) -> None:
        if self.pending not in PENDING_MODES:
            raise UsageError(f"--pending must be one of {', '.join(PENDING_MODES)}, not {self.pending!r}")
        if self.label not in LABEL_STYLES:
            raise UsageError(f"--label must be one of {', '.join(LABEL_STYLES)}, not {self.label!r}")
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise UsageError(f"unknown format(s): {', '.join(unknown) or '(none)'}",
                             hint=f"Formats: {', '.join(FORMATS)}.")
        if not self.bates_prefix or any(c in self.bates_prefix for c in '/\\:*?"<>| \t\n'):
            raise UsageError(f"Bates prefix {self.bates_prefix!r} cannot be used in file names",
                             hint="Use letters, digits, '-' or '_', e.g. --bates HCSO-:1.")
        if self.bates_start < 0 or self.bates_start > 999_999:
            raise UsageError("the Bates start number must be from 0 to 999999")


@dataclass(slots=True)
class Value:
    """One value the production redacts, with the decision that made it so."""

    entity_type: str
    key: str
    exemption: str
    rule: str
    reviewer: str
    decided_at: str
    decision: str
    forms: list[str] = field(default_factory=list)
    marks: str = ""  # the punctuation of the value's texts ('@.' for an email)
    owners: frozenset[str] = frozenset()  # messages whose own rule it is (a release's bad redaction), not a follow


@dataclass(slots=True)
class BuildResult:
    """The production and what the caller needs to record it."""

    production: Production
    numbers: dict[str, tuple[int, int]]  # message id -> (first Bates number, pages reserved)
    pending_count: int = 0


# -- selection --------------------------------------------------------------------------------------------
def select_ids(case: Case, selection: Selection) -> list[str]:
    """The selected messages' ids, with the forwarded messages inside them, in (date, id) order."""
    selection.check()
    store = case.store
    if selection.all:
        ids = [r[0] for r in store.rows("SELECT id FROM messages")]
    elif selection.tag:
        from discovery.tags import get_tag

        tag = get_tag(store, selection.tag)
        if tag is None:
            from discovery.errors import NotFound

            raise NotFound(f"no tag {selection.tag!r} in this case", hint="'discovery tag list' shows the tags.")
        ids = [r[0] for r in store.rows(
            "SELECT message_id FROM message_tags mt JOIN tags t ON t.id=mt.tag_id WHERE t.name=?", (tag.name,))]
    else:
        query = selection.query
        if selection.saved:
            from discovery.search.saved import get_saved

            saved = get_saved(store, selection.saved)
            assert saved is not None
            query = saved.query
        with case.searcher() as searcher:
            ids = searcher.ids(query)
    chosen = set(ids)
    frontier = list(chosen)
    while frontier:  # forwarded messages travel with the message that carries them
        part = frontier[:500]
        frontier = frontier[500:]
        marks = ",".join("?" * len(part))
        for r in store.rows(f"SELECT id FROM messages WHERE parent_id IN ({marks})", part):
            if r[0] not in chosen:
                chosen.add(r[0])
                frontier.append(r[0])
    return _ordered(store, sorted(chosen))


def _ordered(store: Store, ids: Sequence[str]) -> list[str]:
    keyed: list[tuple[str, str]] = []
    for i in range(0, len(ids), 500):
        part = list(ids[i:i + 500])
        marks = ",".join("?" * len(part))
        keyed.extend((r[1] or "", r[0]) for r in store.rows(
            f"SELECT id, date_utc FROM messages WHERE id IN ({marks})", part))
    return [mid for _, mid in sorted(keyed)]


# -- what is redacted -------------------------------------------------------------------------------------
def _chunks(ids: Sequence[str], n: int = 500) -> list[list[str]]:
    return [list(ids[i:i + n]) for i in range(0, len(ids), n)]


class Suggestion:
    """One redacting suggestion, as small as it can be held (a production holds all of them until each document
    is built): the store's columns it needs, read as ``s["column"]``, and the rule that makes it redacted."""

    __slots__ = ("id", "message_id", "field", "start", "end", "text", "value_key", "entity_type", "rule",
                 "decided_by", "decided_at", "exemption")

    def __init__(self, **columns: object) -> None:
        for name in self.__slots__:
            setattr(self, name, columns[name])

    @classmethod
    def of(cls, row: Mapping[str, Any], rule: str) -> Suggestion:
        """From a pii_suggestions row; the short repeated texts are interned (one copy for the production)."""
        return cls(id=row["id"], message_id=sys.intern(str(row["message_id"])), field=sys.intern(str(row["field"])),
                   start=int(row["start"]), end=int(row["end"]), text=str(row["text"]),
                   value_key=sys.intern(str(row["value_key"] or "")),
                   entity_type=sys.intern(str(row["entity_type"])), rule=sys.intern(rule),
                   decided_by=sys.intern(str(row["decided_by"] or "")),
                   decided_at=sys.intern(str(row["decided_at"] or "")),
                   exemption=sys.intern(str(row["exemption"] or "")))

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def _redacting_suggestions(store: Store, ids: Sequence[str], pending: str, rpolicy: RedactPolicy,
                           pfilter: PolicyFilter, kept: dict[str, list[tuple[str, int, int]]] | None = None
                           ) -> tuple[list[Suggestion], dict[str, dict[str, int]]]:
    """The current suggestions of these messages that the production redacts (with the rule that redacts each),
    and the pending ones that nothing decides (message id -> question -> places). kept, when given, gets the
    places reviewers rejected (message id -> [(field, start, end)]): a value redacted elsewhere stays readable
    there."""
    out: list[Suggestion] = []
    undecided: dict[str, dict[str, int]] = {}
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        for r in store.rows(
            f"""SELECT id, message_id, field, start, end, text, value_key, entity_type, score, recognizer, origin,
                status, decided_by, decided_at, exemption, coalesce(nullif(question_key, ''), 'id:' || id) AS q,
                decision_scope FROM pii_suggestions WHERE current=1 AND message_id IN ({marks})""", part):
            status = r["status"]
            if status == "rejected":
                if kept is not None and r["decision_scope"] != "legacy":  # older rejections never stopped following
                    kept.setdefault(r["message_id"], []).append((r["field"], int(r["start"]), int(r["end"])))
                continue
            if status == "accepted":
                rule = "value" if r["origin"] == "value" else "reviewer"
            elif r["recognizer"] == "PolicyDenyList":
                rule = "policy:deny"
            elif rpolicy.auto_redacts(r["entity_type"], float(r["score"])):
                rule = "policy:auto"
            elif pending == "redact":
                rule = "pending"
            else:
                if pending == "refuse":
                    here = undecided.setdefault(r["message_id"], {})
                    here[r["q"]] = here.get(r["q"], 0) + 1
                continue
            finding = Finding(r["field"], r["start"], r["end"], r["entity_type"], float(r["score"]),
                              r["recognizer"], r["text"])
            if pfilter.allowed(finding):
                continue
            out.append(Suggestion.of(r, rule))
    return out, undecided


def collect_values(store: Store, suggestions: Sequence[Suggestion], rpolicy: RedactPolicy,
                   key: bytes, pfilter: PolicyFilter) -> dict[tuple[str, str], Value]:
    """Every value the production redacts, by (type, value key): from the redacting suggestions and from the
    accepted decisions by value, minus what the allow-list allows."""
    values: dict[tuple[str, str], Value] = {}
    texts: dict[tuple[str, str], set[str]] = {}
    explicit: set[tuple[str, str]] = set()  # values whose code a reviewer chose (not the policy's default)

    def add(entity_type: str, text: str, vkey: str, exemption: str, rule: str, reviewer: str, at: str,
            decision: Callable[[], str]) -> None:
        k = (entity_type, vkey)
        if k not in values:  # the decision's keyed hash is made for the first only (one HMAC per value)
            values[k] = Value(entity_type, vkey, exemption or rpolicy.exemption(entity_type, text), rule,
                              reviewer, at, decision())
        elif exemption and (k not in explicit or values[k].rule not in ("reviewer", "value")):
            values[k].exemption = exemption  # a chosen code beats the default; the first reviewer's beats others
        if exemption:
            explicit.add(k)
        texts.setdefault(k, set()).add(text)

    order = {"reviewer": 0, "value": 1, "policy:deny": 2, "policy:auto": 3, "pending": 4}
    for s in sorted(suggestions, key=lambda s: (order.get(str(s["rule"]), 9), str(s["message_id"]),
                                                str(s["field"]), int(s["start"]))):  # type: ignore[call-overload]
        et, text = str(s["entity_type"]), str(s["text"])
        vkey = str(s["value_key"]) or value_key(et, text)
        add(et, text, vkey, str(s["exemption"]), str(s["rule"]), str(s["decided_by"]), str(s["decided_at"] or ""),
            lambda s=s: f"suggestion:{keyed_hash(key, 'suggestion:' + str(s['id']), 12)}")  # type: ignore[misc]
    for r in store.rows("SELECT * FROM pii_value_decisions WHERE status='accepted' ORDER BY entity_type, value_key"):
        finding = Finding("", 0, len(r["text"]), r["entity_type"], 1.0, "value", r["text"])
        if pfilter.allowed(finding):
            continue
        add(r["entity_type"], r["text"], r["value_key"], r["exemption"], "value", r["decided_by"], r["decided_at"],
            lambda r=r: f"value:{r['entity_type']}:{keyed_hash(key, r['value_key'], 12)}")  # type: ignore[misc]
    for k, value in values.items():
        forms: set[str] = set()
        for text in texts[k]:
            forms.update(value_forms(value.entity_type, text))
        value.marks = "".join(sorted({c for text in texts[k] for c in text if not c.isalnum() and not c.isspace()}))
        value.forms = sorted((f for f in forms if len(f) >= 2), key=lambda f: (-len(f), f))
    return values


def release_values(store: Store, ids: Sequence[str], rpolicy: RedactPolicy,
                   key: bytes) -> dict[tuple[str, str], Value]:
    """The texts the selected messages' release left readable under its boxes (discovery.redact.release), as
    values redacted everywhere in the production, under the release's code (the policy's default when the box
    carried none), by a rule of their own in the messages the release boxed them in. Never allow-listed: the
    release itself decided they are withheld."""
    out: dict[tuple[str, str], Value] = {}
    for bad in bad_redactions(store, ids):
        vkey = compact(bad.text)
        forms = {f for f in value_forms(release_variant_type(bad.text), bad.text) if len(f) >= 2}
        if not forms:
            continue
        marks = "".join(sorted({c for c in bad.text if not c.isalnum() and not c.isspace()}))
        out[(RELEASE_TYPE, vkey)] = Value(
            RELEASE_TYPE, vkey, bad.exemption or rpolicy.exemption("PERSON"), RELEASE_RULE, "", "",
            f"release:{keyed_hash(key, 'release:' + vkey, 12)}", sorted(forms, key=lambda f: (-len(f), f)), marks,
            frozenset(mid for mid, _ in bad.places))
    return out


# -- documents --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Doc:
    id: str
    row: dict[str, object]
    fields: list[tuple[str, str]]  # (field key, text) in production order
    addresses: list[tuple[str, int, str, str]]
    attachments: list[dict[str, object]]
    units: dict[str, object]
    matches: list[tuple[int, int, int, int]] = field(default_factory=list)
    prepared: DocPrepared | None = None  # the worker's matches and MIME skeleton


def _field_order(key: str) -> tuple[int, int, str]:
    if key.startswith("address:"):
        _, role, n = key.split(":")
        return (0, ADDRESS_ROLES.index(role) if role in ADDRESS_ROLES else 9, f"{int(n):06d}")
    if key == "subject":
        return (1, 0, "")
    if key == "body":
        return (2, 0, "")
    if key.startswith("header:"):
        return (3, 0, "")
    if key.startswith("attachment:"):
        parts = key.split(":")
        return (4, int(parts[1]), "0" if len(parts) > 2 else "1")
    return (5, 0, key)


def _load_docs(store: Store, ids: Sequence[str], rpolicy: RedactPolicy) -> list[_Doc]:
    loaded: dict[str, MessageFields] = {m.message_id: m for m in load_fields(store, ids)}
    units = unit_decisions(store, ids)
    rows: dict[str, dict[str, object]] = {}
    addresses: dict[str, list[tuple[str, int, str, str]]] = {}
    attachments: dict[str, list[dict[str, object]]] = {}
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        for r in store.rows(
            f"""SELECT id, message_id, in_reply_to, refs, parent_id, date_utc, tz_offset_min, subject, body_text,
                body_source, headers, errors, raw, raw_format FROM messages WHERE id IN ({marks})""", part):
            rows[r["id"]] = dict(r)
        for r in store.rows(f"SELECT message_id, role, position, name, email FROM addresses WHERE message_id IN "
                            f"({marks}) ORDER BY message_id, role, position", part):
            addresses.setdefault(r["message_id"], []).append((r["role"], r["position"], r["name"], r["email"]))
        for r in store.rows(f"SELECT message_id, position, filename, mime, declared_mime, size, sha256, text, error, "
                            f"inline "
                            f"FROM attachments WHERE message_id IN ({marks}) ORDER BY message_id, position", part):
            attachments.setdefault(r["message_id"], []).append(dict(r))
    docs: list[_Doc] = []
    for mid in ids:
        if mid not in rows:
            continue
        fields = [(f.key, f.text) for f in loaded[mid].fields] if mid in loaded else []
        if rpolicy.headers != "keep":
            fields = [(k, t) for k, t in fields if not k.startswith("header:")]
        fields.sort(key=lambda kt: _field_order(kt[0]))
        docs.append(_Doc(mid, rows[mid], fields, sorted(addresses.get(mid, []), key=lambda a: (
            ADDRESS_ROLES.index(a[0]) if a[0] in ADDRESS_ROLES else 9, a[1])), attachments.get(mid, []),
            dict(units.get(mid, {}))))
    return docs


def _published_date(row: dict[str, object]) -> tuple[str, str]:
    """(ISO 8601 with the sender's offset, RFC 5322 Date header) or ('', '')."""
    raw = row.get("date_utc")
    if not raw:
        return "", ""
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError:
        return "", ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    offset = row.get("tz_offset_min")
    if isinstance(offset, int):
        when = when.astimezone(timezone(timedelta(minutes=offset)))
    return when.isoformat(), format_datetime(when)


def _split_address(name: str, email: str, redacted: str, applied: list) -> tuple[str, str]:  # type: ignore[type-arg]
    """Published (name, email) from the redacted 'Name <email>' text."""
    if not name or not email:
        return (redacted, "") if name else ("", redacted)
    boundary = len(name)  # original index of ' <'

    def out_index(i: int) -> int:
        shift = 0
        for a in applied:
            if a.source_end <= i:
                shift += len(a.label) - (a.source_end - a.source_start)
            elif a.source_start < i:
                return -1
        return i + shift

    left = out_index(boundary)
    right = out_index(len(name) + 2 + len(email))
    if left < 0 or right < 0 or redacted[left:left + 2] != " <" or redacted[right:right + 1] != ">":
        return redacted, ""
    return redacted[:left], redacted[left + 2:right]


def _slip(unit: str, exemption: str, reason: str) -> str:
    code = f" {exemption}" if exemption else ""
    return f"[WITHHELD{code or ' ' + reason}]"[:34].rstrip("]") + "]"


def _attachment_withheld(doc: _Doc, att: dict[str, object], forwarded: bool) -> tuple[str, str]:
    """(reason, detail) when an attachment cannot be published, ('', '') when its text can."""
    position = int(att["position"])  # type: ignore[call-overload]
    unit = doc.units.get(f"attachment:{position}")
    if unit is not None:
        return "reviewer", "withheld by a reviewer"
    if att["mime"] == "message/rfc822":
        return "forwarded-message", "a forwarded message: published as a document of its own"
    if forwarded:
        return "forwarded-attachment", "an attachment of a forwarded message: nobody could review it in place"
    error = str(att["error"] or "")
    if "truncated" in error:
        return "truncated", "its text was cut at a size limit, so part of it was never reviewed"
    if not att["text"]:
        detail = f"no text could be read to review it ({error})" if error else "no text could be read to review it"
        return "no-text", detail
    return "", ""


def _render(doc_headers: Sequence[tuple[str, str]], body: str, attachments: Sequence[ProducedAttachment],
            slip: str) -> str:
    lines = [f"{name}: {value}" for name, value in doc_headers]
    if slip:
        return "\n".join([*lines, "", slip])
    lines.append("")
    lines.append(body)
    if attachments:
        lines.extend(["", "Attachments:"])
        for att in attachments:
            state = f" [withheld: {att.withheld}]" if att.withheld else ""
            lines.append(f"  {att.position + 1}. {att.filename} ({att.mime}){state}")
        for att in attachments:
            if att.withheld or att.text is None:
                continue
            lines.extend(["", f"----- Attachment {att.position + 1}: {att.filename} -----", att.text])
    return "\n".join(lines)


class _Builder:
    def __init__(self, case: Case, options: RedactOptions, rpolicy: RedactPolicy, key: bytes,
                 values: dict[tuple[str, str], Value], direct: dict[str, list[dict[str, object]]],
                 kept: dict[str, list[tuple[str, int, int]]] | None = None) -> None:
        self.case = case
        self.store = case.store  # a worker process sets its own connection here
        self.options = options
        self.rpolicy = rpolicy
        self.key = key
        self.values = values
        self.value_list = list(values.values())
        self.direct = direct
        self.kept = kept or {}  # places reviewers rejected: a value redacted elsewhere is not followed into them
        self.labeler = Labeler(options.label)
        self.want_mime = any(f in options.formats for f in ("eml", "mbox"))
        self.want_files = any(f in options.formats for f in ("eml", "mbox", "pdf"))
        self._payloads: dict[str, dict[int, bytes]] = {}
        self._value_hashes: dict[tuple[str, str], str] = {}
        self.finder: ValueFinder | None = None  # the production's finder, when this process has built one
        self._image_values: ImageValues | None = None
        # the same PDF attachment redacted for the same values gives the same file (duplicates, forwards)
        self._redacted_pdfs: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], tuple[bytes, list[Value]]] = \
            OrderedDict()

    def payload(self, doc: _Doc, position: int) -> bytes | None:
        """The decoded bytes of one attachment, read from the stored original (only to redact it), parsed as
        ingest parsed it (header blocks that lost their indentation repaired first: else a header line is read
        as base64 and the file comes out damaged); None unless they are the very bytes ingest read (its sha256)."""
        if doc.id not in self._payloads:
            found: dict[int, bytes] = {}
            if doc.row.get("raw"):
                raw = repair_header_blocks(decompress_raw(doc.row["raw"]))[0]  # type: ignore[arg-type]
                mime_skeleton(raw, "", "", None, found)
            self._payloads[doc.id] = found
        data = self._payloads[doc.id].get(position)
        stored = next((str(a.get("sha256") or "") for a in doc.attachments if a["position"] == position), "")
        if data is None or not stored or hashlib.sha256(data).hexdigest() != stored:
            return None
        return data

    def redacted_pdf(self, doc: _Doc, position: int, text: str, spans: Sequence[Span]
                     ) -> tuple[bytes | None, list[Value], str, str]:
        """A PDF attachment with every redacted value truly removed from its text and its images' pixels
        (discovery.redact.pdf): (bytes, the value of each place removed from an image, '', ''), or (None, [],
        reason, detail) when that cannot be done (the file is then withheld and its redacted text published)."""
        from discovery.redact.pdf import ImageRedactionError, redact_pdf_file

        data = self.payload(doc, position)
        if data is None:
            return None, [], "unsupported-format", ("its original bytes cannot be read back from the stored message "
                                                    "as they were reviewed")
        labels = {text[s.start:s.end]: s.label for s in spans if s.status != "rejected"}
        key = (hashlib.sha256(data).hexdigest(), tuple(sorted(labels.items())))
        known = self._redacted_pdfs.get(key)
        if known is not None:
            self._redacted_pdfs.move_to_end(key)
            return known[0], list(known[1]), "", ""
        try:
            done = redact_pdf_file(data, labels, images=self.image_values())
        except ImageRedactionError as exc:
            return None, [], exc.reason, exc.message
        except RedactionError as exc:
            return None, [], "unsupported-format", ("the original file cannot be redacted in its own format: "
                                                    f"{exc.message}")
        in_images = [self.value_list[int(k)] for k in done.image_redactions]  # type: ignore[call-overload]
        if len(done.data) <= REDACTED_PDF_CACHE_BYTES:
            self._redacted_pdfs[key] = (done.data, in_images)
            while sum(len(v[0]) for v in self._redacted_pdfs.values()) > REDACTED_PDF_CACHE_BYTES:
                self._redacted_pdfs.popitem(last=False)
        return done.data, in_images, "", ""

    def image_values(self) -> ImageValues:
        """Every value of the production, in every variant, as the text of images is searched for it."""
        from discovery.redact.pdf import ImageValues

        if self._image_values is None:
            finder = self.finder or ValueFinder(self.needles(), [v.marks for v in self.value_list])
            self.finder = finder

            def find(text: str) -> list[tuple[int, int, Hashable]]:
                return [(start, end, vi) for _, start, end, vi in finder.find([("image", text)])]

            self._image_values = ImageValues(find, lambda vi: self.label_for(self.value_list[int(vi)]),  # type: ignore[call-overload]
                                             empty=not self.value_list)
        return self._image_values

    def all_children(self, parent_ids: Sequence[str]) -> dict[str, dict[int, str]]:
        """children() of many messages at once: parent id -> n -> forwarded message's id."""
        out: dict[str, dict[int, str]] = {}
        for part in _chunks(parent_ids):
            marks = ",".join("?" * len(part))
            for r in self.store.rows(
                    f"SELECT m.parent_id, m.id, p.locator FROM messages m JOIN provenance p ON p.message_id=m.id "
                    f"WHERE m.parent_id IN ({marks}) ORDER BY p.id", part):
                tail = str(r["locator"]).rpartition("/part:")[2]
                if tail.isdigit():
                    out.setdefault(r["parent_id"], {}).setdefault(int(tail), r["id"])
        return out

    def work(self, docs: Sequence[_Doc], *, find_only: bool = False, find: bool = True) -> list[DocWork]:
        """The worker's view of each document: its fields when its values are to be found (``find``), its
        original when a mail format needs its MIME tree (never under ``find_only``)."""
        mime = self.want_mime and not find_only
        with_raw = [d for d in docs if mime and d.row.get("raw")]
        children = self.all_children([d.id for d in with_raw]) if with_raw else {}
        out: list[DocWork] = []
        for d in docs:
            fields = d.fields if find else []
            if mime and d.row.get("raw"):
                out.append(DocWork(fields, d.row["raw"], str(d.row["body_source"] or ""),  # type: ignore[arg-type]
                                   str(d.row["body_text"] or ""), children.get(d.id, {})))
            else:
                out.append(DocWork(fields))
        return out

    def children(self, message_id: str) -> dict[int, str]:
        """The n-th forwarded message inside a message -> its id (from the '/part:<n>' locator of its copy)."""
        out: dict[int, str] = {}
        for r in self.store.rows(
                "SELECT m.id, p.locator FROM messages m JOIN provenance p ON p.message_id=m.id WHERE m.parent_id=? "
                "ORDER BY p.id", (message_id,)):
            tail = str(r["locator"]).rpartition("/part:")[2]
            if tail.isdigit():
                out.setdefault(int(tail), r["id"])
        return out

    def forget(self, message_id: str) -> None:
        """Drop what was kept for one document once it is built (its suggestions, its attachments' bytes)."""
        self.direct.pop(message_id, None)
        self.kept.pop(message_id, None)
        self._payloads.pop(message_id, None)

    def value_hash(self, value: Value) -> str:
        """The keyed hash the log gives a value (made once per value)."""
        k = (value.entity_type, value.key)
        found = self._value_hashes.get(k)
        if found is None:
            found = self._value_hashes[k] = keyed_hash(self.key, f"{value.entity_type}:{value.key}")
        return found

    def needles(self) -> list[tuple[str, int]]:
        return [(form, i) for i, v in enumerate(self.value_list) for form in v.forms]

    def label_for(self, value: Value) -> str:
        return self.labeler.label(value.entity_type, value.key, value.exemption)

    def spans_for(self, doc: _Doc) -> dict[str, list[Span]]:
        by_field: dict[str, list[Span]] = {}
        texts = dict(doc.fields)
        kept = self.kept.get(doc.id, [])
        for fi, start, end, vi in doc.matches:
            key, text = doc.fields[fi]
            if any(f == key and s < end and start < e for f, s, e in kept):
                continue  # a place a reviewer kept readable (a per-place rejection of a value redacted elsewhere)
            value = self.value_list[vi]
            if value.entity_type == "PHONE_NUMBER":  # '(503) 555-0142', '+1 206 ...': the opening mark goes too
                while start > 0 and text[start - 1] in "(+":
                    start -= 1
            rule = value.rule if doc.id in value.owners else "follow"
            by_field.setdefault(key, []).append(Span(start, end, text[start:end], self.label_for(value), "accepted",
                                                     (value, rule, "", "", value.decision)))
        for s in self.direct.get(doc.id, []):
            fkey = str(s["field"])
            if fkey not in texts:
                if fkey.startswith("header:") and self.rpolicy.headers != "keep":
                    continue  # a header that is not published
                raise RedactionError(
                    f"message {doc.id}: a reviewed redaction points into field {fkey!r}, which the message no "
                    "longer has", hint="The message changed after review: scan and review it again.")
            et = str(s["entity_type"])
            vkey = str(s["value_key"]) or value_key(et, str(s["text"]))
            value = self.values.get((et, vkey))
            if value is None:
                continue
            by_field.setdefault(fkey, []).append(Span(
                int(s["start"]), int(s["end"]), str(s["text"]), self.label_for(value), "accepted",  # type: ignore
                (value, str(s["rule"]), str(s["decided_by"]), str(s["decided_at"] or ""),
                 f"suggestion:{keyed_hash(self.key, 'suggestion:' + str(s['id']), 12)}")))
        return by_field

    def redact_field(self, doc: _Doc, key: str, text: str, spans: dict[str, list[Span]],
                     applied_out: list[AppliedRedaction]) -> tuple[str, list]:  # type: ignore[type-arg]
        out, applied = apply_spans(text, spans.get(key, []), message=doc.id, field=key)
        for a in applied:
            metas = [m.meta for m in a.spans]
            meta = next((m for m in metas if m[1] != "follow"), metas[0])  # type: ignore[index]
            value, rule, reviewer, at, decision = meta  # type: ignore[misc]
            if rule == "follow":
                reviewer, at = value.reviewer, value.decided_at
            applied_out.append(AppliedRedaction(
                key, a.start, a.end, value.entity_type, a.label, value.exemption, rule, reviewer, at, decision,
                self.value_hash(value)))
        return out, applied

    def log_image(self, doc: _Doc, key: str, value: Value, applied_out: list[AppliedRedaction]) -> None:
        """The log's entry for one value removed from an image of an attachment (no offsets: not in its text);
        its rule is the value's own where this document is the value's own, else 'follow', as for text."""
        rule = value.rule if doc.id in value.owners else "follow"
        applied_out.append(AppliedRedaction(key, -1, -1, value.entity_type, self.label_for(value), value.exemption,
                                            rule, value.reviewer, value.decided_at, value.decision,
                                            self.value_hash(value)))

    def build(self, doc: _Doc) -> ProducedDocument:
        spans = self.spans_for(doc)
        texts = dict(doc.fields)
        applied: list[AppliedRedaction] = []
        withheld: list[WithheldUnit] = []
        row = doc.row
        iso, date_header = _published_date(row)
        message_unit = doc.units.get("message")
        if message_unit is not None:
            exemption = message_unit.exemption or self.rpolicy.exemption("PERSON")  # type: ignore[attr-defined]
            withheld.append(WithheldUnit("message", "reviewer", "the whole message is withheld", exemption,
                                         message_unit.decided_by, message_unit.decided_at))  # type: ignore
            slip = f"WITHHELD IN FULL {code_or(exemption)}\nThis message is withheld in full under {exemption}."
            return ProducedDocument(doc.id, "", "", 0, 0, date=iso, headers=(("Date", date_header),) if date_header
                                    else (), withheld=tuple(withheld), withheld_in_full="reviewer", slip_sheet=slip,
                                    pages=paginate(slip), parent_id=str(row["parent_id"] or ""))

        def field_value(key: str) -> str:
            unit = doc.units.get(key)
            if unit is not None:
                exemption = unit.exemption or self.rpolicy.exemption("PERSON")  # type: ignore[attr-defined]
                label = _slip(key, exemption, "reviewer")
                withheld.append(WithheldUnit(key, "reviewer", f"the {key} is withheld", exemption,
                                             unit.decided_by, unit.decided_at))  # type: ignore[attr-defined]
                applied.append(AppliedRedaction(key, 0, len(label), "WITHHELD", label, exemption, "reviewer",
                                                unit.decided_by, unit.decided_at,  # type: ignore[attr-defined]
                                                f"unit:{key}"))
                return label
            return self.redact_field(doc, key, texts.get(key, ""), spans, applied)[0]

        addresses: list[ProducedAddress] = []
        for role, position, name, email in doc.addresses:
            key = f"address:{role}:{position}"
            if key not in texts:
                continue
            out, spans_applied = self.redact_field(doc, key, texts[key], spans, applied)
            pname, pemail = _split_address(name, email, out, spans_applied)
            addresses.append(ProducedAddress(role, position, pname, pemail))
        subject = field_value("subject")
        body = field_value("body")
        errors = json.loads(str(row["errors"] or "[]"))
        if any(str(e).startswith("body cut from") for e in errors):
            withheld.append(WithheldUnit("body", "truncated",
                                         "the body was cut at a size limit; the rest was never reviewed"))
        forwarded = bool(row["parent_id"])
        attachments: list[ProducedAttachment] = []
        for att in doc.attachments:
            position = int(att["position"])  # type: ignore[call-overload]
            name_key = f"attachment:{position}:name"
            filename = (self.redact_field(doc, name_key, texts[name_key], spans, applied)[0]
                        if name_key in texts else f"attachment-{position + 1}")
            reason, detail = _attachment_withheld(doc, att, forwarded)
            if reason:
                unit = doc.units.get(f"attachment:{position}")
                exemption = ""
                if unit is not None:  # a reviewer's withhold carries a code: theirs, else the policy's default
                    exemption = unit.exemption or self.rpolicy.exemption("PERSON")  # type: ignore[attr-defined]
                withheld.append(WithheldUnit(f"attachment:{position}", reason, f"{filename}: {detail}",
                                             exemption, getattr(unit, "decided_by", ""),
                                             getattr(unit, "decided_at", "")))
                code = f" {code_or(exemption)}" if exemption else ""
                attachments.append(ProducedAttachment(position, filename, str(att["mime"]), withheld=reason,
                                                      slip_sheet=f"Attachment withheld ({reason}){code}: {detail}."))
                continue
            text_key = f"attachment:{position}"
            text = self.redact_field(doc, text_key, texts.get(text_key, ""), spans, applied)[0]
            content = text.encode("utf-8") if att["mime"] in TEXT_CONTENT_TYPES else None
            reason, detail = "unsupported-format", "the original file cannot be redacted in its own format here"
            if content is None and att["mime"] == "application/pdf" and self.want_files:
                content, in_images, reason, detail = self.redacted_pdf(doc, position, texts.get(text_key, ""),
                                                                       spans.get(text_key, []))
                for value in in_images:  # a value read in an image of the file, its pixels removed
                    self.log_image(doc, text_key, value, applied)
            if content is None:
                withheld.append(WithheldUnit(f"attachment:{position}:file", reason,
                                             f"{filename}: {detail}; it is withheld and its redacted text is "
                                             "published"))
            attachments.append(ProducedAttachment(position, filename, str(att["mime"]), text, content))
        headers: list[tuple[str, str]] = []
        for role in ADDRESS_ROLES:
            published = [a for a in addresses if a.role == role]
            if published:
                headers.append((ROLE_HEADERS[role], ", ".join(
                    _render_address(a.name, a.email) for a in published)))
        if date_header:
            headers.append(("Date", date_header))
        headers.append(("Subject", subject))
        headers.extend(self.id_headers(row, texts, spans, applied, doc, withheld))
        mime: tuple[MimePart, ...] = ()
        if self.want_mime and row.get("raw") and doc.prepared is not None:
            mime = doc.prepared.mime
            withheld.extend(doc.prepared.mime_withheld)
        elif self.want_mime and row.get("raw"):
            mime, html_withheld = mime_skeleton(decompress_raw(row["raw"]),  # type: ignore[arg-type]
                                                str(row["body_source"] or ""), str(row["body_text"] or ""),
                                                self.children(doc.id))
            withheld.extend(html_withheld)
        published_headers = tuple(headers)
        applied.sort(key=lambda a: (_field_order(a.field), a.field, a.start))
        return ProducedDocument(
            doc.id, "", "", 0, 0, date=iso, headers=published_headers, subject=subject, body=body,
            addresses=tuple(addresses), attachments=tuple(attachments), redactions=tuple(applied),
            withheld=tuple(withheld), pages=paginate(_render(published_headers, body, attachments, "")), mime=mime,
            parent_id=str(row["parent_id"] or ""))

    def id_headers(self, row: dict[str, object], texts: dict[str, str], spans: dict[str, list[Span]],
                   applied: list[AppliedRedaction], doc: _Doc,
                   withheld: list[WithheldUnit]) -> list[tuple[str, str]]:
        mode = self.rpolicy.headers
        if mode == "drop":
            return []
        if mode == "neutralise":
            def neutral(mid: str) -> str:
                return f"<{keyed_hash(self.key, mid.strip(), 24)}@redacted.invalid>"

            out = []
            if row["message_id"]:
                out.append(("Message-ID", neutral(str(row["message_id"]))))
            if row["in_reply_to"]:
                out.append(("In-Reply-To", neutral(str(row["in_reply_to"]))))
            refs = json.loads(str(row["refs"] or "[]"))
            if refs:
                out.append(("References", " ".join(neutral(str(r)) for r in refs)))
            return out
        out = []
        for key, text in doc.fields:
            if not key.startswith("header:"):
                continue
            name = key.split(":")[1]
            unit = doc.units.get(f"header:{name}")
            if unit is not None:  # a header a reviewer withheld whole: a slip in place of its value
                exemption = unit.exemption or self.rpolicy.exemption("PERSON")  # type: ignore[attr-defined]
                label = _slip(key, exemption, "reviewer")
                if not any(w.unit == f"header:{name}" for w in withheld):
                    withheld.append(WithheldUnit(f"header:{name}", "reviewer", f"the {name} header is withheld",
                                                 exemption, unit.decided_by,  # type: ignore[attr-defined]
                                                 unit.decided_at))  # type: ignore[attr-defined]
                applied.append(AppliedRedaction(key, 0, len(label), "WITHHELD", label, exemption, "reviewer",
                                                unit.decided_by, unit.decided_at,  # type: ignore[attr-defined]
                                                f"unit:header:{name}"))
                out.append((name, label))
                continue
            out.append((name, self.redact_field(doc, key, text, spans, applied)[0]))
        for name, column in (("Message-ID", "message_id"), ("In-Reply-To", "in_reply_to")):
            if row[column]:
                out.append((name, str(row[column])))
        refs = json.loads(str(row["refs"] or "[]"))
        if refs:
            out.append(("References", " ".join(str(r) for r in refs)))
        return out


def code_or(exemption: str) -> str:
    return f"[{exemption}]" if exemption else ""


def _render_address(name: str, email: str) -> str:
    if name and email:
        return f"{name} <{email}>"
    return name or email


class Numberer:
    """Bates numbers for documents in production order, one at a time: a document keeps the numbers an earlier
    production under this prefix gave it when its pages still fit in them; others get the next free numbers."""

    def __init__(self, prefix: str, start: int, earlier: dict[str, tuple[int, int]]) -> None:
        self.prefix = prefix
        self.earlier = earlier
        self.next_free = max([start, *(first + pages for first, pages in earlier.values())])
        self.numbers: dict[str, tuple[int, int]] = {}  # message id -> (first Bates number, pages reserved)

    def number(self, doc: ProducedDocument) -> ProducedDocument:
        pages = len(doc.pages)
        old = self.earlier.get(doc.id)
        if old is not None and pages <= old[1]:
            first, reserved = old
        else:
            first, reserved = self.next_free, pages
            self.next_free += pages
        if first + pages - 1 > 999_999:
            raise UsageError("Bates numbers would pass 999999", hint="Start lower or use another prefix.")
        self.numbers[doc.id] = (first, reserved)
        return replace(doc, bates_first=bates_label(self.prefix, first),
                       bates_last=bates_label(self.prefix, first + pages - 1), bates_start=first, page_count=pages)


def assign_bates(docs: Sequence[ProducedDocument], prefix: str, start: int,
                 earlier: dict[str, tuple[int, int]]) -> tuple[list[ProducedDocument], dict[str, tuple[int, int]]]:
    """Bates numbers for documents in production order (see Numberer), sorted by Bates number."""
    numberer = Numberer(prefix, start, earlier)
    out = [numberer.number(doc) for doc in docs]
    out.sort(key=lambda d: (d.bates_start, d.id))
    return out, numberer.numbers


BATCH = 50  # documents per unit of work sent to a worker
REDACTED_PDF_CACHE_BYTES = 32 * 1024 * 1024  # redacted PDF attachments kept per process for their duplicates
AHEAD = 3  # batches in flight per worker: enough to keep it busy, few enough to keep memory flat


class ProductionStream:
    """A production built one document at a time, so that it is never whole in memory.

    Making one reads the selection and the decisions (raising PendingSuggestions under --pending refuse before
    anything is built); ``production`` holds the settings (no documents). Iterating it (once) yields every
    document redacted and Bates-numbered, in production order (date, id), while the stored messages are read
    a batch at a time; Bates order is ``(bates_start, id)``, which equals production order unless an earlier
    production under the same prefix gave documents their numbers. ``numbers`` fills as it goes.
    """

    def __init__(self, case: Case, selection: Selection, options: RedactOptions, *,
                 progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None) -> None:
        options.check()
        self.options = options
        self.progress = progress
        self.cancel = cancel
        store = case.store
        self.store = store
        self.ids = select_ids(case, selection)
        policy = load_policy(case.path)
        self.rpolicy, policy_sha = load_redact_policy(case.path)
        people = [(r[0], r[1]) for r in store.rows("SELECT DISTINCT name, email FROM addresses")]
        pfilter = PolicyFilter.build(policy, people)
        key = case_key(store)
        kept: dict[str, list[tuple[str, int, int]]] = {}
        suggestions, undecided = _redacting_suggestions(store, self.ids, options.pending, self.rpolicy, pfilter,
                                                        kept)
        if undecided:
            where = sorted(((mid, sum(qs.values()), len(qs)) for mid, qs in undecided.items()),
                           key=lambda t: (-t[1], t[0]))
            questions = {q for qs in undecided.values() for q in qs}
            raise PendingSuggestions(len(questions), where)
        values = collect_values(store, suggestions, self.rpolicy, key, pfilter)
        values.update(release_values(store, self.ids, self.rpolicy, key))
        direct: dict[str, list[Suggestion]] = {}
        for s in suggestions:
            direct.setdefault(str(s["message_id"]), []).append(s)
        self.pending_count = sum(1 for s in suggestions if s["rule"] == "pending")
        forwarded: set[str] = set()  # selected messages forwarded inside another: a mail writer embeds them
        for part in _chunks(self.ids):
            marks = ",".join("?" * len(part))
            forwarded.update(r[0] for r in store.rows(
                f"SELECT id FROM messages WHERE parent_id IS NOT NULL AND parent_id != '' AND id IN ({marks})", part))
        self.forwarded = frozenset(forwarded)
        del suggestions  # each document's own are in direct, dropped as it is built
        self.builder = _Builder(case, options, self.rpolicy, key, values, direct, kept)
        self.numberer = Numberer(options.bates_prefix, options.bates_start, earlier_bates(store, options.bates_prefix))
        self.production = Production(
            case=case.path.resolve().name, selection=selection.describe(), pending=options.pending,
            label_style=options.label, bates_prefix=options.bates_prefix, bates_start=options.bates_start,
            policy_sha256=policy_sha, formats=tuple(f for f in FORMATS if f in options.formats),
            values_redacted=len(values), pending_redacted=self.pending_count, header_policy=self.rpolicy.headers)
        self._used = False
        self.known: dict[str, list[tuple[int, int, int, int]]] | None = None  # pseudonyms: first pass's matches
        self.finder: ValueFinder | None = None  # in a build worker

    @property
    def numbers(self) -> dict[str, tuple[int, int]]:
        return self.numberer.numbers

    def __len__(self) -> int:
        return len(self.ids)

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            raise KeyboardInterrupt

    def _prepared(self, pool: ProcessPoolExecutor | None, finder: ValueFinder | None, *,
                  find_only: bool, find: bool = True) -> Iterator[tuple[list[_Doc], list[DocPrepared]]]:
        """(documents, the workers' answers) a batch at a time, in order; at most AHEAD batches per worker are
        loaded and in flight at once."""
        batches = (self.ids[i:i + BATCH] for i in range(0, len(self.ids), BATCH))
        builder = self.builder
        if pool is None:
            assert finder is not None
            for part in batches:
                docs = _load_docs(self.store, part, self.rpolicy)
                yield docs, [prepare(finder, w) for w in builder.work(docs, find_only=find_only, find=find)]
            return
        waiting: deque[tuple[list[_Doc], Future[list[DocPrepared]]]] = deque()
        window = AHEAD * max(1, self.options.jobs)
        for part in batches:
            docs = _load_docs(self.store, part, self.rpolicy)
            work = builder.work(docs, find_only=find_only, find=find)
            waiting.append((docs, pool.submit(prepare_batch, work)))
            if len(waiting) >= window:
                docs, future = waiting.popleft()
                yield docs, future.result()
        while waiting:
            docs, future = waiting.popleft()
            yield docs, future.result()

    def __iter__(self) -> Iterator[ProducedDocument]:
        if self._used:
            raise RuntimeError("a ProductionStream is iterated once")
        self._used = True
        builder, progress, total = self.builder, self.progress, len(self.ids)
        needles = builder.needles()
        marks = [v.marks for v in builder.value_list]
        parallel = self.options.jobs > 1 and total > 100
        with ExitStack() as stack:
            finder = None if parallel else ValueFinder(needles, marks)
            builder.finder = finder  # the text of images in PDF attachments is searched with it too
            known: dict[str, list[tuple[int, int, int, int]]] | None = None
            if self.options.label == "pseudonym":  # number pseudonyms in order of first appearance: a first pass
                known = {}
                done = 0
                with ExitStack() as first:
                    pool = first.enter_context(ProcessPoolExecutor(  # forked small: no document loaded yet
                        max_workers=self.options.jobs, mp_context=multiprocessing.get_context("fork"),
                        initializer=init_worker, initargs=worker_args(needles, marks))) if parallel else None
                    for docs, results in self._prepared(pool, finder, find_only=True):
                        for d, prepared in zip(docs, results, strict=True):
                            known[d.id] = prepared.matches
                            if "message" in d.units:
                                continue
                            for _, _, _, vi in sorted(prepared.matches, key=lambda m: (m[0], m[1])):
                                v = builder.value_list[vi]
                                builder.labeler.see(v.entity_type, v.key)
                        done += len(docs)
                        if progress:
                            progress("find", done, total)
                        self._check_cancel()
                for v in builder.value_list:
                    builder.labeler.see(v.entity_type, v.key)
            done = 0
            for doc in self._built(stack, parallel, finder, known):
                yield self.numberer.number(doc)
                done += 1
                if progress and (done % 25 == 0 or done == total):
                    progress("redact", done, total)
                self._check_cancel()

    def _built(self, stack: ExitStack, parallel: bool, finder: ValueFinder | None,
               known: dict[str, list[tuple[int, int, int, int]]] | None) -> Iterator[ProducedDocument]:
        """Every document built (not yet numbered), in production order: in this process, or under --jobs N in
        worker processes forked from it now (they read the store themselves and share what this process
        knows: values, labels, decisions), at most AHEAD batches per worker in flight."""
        global _FORKED
        builder = self.builder
        if not parallel:
            for docs, results in self._prepared(None, finder, find_only=False, find=known is None):
                for d, prepared in zip(docs, results, strict=True):
                    d.prepared = prepared
                    d.matches = known.pop(d.id, prepared.matches) if known is not None else prepared.matches
                    yield builder.build(d)
                    builder.forget(d.id)
            return
        self.known = known
        _FORKED = self
        gc.freeze()  # what the workers inherit stays shared: their collector never touches (so copies) it
        try:
            builders = stack.enter_context(ProcessPoolExecutor(
                max_workers=self.options.jobs, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_build_worker, initargs=(str(self.store.case_dir), os.getpid())))
            waiting: deque[Future[list[ProducedDocument]]] = deque()
            batches = [self.ids[i:i + BATCH] for i in range(0, len(self.ids), BATCH)]
            window = AHEAD * max(1, self.options.jobs)
            for n, part in enumerate(batches):
                waiting.append(builders.submit(_build_batch, part))
                if n == 0:
                    gc.unfreeze()  # the workers are forked at the first submit
                if len(waiting) >= window:
                    yield from waiting.popleft().result()
            while waiting:
                yield from waiting.popleft().result()
        finally:
            _FORKED = None
            gc.unfreeze()


_FORKED: ProductionStream | None = None  # the stream a build worker was forked from


def _init_build_worker(case_dir: str, parent_pid: int) -> None:
    """Build-pool initializer: end with the parent; open this process's own read-only connection to the store
    (never the parent's) and build this process's automaton once."""
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)
    stream = _FORKED
    assert stream is not None, "a build worker is forked from a ProductionStream"
    stream.store = Store(Path(case_dir), create=False, readonly=True)
    stream.builder.store = stream.store
    builder = stream.builder
    stream.finder = builder.finder = ValueFinder(builder.needles(), [v.marks for v in builder.value_list])


def _build_batch(ids: list[str]) -> list[ProducedDocument]:
    """In a build worker: read, find, redact and paginate a batch of documents (not numbered)."""
    stream = _FORKED
    assert stream is not None and stream.finder is not None, "_init_build_worker was not called in this process"
    builder, known = stream.builder, stream.known
    docs = _load_docs(stream.store, ids, stream.rpolicy)
    out: list[ProducedDocument] = []
    for d, work in zip(docs, builder.work(docs, find=known is None), strict=True):
        prepared = prepare(stream.finder, work)
        d.prepared = prepared
        d.matches = known.get(d.id, prepared.matches) if known is not None else prepared.matches
        out.append(builder.build(d))
        builder.forget(d.id)
    return out


def build_production(case: Case, selection: Selection, options: RedactOptions, *,
                     progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None) -> BuildResult:
    """The whole production of the selected messages in memory, documents in Bates order (for previews and tests;
    produce streams a ProductionStream instead). Raises PendingSuggestions under --pending refuse,
    RedactionError when a reviewed span no longer matches."""
    stream = ProductionStream(case, selection, options, progress=progress, cancel=cancel)
    documents = sorted(stream, key=lambda d: (d.bates_start, d.id))
    return BuildResult(replace(stream.production, documents=tuple(documents)), stream.numbers, stream.pending_count)
