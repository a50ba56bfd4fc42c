"""Provides detectors for IP addresses and for account ids carried in URLs (profile paths, user= parameters)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import unquote

from discovery.pii.recognizers.base import Hit, MessageContext, words_where
from discovery.pii.types import FieldText

IPV4 = re.compile(r"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?![\w]|\.\d)")
IPV6 = re.compile(
    r"(?<![\w:.])((?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::?[0-9A-Fa-f]{1,4}){1,7})|::(?:[0-9A-Fa-f]{1,4}:?){1,7})"
    r"(?![\w:])"
)
_HEX = frozenset("0123456789ABCDEFabcdef")


def _digit_dot(text: str, at: int) -> bool:
    """A '.' between two digits ('\\d' as patterns read it): every IPV4 match holds one, and no blank."""
    return 0 < at < len(text) - 1 and text[at - 1].isdecimal() and text[at + 1].isdecimal()


def _hex_colon(text: str, at: int) -> bool:
    """A ':' after a hex digit and before a hex digit or ':', or the first of '::': every IPV6 match holds one."""
    after = text[at + 1 : at + 2]
    return after == ":" or (at > 0 and text[at - 1] in _HEX and after != "" and after in _HEX)


URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]]+")
# Hosts whose first path segment is a person's account.
_PROFILE_HOSTS = {
    "facebook.com", "fb.com", "twitter.com", "x.com", "instagram.com", "tiktok.com", "github.com", "medium.com",
    "youtube.com", "reddit.com", "pinterest.com", "flickr.com", "vimeo.com", "soundcloud.com", "t.me",
    "venmo.com", "cash.app", "paypal.me", "threads.net", "snapchat.com", "tumblr.com", "nextdoor.com",
}
_PROFILE_SEGMENTS = {"user", "users", "u", "profile", "profiles", "people", "person", "member", "members",
                     "account", "accounts", "in", "pub", "author", "authors", "staff", "employee", "employees",
                     "customer", "customers", "citizen", "residents", "resident", "id", "ids"}
_ID_PARAMS = {"user", "username", "userid", "user_id", "uid", "account", "acct", "accountid", "account_id",
              "member", "memberid", "member_id", "customer", "customerid", "customer_id", "cust", "custid", "login",
              "profile", "profileid", "email", "e", "mail", "handle", "employee", "employeeid", "citizen", "person",
              "personid", "subscriber", "subscriberid", "recipient", "rid", "contact", "contactid"}
_NOT_ACCOUNTS = {"home", "login", "signup", "share", "sharer", "sharer.php", "intent", "search", "explore", "hashtag",
                 "watch", "pages", "groups", "events", "help", "about", "settings", "privacy", "policies", "legal",
                 "p", "reel", "status", "photo", "photos", "video", "videos", "channel", "c", "results", "r", "s",
                 "i", "topics", "company", "school", "jobs", "feed", "messages", "notifications", "tr", "plugins",
                 "dialog", "l.php", "embed", "oauth", "api", "static", "assets", "index.html", "index.php"}


class IpAddressDetector:
    """IPv4 and IPv6 addresses. Unlike Presidio's IpRecognizer, it rejects '::1'-style fragments and 'a::b',
    version numbers glued to more digits ('1.2.3.4.5') and times ('10:06:42')."""

    name = "IpAddressDetector"
    entities: tuple[str, ...] = ("IP_ADDRESS",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        hits: list[Hit] = []
        if "." in text:
            # (an address holds 'd.d' and no blank: only the words holding one are read)
            for m in (m for s, e in words_where(text, ".", _digit_dot) for m in IPV4.finditer(text, s, e)):
                try:
                    ip = ipaddress.IPv4Address(m.group(1))
                except ValueError:
                    continue
                if ip.is_unspecified or ip.is_loopback or m.group(1).startswith("255.") or _version(text, m):
                    continue  # 0.0.0.0, 127.0.0.1 and netmasks address nobody; '1.8.3.1' after '-- ' is git's
                hits.append(Hit(m.start(1), m.end(1), "IP_ADDRESS", 0.9, "IPv4 address", "ipv4"))
        if "::" in text or text.count(":") >= 5:
            for m in (m for s, e in words_where(text, ":", _hex_colon) for m in IPV6.finditer(text, s, e)):
                value = m.group(1)
                groups = [g for g in value.split(":") if g]
                if len(groups) < 3 or not any(any(c.isdigit() for c in g) for g in groups):
                    continue
                if all(g.isdigit() and len(g) <= 2 for g in groups):
                    continue  # a time such as 10:06:42
                try:
                    ip6 = ipaddress.IPv6Address(value)
                except ValueError:
                    continue
                if ip6.is_unspecified or ip6.is_loopback:
                    continue
                hits.append(Hit(m.start(1), m.end(1), "IP_ADDRESS", 0.85, "IPv6 address", "ipv6"))
        return hits


_VERSION_BEFORE = re.compile(r"(?:\b(?:version|ver|release|v)[ \t:]*|[A-Za-z]-)$", re.IGNORECASE)


def _version(text: str, m: re.Match[str]) -> bool:
    """Is this dotted quad a version number? After 'version' or 'v', glued to a package name
    ('iscsiuio-6.2.1.2-1'), or alone on the line after a '-- ' signature delimiter (git send-email's footer)."""
    start = m.start(1)
    line_start = text.rfind("\n", 0, start) + 1
    if _VERSION_BEFORE.search(text[max(line_start, start - 12) : start]):
        return True
    line_end = text.find("\n", m.end(1))
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if line.strip(" \t>") != m.group(1) or line_start == 0:
        return False
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
    return previous.lstrip(" \t>").rstrip("\r") in ("-- ", "--")


class UrlAccountDetector:
    """Account ids inside URLs: profile paths ('facebook.com/jane.doe', '/users/48213'), and user/account/email
    query parameters. Whole URLs are never suggested (they are not personal), and addresses like
    'dana@mail.example.com' are not URLs (a weak spot of Presidio's URL recognizer)."""

    name = "UrlAccountDetector"
    entities: tuple[str, ...] = ("ACCOUNT_ID",)

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if "http" not in text and "www." not in text and not _x500(text):
            return []
        hits: list[Hit] = []
        for m in _urls(text):
            hits.extend(_url_accounts(m.group(0).rstrip(".,;:!?"), m.start()))
        for m in re.finditer(r"(?i)/cn=recipients/cn=([\w.'-]+)", text):
            hits.append(Hit(m.start(1), m.end(1), "ACCOUNT_ID", 0.7, "Exchange mailbox id (X.500 address)", "x500"))
        return hits


def _urls(text: str) -> Iterator[re.Match[str]]:
    """URL.finditer(text), trying URL only where 'http' or 'www.' starts (any case): every match starts so."""
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lower-cased: no shortcut
        yield from URL.finditer(text)
        return
    pos = 0
    while True:
        starts = [at for at in (low.find("http", pos), low.find("www.", pos)) if at >= 0]
        if not starts:
            return
        at = min(starts)
        m = URL.match(text, at)
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end()


def _x500(text: str) -> bool:
    """'/CN=' in text.upper(), without upper-casing the text (only c, C, n and N upper-case to C or N there)."""
    return "/" in text and any(x in text for x in ("/CN=", "/cn=", "/Cn=", "/cN="))


def _url_accounts(url: str, offset: int) -> list[Hit]:
    hits: list[Hit] = []
    rest = url.split("://", 1)[-1]
    host_end = len(url) - len(rest) + (len(rest.split("/", 1)[0]) if "/" in rest else len(rest))
    host = url[len(url) - len(rest) : host_end].lower().split("@")[-1].split(":")[0]
    bare = host[4:] if host.startswith("www.") else host
    path_part = url[host_end:].split("#", 1)[0]
    path, _, query = path_part.partition("?")
    pos = host_end
    segments: list[tuple[int, str]] = []
    for seg in path.split("/"):
        segments.append((pos, seg))
        pos += len(seg) + 1
    named = [(p, s) for p, s in segments if s]
    if bare in _PROFILE_HOSTS and named:
        p, s = named[0]
        if bare == "linkedin.com" or s.lower() in _NOT_ACCOUNTS:
            pass
        else:
            seg = s.lstrip("@~")
            start = p + (len(s) - len(seg))
            hits.append(Hit(offset + start, offset + start + len(seg), "ACCOUNT_ID", 0.8,
                            f"account name in a {bare} profile URL", "profile url"))
    for i, (_, s) in enumerate(named[:-1]):
        if s.lower() in _PROFILE_SEGMENTS:
            np_, ns = named[i + 1]
            if ns.lower() not in _NOT_ACCOUNTS and len(ns) >= 2:
                hits.append(Hit(offset + np_, offset + np_ + len(ns), "ACCOUNT_ID", 0.75,
                                f"account id after '/{s}/' in a URL", "profile path"))
            break
    for seg_start, seg in segments:
        if seg.startswith("~") and len(seg) > 2:
            hits.append(Hit(offset + seg_start + 1, offset + seg_start + len(seg), "ACCOUNT_ID", 0.7,
                            "user directory ('/~name') in a URL", "tilde path"))
    if query:
        qpos = host_end + len(path) + 1
        for pair in query.split("&"):
            key, eq, value = pair.partition("=")
            if eq and value and key.lower() in _ID_PARAMS and len(unquote(value)) >= 2:
                start = qpos + len(key) + 1
                hits.append(Hit(offset + start, offset + start + len(value), "ACCOUNT_ID", 0.8,
                                f"account id in the URL parameter '{key}'", "url parameter"))
            qpos += len(pair) + 1
    return hits
