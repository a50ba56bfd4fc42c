"""Provides the 'tag', 'note' and 'audit' commands: review decisions from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from discovery import tags as tagging
from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import DiscoveryError
from discovery.safe_text import json_safe, safe_line, safe_text


def _actor(reviewer: str) -> str:
    import getpass

    return reviewer or getpass.getuser()


reviewer_option = click.option("--reviewer", default="", envvar="DISCOVERY_REVIEWER",
                               help="Who is deciding (recorded in the audit log); default: your login name.")


@click.group()
def tag() -> None:
    """Create, rename, colour and delete tags; tag and untag messages."""


@tag.command("list")
@case_option
@json_option
def tag_list(case_dir: Path, as_json: bool) -> None:
    """The case's tags with their message counts."""
    case = open_case(case_dir, readonly=True, as_json=as_json)
    items = tagging.list_tags(case.store)
    case.close()
    if as_json:
        click.echo(json.dumps([{"name": t.name, "color": t.color, "position": t.position, "messages": t.count}
                               for t in items], indent=2))
        return
    for t in items:
        click.echo(safe_line(f"{t.position:>3}  {t.name}  ({t.count} messages){'  ' + t.color if t.color else ''}"))


def _run(case_dir: Path, as_json: bool, action) -> None:  # type: ignore[no-untyped-def]
    case = open_case(case_dir, as_json=as_json)
    try:
        result = action(case.store)
    except DiscoveryError as exc:
        fail(exc, as_json)
        return
    finally:
        case.close()
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(safe_text(result.get("text", "")))


def _ids(message_ids: tuple[str, ...], from_stdin: bool) -> list[str]:
    """Ids from the arguments, then from standard input (one per line, as 'discovery search --ids' prints)."""
    return list(message_ids) + ([line.strip() for line in sys.stdin if line.strip()] if from_stdin else [])


@tag.command("add")
@click.argument("name")
@click.argument("message_ids", nargs=-1)
@click.option("--stdin", "from_stdin", is_flag=True, help="Read message ids from standard input, one per line.")
@case_option
@json_option
@reviewer_option
def tag_add(name: str, message_ids: tuple[str, ...], from_stdin: bool, case_dir: Path, as_json: bool,
            reviewer: str) -> None:
    """Tag messages (creating the tag if needed). Ids may come from 'discovery search --ids'."""
    ids = _ids(message_ids, from_stdin)

    def action(store):  # type: ignore[no-untyped-def]
        added = tagging.tag_messages(store, name, ids, actor=_actor(reviewer))
        distinct = len(set(tagging.resolve_ids(store, ids)))
        already = distinct - added
        text = f"tagged {added} message(s) {name!r}" + (f" ({already} already had it)" if already else "")
        return {"tag": name, "messages": distinct, "added": added, "text": text}

    _run(case_dir, as_json, action)


@tag.command("remove")
@click.argument("name")
@click.argument("message_ids", nargs=-1)
@click.option("--stdin", "from_stdin", is_flag=True, help="Read message ids from standard input, one per line.")
@case_option
@json_option
@reviewer_option
def tag_remove(name: str, message_ids: tuple[str, ...], from_stdin: bool, case_dir: Path, as_json: bool,
               reviewer: str) -> None:
    """Remove a tag from messages."""
    ids = _ids(message_ids, from_stdin)

    def action(store):  # type: ignore[no-untyped-def]
        removed = tagging.untag_messages(store, name, ids, actor=_actor(reviewer))
        return {"tag": name, "removed": removed, "text": f"removed {name!r} from {removed} message(s)"}

    _run(case_dir, as_json, action)


@tag.command("create")
@click.argument("name")
@click.option("--color", default="", help="A colour name or #rrggbb for the UI.")
@case_option
@json_option
@reviewer_option
def tag_create(name: str, color: str, case_dir: Path, as_json: bool, reviewer: str) -> None:
    """Create a tag."""

    def action(store):  # type: ignore[no-untyped-def]
        t = tagging.create_tag(store, name, color=color, actor=_actor(reviewer))
        return {"tag": t.name, "color": t.color, "position": t.position, "text": f"tag {t.name!r} ready"}

    _run(case_dir, as_json, action)


