"""Provides the redaction log (CSV and JSON, publishable: no redacted value, a keyed hash at most), the
Vaughn-index draft grouped by document and exemption, and withheld.csv; written a document at a time
(LogWriter) so that a production's log is never whole in memory."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from discovery.redact.production import ProducedDocument, Production
from discovery.redact.spool import Piece, Spool

# No character offsets and no numeric ids: a number in the log could pass for (or betray) a redacted number.
LOG_COLUMNS = ("bates_first", "bates_last", "document", "field", "entity_type", "label",
               "exemption", "rule", "reviewer", "decided_at", "decision", "value_hash")
WITHHELD_COLUMNS = ("bates_first", "bates_last", "document", "unit", "reason", "exemption", "reviewer",
                    "decided_at", "detail")
LOG_FILES = ["redaction-log.csv", "redaction-log.json", "withheld.csv"]


def doc_log_rows(doc: ProducedDocument) -> list[dict[str, object]]:
    """One row per redaction applied to one document."""
    return [{"bates_first": doc.bates_first, "bates_last": doc.bates_last, "document": doc.id,
             "field": r.field, "entity_type": r.entity_type,
             "label": r.label, "exemption": r.exemption, "rule": r.rule, "reviewer": r.reviewer,
             "decided_at": r.decided_at, "decision": r.decision, "value_hash": r.value_hash}
            for r in doc.redactions]


def doc_withheld_rows(doc: ProducedDocument) -> list[dict[str, object]]:
    """One row per unit withheld from one document."""
    return [{"bates_first": doc.bates_first, "bates_last": doc.bates_last, "document": doc.id,
             "unit": w.unit, "reason": w.reason, "exemption": w.exemption, "reviewer": w.reviewer,
             "decided_at": w.decided_at, "detail": w.detail} for w in doc.withheld]


def doc_vaughn(doc: ProducedDocument) -> list[dict[str, object]]:
    """One document's Vaughn-index entries: per exemption, what was redacted or withheld and on whose decision."""
    out: list[dict[str, object]] = []
    groups: dict[str, dict[str, set[str] | int]] = {}
    for r in doc.redactions:
        g = groups.setdefault(r.exemption, {"types": set(), "fields": set(), "deciders": set(), "count": 0})
        g["types"].add(r.entity_type)  # type: ignore[union-attr]
        g["fields"].add(r.field.split(":")[0])  # type: ignore[union-attr]
        g["deciders"].add(r.reviewer or r.rule)  # type: ignore[union-attr]
        g["count"] = int(g["count"]) + 1  # type: ignore[call-overload]
    withheld_by: dict[str, list[str]] = defaultdict(list)
    for w in doc.withheld:
        withheld_by[w.exemption].append(f"{w.unit} ({w.reason})")
    for exemption in sorted(set(groups) | set(withheld_by)):
        g = groups.get(exemption, {"types": set(), "fields": set(), "deciders": set(), "count": 0})
        out.append({"bates_first": doc.bates_first, "bates_last": doc.bates_last, "document": doc.id,
                    "exemption": exemption or "(none: not reviewable)", "redactions": g["count"],
                    "entity_types": sorted(g["types"]), "fields": sorted(g["fields"]),  # type: ignore[arg-type]
                    "decided_by": sorted(g["deciders"]),  # type: ignore[arg-type]
                    "withheld": sorted(withheld_by.get(exemption, []))})
    return out


def _bates_order(docs: Iterable[ProducedDocument]) -> list[ProducedDocument]:
    return sorted(docs, key=lambda d: (d.bates_start, d.id))


def log_rows(production: Production) -> list[dict[str, object]]:
    """One row per applied redaction, in Bates order."""
    return [row for doc in _bates_order(production.documents) for row in doc_log_rows(doc)]


def withheld_rows(production: Production) -> list[dict[str, object]]:
    return [row for doc in _bates_order(production.documents) for row in doc_withheld_rows(doc)]


def vaughn_index(production: Production) -> list[dict[str, object]]:
    """A Vaughn-index draft: per document and exemption, what was redacted or withheld and on whose decision."""
    return [entry for doc in _bates_order(production.documents) for entry in doc_vaughn(doc)]


@dataclass(slots=True)
class _Reach:
    places: int = 0
    documents: int = 0
    last_document: str = ""
    # what the decision is described by: its last own (not 'follow') redaction in Bates order, else its first
    own: tuple[tuple[int, str, int], tuple[str, str, str, str]] | None = None
    follow: tuple[tuple[int, str, int], tuple[str, str, str, str]] | None = None


