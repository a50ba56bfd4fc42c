"""Provides the search command's output: text for people, JSON, CSV and bare ids for scripts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

import click

from discovery.safe_text import csv_row, json_safe, safe_line
from discovery.search.batch import HIT_COLUMNS, BatchCount, hit_row
from discovery.search.results import SearchResults, Span

_SORT_LABEL = {"relevance": "by relevance", "newest": "newest first", "oldest": "oldest first"}


def write_json(results: SearchResults, out: TextIO) -> None:
    out.write(json_safe(indented_json(results.to_dict())) + "\n")


_encode_string = json.JSONEncoder(ensure_ascii=False).encode  # C-accelerated for one value at a time


def indented_json(value: object, level: int = 0) -> str:
    """Exactly json.dumps(value, indent=2, ensure_ascii=False) for the JSON types (dict with str keys, list,
    tuple, str, int, float, bool, None), built with the C encoder for each scalar: json.dumps with an indent
    runs the whole encoding in pure Python, half of what printing 20 hits as JSON cost."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        return "{" + inner + ("," + inner).join(
            _encode_string(_key(key)) + ": " + indented_json(item, level + 1) for key, item in value.items()
        ) + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return "[" + inner + ("," + inner).join(indented_json(item, level + 1) for item in value) + \
            "\n" + "  " * level + "]"
    return _encode_string(value)


def _key(key: object) -> str:
    """A dict key as json.dumps writes it (JSON keys are strings)."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | float):
        return _encode_string(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def write_csv(results: SearchResults, out: TextIO, *, raw: bool = False) -> None:
    """One row per hit; cells are spreadsheet-safe (see safe_text.csv_cell) unless ``raw``."""
    writer = csv.writer(out)
    writer.writerow(HIT_COLUMNS)
    for hit in results.hits:
        writer.writerow(hit_row(hit) if raw else csv_row(hit_row(hit)))


def write_ids(results: SearchResults, out: TextIO) -> None:
    write_id_lines([hit.id for hit in results.hits], out)


def write_id_lines(ids: Iterable[str], out: TextIO) -> None:
    out.write("".join(f"{key}\n" for key in ids))


def _styled(text: str, spans: Iterable[Span], color: bool) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(safe_line(text[last:start]))
        piece = safe_line(text[start:end])
        out.append(click.style(piece, bold=True, fg="yellow") if color else f"[{piece}]")
        last = end
    out.append(safe_line(text[last:]))
    return "".join(out)


def write_text(results: SearchResults, color: bool) -> None:
    """A readable listing: one block per hit, then the facets."""
    unit = "threads" if results.threads is not None else "messages"
    count = results.threads if results.threads is not None else results.total
    if count == 0:
        click.echo(safe_line(f"No messages match {results.query!r}."))
        if results.suggestions:
            click.echo(safe_line("Did you mean: " + ", ".join(results.suggestions) + "?"))
    else:
        shown = f"{results.offset + 1}-{results.offset + len(results.hits)}" if results.hits else "none"
        extra = f" in {results.total} messages" if results.threads is not None else ""
        click.echo(safe_line(f"{count} {unit}{extra} match {results.query!r} (showing {shown}, "
                             f"{_SORT_LABEL.get(results.sort, results.sort)})"))
    for hit in results.hits:
        click.echo("")
        date = (hit.date or "undated")[:10]
        head = safe_line(f"{hit.rank:>4}  {date}  {hit.sender}")
        click.echo(click.style(head, bold=True) if color else head)
        click.echo("      " + _styled(hit.subject or "(no subject)", hit.subject_highlights, color))
        if hit.snippet is not None and hit.snippet.text:
            label = "      attachment: " if hit.snippet.field == "attachment" else "      "
            click.echo(label + _styled(hit.snippet.text, hit.snippet.highlights, color))
        details = [f"id {hit.id}"]
        if hit.thread_hits and hit.thread_hits > 1:
            details.append(f"{hit.thread_hits} hits in thread")
        if hit.tags:
            details.append("tags: " + ", ".join(hit.tags))
        if hit.attachments:
            details.append(f"{hit.attachments} attachment(s)")
        if hit.score is not None:
            details.append(f"score {hit.score:.2f}")
        line = "      " + safe_line(" · ".join(details))
        click.echo(click.style(line, dim=True) if color else line)
    if results.has_more and results.limit:
        next_offset = results.offset + len(results.hits)
        click.echo(f"\nMore: --offset {next_offset} (or --limit 0 for all).", err=True)
    for name, values in results.facets.items():
        if not values:
            continue
        click.echo(f"\n{name.replace('_', ' ')}:")
        for value in values:
            click.echo(f"  {value.count:>7}  {safe_line(value.value)}")
    for note in results.notes:
        click.echo(safe_line(f"note: {note}"), err=True)


def write_counts(counts: list[BatchCount], out_path: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"searches": [{"name": c.name, "query": c.query, "total": c.total,
                                             "threads": c.threads} for c in counts],
                               "hits_csv": out_path, "total": sum(c.total for c in counts)}, indent=2))
        return
    width = max(len(c.name) for c in counts)
    for c in counts:
        click.echo(f"{safe_line(c.name):<{width}}\t{c.total}")
