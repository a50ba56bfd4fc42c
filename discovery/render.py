"""Provides the human-readable terminal output of the CLI (rich tables and text); --json bypasses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from discovery.case import AddressOut, CaseStats, StoredMessage
from discovery.console import safe_console
from discovery.ingest.pipeline import IngestReport
from discovery.safe_text import safe_line


def _out() -> Console:
    return safe_console()


def print_ingest_report(report: IngestReport, stats: CaseStats, console: Console, case_dir: Path) -> None:
    """Summary of one ingest on stderr, then the problems it met."""
    if report.interrupted:
        status = "[yellow]interrupted[/]"
    else:
        status = "[green]done[/]" if report.ok else "[yellow]done, with problems[/]"
    console.print(f"Ingest {status} in {report.seconds:.1f} s into case [bold]{escape(str(case_dir))}[/]")
    console.print(
        f"  sources: {report.sources_seen:,} seen, {report.sources_read:,} read, "
        f"{report.sources_unchanged:,} unchanged since last time, {report.sources_skipped:,} not mail, "
        f"{report.sources_failed:,} failed, {report.sources_partial:,} partly read"
    )
    console.print(
        f"  messages: {report.messages:,} copies found, {report.new_messages:,} new; case now holds "
        f"{stats.messages:,} messages ({stats.duplicates:,} duplicate copies folded) in {stats.threads:,} threads"
    )
    if report.messages_repaired or report.messages_partly_read or report.attachments_without_text:
        console.print(
            f"  [yellow]read with repairs: {report.messages_repaired:,} messages whole after a repair, "
            f"{report.messages_partly_read:,} partly read[/] (something could not be recovered), "
            f"{report.attachments_without_text:,} attachments without text; "
            "'discovery problems' lists each with its file and reason"
        )
    if report.failures or report.problems:
        console.print(f"  [red]problems: {report.failures:,}[/] (all recorded; see 'discovery problems')")
        for problem in report.problems[:10]:
            where = problem["path"] + (f" @{problem['locator']}" if problem.get("locator") else "")
            console.print(f"    [red]-[/] {escape(safe_line(where))}: {escape(safe_line(problem['reason']))}")
        if len(report.problems) > 10:
            console.print(f"    ... and {len(report.problems) - 10} more")
    if report.interrupted:
        console.print("[yellow]Run the same command again to resume: finished files are kept and skipped.[/]")


def print_stats(stats: CaseStats) -> None:
    out = _out()
    out.print(f"[bold]Case[/] {escape(str(stats.case))}")
    out.print(
        f"  {stats.messages:,} messages ({stats.copies:,} copies found, {stats.duplicates:,} duplicates folded), "
        f"{stats.threads:,} threads, {stats.attachments:,} attachments, {stats.undated:,} undated"
    )
    out.print("  sources: " + ", ".join(f"{v:,} {k}" for k, v in stats.sources.items()))
    out.print("  source types: " + ", ".join(f"{v:,} {k or '?'}" for k, v in stats.source_kinds.items()))
    out.print("  messages by type: " + ", ".join(f"{v:,} {k}" for k, v in stats.messages_by_kind.items()))
    if stats.documents or stats.existing_redactions:
        out.print(f"  printed releases: {stats.documents:,} documents, {stats.redacted_messages:,} items with existing "
                  "redactions (" + ", ".join(f"{v:,} {k}" for k, v in stats.existing_redactions.items()) + ")"
                  + (f", [red]{stats.bad_redactions:,} bad (box over live text)[/]" if stats.bad_redactions else ""))
    if stats.custodians:
        out.print("  custodians: " + ", ".join(f"{k} {v:,}" for k, v in stats.custodians.items()))
    if stats.by_year:
        out.print("  by year: " + ", ".join(f"{k}: {v:,}" for k, v in stats.by_year.items()))
    table = Table(title="Top senders", title_justify="left", show_edge=False)
    table.add_column("messages", justify="right")
    table.add_column("sender")
    for row in stats.top_senders:
        name = f"{row['name']} <{row['email']}>" if row["name"] else str(row["email"])
        table.add_row(f"{row['messages']:,}", escape(safe_line(name)))
    out.print(table)
    table = Table(title="Top sender domains", title_justify="left", show_edge=False)
    table.add_column("messages", justify="right")
    table.add_column("domain")
    for row in stats.top_domains:
        table.add_row(f"{row['messages']:,}", escape(safe_line(row["domain"])))
    out.print(table)
    if stats.problems:
        out.print("[yellow]Problems[/]: " + ", ".join(f"{v:,} {k}" for k, v in stats.problems.items())
                  + " ('discovery problems [--kind KIND]' lists each with its file and reason)")
    if stats.failures:
        out.print(f"[red]{stats.failures:,} read failures recorded[/], for example:")
        for f in stats.failure_samples:
            where = f["path"] + (f" @{f['locator']}" if f["locator"] else "")
            out.print(f"  - {escape(safe_line(where))}: {escape(safe_line(f['reason']))}")
    elif not stats.problems:
        out.print("No problems recorded.")


def _addresses(items: list[AddressOut]) -> str:
    return ", ".join(f"{a.name} <{a.email}>" if a.name and a.email else (a.email or a.name) for a in items)


def local_date(iso: str | None, offset_min: int | None) -> str:
    """The sender's local time for display, e.g. '2018-05-02 09:14 -0700'."""
    if not iso:
        return ""
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if offset_min is not None:
        moment = moment.astimezone(timezone(timedelta(minutes=offset_min)))
    return moment.strftime("%Y-%m-%d %H:%M %z")


