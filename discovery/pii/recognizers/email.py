"""Provides detectors for email addresses (plain, mailto:, obfuscated) and Lotus Notes 'Name/OU/O' senders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from discovery.pii import lexicon
from discovery.pii.recognizers.base import Hit, MessageContext, finditer_in, lines_holding, words_holding
from discovery.pii.types import FieldText, fold

_LOCAL_CHARS = r"A-Za-z0-9!#$%&'*+=?^_`{|}~\-"
EMAIL = re.compile(
    rf"(?<![{_LOCAL_CHARS}.@/])"
    rf"([{_LOCAL_CHARS}](?:[{_LOCAL_CHARS}.]*[{_LOCAL_CHARS}])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?)"
    r"(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)
_AT = r"(?:\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>)\s*|\s+(?:at|AT)\s+)"
_DOT = r"(?:\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\})\s*|\s+(?:dot|DOT)\s+)"
OBFUSCATED = re.compile(
    rf"(?<![\w.])([A-Za-z0-9][\w.+-]*{_AT}[A-Za-z0-9-]+(?:(?:{_DOT}|\.)[A-Za-z0-9-]+)*(?:{_DOT})"
    r"(?:com|org|net|edu|gov|mil|int|info|biz|io|example|[a-z]{2}|COM|ORG|NET|EDU|GOV|[A-Z]{2}))\b"
)
# 'Phillip K Allen/HOU/ECT@ECT', 'Dana Whitfield/Harlow/County' (Lotus Notes hierarchical names). A match stays on
# one line and holds '/' and a capital: LOTUS runs on the lines holding that.
LOTUS = re.compile(
    r"(?<![\w/])((?:[A-Z][\w'’.-]*|[A-Z]\.?)(?:[ \t]+(?:[A-Z][\w'’.-]*|[A-Z]\.?)){1,3})"
    r"/(?:[A-Z][A-Za-z0-9&]{1,15})(?:/[A-Z][A-Za-z0-9&]{1,15}){0,4}(?:@[A-Z][\w.-]{1,30})?(?![\w/])"
)
_LOTUS_NEED = re.compile(r"/[A-Z]")


def _emails(text: str) -> Iterator[re.Match[str]]:
    """EMAIL's matches, looked for only in the words that hold an '@' (an address holds one and no blank)."""
    for start, end in words_holding(text, "@"):
        yield from EMAIL.finditer(text, start, end)


class EmailDetector:
    """Email addresses anywhere: bodies, quoted replies, headers, signatures, 'mailto:' links.

    Presidio's own EmailRecognizer is not used: it validates the domain with tldextract, which tries to
    download the public suffix list at run time and rejects internal and reserved domains
    ('ECT@enron.com' survives, 'dana@harlowcounty-or.example' does not)."""

    name = "EmailDetector"
    entities: tuple[str, ...] = ("EMAIL_ADDRESS",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        hits = [Hit(m.start(1), m.end(1), "EMAIL_ADDRESS", 1.0, "email address", "email")
                for m in _emails(text)]
        if (" at " in text or "[at]" in text or "(at)" in text or " AT " in text) and ("dot" in text or "DOT" in text):
            # (an obfuscated address holds 'at' and, before its top-level domain, 'dot')
            taken = [(h.start, h.end) for h in hits]
            for m in OBFUSCATED.finditer(text):
                if not any(m.start(1) < e and s < m.end(1) for s, e in taken):
                    hits.append(Hit(m.start(1), m.end(1), "EMAIL_ADDRESS", 0.7,
                                    "email address written out to avoid harvesters ('name at domain dot com')",
                                    "obfuscated email"))
        return hits


class LotusNameDetector:
    """Lotus Notes hierarchical names ('Phillip K Allen/HOU/ECT@ECT'): the person part is a PERSON."""

    name = "LotusNameDetector"
    entities: tuple[str, ...] = ("PERSON",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if "/" not in text:
            return []
        hits = []
        for m in finditer_in(LOTUS, text, lines_holding(text, _LOTUS_NEED)):
            name = m.group(1)
            if name.isupper() and len(name.replace(".", "").replace(" ", "")) <= 4:
                continue
            words = name.split()
            if any(lexicon.is_common_noun(w) or lexicon.is_org_word(w) or fold(w) in lexicon.NOT_NAMES
                   for w in words):
                continue  # 'Interim Director/General Counsel', 'Office Manager/Scheduler', 'The MACCCA/Yates'
            hits.append(Hit(m.start(1), m.end(1), "PERSON", 0.85,
                            "the person part of a Lotus Notes address (Name/Unit/Org)", "lotus name"))
        return hits
