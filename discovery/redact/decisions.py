"""Provides the reviewers' publication decisions in the store: exemption codes, whole-unit withholds, Bates
numbers kept across productions, and the record of productions made."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from discovery.errors import NotFound, UsageError
from discovery.store import Store, now_iso

_UNIT = re.compile(r"^(message|subject|body|attachment:\d+|header:[!-9;-~]+)$")
KEY_META = "redact_hmac_key"


@dataclass(frozen=True, slots=True)
class UnitDecision:
    """A whole unit of a message withheld from productions: 'message', 'attachment:<n>', 'subject', 'body' or
    'header:<Name>', with its exemption code ('' = the policy's default), who and when."""

    message_id: str
    unit: str
    exemption: str
    decided_by: str
    decided_at: str
    note: str = ""


def _message(store: Store, key: str) -> str:
    row = store.message_row(key)
    if row is None:
        raise NotFound(f"no message {key!r} in this case")
    return str(row["id"])


def withhold(store: Store, message_id: str, unit: str, *, actor: str, exemption: str = "",
             note: str = "") -> UnitDecision:
    """Withhold a whole unit of a message from every production (a slip sheet takes its place)."""
    if not _UNIT.match(unit):
        raise UsageError(f"cannot withhold {unit!r}",
                         hint="Units: message, subject, body, attachment:<n>, header:<Name>.")
    key = _message(store, message_id)
    if unit.startswith("attachment:"):
        position = int(unit.split(":")[1])
        if store.scalar("SELECT count(*) FROM attachments WHERE message_id=? AND position=?", (key, position)) == 0:
            raise NotFound(f"message {key} has no attachment {position}",
                           hint=f"'discovery show {key}' lists its attachments with their numbers.")
    stamp = now_iso()
    with store.db:
        store.db.execute(
            """INSERT INTO redaction_units(message_id, unit, exemption, decided_by, decided_at, note)
               VALUES (?,?,?,?,?,?) ON CONFLICT(message_id, unit) DO UPDATE SET exemption=excluded.exemption,
               decided_by=excluded.decided_by, decided_at=excluded.decided_at, note=excluded.note""",
            (key, unit, exemption, actor, stamp, note))
    store.audit(actor, "redact.withhold", f"{key}:{unit}", {"exemption": exemption, "note": note})
    return UnitDecision(key, unit, exemption, actor, stamp, note)


def release(store: Store, message_id: str, unit: str, *, actor: str) -> bool:
    """Undo a withhold; True when there was one."""
    key = _message(store, message_id)
    with store.db:
        cur = store.db.execute("DELETE FROM redaction_units WHERE message_id=? AND unit=?", (key, unit))
    if cur.rowcount:
        store.audit(actor, "redact.release", f"{key}:{unit}")
    return bool(cur.rowcount)


def list_units(store: Store, message_id: str = "") -> list[UnitDecision]:
    """Every withheld unit (of one message when given), by message and unit."""
    if message_id:
        rows = store.rows("SELECT * FROM redaction_units WHERE message_id=? ORDER BY unit",
                          (_message(store, message_id),))
    else:
        rows = store.rows("SELECT * FROM redaction_units ORDER BY message_id, unit")
    return [UnitDecision(r["message_id"], r["unit"], r["exemption"], r["decided_by"], r["decided_at"], r["note"])
            for r in rows]


def unit_decisions(store: Store, message_ids: Sequence[str]) -> dict[str, dict[str, UnitDecision]]:
    """message id -> unit -> decision, for these messages."""
    out: dict[str, dict[str, UnitDecision]] = {}
    for i in range(0, len(message_ids), 500):
        part = list(message_ids[i:i + 500])
        marks = ",".join("?" * len(part))
        for r in store.rows(f"SELECT * FROM redaction_units WHERE message_id IN ({marks})", part):
            out.setdefault(r["message_id"], {})[r["unit"]] = UnitDecision(
                r["message_id"], r["unit"], r["exemption"], r["decided_by"], r["decided_at"], r["note"])
    return out


def set_exemption(store: Store, suggestion_ids: Iterable[int], code: str, *, actor: str) -> int:
    """Set the exemption code of suggestions ('' goes back to the policy's default for the type)."""
    ids = list(suggestion_ids)
    code = check_exemption(code)
    changed = 0
    with store.db:
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            marks = ",".join("?" * len(part))
            changed += store.db.execute(f"UPDATE pii_suggestions SET exemption=? WHERE id IN ({marks})",
                                        [code, *part]).rowcount
    store.audit(actor, "redact.exemption", ",".join(map(str, ids))[:2000], {"exemption": code})
    return changed


def check_exemption(code: str) -> str:
    """A reviewer's exemption code, stripped; '' (the policy's default) stays ''."""
    code = code.strip()
    if len(code) > 24:
        raise UsageError(f"exemption code {code[:30]!r}... is too long", hint="Codes look like '(b)(6)'.")
    if any(not c.isprintable() for c in code):
        raise UsageError("an exemption code cannot hold control characters", hint="Codes look like '(b)(6)'.")
    return code


def set_value_exemption(store: Store, entity_type: str, value_key: str, code: str, *, actor: str) -> int:
    """Set the exemption code of an accepted decision by value ('' = the policy's default); 0 when there is none."""
    code = check_exemption(code)
    with store.db:
        changed = store.db.execute("UPDATE pii_value_decisions SET exemption=? WHERE entity_type=? AND value_key=?",
                                   (code, entity_type, value_key)).rowcount
    if changed:
        store.audit(actor, "redact.exemption", f"value:{entity_type}", {"exemption": code})
    return changed


def case_key(store: Store) -> bytes:
    """The case's secret key for keyed hashes and id pseudonyms (made once, kept in the store, never exported)."""
    value = store.scalar("SELECT value FROM meta WHERE key=?", (KEY_META,))
    if isinstance(value, str):
        return bytes.fromhex(value)
    key = secrets.token_bytes(32)
    with store.db:
        store.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (KEY_META, key.hex()))
    value = store.scalar("SELECT value FROM meta WHERE key=?", (KEY_META,))
    return bytes.fromhex(str(value))


