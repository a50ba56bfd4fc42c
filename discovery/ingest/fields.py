"""Provides decoding of header fields: encoded words, raw 8-bit text, dates, addresses and subjects."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, timedelta, timezone
from email.header import decode_header
from email.utils import getaddresses, parsedate_tz

try:  # the private parser tells "no zone" (None) apart from "+0000"; the public one does not
    from email._parseaddr import _parsedate_tz as _parsedate_keep_zone
except ImportError:  # pragma: no cover - future Pythons
    _parsedate_keep_zone = parsedate_tz

from discovery.model import Address

MAX_HEADER_CHARS = 64_000

# Charset names seen in the wild that Python does not know, or knows under another name.
_CHARSET_ALIASES = {
    "ansi_x3.4-1968": "ascii",
    "ansi_x3.4-1986": "ascii",
    "iso-8859-8-i": "iso-8859-8",
    "x-user-defined": "cp1252",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "unknown": "",
    "default": "",
    "iso-8859-1": "cp1252",  # mail labelled latin-1 is nearly always Windows-1252 in practice
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "windows-874": "cp874",
    "tis-620": "cp874",
}


def normalize_charset(name: str | None) -> str:
    """A Python codec name for a declared charset, or '' when the declaration is unusable."""
    if not name:
        return ""
    cleaned = name.strip().strip("\"'").lower()
    if cleaned in _CHARSET_ALIASES:
        return _CHARSET_ALIASES[cleaned]
    try:
        info = codecs.lookup(cleaned)
    except (LookupError, ValueError, TypeError):  # unknown, or a hostile name (a NUL byte, ...)
        return ""
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":  # base64, zlib, 'undefined'
        return ""
    return info.name


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes whose charset may be wrong or missing.

    Returns (text, note); the note is '' when the declared charset decoded cleanly, and otherwise says
    what was done, so the caller can keep it as an error note instead of silently guessing.
    """
    charset = normalize_charset(declared)
    if charset:
        try:
            return data.decode(charset), ""
        except (UnicodeError, LookupError):
            pass
    if charset in ("", "ascii"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if declared and not charset:
                return text, f"unknown charset {declared[:60]!r}; decoded as utf-8"
            return text, "" if not declared else f"declared {declared} but was utf-8"
    else:
        # A declared non-ASCII charset failed: utf-8 is the most common mislabel.
        try:
            return data.decode("utf-8"), f"declared {declared} but was utf-8"
        except UnicodeDecodeError:
            pass
    guess = _guess_charset(data)
    if guess:
        try:
            text = data.decode(guess)
        except (UnicodeError, LookupError):
            pass
        else:
            what = f"declared {declared}" if declared else "no charset declared"
            return text, f"{what}; decoded as {guess} (guessed)"
    what = f"declared {declared}" if declared else "no charset declared"
    return data.decode("cp1252", errors="replace"), f"{what}; undecodable bytes replaced"


def _guess_charset(data: bytes) -> str:
    if len(data) < 4096:
        # For short text charset_normalizer guesses poorly; mail is overwhelmingly cp1252 after utf-8.
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency, but never let it break decoding
        return "cp1252"
    best = from_bytes(data[:200_000]).best()
    return normalize_charset(best.encoding) if best else "cp1252"


_FOLD = re.compile(r"\r?\n[ \t]+")
_SURROGATE = re.compile("[\udc80-\udcff]")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def decode_header_value(value: object) -> tuple[str, list[str]]:
    """Decode one header value (RFC 2047 words, raw 8-bit bytes kept by the parser) into text.

    Returns (text, notes). Folded whitespace is unfolded; values longer than MAX_HEADER_CHARS are cut,
    with a note.
    """
    notes: list[str] = []
    if value is None:
        return "", notes
    if not isinstance(value, str):
        # email.header.Header objects from compat32 for undecodable 8-bit headers
        value = str(value)
    raw = value
    if not raw.isascii() and _SURROGATE.search(raw):
        # The parser kept raw 8-bit bytes as surrogates: recover the bytes and decode them properly.
        data = raw.encode("ascii", "surrogateescape")
        raw, note = decode_bytes(data, None)
        if note:
            notes.append(f"raw 8-bit header: {note}")
    text = raw
    if "=?" in raw and _ENCODED_WORD.search(raw):
        try:
            parts = decode_header(raw)
        except Exception as exc:  # malformed encoded words: keep the raw text
            notes.append(f"bad encoded word: {exc}")
        else:
            pieces: list[str] = []
            for chunk, charset in parts:
                if isinstance(chunk, bytes):
                    decoded, note = decode_bytes(chunk, charset)
                    if note:
                        notes.append(f"encoded word: {note}")
                    pieces.append(decoded)
                else:
                    pieces.append(chunk)
            text = "".join(pieces)
    if "\n" in text or "\r" in text:
        text = _FOLD.sub(" ", text).replace("\r", "").replace("\n", " ")
    text = text.strip()
    if len(text) > MAX_HEADER_CHARS:
        notes.append(f"header value cut from {len(text)} to {MAX_HEADER_CHARS} characters")
        text = text[:MAX_HEADER_CHARS]
    return text, notes


_ANGLE_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
# A list of bare addresses ("a@x.com, b.c@y.org"), the commonest address header by far: printable ASCII
# atoms and dots on both sides of one @, separated by commas and spaces or tabs. Anything else (names,
# angle brackets, quotes, comments, groups, other whitespace or characters) goes to getaddresses.
_BARE_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+"
_BARE_LIST = re.compile(rf"[ \t]*{_BARE_ADDRESS}(?:[ \t]*,[ \t]*{_BARE_ADDRESS})*[ \t]*")
_BARE_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")
# Also common in exports (Enron's long lists: "legal <.hall@enron.com>"): a plain name of letters, digits and
# hyphens before an angle address, or an angle address alone, mixed with bare addresses.
_NAME_ATOM = r"[A-Za-z0-9\-]+"
_PIECE = rf"(?:{_BARE_ADDRESS}|(?:{_NAME_ATOM}(?:[ \t]+{_NAME_ATOM})*[ \t]*)?<{_BARE_ADDRESS}>)"
_NAMED_LIST = re.compile(rf"[ \t]*{_PIECE}(?:[ \t]*,[ \t]*{_PIECE})*[ \t]*")


def bare_address_pairs(value: str) -> list[tuple[str, str]] | None:
    """What ``email.utils.getaddresses([value])`` returns for a list of bare addresses (or of plain names with
    angle addresses), about twenty times faster; None when the value is anything else (then getaddresses must
    parse it)."""
    if _BARE_LIST.fullmatch(value):
        return [("", address) for address in _BARE_SEPARATOR.split(value.strip(" \t"))]
    if "<" not in value or not _NAMED_LIST.fullmatch(value):
        return None
    pairs = []
    for piece in _BARE_SEPARATOR.split(value.strip(" \t")):
        if piece.endswith(">"):
            name, _, address = piece[:-1].partition("<")
            pairs.append((" ".join(name.split()), address))
        else:
            pairs.append(("", piece))
    return pairs


def parse_addresses(value: str) -> list[Address]:
    """Mailboxes from an already-decoded address header.

    Handles ``"Last, First" <x@y>``, groups (``undisclosed-recipients:;`` yields nothing for the
    group name), bare addresses, Lotus-style ``Name/OU/ORG@ORG`` and garbage (kept as a name).
    """
    if not value or not value.strip():
        return []
    found: list[Address] = []
    value = _strip_groups(value)
    if not value.strip():
        return []
    pairs = bare_address_pairs(value)
    if pairs is None:
        try:
            pairs = getaddresses([value])
        except Exception:  # pragma: no cover - getaddresses is lenient, but be safe
            pairs = []
    if pairs and all(email == "" and name == "" for name, email in pairs):
        pairs = []
    for name, email in pairs:
        name = name.strip().strip('"').strip()
        email = email.strip()
        if not email and not name:
            continue
        if email and "@" not in email and " " not in email and name == "" and len(pairs) > 1:
            # stray word after a group or a broken list: keep it as a name
            found.append(Address(name=email, email=""))
            continue
        found.append(Address(name=name, email=email))
    if not found:
        # getaddresses gave up on garbage ("Joe Bloggs @ home"): keep angle addresses, else the text.
        emails = _ANGLE_EMAIL.findall(value)
        if emails:
            found = [Address(name="", email=e) for e in emails]
        elif value.strip().rstrip(";").strip():
            found = [Address(name=value.strip(), email="")]
    if len(found) == 1 and not found[0].email and "@" in found[0].name and " " not in found[0].name:
        found = [Address(name="", email=found[0].name)]
    return found


_GROUP_LABEL = re.compile(r'(^|,)\s*([^,:;<>"@]+):(?!//)(?=\s*(?:[^:]*@|;|$))')


def _strip_groups(value: str) -> str:
    """Drop RFC 5322 group labels (``Team: a@x, b@y;``) and their terminators, keeping the members."""
    if ":" not in value and ";" not in value:
        return value
    out = _GROUP_LABEL.sub(lambda m: m.group(1), value)
    out = re.sub(r";\s*(,|$)", r"\1", out).replace(";", ",")
    return out.strip().strip(",")


def parse_date(value: str, *, now: datetime | None = None) -> tuple[datetime | None, str]:
    """A timezone-aware datetime from a Date header, and a note when it was doubtful or unparseable.

    Dates without a zone are taken as UTC and noted; dates that cannot be parsed return None with the
    reason. The caller keeps the original string.
    """
    text = value.strip()
    if not text:
        return None, "no Date header"
    parsed = None
    try:
        parsed = _parsedate_keep_zone(text)
    except Exception:
        parsed = None
    if parsed is None:
        alt = _parse_loose_date(text)
        if alt is None:
            return None, f"unparseable date {text[:80]!r}"
        return alt
    *fields, offset = parsed
    year = fields[0]
    if year < 100:  # two-digit years, RFC 2822 section 4.3
        year += 2000 if year < 50 else 1900
    try:
        naive = datetime(year, fields[1], fields[2], fields[3], fields[4], min(fields[5], 59))
    except ValueError as exc:
        return None, f"impossible date {text[:80]!r}: {exc}"
    note = ""
    if offset is None or (offset == 0 and re.search(r"\s-0000\b", text)):
        tz: timezone = UTC
        note = "date has no time zone; taken as UTC"
    else:
        if abs(offset) >= 24 * 3600:
            return naive.replace(tzinfo=UTC), f"time zone out of range in {text[:80]!r}; taken as UTC"
        tz = timezone(timedelta(seconds=offset))
    result = naive.replace(tzinfo=tz)
    reference = now or datetime.now(UTC)
    if result.year < 1971 or result > reference + timedelta(days=366):
        note = (note + "; " if note else "") + f"implausible date {result.isoformat()}"
    return result, note


_ISO_LIKE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_US_LIKE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?")


def _parse_loose_date(text: str) -> tuple[datetime, str] | None:
    """ISO 8601 and US 'M/D/YYYY h:mm AM' dates, as some exports write them."""
    m = _ISO_LIKE.search(text)
    if m:
        y, mo, d, h, mi, s, zone = m.groups()
        tz: timezone = UTC
        note = "non-RFC 2822 date"
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        elif not zone:
            note += "; no time zone, taken as UTC"
        try:
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=tz), note
        except ValueError:
            return None
    m = _US_LIKE.search(text)
    if m:
        mo, d, y, h, mi, s, ampm = m.groups()
        hour = int(h)
        if ampm:
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            dt = datetime(int(y), int(mo), int(d), hour, int(mi), int(s or 0), tzinfo=UTC)
        except ValueError:
            return None
        return dt, "non-RFC 2822 date; no time zone, taken as UTC"
    return None


