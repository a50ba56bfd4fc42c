"""Provides Policy: a case's PII rules (pii-policy.toml): engine, types, thresholds, allow- and deny-lists."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from discovery.errors import PolicyError
from discovery.pii.names import parse_person
from discovery.pii.nicknames import name_variants
from discovery.pii.postprocess import resolve
from discovery.pii.types import ALL_TYPES, FieldText, Finding, fold, value_key

POLICY_FILE = "pii-policy.toml"
DEFAULT_THRESHOLD = 0.5

TEMPLATE = '''# PII policy for this case: what 'discovery pii scan' suggests. Changing it and scanning again keeps every
# decision reviewers already made (accepted and rejected suggestions are never dropped).

[engine]
# auto: a spaCy English pipeline when one is installed, else offline mode. offline: patterns, the case's own
# names, census name lists and context words. model: a spaCy pipeline (fails if none is installed).
mode = "auto"
# A spaCy package ('en_core_web_lg', or 'lg' / 'md' / 'sm' / 'trf') or the path of a pipeline folder.
# Empty: $DISCOVERY_SPACY_MODEL, else the most accurate installed pipeline.
model = ""

[entities]
# Types to suggest. All of them by default:
# PERSON EMAIL_ADDRESS PHONE_NUMBER STREET_ADDRESS DATE_OF_BIRTH US_SSN US_DRIVER_LICENSE LICENSE_PLATE
# BOOKING_NUMBER CASE_NUMBER BADGE_NUMBER IP_ADDRESS ACCOUNT_ID CREDIT_CARD IBAN_CODE US_BANK_NUMBER US_ITIN
# US_PASSPORT
# suggest = ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"]

[scan]
# Transport and diagnostic headers (Received, X-*, ARC, DKIM, antispam reports, Thread-Index, List-*) hold relay
# addresses, hashes and spam scores, not people: they are not scanned unless this is true. Other headers that name
# people (X-From, X-To, X-cc, X-Original-From, X-Original-Sender, Sender, Organization, ...) are scanned when the
# productions publish them ([redact] headers = "keep"); with "neutralise" or "drop" no production prints them, so
# nobody has to decide on them (From, To, Cc, Bcc, Reply-To and Subject are always scanned).
transport_headers = false

[thresholds]
# Minimum score (0.3 to 1.0) for a suggestion; 'default' for types not listed.
default = 0.5
# PERSON = 0.6
# CASE_NUMBER = 0.7

[allow]
# Never suggest these: public officials, agencies, the vendor and its staff acting in their jobs.
# Matching ignores case and accents; '*' is a wildcard.
# names: a person's name also covers 'Last, First', 'F. Last' and nicknames ('Bob' for Robert), not the
# first name or surname alone (list 'Reyes' too if the surname alone should stay).
names = []            # e.g. ["Tom Reyes", "Angela Broussard"]
emails = []           # e.g. ["*@cirrusweb.example", "records@harlowcounty-or.example"]
domains = []          # e-mail addresses at these domains and their subdomains, e.g. ["harlowcounty-or.example"]
values = []           # any text of any type, e.g. ["Harlow County Sheriff's Office", "503-555-0100"]
# The display names seen with allowed addresses in From/To/Cc (the vendor's staff) are allowed too.
names_of_allowed_emails = true
# A mailing list's own addresses (from List-Id, List-Post, Mailing-list, X-BeenThere, Google Groups' Sender,
# with their +unsubscribe/-owner forms, and public list hosts such as googlegroups.com, vger.kernel.org) are not
# personal data.
mailing_lists = true
# Addresses no person reads (mailer-daemon, postmaster, bounces, list software) are not personal data. No-reply
# and notification senders name the organisation behind them: allow them one by one if they should stay.
machine_senders = true
# 'discovery pii allow DOMAIN|ADDRESS|NAME' adds an entry here (comments are kept); 'discovery pii status'
# suggests the domains that dominate the case.

[deny]
# Always suggest these wherever they occur (whole words, any case; '*' is a wildcard), one list per type:
# PERSON = ["Bev", "Cody Trask"]
# CASE_NUMBER = ["HC-*"]

[redact]
# What 'discovery redact' publishes (see discovery/redact/policy.py). headers: what happens to headers that
# expose people or systems (Received, X-Originating-IP, X- headers, Thread-Index, user agents, Message-ID and
# References hosts): "neutralise" (default: drop them, replace Message-ID/In-Reply-To/References by keyed
# hashes at redacted.invalid so threads still hold together), "drop" (drop them all, ids too) or "keep"
# (keep them, redacted like the body; not advised).
headers = "neutralise"
# Law-enforcement personnel: names and addresses matching these get (b)(7)(C) instead of (b)(6).
law_enforcement_names = []     # e.g. ["Deputy *", "Cody Trask"]
law_enforcement_domains = []   # e.g. ["hcso.harlowcounty-or.example"]

[redact.auto]
# Types redacted even when nobody reviewed the suggestion, at or above this score:
# US_SSN = 0.5

[redact.exemptions]
# The FOIA exemption code printed for each type (default "(b)(6)"; BADGE_NUMBER "(b)(7)(C)"):
# PERSON = "(b)(6)"
'''


@dataclass(slots=True)
class Policy:
    """A case's PII policy. Load with load_policy(case_dir); the defaults suggest everything at 0.5."""

    mode: str = "auto"
    model: str = ""
    suggest: tuple[str, ...] = ALL_TYPES
    thresholds: dict[str, float] = field(default_factory=lambda: {"default": DEFAULT_THRESHOLD})
    allow_names: list[str] = field(default_factory=list)
    allow_emails: list[str] = field(default_factory=list)
    allow_domains: list[str] = field(default_factory=list)
    allow_values: list[str] = field(default_factory=list)
    names_of_allowed_emails: bool = True
    mailing_lists: bool = True
    machine_senders: bool = True
    transport_headers: bool = False
    published_headers: bool = False  # [redact] headers = "keep": productions print the other headers, so scan them
    deny: dict[str, list[str]] = field(default_factory=dict)
    path: str = ""  # where it was read from; '' for the built-in defaults

    @property
    def scan_headers(self) -> bool:
        """Are header fields other than the address fields and Subject scanned? (when published, or asked for)"""
        return self.published_headers or self.transport_headers

    def threshold(self, entity_type: str) -> float:
        return float(self.thresholds.get(entity_type, self.thresholds.get("default", DEFAULT_THRESHOLD)))

    def rules(self) -> dict[str, object]:
        """What decides the suggestions (not where the file is), for versioning."""
        data = asdict(self)
        data.pop("path")
        data["suggest"] = sorted(self.suggest)
        return data

    def version(self) -> str:
        """A hash of what decides the suggestions; the engine is versioned separately (EngineSpec), so 'auto'
        and 'offline' that pick the same engine do not force a rescan."""
        rules = {k: v for k, v in self.rules().items() if k not in ("mode", "model")}
        return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:12]

    def email_allowed(self, email: str) -> bool:
        email = email.strip().lower()
        domain = email.rpartition("@")[2]
        if any(domain == d or domain.endswith("." + d) for d in (x.lower().lstrip("@*.") for x in self.allow_domains)):
            return True
        return any(fnmatch.fnmatchcase(email, pattern.lower()) for pattern in self.allow_emails)


