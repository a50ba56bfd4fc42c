"""Provides the allow-list helpers: the domains that dominate a case's suggestions (offered as allow_domains
entries by 'pii status' and 'pii scan'), and add_allow(), which writes one entry into the case's policy file
keeping its comments ('discovery pii allow')."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from discovery.errors import PolicyError, UsageError
from discovery.pii.policy import Policy, load_policy, parse_policy, policy_path, write_template
from discovery.store import Store

KINDS = {"domain": "domains", "email": "emails", "name": "names", "value": "values"}
MIN_SUGGESTIONS = 5  # a domain with fewer pending places than this is not worth a hint
MIN_SHARE = 0.1  # nor one with less than this share of the case's pending places
# Personal mail providers: whoever writes from them writes as a private person, so allowing one would publish
# private people's addresses; they are never offered as allow-list hints (an explicit 'pii allow' still works).
PERSONAL_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
    "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.net",
    "gmx.de", "web.de", "mail.com", "yandex.ru", "yandex.com", "mail.ru", "qq.com", "163.com", "126.com",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "fastmail.com", "zoho.com", "hushmail.com",
})
_REGIONAL_PROVIDERS = frozenset({"yahoo", "hotmail", "outlook", "live", "gmx", "yandex"})
_DOMAIN = re.compile(r"^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", re.IGNORECASE)


@dataclass(slots=True)
class DomainHint:
    """A domain whose addresses (and the names shown with them) carry many of the case's pending suggestions: the
    questions (people and values of the case) at it, the pending places they cover and the messages those are in;
    share is of the case's pending places."""

    domain: str
    suggestions: int
    messages: int
    share: float
    places: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def text(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count:,} {word}" + ("" if count == 1 else "s")

        return (f"{self.domain}: {n(self.suggestions, 'suggestion')} ({n(self.places, 'place')}) in "
                f"{n(self.messages, 'message')}; add it to allow_domains? (discovery pii allow {self.domain})")


def dominant_domains(store: Store, policy: Policy, top: int = 5) -> list[DomainHint]:
    """Domains behind at least MIN_SHARE of the pending places: the questions of EMAIL_ADDRESS suggestions at the
    domain and of PERSON suggestions in address fields whose address is at it (a person written as name and
    address, in any number of messages, is one question), with every pending place of those questions. Domains
    already allowed and personal mail providers (gmail.com: its people are private persons) are left out."""
    pending: dict[str, list[str]] = {}  # question -> the messages of its pending places (one entry a place)
    for key, message_id in store.rows("SELECT coalesce(nullif(question_key, ''), 'id:' || id), message_id "
                                      "FROM pii_suggestions WHERE status='pending'"):
        pending.setdefault(str(key), []).append(str(message_id))
    total = sum(len(v) for v in pending.values())
    if not total:
        return []
    questions: dict[str, set[str]] = {}

    def add(domain: str, key: str) -> None:
        domain = domain.lower().strip(".>")
        if not domain or "." not in domain:
            return
        questions.setdefault(domain, set()).add(key)

    for key, text in store.rows(
            """SELECT coalesce(nullif(question_key, ''), 'id:' || id), text FROM pii_suggestions
               WHERE status='pending' AND entity_type='EMAIL_ADDRESS'"""):
        add(str(text).rpartition("@")[2], str(key))
    for key, email in store.rows(
            """SELECT coalesce(nullif(s.question_key, ''), 'id:' || s.id), a.email FROM pii_suggestions s
               JOIN addresses a ON a.message_id = s.message_id AND s.field = 'address:' || a.role || ':' || a.position
               WHERE s.status='pending' AND s.entity_type='PERSON' AND a.email != ''"""):
        add(str(email).rpartition("@")[2], str(key))
    hints = []
    for domain, keys in questions.items():
        places = sum(len(pending.get(k, ())) for k in keys)
        if (places < MIN_SUGGESTIONS or places / total < MIN_SHARE or policy.email_allowed(f"x@{domain}")
                or _personal_mail(domain)):
            continue
        messages = len({m for k in keys for m in pending.get(k, ())})
        hints.append(DomainHint(domain, len(keys), messages, round(places / total, 3), places))
    hints.sort(key=lambda h: (-h.places, h.domain))
    return hints[:top]