@tag.command("rename")
@click.argument("old")
@click.argument("new")
@case_option
@json_option
@reviewer_option
def tag_rename(old: str, new: str, case_dir: Path, as_json: bool, reviewer: str) -> None:
    """Rename a tag (messages keep it)."""

    def action(store):  # type: ignore[no-untyped-def]
        t = tagging.rename_tag(store, old, new, actor=_actor(reviewer))
        return {"tag": t.name, "text": f"renamed {old!r} to {t.name!r}"}

    _run(case_dir, as_json, action)


@tag.command("color")
@click.argument("name")
@click.argument("color")
@case_option
@json_option
@reviewer_option
def tag_color(name: str, color: str, case_dir: Path, as_json: bool, reviewer: str) -> None:
    """Set a tag's colour."""

    def action(store):  # type: ignore[no-untyped-def]
        t = tagging.color_tag(store, name, color, actor=_actor(reviewer))
        return {"tag": t.name, "color": t.color, "text": f"{t.name!r} is now {t.color}"}

    _run(case_dir, as_json, action)


@tag.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@case_option
@json_option
@reviewer_option
def tag_delete(name: str, yes: bool, case_dir: Path, as_json: bool, reviewer: str) -> None:
    """Delete a tag from the case (and from every message)."""
    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete tag {name!r} from every message?", abort=True)

    def action(store):  # type: ignore[no-untyped-def]
        count = tagging.delete_tag(store, name, actor=_actor(reviewer))
        return {"tag": name, "messages": count, "text": f"deleted {name!r} ({count} message(s) untagged)"}

    _run(case_dir, as_json, action)


@click.command()
@click.argument("message_id")
@click.argument("text", required=False)
@case_option
@json_option
@reviewer_option
def note(message_id: str, text: str | None, case_dir: Path, as_json: bool, reviewer: str) -> None:
    """Add a note to a message (TEXT, or standard input), or list its notes when TEXT is omitted."""
    if text is None and not sys.stdin.isatty():
        text = sys.stdin.read().strip() or None

    def action(store):  # type: ignore[no-untyped-def]
        if text is None:
            row = store.message_row(message_id)
            if row is None:
                raise tagging.NotFound(f"no message {message_id!r} in this case")
            items = tagging.notes(store, row["id"])
            lines = [f"{n['at']}  {n['actor']}: {n['text']}" for n in items]
            return {"notes": items, "text": "\n".join(lines) or "no notes"}
        note_id = tagging.add_note(store, message_id, text, actor=_actor(reviewer))
        return {"note": note_id, "text": f"note {note_id} added"}

    _run(case_dir, as_json, action)


@click.command()
@case_option
@json_option
@click.option("--limit", default=100, show_default=True)
@click.option("--action", "action_prefix", default="", help="Only actions starting with this (tag, note, ...).")
def audit(case_dir: Path, as_json: bool, limit: int, action_prefix: str) -> None:
    """The case's append-only audit log, newest first: who did what, when."""
    case = open_case(case_dir, readonly=True, as_json=as_json)
    rows = case.store.rows(
        "SELECT id, at, actor, action, target, detail FROM audit WHERE substr(action, 1, length(?)) = ? "
        "ORDER BY id DESC LIMIT ?", (action_prefix, action_prefix, limit),
    )
    case.close()
    entries = [dict(r) | {"detail": json.loads(r["detail"])} for r in rows]
    if as_json:
        click.echo(json_safe(json.dumps(entries, indent=2, ensure_ascii=False)))
        return
    for e in entries:
        click.echo(safe_line(f"{e['at']}  {e['actor']:<12} {e['action']:<12} {e['target']}"))