_MSGID = re.compile(r"<[^<>\s]+>")


def parse_message_ids(value: str) -> list[str]:
    """Message-IDs in a References/In-Reply-To header, in order, each with its angle brackets."""
    ids = _MSGID.findall(value or "")
    if not ids and value and value.strip() and " " not in value.strip():
        ids = [f"<{value.strip().strip('<>')}>"]
    return ids


def normalize_message_id(value: str) -> str:
    """One Message-ID, angle-bracketed and stripped; '' when absent."""
    ids = parse_message_ids(value)
    return ids[0] if ids else ""


_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|rif|r|tr|odp|res|enc|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*"
    r"|\[[^\]]{1,40}\]\s*)+",
    re.IGNORECASE,
)


def normalize_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (Re:, RE[2]:, Fwd:, FW:, AW:, WG:, SV: ...) and list tags,
    whitespace collapsed and lower-cased: the key for subject-based threading."""
    text = _SUBJECT_PREFIX.sub("", subject or "")
    return " ".join(text.split()).lower()


_LIST_TAGS = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)+")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|rif|r|tr|odp|res|enc|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]", re.IGNORECASE
)


def is_reply_subject(subject: str) -> bool:
    """True when the subject carries a reply or forward prefix (list tags such as '[dev]' are not one)."""
    return bool(_REPLY_PREFIX.match(_LIST_TAGS.sub("", subject or "")))