@dataclass(slots=True)
class DecisionReach:
    """How many places (and documents) each decision reached, value-following included; documents may be added
    in any order (each once), the answer is that of Bates order."""

    reach: dict[str, _Reach] = field(default_factory=dict)

    def add(self, doc: ProducedDocument) -> None:
        for n, r in enumerate(doc.redactions):
            entry = self.reach.get(r.decision)
            if entry is None:
                entry = self.reach[r.decision] = _Reach()
            entry.places += 1
            if entry.last_document != doc.id:
                entry.documents += 1
                entry.last_document = doc.id
            where = (doc.bates_start, doc.id, n)
            info = (r.entity_type, r.exemption, r.rule, r.reviewer)
            if r.rule != "follow":
                if entry.own is None or where > entry.own[0]:
                    entry.own = (where, info)
            elif entry.follow is None or where < entry.follow[0]:
                entry.follow = (where, info)

    def rows(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for d in sorted(self.reach):
            entry = self.reach[d]
            chosen = entry.own or entry.follow
            assert chosen is not None
            et, exemption, rule, reviewer = chosen[1]
            out.append({"decision": d, "entity_type": et, "exemption": exemption, "rule": rule,
                        "reviewer": reviewer, "places": entry.places, "documents": entry.documents})
        return out


def decision_reach(production: Production) -> list[dict[str, object]]:
    """How many places (and documents) each decision reached, value-following included."""
    reach = DecisionReach()
    for doc in production.documents:
        reach.add(doc)
    return reach.rows()


def _csv_rows(columns: tuple[str, ...], rows: list[dict[str, object]], header: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _json_lines(items: list[dict[str, object]]) -> bytes:
    """Items as JSON lines of the log's lists: one item per line, indented, separated by commas."""
    return ",\n".join("    " + json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items).encode("utf-8")


_KINDS = ("csv", "redactions", "vaughn_index", "withheld", "withheld_csv")


@dataclass(slots=True)
class _Entry:
    order: tuple[int, str]
    pieces: dict[str, Piece]


class LogWriter:
    """The log files of a production written a document at a time: each document's rows go to scratch files in
    the folder as it comes (any order), and ``finish`` writes redaction-log.csv, redaction-log.json and
    withheld.csv in Bates order from them, then removes the scratch files.

    redaction-log.json is one object with sorted keys; its lists (decisions, redactions, vaughn_index,
    withheld) hold one item per line."""

    def __init__(self, production: Production, folder: Path) -> None:
        self.production = production
        self.folder = folder
        self.spool = Spool(folder / ".log.spool")
        self.reach = DecisionReach()
        self.entries: list[_Entry] = []

    def add(self, doc: ProducedDocument) -> None:
        rows, withheld = doc_log_rows(doc), doc_withheld_rows(doc)
        pieces: dict[str, Piece] = {}
        for kind, data in (("csv", _csv_rows(LOG_COLUMNS, rows) if rows else b""),
                           ("redactions", _json_lines(rows)),
                           ("vaughn_index", _json_lines(doc_vaughn(doc))),
                           ("withheld", _json_lines(withheld)),
                           ("withheld_csv", _csv_rows(WITHHELD_COLUMNS, withheld) if withheld else b"")):
            if data:
                pieces[kind] = self.spool.add(data)
        self.reach.add(doc)
        self.entries.append(_Entry((doc.bates_start, doc.id), pieces))

    def _pieces(self, kind: str) -> list[Piece]:
        return [e.pieces[kind] for e in self.entries if kind in e.pieces]

    def finish(self) -> list[str]:
        """Write the three log files; returns their relative paths."""
        self.entries.sort(key=lambda e: e.order)
        p = self.production
        try:
            with (self.folder / "redaction-log.csv").open("wb") as out:
                out.write(_csv_rows(LOG_COLUMNS, [], header=True))
                self.spool.copy(self._pieces("csv"), out)
            with (self.folder / "withheld.csv").open("wb") as out:
                out.write(_csv_rows(WITHHELD_COLUMNS, [], header=True))
                self.spool.copy(self._pieces("withheld_csv"), out)
            with (self.folder / "redaction-log.json").open("wb") as out:
                def scalar(name: str, value: str) -> None:
                    out.write(f"  {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)},\n".encode())

                def listed(name: str, pieces: list[Piece], last: bool = False) -> None:
                    if not pieces:
                        out.write(f"  {json.dumps(name)}: []{'' if last else ','}\n".encode())
                        return
                    out.write(f"  {json.dumps(name)}: [\n".encode())
                    self.spool.copy(pieces, out, b",\n")
                    out.write(f"\n  ]{'' if last else ','}\n".encode())

                out.write(b"{\n")
                scalar("case", p.case)
                decisions = self.reach.rows()
                if decisions:
                    out.write(b'  "decisions": [\n' + _json_lines(decisions) + b"\n  ],\n")
                else:
                    out.write(b'  "decisions": [],\n')
                scalar("label_style", p.label_style)
                scalar("pending", p.pending)
                listed("redactions", self._pieces("redactions"))
                scalar("selection", p.selection)
                listed("vaughn_index", self._pieces("vaughn_index"))
                listed("withheld", self._pieces("withheld"), last=True)
                out.write(b"}\n")
        finally:
            self.spool.remove()
        return list(LOG_FILES)


def write_log(production: Production, out_dir: Path) -> list[str]:
    """Write redaction-log.csv, redaction-log.json and withheld.csv of a whole production; returns their paths."""
    writer = LogWriter(production, out_dir)
    for doc in production.documents:
        writer.add(doc)
    return writer.finish()