def _personal_mail(domain: str) -> bool:
    """gmail.com, and the regional forms of the big providers (yahoo.co.uk, hotmail.fr): personal mailboxes."""
    return domain in PERSONAL_MAIL_DOMAINS or domain.split(".")[0] in _REGIONAL_PROVIDERS


def guess_kind(value: str) -> str:
    """'domain' for 'dc.gov', 'email' for an address or pattern with '@', else 'name'."""
    value = value.strip()
    if "@" in value:
        return "email"
    if _DOMAIN.match(value) and " " not in value:
        return "domain"
    return "name"


@dataclass(slots=True)
class AllowResult:
    """What 'discovery pii allow' did."""

    file: str
    key: str  # 'allow.domains'
    value: str
    added: bool  # False: it was listed already
    created: bool  # the policy file was written from the template first

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def add_allow(case_dir: Path | str, value: str, kind: str = "") -> AllowResult:
    """Add one allow-list entry to the case's pii-policy.toml (written from the template when missing), keeping
    every comment and the rest of the file as it was. The file is checked before and after."""
    value = value.strip()
    if not value:
        raise UsageError("nothing to allow", hint="Give a domain, an address or a name.")
    kind = kind or guess_kind(value)
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}", hint=f"Use one of: {', '.join(KINDS)}.")
    if kind == "domain":
        value = value.lower().lstrip("@")
        if not _DOMAIN.match(value):
            raise UsageError(f"{value!r} is not a domain", hint="e.g. dc.gov or mail.example.org")
    path = policy_path(case_dir)
    created = False
    if not path.exists():
        write_template(case_dir)
        created = True
    load_policy(case_dir)  # a broken file is reported as it is, not rewritten
    text = path.read_text(encoding="utf-8")
    key = KINDS[kind]
    new_text, added = _add_to_array(text, "allow", key, value)
    if added:
        try:
            parse_policy(tomllib.loads(new_text), str(path))
        except (tomllib.TOMLDecodeError, PolicyError) as exc:  # pragma: no cover - a bug here, not the user's
            raise PolicyError(f"could not add {value!r} to {path}: {exc}",
                              hint="Add it by hand under [allow].") from exc
        path.write_text(new_text, encoding="utf-8")
    return AllowResult(str(path), f"allow.{key}", value, added, created)


_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(?:#.*)?$")


def _add_to_array(text: str, section: str, key: str, value: str) -> tuple[str, bool]:
    """The TOML text with value appended to section.key (an array of strings), comments kept. The assignment is
    rewritten on one line; a missing key or section is added."""
    lines = text.splitlines(keepends=True)
    start = end = None
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if m:
            if start is not None:
                end = i
                break
            if m.group(1).strip() == section:
                start = i + 1
    if start is None:
        sep = "" if text.endswith("\n") or not text else "\n"
        return f"{text}{sep}\n[{section}]\n{key} = [{_quote(value)}]\n", True
    end = len(lines) if end is None else end
    assign = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, end):
        if not assign.match(lines[i]):
            continue
        # the assignment may span lines: take lines until the text parses as one key
        for j in range(i, end):
            chunk = "".join(lines[i : j + 1])
            try:
                current = tomllib.loads(chunk).get(key)
            except tomllib.TOMLDecodeError:
                continue
            if not isinstance(current, list):
                raise PolicyError(f"[{section}] {key} is not a list", hint=f'Make it {key} = ["..."].')
            if value in current:
                return text, False
            comment = _trailing_comment(lines[j])
            items = ", ".join(_quote(str(v)) for v in [*current, value])
            newline = "\n" if lines[j].endswith("\n") else ""
            lines[i : j + 1] = [f"{key} = [{items}]{comment}{newline}"]
            return "".join(lines), True
        raise PolicyError(f"[{section}] {key} cannot be read", hint="Fix the policy file by hand.")
    insert = end
    while insert > start and not lines[insert - 1].strip():
        insert -= 1
    if insert and not lines[insert - 1].endswith("\n"):
        lines[insert - 1] += "\n"
    lines.insert(insert, f"{key} = [{_quote(value)}]\n")
    return "".join(lines), True


def _trailing_comment(line: str) -> str:
    """'   # e.g. [...]' at the end of an assignment line (a '#' outside quoted strings), if any."""
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1  # an escaped character
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#":
            return "   " + line[i:].rstrip("\n")
        i += 1
    return ""


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
