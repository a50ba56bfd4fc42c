"""Provides the header classes the PII scan knows: transport and diagnostic headers (not scanned unless the policy
asks), the X-headers that name people (always scanned), and the mailing-list and machine addresses a case's
headers reveal (not personal data by default)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Headers a mail system writes about delivery, filtering and signing. They repeat on every message, hold relay
# addresses, hashes and spam scores, and no reviewer reads them for people: not scanned by default
# (policy: [scan] transport_headers = true turns them on).
TRANSPORT_HEADERS = frozenset(h.lower() for h in (
    "Received", "Return-Path", "Authentication-Results", "Received-SPF", "Thread-Index", "SpamDiagnosticOutput",
    "SpamDiagnosticMetadata", "Mailing-list", "Precedence", "Errors-To", "Autocrypt", "Feedback-ID",
))
TRANSPORT_PREFIXES = ("x-", "arc-", "dkim-", "list-", "spamdiagnostic")
# X-headers that carry a person's name or address (Enron's X-From/X-To, Google Groups' X-Original-From):
# scanned like any personal header whatever the policy says.
PERSONAL_X_HEADERS = frozenset(h.lower() for h in (
    "X-From", "X-To", "X-cc", "X-bcc", "X-Original-From", "X-Original-Sender", "X-Sender", "X-Folder", "X-Origin",
    "X-FileName", "X-Original-To", "X-Apparently-To", "X-Envelope-From", "X-Envelope-To", "X-Author",
))
# Headers whose addresses are a mailing list's own (posting, help, owner, bounce addresses).
LIST_HEADERS = frozenset(h.lower() for h in (
    "List-Id", "List-Post", "List-Help", "List-Owner", "List-Subscribe", "List-Unsubscribe", "List-Archive",
    "Mailing-list", "X-BeenThere", "X-Mailing-List", "X-List", "X-Spam-Checked-In-Group", "X-Loop",
))
# Local parts of addresses no person reads: mail system daemons, bounces, list software and list archivers.
# (No-reply and notification senders are left to the allow-list: they name the organisation that sent them.)
MACHINE_LOCAL = re.compile(
    r"^(?:mailer-daemon|postmaster|bounces?|listserv|majordomo|mailman|lists?|owner-[\w.-]+|"
    r"[\w.-]+-(?:bounces|request|owner)|bounce-[\w.-]+|daemon)$", re.IGNORECASE)
# Local parts of list and team addresses a message copies in (other lists of a kernel-style thread, a vendor's
# driver team): 'linux-scsi', 'ocfs2-devel', 'drbd-dev', 'megaraidlinux.pdl'. Not 'linux@' or 'kernel@' alone,
# nor '-kernel': people use those on their own domains ('linux@roeck-us.net', 'penguin-kernel@...').
LIST_LOCAL = re.compile(
    r"^(?:linux-[\w.-]+|[\w.-]+[-_](?:devel|dev|users|discuss|announce|technical|upstream|linuxdrv)|"
    r"[\w.-]+[.-]pdl)$", re.IGNORECASE)
# Local parts of robots that post to lists: syzbot, the kernel test robot (lkp), patchwork and CI bots.
ROBOT_LOCAL = re.compile(r"^(?:[\w.-]*[-.])?(?:syz)?(?:ro)?bots?$|^lkp$|^patchwork(?:[-.][\w.-]*)?$",
                         re.IGNORECASE)
# Hosts that serve only mailing lists.
LIST_HOSTS = ("googlegroups.com", "groups.io", "vger.kernel.org", "yahoogroups.com", "freelists.org",
              "lists.sourceforge.net", "lists.debian.org", "lists.ubuntu.com", "lists.freedesktop.org")

_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_LIST_ID = re.compile(r"<([\w.+-]+)\.([\w-]+(?:\.[\w-]+)+)>")


def is_transport(name: str) -> bool:
    """Whether a header is transport or diagnostic data (Received, X-*, ARC, DKIM, antispam reports, ...)."""
    low = name.lower()
    if low in PERSONAL_X_HEADERS:
        return False
    return low in TRANSPORT_HEADERS or low.startswith(TRANSPORT_PREFIXES)


def is_antispam(name: str) -> bool:
    """Antispam and diagnostic reports: long runs of digits and codes that look like card or account numbers."""
    low = name.lower()
    return "antispam" in low or "forefront" in low or "spamdiagnostic" in low or "diagnostic" in low


def base_address(email: str) -> str:
    """'open-iscsi+unsubscribe@googlegroups.com' -> 'open-iscsi@googlegroups.com' (sub-address removed, lower)."""
    local, _, domain = email.strip().strip("<>").lower().rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}@{domain}" if local else domain


def list_addresses(headers: Sequence[Sequence[str]]) -> set[str]:
    """The mailing list addresses a message's headers name: List-Id '<name.host>', List-Post and the like, and a
    Sender that is one of those (Google Groups). Base addresses, lower case."""
    found: set[str] = set()
    senders: list[str] = []
    for pair in headers:
        if len(pair) != 2:
            continue
        name, value = str(pair[0]).lower(), str(pair[1])
        if name == "list-id":
            m = _LIST_ID.search(value)
            if m:
                found.add(f"{m.group(1)}@{m.group(2)}".lower())
                # Google Groups and Mailman both name the list 'name.host' for 'name@host'
        elif name in LIST_HEADERS:
            found.update(base_address(a) for a in _ADDRESS.findall(value))
        elif name == "sender":
            senders.extend(base_address(a) for a in _ADDRESS.findall(value))
    return {a for a in found if "@" in a} | {s for s in senders if s in found}


def is_list_address(email: str, lists: Iterable[str] = ()) -> bool:
    """A mailing list's own address: one the case's list headers name (any sub-address, its -owner/-request/
    -bounces forms), or any address at a public host that serves only lists (googlegroups.com, vger.kernel.org)."""
    local, _, domain = email.strip().strip("<>").lower().rpartition("@")
    if not local or not domain:
        return False
    lists = lists if isinstance(lists, frozenset | set) else set(lists)
    plain = local.split("+", 1)[0]
    if f"{plain}@{domain}" in lists:
        return True
    for suffix in ("-owner", "-owners", "-request", "-bounces", "-unsubscribe", "-subscribe", "-help"):
        if plain.endswith(suffix) and f"{plain[: -len(suffix)]}@{domain}" in lists:
            return True
    return domain in LIST_HOSTS or bool(LIST_LOCAL.match(plain))


def is_machine_address(email: str) -> bool:
    """An address no person reads: mailer-daemon, postmaster, bounces, list software and archivers, and robots
    that post to lists (syzbot, the kernel test robot, patchwork)."""
    local, _, domain = email.strip().strip("<>").lower().rpartition("@")
    if not local or not domain:
        return False
    plain = local.split("+", 1)[0]
    return bool(MACHINE_LOCAL.match(plain) or ROBOT_LOCAL.match(plain))
