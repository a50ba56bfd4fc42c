"""Provides the redaction log (CSV and JSON, publishable: no redacted value, a keyed hash at most), the
Vaughn-index draft grouped by document and exemption, and withheld.csv."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

from discovery.redact.production import Production

# No character offsets and no numeric ids: a number in the log could pass for (or betray) a redacted number.
LOG_COLUMNS = ("bates_first", "bates_last", "document", "field", "entity_type", "label",
               "exemption", "rule", "reviewer", "decided_at", "decision", "value_hash")
WITHHELD_COLUMNS = ("bates_first", "bates_last", "document", "unit", "reason", "exemption", "reviewer",
                    "decided_at", "detail")


def log_rows(production: Production) -> list[dict[str, object]]:
    """One row per applied redaction, in Bates order."""
    rows: list[dict[str, object]] = []
    for doc in production.documents:
        for r in doc.redactions:
            rows.append({"bates_first": doc.bates_first, "bates_last": doc.bates_last, "document": doc.id,
                         "field": r.field, "entity_type": r.entity_type,
                         "label": r.label, "exemption": r.exemption, "rule": r.rule, "reviewer": r.reviewer,
                         "decided_at": r.decided_at, "decision": r.decision, "value_hash": r.value_hash})
    return rows


def withheld_rows(production: Production) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for doc in production.documents:
        for w in doc.withheld:
            rows.append({"bates_first": doc.bates_first, "bates_last": doc.bates_last, "document": doc.id,
                         "unit": w.unit, "reason": w.reason, "exemption": w.exemption, "reviewer": w.reviewer,
                         "decided_at": w.decided_at, "detail": w.detail})
    return rows


def decision_reach(production: Production) -> list[dict[str, object]]:
    """How many places (and documents) each decision reached, value-following included."""
    places: dict[str, int] = defaultdict(int)
    docs: dict[str, set[str]] = defaultdict(set)
    info: dict[str, tuple[str, str, str, str]] = {}
    for doc in production.documents:
        for r in doc.redactions:
            places[r.decision] += 1
            docs[r.decision].add(doc.id)
            if r.decision not in info or r.rule != "follow":
                info[r.decision] = (r.entity_type, r.exemption, r.rule, r.reviewer)
    return [{"decision": d, "entity_type": info[d][0], "exemption": info[d][1], "rule": info[d][2],
             "reviewer": info[d][3], "places": places[d], "documents": len(docs[d])} for d in sorted(places)]


def vaughn_index(production: Production) -> list[dict[str, object]]:
    """A Vaughn-index draft: per document and exemption, what was redacted or withheld and on whose decision."""
    out: list[dict[str, object]] = []
    for doc in production.documents:
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


def _csv(columns: tuple[str, ...], rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_log(production: Production, out_dir: Path) -> list[str]:
    """Write redaction-log.csv, redaction-log.json and withheld.csv; returns their relative paths."""
    rows = log_rows(production)
    (out_dir / "redaction-log.csv").write_bytes(_csv(LOG_COLUMNS, rows))
    document = {"case": production.case, "selection": production.selection, "pending": production.pending,
                "label_style": production.label_style, "redactions": rows,
                "decisions": decision_reach(production), "vaughn_index": vaughn_index(production),
                "withheld": withheld_rows(production)}
    with (out_dir / "redaction-log.json").open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(document, handle, indent=2, sort_keys=True, ensure_ascii=False)  # streamed: no whole-file string
        handle.write("\n")
    (out_dir / "withheld.csv").write_bytes(_csv(WITHHELD_COLUMNS, withheld_rows(production)))
    return ["redaction-log.csv", "redaction-log.json", "withheld.csv"]
