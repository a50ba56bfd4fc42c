"""Provides RedactPolicy: the [redact] section of a case's pii-policy.toml (auto rules, exemptions, headers)."""

from __future__ import annotations

import fnmatch
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from discovery.errors import PolicyError
from discovery.pii.policy import load_policy, policy_path
from discovery.pii.types import ALL_TYPES, fold

HEADER_MODES = ("neutralise", "drop", "keep")
PRIVATE = "(b)(6)"
LAW_ENFORCEMENT = "(b)(7)(C)"
DEFAULT_EXEMPTIONS: dict[str, str] = {"BADGE_NUMBER": LAW_ENFORCEMENT}
_KEYS = {"headers", "law_enforcement_names", "law_enforcement_domains", "auto", "exemptions"}


@dataclass(slots=True)
class RedactPolicy:
    """What a production does beyond reviewers' decisions.

    ``auto``: type -> minimum score at which a pending suggestion is redacted without review.
    ``exemptions``: type -> FOIA code (default '(b)(6)', BADGE_NUMBER '(b)(7)(C)').
    ``headers``: 'neutralise' | 'drop' | 'keep' for headers that expose people or systems.
    ``law_enforcement_names`` / ``law_enforcement_domains``: PERSON and EMAIL_ADDRESS values matching these
    (names fold case and accents, '*' wildcards; domains include subdomains) get '(b)(7)(C)'.
    """

    auto: dict[str, float] = field(default_factory=dict)
    exemptions: dict[str, str] = field(default_factory=dict)
    headers: str = "neutralise"
    law_enforcement_names: list[str] = field(default_factory=list)
    law_enforcement_domains: list[str] = field(default_factory=list)

    def auto_redacts(self, entity_type: str, score: float) -> bool:
        threshold = self.auto.get(entity_type)
        return threshold is not None and score >= threshold

    def exemption(self, entity_type: str, text: str = "") -> str:
        """The code for a value of this type: law-enforcement personnel first, then the type's code."""
        if text and entity_type in ("PERSON", "EMAIL_ADDRESS") and self.is_law_enforcement(entity_type, text):
            return self.exemptions.get("LAW_ENFORCEMENT", LAW_ENFORCEMENT)
        return self.exemptions.get(entity_type, DEFAULT_EXEMPTIONS.get(entity_type, self.exemptions.get(
            "default", PRIVATE)))

    def is_law_enforcement(self, entity_type: str, text: str) -> bool:
        if entity_type == "EMAIL_ADDRESS":
            domain = text.strip().lower().rpartition("@")[2]
            return any(domain == d or domain.endswith("." + d)
                       for d in (x.lower().lstrip("@*.") for x in self.law_enforcement_domains))
        folded = fold(text)
        return any(fnmatch.fnmatchcase(folded, fold(p)) for p in self.law_enforcement_names)


def parse_redact_policy(data: dict[str, object], where: str = "policy") -> RedactPolicy:
    """The [redact] table of a parsed policy file, every mistake named."""
    table = data.get("redact", {})
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: [redact] must be a table")
    extra = set(table) - _KEYS
    if extra:
        raise PolicyError(f"{where}: unknown key(s) in [redact]: {', '.join(sorted(extra))}",
                          hint=f"Known keys: {', '.join(sorted(_KEYS))}.")
    policy = RedactPolicy()
    headers = table.get("headers", "neutralise")
    if headers not in HEADER_MODES:
        raise PolicyError(f"{where}: redact.headers must be one of {', '.join(HEADER_MODES)}, not {headers!r}")
    policy.headers = str(headers)
    for key in ("law_enforcement_names", "law_enforcement_domains"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"{where}: redact.{key} must be a list of strings")
        setattr(policy, key, list(value))
    auto = table.get("auto", {})
    if not isinstance(auto, dict):
        raise PolicyError(f"{where}: [redact.auto] must be a table of TYPE = score")
    for key, value in auto.items():
        if key not in ALL_TYPES:
            raise PolicyError(f"{where}: [redact.auto] names an unknown type {key!r}",
                              hint=f"Known types: {', '.join(ALL_TYPES)}.")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            raise PolicyError(f"{where}: redact.auto.{key} = {value!r} must be a score from 0 to 1")
        policy.auto[key] = float(value)
    exemptions = table.get("exemptions", {})
    if not isinstance(exemptions, dict):
        raise PolicyError(f"{where}: [redact.exemptions] must be a table of TYPE = \"code\"")
    for key, value in exemptions.items():
        if key not in ALL_TYPES and key not in ("default", "LAW_ENFORCEMENT"):
            raise PolicyError(f"{where}: [redact.exemptions] names an unknown type {key!r}",
                              hint=f"Use 'default', 'LAW_ENFORCEMENT' or one of: {', '.join(ALL_TYPES)}.")
        if not isinstance(value, str) or not value.strip() or len(value) > 24:
            raise PolicyError(f"{where}: redact.exemptions.{key} must be a short code such as \"(b)(6)\"")
        policy.exemptions[key] = value.strip()
    return policy


def load_redact_policy(case_dir: Path | str) -> tuple[RedactPolicy, str]:
    """The case's [redact] rules and the sha256 of its policy file ('' when the case has none)."""
    path = policy_path(case_dir)
    if not path.exists():
        return RedactPolicy(), ""
    load_policy(case_dir)  # validates the whole file with its own messages
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    return parse_redact_policy(data, str(path)), hashlib.sha256(raw).hexdigest()