_KNOWN = {
    "engine": {"mode", "model"},
    "entities": {"suggest"},
    "scan": {"transport_headers"},
    "thresholds": None,
    "allow": {"names", "emails", "domains", "values", "names_of_allowed_emails", "mailing_lists",
              "machine_senders"},
    "deny": None,
    "redact": None,  # read by discovery.redact.policy (issue 10)
}


def policy_path(case_dir: Path | str) -> Path:
    return Path(case_dir) / POLICY_FILE


def write_template(case_dir: Path | str, *, overwrite: bool = False) -> Path:
    """Write the documented default policy into the case (unless one exists)."""
    path = policy_path(case_dir)
    if path.exists() and not overwrite:
        raise PolicyError(f"{path} exists already", hint="Edit it, or pass --force to replace it with the template.")
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def load_policy(case_dir: Path | str) -> Policy:
    """The case's policy file, validated; the defaults when the case has none."""
    path = policy_path(case_dir)
    if not path.exists():
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path} is not valid TOML: {exc}",
                          hint="Fix the line named above; 'discovery pii policy --init --force' writes a fresh "
                          "template.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path} cannot be read: {exc}") from exc
    return parse_policy(data, str(path))


def parse_policy(data: dict[str, object], where: str = "policy") -> Policy:
    """A Policy from parsed TOML, with every mistake named (unknown keys, types, thresholds out of range)."""
    for section, value in data.items():
        if section not in _KNOWN:
            raise PolicyError(f"{where}: unknown section [{section}]",
                              hint=f"Known sections: {', '.join('[' + k + ']' for k in _KNOWN)}.")
        if not isinstance(value, dict):
            raise PolicyError(f"{where}: [{section}] must be a table")
        allowed = _KNOWN[section]
        if allowed is not None:
            extra = set(value) - allowed
            if extra:
                raise PolicyError(f"{where}: unknown key(s) in [{section}]: {', '.join(sorted(extra))}",
                                  hint=f"Known keys: {', '.join(sorted(allowed))}.")
    engine = _table(data, "engine")
    entities = _table(data, "entities")
    allow = _table(data, "allow")
    policy = Policy(path=where)
    policy.mode = _str(engine.get("mode", "auto"), where, "engine.mode")
    if policy.mode not in ("auto", "offline", "model"):
        raise PolicyError(f"{where}: engine.mode must be 'auto', 'offline' or 'model', not {policy.mode!r}")
    policy.model = _str(engine.get("model", ""), where, "engine.model")
    if "suggest" in entities:
        types = _strings(entities["suggest"], where, "entities.suggest")
        unknown = [t for t in types if t not in ALL_TYPES]
        if unknown:
            raise PolicyError(f"{where}: unknown entity type(s) {', '.join(unknown)}",
                              hint=f"Known types: {', '.join(ALL_TYPES)}.")
        policy.suggest = tuple(types)
    thresholds: dict[str, float] = {"default": DEFAULT_THRESHOLD}
    for key, value in _table(data, "thresholds").items():
        if key != "default" and key not in ALL_TYPES:
            raise PolicyError(f"{where}: [thresholds] names an unknown type {key!r}",
                              hint=f"Use 'default' or one of: {', '.join(ALL_TYPES)}.")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.3 <= float(value) <= 1.0:
            raise PolicyError(f"{where}: threshold {key} = {value!r} must be a number from 0.3 to 1.0")
        thresholds[key] = float(value)
    policy.thresholds = thresholds
    policy.allow_names = _strings(allow.get("names", []), where, "allow.names")
    policy.allow_emails = _strings(allow.get("emails", []), where, "allow.emails")
    policy.allow_domains = _strings(allow.get("domains", []), where, "allow.domains")
    policy.allow_values = _strings(allow.get("values", []), where, "allow.values")
    policy.names_of_allowed_emails = _bool(allow, "names_of_allowed_emails", True, where, "allow")
    policy.mailing_lists = _bool(allow, "mailing_lists", True, where, "allow")
    policy.machine_senders = _bool(allow, "machine_senders", True, where, "allow")
    policy.transport_headers = _bool(_table(data, "scan"), "transport_headers", False, where, "scan")
    policy.published_headers = _table(data, "redact").get("headers", "neutralise") == "keep"
    deny: dict[str, list[str]] = {}
    for key, value in _table(data, "deny").items():
        if key not in ALL_TYPES:
            raise PolicyError(f"{where}: [deny] names an unknown type {key!r}", hint=f"Known: {', '.join(ALL_TYPES)}.")
        deny[key] = [v for v in _strings(value, where, f"deny.{key}") if v.strip()]
    policy.deny = deny
    return policy


