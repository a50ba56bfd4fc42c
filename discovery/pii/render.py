"""Provides the text output of the 'pii' commands (rich tables on stdout, a progress bar on stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from discovery.pii.evaluate import CaseEval, Scores
from discovery.pii.scan import ScanProgress, ScanReport, ScanStatus
from discovery.pii.suggestions import Question


@contextmanager
def scan_progress(console: Console) -> Iterator[Callable[[ScanProgress], None]]:
    """Yield a progress callback drawing: messages done/total, suggestions, problems, rate."""
    bar = Progress(TextColumn("[bold]{task.fields[phase]}[/]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[found]}"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                   TextColumn("[dim]Ctrl-C stops[/]"), console=console, transient=True)
    task = bar.add_task("pii", total=None, phase="Learning names", found="", rate="")

    def update(p: ScanProgress) -> None:
        bar.update(task, total=p.total or None, completed=p.done,
                   phase="Learning names" if p.phase == "learning" else "Scanning",
                   found=f"{p.suggestions:,} suggestions" + (f", [red]{p.problems} problems[/]" if p.problems else ""),
                   rate=f"{p.rate:,.0f} msg/s" if p.done else "")

    with bar:
        yield update


def print_status(status: ScanStatus, console: Console) -> None:
    console.print(f"[bold]Engine[/]      {escape(status.engine)}  [dim]({escape(status.reason)})[/]")
    if status.installed_models:
        console.print(f"[bold]Models[/]      installed: {', '.join(status.installed_models)}")
    console.print(f"[bold]Cannot find[/] {escape(status.cannot_find)}")
    if not status.census_lists:
        console.print("[yellow]The 'names' package is missing: person names come only from the case's headers and "
                      "context.[/]")
    console.print(f"[bold]Policy[/]      {escape(status.policy_file)} (version {status.policy_version})")
    console.print(f"[bold]People[/]      {status.people_learned:,} learned from the case's headers")
    todo = status.messages - status.up_to_date
    console.print(f"[bold]Messages[/]    {status.messages:,}; {status.up_to_date:,} scanned and up to date"
                  + (f", [yellow]{todo:,} to scan[/]" if todo else ""))
    if status.changed:
        console.print(f"            {status.changed:,} changed since their scan")
    for part, n in status.stale.items():
        console.print(f"            {n:,} scanned with another {part} version")
    counts = ", ".join(f"{status.suggestions.get(s, 0):,} {s} ({status.places.get(s, 0):,} places)"
                       for s in ("pending", "accepted", "rejected"))
    console.print(f"[bold]Suggestions[/] {counts}; {status.value_decisions} decisions by value")
    print_figures(status.questions, console, "            ")
    if status.problems:
        console.print("[bold]Problems[/]    " + ", ".join(f"{n} {k}" for k, n in sorted(status.problems.items())))
    if todo:
        console.print("Run 'discovery pii scan' to bring the scan up to date.")
    print_allow_hints(status.allow_hints, console)


def print_figures(figures: dict[str, float | int], console: Console, indent: str = "") -> None:
    """'1,234 questions across the case for 1,233 messages: 1.0 per message (8.1 per message read one by one)'."""
    if not figures or not figures.get("messages"):
        return
    console.print(f"{indent}[dim]one suggestion per person or value across the case, decided once for its "
                  f"{int(figures['places']):,} places in {int(figures['messages_with_suggestions']):,} messages: "
                  f"{figures['per_message']:.1f} per message of the case's {int(figures['messages']):,}; read message "
                  f"by message a reviewer would meet {figures['message_questions_per_message']:.1f} per message[/]")


def print_allow_hints(hints: Sequence[dict[str, object]], console: Console) -> None:
    """'dc.gov: 40 suggestions (2,100 places) in 150 messages; add it to allow_domains? (discovery pii allow ...)'."""
    if not hints:
        return
    console.print("[bold]Allow-list?[/] These domains carry many of the pending suggestions; if their people act "
                  "in their jobs (officials, agencies, the vendor), allowing them removes the noise:")
    for h in hints:
        console.print(f"  {escape(str(h['domain']))}: {int(h['suggestions']):,} suggestions "  # type: ignore[call-overload]
                      f"({int(h.get('places', 0)):,} places) in "  # type: ignore[call-overload]
                      f"{int(h['messages']):,} messages; add it to allow_domains? "  # type: ignore[call-overload]
                      f"[dim](discovery pii allow {escape(str(h['domain']))})[/]")


def print_scan(report: ScanReport, console: Console) -> None:
    console.print(f"Scanned {report.scanned:,} of {report.to_scan:,} message(s) with {escape(report.engine)} "
                  f"in {report.seconds:.1f}s ({report.rate:,.0f} msg/s, {report.jobs} process(es)); "
                  f"{report.up_to_date:,} were up to date.")
    m = report.merge
    q = report.questions
    per = (f" ({q['per_message']:.1f} per message; {q['message_questions_per_message']:.1f} per message if each "
           "message asked again)") if q.get("messages") else ""
    console.print(f"{int(q.get('questions', 0)):,} suggestions to review across the case{per}, covering "
                  f"{int(q.get('places', 0)):,} places; this scan found {report.findings:,} places in "
                  f"{report.scanned:,} messages: {m.inserted:,} places new, {m.updated:,} unchanged, "
                  f"{m.moved:,} decided ones moved with their text, {m.removed:,} pending ones dropped, "
                  f"{m.kept:,} decided ones kept although no longer found; {report.allowed:,} left out by the "
                  "allow-list.")
    if report.problem_counts:
        console.print("Problems: " + ", ".join(f"{n} {k}" for k, n in sorted(report.problem_counts.items())))
        for p in report.problems[:10]:
            console.print(f"  [dim]{p['message']} {escape(p['field'])}[/] {p['kind']}: {escape(p['detail'])}")
    if report.interrupted:
        console.print("[yellow]Interrupted: what was scanned is saved; run the same command to go on.[/]")
    print_allow_hints(report.allow_hints, console)


def print_suggestions(items: Sequence[Question], console: Console, total: int, places: int) -> None:
    """One row per question (a person or a value across the case), with the places and messages it covers."""
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col in ("id", "status", "type", "score", "message", "field", "places", "msgs", "text", "recognizer"):
        table.add_column(col, overflow="fold" if col == "text" else "ellipsis", no_wrap=col != "text",
                         justify="right" if col in ("places", "msgs") else "left")
    colors = {"accepted": "green", "rejected": "red", "pending": "yellow"}
    for q in items:
        s = q.lead
        others = sorted({o.text for o in q.spans if o.value_key != s.value_key or o.entity_type != s.entity_type})
        text = escape(s.text) + (f" [dim]+ {escape(', '.join(others))}[/]" if others else "")
        fields = escape(s.field) + (f" +{len(q.fields) - 1}" if len(q.fields) > 1 else "")
        table.add_row(str(s.id), f"[{colors.get(q.status, 'white')}]{q.status}[/]" + ("" if s.current else "*"),
                      s.entity_type, f"{s.score:.2f}", s.message_id, fields, str(q.places), str(q.messages),
                      text, escape(s.recognizer))
    console.print(table)
    more = f" (showing {len(items):,})" if total > len(items) else ""
    console.print(f"[dim]{total:,} suggestion(s){more} covering {places:,} places: one per person or value across "
                  "the case, decided together (--scope message|place decides fewer); * = no longer found by the "
                  "latest scan[/]")


def print_stats(stats: dict[str, object], console: Console) -> None:
    by_type = stats["by_type"]
    assert isinstance(by_type, dict)
    table = Table(show_edge=False, box=None, header_style="bold")
    for col in ("type", "pending", "accepted", "rejected", "total"):
        table.add_column(col, justify="left" if col == "type" else "right")
    for t, row in by_type.items():
        table.add_row(t, *(f"{row.get(k, 0):,}" for k in ("pending", "accepted", "rejected", "total")))
    console.print(table)
    for title in ("by_recognizer", "by_field"):
        section = stats[title]
        assert isinstance(section, dict)
        console.print(f"[bold]{title.replace('_', ' ')}[/]: " + ", ".join(f"{k} {v:,}" for k, v in section.items()))
    top = stats["top_values"]
    assert isinstance(top, list)
    if top:
        console.print("[bold]most frequent values[/]: " + "; ".join(
            f"{escape(str(v['text']))} ({v['type']}, {v['count']})" for v in top))


def scores_table(title: str, scores: Scores) -> Table:
    table = Table(title=title, show_edge=False, box=None, header_style="bold", title_justify="left")
    for col in ("type", "gold", "suggested", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "type" else "right")
    rows = [(t, c) for t, c in scores.by_type.items()]
    for t, c in sorted(rows, key=lambda r: r[0]) + [("overall", scores.overall)]:
        table.add_row(f"[bold]{t}[/]" if t == "overall" else t, f"{c.gold:,}", f"{c.predicted:,}",
                      f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}")
    return table


def print_eval(result: CaseEval, console: Console) -> None:
    console.print(f"Gold file {escape(result.gold_file)}: {result.messages:,} messages, {result.matched:,} found in "
                  f"the case, {len(result.missing):,} missing.")
    if result.unaligned_fields:
        console.print(f"[yellow]{len(result.unaligned_fields)} field(s) with {result.unaligned_spans} gold spans "
                      "do not line up with the case's text and are left out[/] (e.g. "
                      f"{escape(str(result.unaligned_fields[0]['field']))}).")
    console.print(scores_table("Span-exact", result.exact))
    console.print(scores_table("Overlap", result.overlap))
    if result.unscored_predictions:
        console.print("[dim]Not scored: " + ", ".join(f"{k} {v}" for k, v in result.unscored_predictions.items())
                      + "[/]")
