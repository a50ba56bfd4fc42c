"""Provides 'discovery withhold': withhold a whole message, attachment or field from every production (a slip sheet
takes its place), list the units withheld, and undo a withhold."""

from __future__ import annotations

import json
from pathlib import Path

import click

from discovery.cli import case_option, fail, json_option, open_case
from discovery.errors import DiscoveryError, UsageError
from discovery.exitcodes import exit_code_for
from discovery.safe_text import json_safe, safe_text

FIELDS = ("subject", "body")


def unit_name(attachment: int | None, field: str) -> str:
    """The store's unit name for the options: 'message', 'attachment:<n>', 'subject', 'body', 'header:<Name>'."""
    if attachment is not None and field:
        raise UsageError("choose --attachment or --field, not both", hint="Run the command once for each unit.")
    if attachment is not None:
        if attachment < 0:
            raise UsageError("--attachment N counts from 0, as 'discovery show' lists them")
        return f"attachment:{attachment}"
    if not field:
        return "message"
    lowered = field.strip().lower()
    if lowered in FIELDS:
        return lowered
    if lowered.startswith("header:") and len(field.strip()) > len("header:"):
        return "header:" + field.strip()[len("header:"):]
    raise UsageError(f"cannot withhold the field {field!r}",
                     hint="Fields: subject, body, header:<Name> (e.g. --field header:X-Mailer); use --attachment N "
                     "for an attachment, no option for the whole message.")


def _actor(reviewer: str) -> str:
    import getpass

    try:
        return reviewer or getpass.getuser()
    except Exception:  # no login name (containers)
        return "reviewer"


@click.command()
@click.argument("message_id", required=False, default="")
@click.option("--attachment", type=int, default=None, metavar="N",
              help="Withhold attachment N (numbers as 'discovery show' lists them) instead of the whole message.")
@click.option("--field", default="", metavar="F",
              help="Withhold one field instead of the whole message: subject, body or header:<Name>.")
@click.option("--exemption", default="",
              help="The exemption code the slip sheet and the log carry, e.g. '(b)(6)'; default: the policy's code "
              "for private persons' information.")
@click.option("--reason", default="",
              help="Why (kept with the decision and in the audit log; never printed in a production).")
@click.option("--undo", is_flag=True, help="Undo the withhold of this unit instead (the unit is published again).")
@click.option("--list", "listing", is_flag=True,
              help="List the units withheld (of MESSAGE_ID, or of the whole case) instead.")
@click.option("--reviewer", default="", envvar="DISCOVERY_REVIEWER",
              help="Who decides (written to the audit log); default: your login name.")
@case_option
@json_option
def withhold(message_id: str, attachment: int | None, field: str, exemption: str, reason: str, undo: bool,
             listing: bool, reviewer: str, case_dir: Path, as_json: bool) -> None:
    """Withhold a whole message, an attachment (--attachment N) or a field (--field F) from every production.

    A production then publishes a slip sheet in its place ('WITHHELD IN FULL [(b)(6)]' for a message,
    '[WITHHELD (b)(6)]' for a field; a withheld attachment is listed, never attached), and lists the unit in
    withheld.csv and the Vaughn index with its exemption code and who decided. --undo takes the decision back;
    --list shows the units withheld. The decision is kept in the case with the reviewer and time, and audited.

    Exit status: 0 done; 2 bad options; 3 the case cannot be opened or written; 4 no such message or attachment
    (with --undo: that unit was not withheld).
    """
    from discovery.redact.decisions import check_exemption, list_units, release
    from discovery.redact.decisions import withhold as withhold_unit

    if listing and (undo or attachment is not None or field or exemption or reason):
        fail(UsageError("--list takes only an optional MESSAGE_ID", hint="e.g. discovery withhold --list --json"),
             as_json)
    if not listing and not message_id:
        fail(UsageError("give the MESSAGE_ID to withhold (or --list)",
                        hint="e.g. discovery withhold 3f2a9c01 --attachment 0 --exemption '(b)(6)' --reason ..."),
             as_json)
    if undo and (exemption or reason):
        fail(UsageError("--undo takes no --exemption or --reason"), as_json)
    case = open_case(case_dir, as_json=as_json)
    try:
        store = case.store
        if listing:
            units = list_units(store, message_id)
            _print_units(units, as_json)
            return
        unit = unit_name(attachment, field)
        actor = _actor(reviewer)
        if undo:
            if not release(store, message_id, unit, actor=actor):
                from discovery.errors import NotFound

                raise NotFound(f"{unit} of message {message_id} is not withheld",
                               hint="'discovery withhold --list' shows what is.")
            result = {"action": "released", "message": store.message_row(message_id)["id"],  # type: ignore[index]
                      "unit": unit}
            text = f"{unit} of {result['message']} is published again"
        else:
            decision = withhold_unit(store, message_id, unit, actor=actor, exemption=check_exemption(exemption),
                                     note=reason)
            result = {"action": "withheld", "message": decision.message_id, "unit": decision.unit,
                      "exemption": decision.exemption, "decided_by": decision.decided_by,
                      "decided_at": decision.decided_at, "reason": decision.note}
            code = f" under {decision.exemption}" if decision.exemption else " under the policy's default code"
            text = f"{decision.unit} of {decision.message_id} withheld{code}"
    except DiscoveryError as exc:
        fail(exc, as_json, exit_code_for(exc))
        return
    finally:
        case.close()
    if as_json:
        click.echo(json_safe(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False)))
    else:
        click.echo(safe_text(text))


def _print_units(units: list, as_json: bool) -> None:  # type: ignore[type-arg]
    rows = [{"message": u.message_id, "unit": u.unit, "exemption": u.exemption, "decided_by": u.decided_by,
             "decided_at": u.decided_at, "reason": u.note} for u in units]
    if as_json:
        click.echo(json_safe(json.dumps({"withheld": rows, "count": len(rows)}, indent=2, sort_keys=True,
                                        ensure_ascii=False)))
        return
    if not rows:
        click.echo("nothing is withheld", err=True)
        return
    for r in rows:
        code = r["exemption"] or "(policy default)"
        reason = f"  {r['reason']}" if r["reason"] else ""
        click.echo(safe_text(f"{r['message']}  {r['unit']:<16} {code:<12} {r['decided_by']} {r['decided_at']}"
                             f"{reason}"))
    click.echo(f"{len(rows)} unit(s) withheld", err=True)