_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def keyed_hash(key: bytes, text: str, length: int = 16) -> str:
    """HMAC-SHA256 of a text under the case key, shortened, written in the letters a-p rather than hex digits (so
    that no run of digits in a log or header can pass for a redacted number): never reversible by a dictionary
    without the key, which stays in the case."""
    return _keyed(key, text)[:length]


@lru_cache(maxsize=262144)
def _keyed(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), "sha256").hexdigest().translate(_LETTERS)


def earlier_bates(store: Store, prefix: str) -> dict[str, tuple[int, int]]:
    """message id -> (first number, pages reserved) given under this prefix by earlier productions."""
    return {r["message_id"]: (int(r["first"]), int(r["pages"]))
            for r in store.rows("SELECT message_id, first, pages FROM bates_numbers WHERE prefix=?", (prefix,))}


def record_production(store: Store, *, out_dir: str, selection: str, formats: Sequence[str], pending: str,
                      label_style: str, prefix: str, numbers: dict[str, tuple[int, int]], policy_sha256: str,
                      manifest_sha256: str, files: dict[str, str], actor: str) -> int:
    """Remember a production that passed its leak check, and the Bates numbers its documents hold."""
    firsts = [first for first, _ in numbers.values()]
    lasts = [first + pages - 1 for first, pages in numbers.values()]
    with store.db:
        cur = store.db.execute(
            """INSERT INTO productions(out_dir, selection, formats, pending, label_style, bates_prefix, bates_first,
               bates_last, documents, policy_sha256, manifest_sha256, files, created_by, created_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (out_dir, selection, ",".join(formats), pending, label_style, prefix, min(firsts, default=None),
             max(lasts, default=None), len(numbers), policy_sha256, manifest_sha256,
             json.dumps(files, sort_keys=True), actor, now_iso()))
        production_id = int(cur.lastrowid or 0)
        for message_id, (first, pages) in sorted(numbers.items()):
            store.db.execute(
                """INSERT INTO bates_numbers(prefix, message_id, first, pages, production_id) VALUES (?,?,?,?,?)
                   ON CONFLICT(prefix, message_id) DO UPDATE SET first=excluded.first, pages=excluded.pages,
                   production_id=excluded.production_id""",
                (prefix, message_id, first, pages, production_id))
    store.audit(actor, "redact.produce", out_dir, {"production": production_id, "documents": len(numbers),
                                                  "selection": selection, "manifest_sha256": manifest_sha256})
    return production_id
