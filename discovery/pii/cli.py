"""Provides the 'discovery pii' commands: status, scan, list, stats, eval, policy, allow and reviewers'
decisions."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import DiscoveryError, NotFound, PolicyError, UsageError
from discovery.exitcodes import ExitCode
from discovery.pii.types import ALL_TYPES
from discovery.safe_text import json_safe, safe_text

if TYPE_CHECKING:
    from discovery.case import Case


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from discovery.console import SafeConsole

    stream = sys.stderr if stderr else sys.stdout
    return SafeConsole(stderr=stderr, highlight=False, width=None if stream.isatty() else 160)


def _code(exc: DiscoveryError) -> ExitCode:
    return ExitCode.USAGE if isinstance(exc, UsageError | PolicyError | NotFound) else ExitCode.ERROR


@contextmanager
def _case(case_dir: Path, as_json: bool, *, readonly: bool = False) -> Iterator[Case]:
    """The case for one command: a DiscoveryError inside the block is printed (JSON with --json) and exits
    with its code; the case is closed either way."""
    case = open_case(case_dir, readonly=readonly, as_json=as_json)
    try:
        yield case
    except DiscoveryError as exc:
        fail(exc, as_json, _code(exc))
    finally:
        case.close()


def _actor(reviewer: str) -> str:
    import getpass

    try:
        return reviewer or getpass.getuser()
    except Exception:  # no login name (containers)
        return "reviewer"


reviewer_option = click.option("--reviewer", default="", envvar="DISCOVERY_REVIEWER",
                               help="Who decides (written to the audit log); default: your login name.")
note_option = click.option("--note", default="", help="Why (kept with the decision and in the audit log).")


@click.group()
def pii() -> None:
    """Suggest personal data to redact (names, emails, phones, addresses, ids) and record reviewers' decisions.

    Start with 'discovery pii status' (which engine runs and what it cannot find), then 'discovery pii scan'.
    Rules live in the case's pii-policy.toml ('discovery pii policy --init' writes a documented one).
    """


@pii.command()
@case_option
@json_option
def status(case_dir: Path, as_json: bool) -> None:
    """Which engine a scan uses (spaCy model or offline mode), what that mode cannot find, and how far the case's
    scan is."""
    from discovery.pii.scan import scan_status

    with _case(case_dir, as_json) as case:
        result = scan_status(case)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from discovery.pii.render import print_status

    print_status(result, _console())


@pii.command()
@case_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per core, up to 8).")
@click.option("--all", "full", is_flag=True, help="Scan every message again, not only new and changed ones.")
@click.option("--only-new", is_flag=True,
              help="Scan only messages never scanned or changed since, even if the policy or learned names changed.")
@click.option("--mode", type=click.Choice(["auto", "offline", "model"]), default=None,
              help="Override the policy's engine mode for this scan.")
@click.option("--model", default=None, help="Override the policy's spaCy model (package name, alias or folder).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Scan at most this many messages.")
@json_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def scan(case_dir: Path, jobs: int | None, full: bool, only_new: bool, mode: str | None, model: str | None,
         limit: int | None, as_json: bool, quiet: bool) -> None:
    """Find personal data in new and changed messages and store the suggestions.

    Incremental: a message is read again only when it changed, or when the engine, the policy or the names
    learned from the case's headers changed. Decisions already made are always kept. Ctrl-C stops after the
    current batch; what was scanned is saved.

    Exit status: 0 done; 1 some messages could not be analysed (listed; all else was scanned); 2 bad
    options or policy; 3 the case could not be opened; 130 interrupted (run it again to go on).
    """
    from discovery.interrupt import graceful_interrupt
    from discovery.pii.policy import load_policy
    from discovery.pii.scan import default_jobs, scan_case

    console = _console(stderr=True)
    with _case(case_dir, as_json) as case:
        with graceful_interrupt(console, "the current batch") as cancel:
            policy = load_policy(case.path)
            if mode:
                policy.mode = mode
            if model is not None:
                policy.model = model
                if not mode and model:
                    policy.mode = "model"
            kwargs: dict[str, Any] = {"jobs": jobs or default_jobs(), "full": full, "only_new": only_new,
                                      "policy": policy, "cancel": cancel, "limit": limit}
            if not quiet and console.is_terminal:
                from discovery.pii.render import scan_progress

                with scan_progress(console) as callback:
                    report = scan_case(case, progress=callback, **kwargs)
            else:
                report = scan_case(case, **kwargs)
            if not report.interrupted:
                _update_search_index(case, kwargs["jobs"], console, quiet or as_json, cancel)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        from discovery.pii.render import print_scan

        print_scan(report, _console())
    if report.interrupted:
        sys.exit(int(ExitCode.INTERRUPTED))
    sys.exit(int(ExitCode.OK if report.ok else ExitCode.SOME_FAILED))


def _update_search_index(case: Any, jobs: int, console: Any, quiet: bool, cancel: Any) -> None:
    """Bring the search index up to date with the new suggestions (pii: queries), so the next search does not
    have to; never fails the scan over it (the next search or 'discovery reindex --pending' catches up)."""
    from discovery.search.indexer import safe_update

    if not quiet and console.is_terminal:
        with console.status("Updating the search index (pii: fields)..."):
            _, problem = safe_update(case.store, jobs=jobs, cancel=cancel)
    else:
        _, problem = safe_update(case.store, jobs=jobs, cancel=cancel)
    if problem and not quiet:
        console.print(f"[yellow]Search index not updated ({problem}); the next search will catch up.[/]")


@pii.command("list")
@click.argument("query", required=False, default="")
@case_option
@click.option("--status", "statuses", multiple=True, type=click.Choice(["pending", "accepted", "rejected"]),
              help="Only this status (repeatable).")
@click.option("--type", "types", multiple=True, type=click.Choice(ALL_TYPES), help="Only this type (repeatable).")
@click.option("--limit", type=click.IntRange(0), default=200, show_default=True, help="0 for no limit.")
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--current", is_flag=True, help="Only what the latest scan still finds.")
@json_option
def list_(query: str, case_dir: Path, statuses: tuple[str, ...], types: tuple[str, ...], limit: int, offset: int,
          current: bool, as_json: bool) -> None:
    """List suggestions: one per person or value across the case (its 'places' are every span it covers in
    every message, e.g. From, Cc, a Signed-off-by line and the body; its 'ids' are theirs, and deciding any of
    them decides all).
    QUERY holds words to find in the suggested text and filters: type:PERSON status:pending field:body msg:3fa2
    recognizer:Phone origin:manual score:0.8; a suggestion is listed when one of its places matches.

    Exit status: 0 something matched; 1 nothing matched; 2 bad query.
    """
    from discovery.pii.suggestions import count_questions, list_questions, parse_query

    with _case(case_dir, as_json, readonly=True) as case:
        q = parse_query(query)
        q.statuses.extend(statuses)
        q.types.extend(types)
        q.current_only = current
        q.limit, q.offset = (limit or None), offset
        items = list_questions(case.store, q)
        total, places = count_questions(case.store, q)
    if as_json:
        click.echo(json_safe(json.dumps({"total": total, "places": places,
                                         "suggestions": [s.to_dict() for s in items]}, indent=2,
                                        ensure_ascii=False)))
    else:
        from discovery.pii.render import print_suggestions

        print_suggestions(items, _console(), total, places)
    sys.exit(int(ExitCode.OK if total else ExitCode.NO_HITS))


@pii.command()
@case_option
@click.option("--top", default=10, show_default=True, help="How many frequent values to show.")
@json_option
def stats(case_dir: Path, top: int, as_json: bool) -> None:
    """Suggestions by type and status, by recognizer and by field, and the most frequent values."""
    from discovery.pii.suggestions import suggestion_stats

    with _case(case_dir, as_json, readonly=True) as case:
        result = suggestion_stats(case.store, top=top)
    if as_json:
        click.echo(json_safe(json.dumps(result, indent=2, ensure_ascii=False)))
        return
    from discovery.pii.render import print_stats

    print_stats(result, _console())


@pii.command("eval")
@click.argument("gold", type=click.Path(exists=True, path_type=Path))
@case_option
@click.option("--no-scan", is_flag=True, help="Score the stored suggestions as they are (do not scan first).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes for the scan.")
@click.option("--mode", type=click.Choice(["auto", "offline", "model"]), default=None,
              help="Engine mode (default: the case policy's).")
@click.option("--model", default=None, help="spaCy model for model mode.")
@click.option("--untyped", is_flag=True, help="CoNLL files without entity types (the COLING dev sets): score every "
              "named mention against the PERSON suggestions (organisations count as missed).")
@json_option
def eval_(gold: Path, case_dir: Path, no_scan: bool, jobs: int | None, mode: str | None, model: str | None,
          untyped: bool, as_json: bool) -> None:
    """Precision, recall and F1 per entity type and overall, span-exact and overlapping, against GOLD.

    GOLD is a JSON-lines gold file (one message per line: {"message_id": "<...>", "alt_message_ids": [...],
    "pii": [{"field": "body"|"subject"|"from"|"to"|"cc"|"attachment:<file name>", "start", "end", "type",
    "text"}]}, offsets into the case's text of that field), scored against the case's suggestions (scanning
    new and changed messages first); or a CoNLL file or folder of entity annotations (P = person), scored for
    PERSON without a case.
    """
    from discovery.pii.policy import load_policy

    try:
        if gold.is_dir() or gold.suffix == ".conll":
            _eval_conll(gold, mode or "auto", model or "", as_json, untyped)
            return
        with _case(case_dir, as_json) as case:
            policy = load_policy(case.path)
            if mode:
                policy.mode = mode
            if model:
                policy.model, policy.mode = model, mode or "model"
            if not no_scan:
                from discovery.pii.scan import default_jobs, scan_case

                scan_case(case, jobs=jobs or default_jobs(), policy=policy)
            from discovery.pii.evaluate import evaluate_case

            result = evaluate_case(case.store, gold)
    except DiscoveryError as exc:
        fail(exc, as_json, _code(exc))
        return
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from discovery.pii.render import print_eval

    print_eval(result, _console())


def _eval_conll(path: Path, mode: str, model: str, as_json: bool, untyped: bool = False) -> None:
    from discovery.pii.engine import PiiEngine, resolve_engine
    from discovery.pii.evaluate import evaluate_conll
    from discovery.pii.policy import Policy, PolicyFilter

    paths = sorted(path.rglob("*.conll")) if path.is_dir() else [path]
    if not paths:
        raise UsageError(f"no .conll files under {path}")
    spec = resolve_engine(mode, model)
    exact, overlap, docs = evaluate_conll(paths, PiiEngine(spec), PolicyFilter.build(Policy()), untyped)
    if as_json:
        click.echo(json.dumps({"engine": spec.label, "documents": docs, "files": len(paths), "untyped": untyped,
                               "exact": exact.to_dict(), "overlap": overlap.to_dict()}, indent=2))
        return
    from discovery.pii.render import scores_table

    console = _console()
    what = "every named mention, untyped" if untyped else "PERSON only (named mentions)"
    console.print(f"{docs} documents in {len(paths)} file(s), engine {spec.label}; {what}")
    console.print(scores_table("Span-exact", exact))
    console.print(scores_table("Overlap", overlap))


@pii.command()
@case_option
@click.option("--init", "init", is_flag=True, help="Write the documented default policy into the case.")
@click.option("--force", is_flag=True, help="With --init: replace an existing policy file.")
@json_option
def policy(case_dir: Path, init: bool, force: bool, as_json: bool) -> None:
    """Show the case's PII policy (checked), or write a documented template with --init.

    The policy (pii-policy.toml in the case folder) sets the engine, the types to suggest, score thresholds,
    an allow-list (never suggest: officials, agencies, the vendor's staff; names, emails, domains with
    wildcards) and a deny-list (always suggest). Rescanning after a change keeps every decision."""
    from discovery.pii.policy import load_policy, policy_path, write_template

    with _case(case_dir, as_json, readonly=not init) as case:
        if init:
            path = write_template(case.path, overwrite=force)
            click.echo(f"wrote {path}", err=True)
        loaded = load_policy(case.path)
    data = {"file": str(policy_path(case_dir)) if loaded.path else None, "version": loaded.version(),
            **loaded.rules()}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key:<24} {value}")


@pii.command()
@click.argument("value")
@click.option("--as", "kind", type=click.Choice(["domain", "email", "name", "value"]), default=None,
              help="What VALUE is (default: a domain for 'dc.gov', an address for 'a@b.org', else a name).")
@case_option
@reviewer_option
@note_option
@json_option
def allow(value: str, kind: str | None, case_dir: Path, reviewer: str, note: str, as_json: bool) -> None:
    """Add a DOMAIN, ADDRESS or NAME to the case policy's allow-list (never suggested again), keeping the policy
    file's comments; the change is written to the audit log. Rescan ('discovery pii scan') to apply it.

    A domain allows its addresses and subdomains and, with names_of_allowed_emails, the names shown with them;
    'pii status' lists the domains that dominate the case."""
    from discovery.pii.allowlist import add_allow

    with _case(case_dir, as_json) as case:
        result = add_allow(case.path, value, kind or "")
        if result.added:
            case.store.audit(_actor(reviewer), "pii.allow", result.value,
                             {"key": result.key, "file": result.file, "note": note})
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    if result.added:
        click.echo(f"added {result.value!r} to {result.key} in {result.file}"
                   + (" (written from the template)" if result.created else "")
                   + "; run 'discovery pii scan' to apply it")
    else:
        click.echo(f"{result.value!r} is already in {result.key} ({result.file})")


# -- decisions ---------------------------------------------------------------------------------------------
def _decide(case_dir: Path, as_json: bool, action) -> None:  # type: ignore[no-untyped-def]
    with _case(case_dir, as_json) as case:
        result = action(case.store)
    if as_json:
        click.echo(json_safe(json.dumps(result, indent=2, ensure_ascii=False)))
    else:
        click.echo(safe_text(result["text"]))


def _status_command(name: str, status: str, verb: str) -> None:
    @pii.command(name, help=f"{verb} suggestions by id (ids from 'discovery pii list'; --stdin reads them "
                            "one per line). A suggestion is one question about a person or a value across the case "
                            "and is decided whole: every place in every message, and places later scans find, "
                            "except places decided for their message or place alone. --scope message decides its "
                            "places in the id's message only, --scope place the id's span only (e.g. a public "
                            "official kept readable in one press release while redacted everywhere else).")
    @click.argument("ids", nargs=-1, type=int)
    @click.option("--stdin", "from_stdin", is_flag=True, help="Read ids from standard input.")
    @click.option("--scope", type=click.Choice(["case", "message", "place"]), default="case", show_default=True,
                  help="How far the decision reaches: the question everywhere, its places in the id's message, or "
                  "the id's span alone.")
    @click.option("--exemption", default=None, hidden=status != "accepted",
                  help="The exemption code the redactions carry, e.g. '(b)(7)(C)' (default: the policy's code for "
                  "the type).")
    @case_option
    @reviewer_option
    @note_option
    @json_option
    def command(ids: tuple[int, ...], from_stdin: bool, scope: str, exemption: str | None, case_dir: Path,
                reviewer: str, note: str, as_json: bool) -> None:
        from discovery.pii.decisions import decide_ids, group_ids

        id_list = list(ids)
        if from_stdin:
            id_list += [int(x) for x in sys.stdin.read().split() if x.strip().isdigit()]
        if not id_list:
            fail(UsageError("no suggestion ids given", hint="Pass ids, or --stdin."), as_json, ExitCode.USAGE)
        if exemption is not None and status != "accepted":
            fail(UsageError("--exemption goes with accept", hint="'discovery pii exemption' changes a code."),
                 as_json, ExitCode.USAGE)

        def action(store):  # type: ignore[no-untyped-def]
            d = decide_ids(store, id_list, status, actor=_actor(reviewer), note=note, scope=scope)
            kept = (f"; {d.kept} place(s) decided for their own message or place left as they were"
                    if d.kept else "")
            result = {"status": status, "scope": scope, "changed": d.questions, "places": d.places,
                      "messages": d.messages, "kept": d.kept,
                      "text": f"{d.questions} suggestion(s) {status} ({d.places} place(s) in {d.messages} "
                              f"message(s){'' if scope == 'case' else ', this ' + scope + ' only'}){kept}"}
            if exemption is not None:
                from discovery.redact.decisions import set_exemption

                set_exemption(store, group_ids(store, id_list, scope), exemption, actor=_actor(reviewer))
                result["exemption"] = exemption.strip()
                result["text"] += f" under {exemption.strip() or 'the default code'}"
            return result

        _decide(case_dir, as_json, action)


_status_command("accept", "accepted", "Accept (redact)")
_status_command("reject", "rejected", "Reject (keep readable)")
_status_command("reset", "pending", "Undo decisions on")


def _value_command(name: str, status: str, verb: str) -> None:
    @pii.command(name, help=f"{verb} a value everywhere: every suggestion of TYPE with the same normalized TEXT, now "
                            "and in future scans" + (", plus accepted spans wherever TEXT occurs unsuggested."
                                                     if status == "accepted" else "."))
    @click.argument("entity_type", metavar="TYPE", type=click.Choice(ALL_TYPES))
    @click.argument("text")
    @case_option
    @reviewer_option
    @note_option
    @json_option
    def command(entity_type: str, text: str, case_dir: Path, reviewer: str, note: str, as_json: bool) -> None:
        from discovery.pii.decisions import decide_value

        def action(store):  # type: ignore[no-untyped-def]
            d = decide_value(store, entity_type, text, status, actor=_actor(reviewer), note=note)
            return d.to_dict() | {"text": f"{entity_type} {text!r} {status} everywhere: {d.updated} suggestion(s) "
                                  f"changed, {d.created} span(s) added"}

        _decide(case_dir, as_json, action)


@pii.command()
@click.argument("code")
@click.argument("ids", nargs=-1, type=int)
@click.option("--stdin", "from_stdin", is_flag=True, help="Read suggestion ids from standard input.")
@click.option("--value", "value", nargs=2, default=None, metavar="TYPE TEXT",
              help="Change the code of an accepted decision by value ('discovery pii accept-value') instead.")
@case_option
@reviewer_option
@json_option
def exemption(code: str, ids: tuple[int, ...], from_stdin: bool, value: tuple[str, str] | None, case_dir: Path,
              reviewer: str, as_json: bool) -> None:
    """Set the exemption code of suggestions by id (or of a decision by value with --value TYPE TEXT): CODE such as
    '(b)(6)' or '(b)(7)(C)'; 'default' goes back to the policy's code for the type. Productions label and log
    the redaction with it (a value found elsewhere carries the code of its decision). Exit 4 when no suggestion
    or decision has those ids or that value."""
    from discovery.pii.types import value_key
    from discovery.redact.decisions import set_exemption, set_value_exemption

    chosen = "" if code.strip().lower() == "default" else code
    id_list = list(ids)
    if from_stdin:
        id_list += [int(x) for x in sys.stdin.read().split() if x.strip().isdigit()]
    if bool(id_list) == bool(value):
        fail(UsageError("give suggestion ids or --value TYPE TEXT (one of them)",
                        hint="e.g. discovery pii exemption '(b)(7)(C)' 17 18"), as_json, ExitCode.USAGE)
    if value and value[0] not in ALL_TYPES:
        fail(UsageError(f"unknown entity type {value[0]!r}", hint=f"Known types: {', '.join(ALL_TYPES)}."),
             as_json, ExitCode.USAGE)
    with _case(case_dir, as_json) as case:
        if value:
            n = set_value_exemption(case.store, value[0], value_key(value[0], value[1].strip()), chosen,
                                    actor=_actor(reviewer))
            what = f"decision by value ({value[0]})"
        else:
            n = set_exemption(case.store, id_list, chosen, actor=_actor(reviewer))
            what = "suggestion(s)"
    if not n:
        fail(NotFound(f"no {'accepted decision by that value' if value else 'suggestion with those ids'}",
                      hint="'discovery pii list' shows suggestions and their ids."), as_json, ExitCode.NOT_FOUND)
    shown = chosen.strip() or "the policy's default"
    if as_json:
        click.echo(json_safe(json.dumps({"exemption": chosen.strip(), "changed": n}, ensure_ascii=False)))
    else:
        click.echo(safe_text(f"{n} {what} now carry {shown}"))


_value_command("accept-value", "accepted", "Accept")
_value_command("reject-value", "rejected", "Reject")


@pii.command()
@click.argument("message_id")
@click.argument("field")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("entity_type", metavar="TYPE", type=click.Choice(ALL_TYPES))
@case_option
@reviewer_option
@note_option
@json_option
def mark(message_id: str, field: str, start: int, end: int, entity_type: str, case_dir: Path, reviewer: str,
         note: str, as_json: bool) -> None:
    """Mark a span the scan missed (accepted, never changed by scans): FIELD is body, subject,
    address:<role>:<n>, header:<Name>, attachment:<n>; START/END are character offsets (end exclusive)."""
    from discovery.pii.decisions import add_manual_span

    def action(store):  # type: ignore[no-untyped-def]
        s = add_manual_span(store, message_id, field, start, end, entity_type, actor=_actor(reviewer), note=note)
        return s.to_dict() | {"text": f"marked {entity_type} {s.text!r} (suggestion {s.id})"}

    _decide(case_dir, as_json, action)