def _table(data: dict[str, object], name: str) -> dict[str, object]:
    value = data.get(name, {})
    return value if isinstance(value, dict) else {}


def _bool(table: dict[str, object], key: str, default: bool, where: str, section: str) -> bool:
    flag = table.get(key, default)
    if not isinstance(flag, bool):
        raise PolicyError(f"{where}: {section}.{key} must be true or false")
    return flag


def _str(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: {key} must be a string")
    return value


def _strings(value: object, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: {key} must be a list of strings, e.g. {key.split('.')[-1]} = [\"...\"]")
    return list(value)


# -- applying a policy (pure: texts in, findings out) -----------------------------------------------------
@dataclass(slots=True)
class PolicyFilter:
    """A Policy prepared for fast matching, plus the names it allows because of allowed addresses."""

    policy: Policy
    name_keys: frozenset[str] = frozenset()
    name_patterns: tuple[str, ...] = ()
    value_patterns: tuple[str, ...] = ()
    deny: tuple[tuple[str, re.Pattern[str], str], ...] = ()
    lists: frozenset[str] = frozenset()  # the case's mailing list addresses (base form, lower case)

    @classmethod
    def build(cls, policy: Policy, people: Iterable[tuple[str, str]] = (), lists: Iterable[str] = ()
              ) -> PolicyFilter:
        """people: (display name, email) pairs of the case, for names_of_allowed_emails; lists: the mailing list
        addresses its headers name (discovery.pii.headers.list_addresses)."""
        names = list(policy.allow_names)
        if policy.names_of_allowed_emails and (policy.allow_emails or policy.allow_domains):
            names.extend(n for n, e in people if n and e and policy.email_allowed(e))
        keys: set[str] = set()
        patterns: list[str] = []
        for name in names:
            if "*" in name or "?" in name:
                patterns.append(fold(name))
                continue
            keys |= name_keys(name)
        deny = tuple(
            (entity, _deny_regex(value), value) for entity, values in policy.deny.items() for value in values
        )
        list_set = frozenset(a.lower() for a in lists) if policy.mailing_lists else frozenset()
        return cls(policy, frozenset(keys), tuple(patterns), tuple(fold(v) for v in policy.allow_values), deny,
                   list_set)

    def version(self) -> str:
        payload = json.dumps([self.policy.version(), sorted(self.name_keys), sorted(self.lists)])
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def allowed(self, finding: Finding) -> str:
        """Why the policy allows this finding ('' when it does not)."""
        text = finding.text
        folded = fold(text)
        if any(fnmatch.fnmatchcase(folded, p) for p in self.value_patterns):
            return "allow.values"
        if finding.entity_type == "EMAIL_ADDRESS":
            if self.policy.email_allowed(text):
                return "allow.emails/domains"
            reason = self.machine(text)
            if reason:
                return reason
        if finding.entity_type == "PERSON":
            if value_key("PERSON", text) in self.name_keys:
                return "allow.names"
            if any(fnmatch.fnmatchcase(folded, p) for p in self.name_patterns):
                return "allow.names"
        return ""

    def machine(self, email: str) -> str:
        """Why an address is not personal data: a mailing list's own or a machine's ('' when it may be)."""
        from discovery.pii.headers import is_list_address, is_machine_address

        if self.policy.mailing_lists and is_list_address(email, self.lists):
            return "allow.mailing_lists"
        if self.policy.machine_senders and is_machine_address(email):
            return "allow.machine_senders"
        return ""

    def apply(self, findings: Sequence[Finding], fields: Sequence[FieldText]) -> tuple[list[Finding], int]:
        """The suggestions for one message: types and thresholds, overlaps resolved, allow-list, deny-list.
        Returns (findings, how many the allow-list removed)."""
        by_field: dict[str, list[Finding]] = {}
        policy = self.policy
        wanted = set(policy.suggest)
        for f in findings:
            if f.entity_type in wanted and f.score >= policy.threshold(f.entity_type):
                by_field.setdefault(f.field, []).append(f)
        out: list[Finding] = []
        allowed = 0
        texts = {f.key: f.text for f in fields}
        for key, text in texts.items():
            kept = resolve(by_field.get(key, []), text) if key in by_field else []
            denied = self._denied(key, text)
            if denied:
                kept = [f for f in kept if not any(d.start < f.end and f.start < d.end for d in denied)]
            reasons = [self.allowed(f) for f in kept]
            if key.startswith("address:") and any(r in _NOT_A_PERSON for r in reasons):
                # 'LKML <linux-kernel@vger...>', 'kernel test robot <lkp@...>': the name is the list's or robot's
                reasons = [r or ("allow.mailing_lists" if f.entity_type == "PERSON" else "")
                           for f, r in zip(kept, reasons, strict=True)]
            for f, reason in zip(kept, reasons, strict=True):
                if reason:
                    allowed += 1
                    continue
                f.explanation["threshold"] = policy.threshold(f.entity_type)
                out.append(f)
            out.extend(denied)
        return out, allowed

    def _denied(self, key: str, text: str) -> list[Finding]:
        found: list[Finding] = []
        for entity, regex, value in self.deny:
            for m in regex.finditer(text):
                end = m.end()
                while end > m.start() + 1 and text[end - 1] in ".:'’":
                    end -= 1  # a sentence's full stop after a wildcard
                if any(f.start < end and m.start() < f.end for f in found):
                    continue
                found.append(Finding(key, m.start(), end, entity, 1.0, "PolicyDenyList", text[m.start() : end],
                                     {"recognizer": "PolicyDenyList", "textual_explanation":
                                      f"on the case's deny-list ({entity}: {value!r})", "original_score": 1.0,
                                      "score": 1.0}))
        return found


_NOT_A_PERSON = frozenset({"allow.mailing_lists", "allow.machine_senders"})


def name_keys(name: str) -> set[str]:
    """The value keys a name allows: itself, 'Last, First', 'F. Last', nicknames + last, with middle names."""
    person = parse_person(name, require_evidence=False)
    keys = {value_key("PERSON", name)}
    if person is None or not person.last:
        return keys
    first, last = fold(person.first), fold(person.last)
    middles = " ".join(fold(m).strip(".") for m in person.middle)
    keys |= {f"{first} {last}", f"{first[:1]} {last}", f"{first} {middles} {last}".replace("  ", " ")}
    keys |= {f"{nick} {last}" for nick in name_variants(first)}
    return {" ".join(k.split()) for k in keys}


def _deny_regex(value: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in value.split("*")]
    body = r"[\w@.'’-]*".join(parts)
    body = body.replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w@.-]){body}(?![\w@-]|\.\w)", re.IGNORECASE)