def print_message(m: StoredMessage, *, all_headers: bool = False) -> None:
    out = _out()
    out.print(f"[bold]Message[/] {m.id}   thread {m.thread_id or '-'}")
    rows = [
        ("Date", local_date(m.date, m.tz_offset_min) or f"(unknown) {m.date_raw}"),
        ("From", _addresses(m.sender)),
        ("To", _addresses(m.to)),
        ("Cc", _addresses(m.cc)),
        ("Bcc", _addresses(m.bcc)),
        ("Subject", m.subject),
        ("Message-ID", m.message_id),
    ]
    for name, value in rows:
        if value:
            out.print(f"[bold]{name}:[/] ", end="")
            out.print(safe_line(value), markup=False)
    if all_headers:
        out.rule("headers")
        for name, value in m.headers:
            out.print(safe_line(f"{name}: {value}"), markup=False)
    out.rule()
    out.print(m.body_text, markup=False)
    out.rule()
    if m.attachments:
        out.print("[bold]Attachments[/]")
        for a in m.attachments:
            extra = " (text extracted)" if a.has_text else ""
            if a.error:
                extra += f" [red]({escape(safe_line(a.error))})[/]"
            name, mime = escape(safe_line(a.filename)), escape(safe_line(a.mime))
            out.print(f"  [{a.position}] {name}  {mime}  {a.size:,} bytes  sha256 {a.sha256[:12]}…{extra}")
    out.print(f"[bold]Found in {len(m.provenance)} place(s)[/]")
    for p in m.provenance:
        where = p.path + (f"!{p.inner_path}" if p.inner_path else "")
        bits = [p.kind, p.locator]
        if p.folder:
            bits.append(f"folder {p.folder}")
        if p.custodian:
            bits.append(f"custodian {p.custodian}")
        out.print(safe_line(f"  - {where}  ({', '.join(bits)})"), markup=False)
    if m.parent_id:
        out.print(f"Forwarded inside message {m.parent_id}")
    if m.errors or m.date_error:
        out.print("[yellow]Notes[/]")
        if m.date_error:
            out.print(f"  - date: {m.date_error}", markup=False)
        for e in m.errors:
            out.print(f"  - {e}", markup=False)
