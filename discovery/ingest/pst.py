"""Provides read_pst: the mail in an Outlook .pst/.ost personal folders file, read with libpff (pypff)."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from discovery.ingest.base import Origin, ReadResult, SourceUnreadable
from discovery.ingest.fields import decode_bytes
from discovery.ingest.msg import (
    MAX_EMBEDDED_DEPTH,
    OutlookAttachment,
    OutlookItem,
    OutlookRecipient,
    address_candidates,
    aware_utc,
    build_message,
    clean_text,
    codepage_charset,
    non_mail_reason,
    recipient_kind,
    short_error,
)
from discovery.model import Message, SourceFailure

RAW_FORMAT = "rebuilt-from-pst"
MAX_ATTACHMENT_BYTES = 512 * 1024 * 1024  # larger attachments are recorded, not loaded into memory

# MAPI property tags (the id part) and value types used below.
PR_MESSAGE_CLASS = 0x001A
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D
PR_SENDER_NAME = 0x0C1A
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_RECIPIENT_TYPE = 0x0C15
PR_DISPLAY_BCC = 0x0E02
PR_DISPLAY_CC = 0x0E03
PR_DISPLAY_TO = 0x0E04
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_MESSAGE_FLAGS = 0x0E07
PR_BODY = 0x1000
PR_HTML = 0x1013
PR_INTERNET_MESSAGE_ID = 0x1035
PR_INTERNET_REFERENCES = 0x1039
PR_IN_REPLY_TO_ID = 0x1042
PR_DISPLAY_NAME = 0x3001
PR_EMAIL_ADDRESS = 0x3003
PR_CREATION_TIME = 0x3007
PR_LAST_MODIFICATION_TIME = 0x3008
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_ATTACH_CONTENT_ID = 0x3712
PR_ATTACH_FLAGS = 0x3714
PR_SMTP_ADDRESS = 0x39FE
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02
PR_RECIPIENT_DISPLAY_NAME = 0x5FF6
PR_PST_PASSWORD = 0x67FF
PR_ATTACHMENT_HIDDEN = 0x7FFE

PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_SYSTIME = 0x0040

ATTACH_BY_VALUE = 1
ATTACH_EMBEDDED_MSG = 5
ATTACH_OLE = 6


def read_pst(path: Path, origin: Origin) -> ReadResult:
    """Read every mail item of a .pst or .ost file, folder by folder, one Message at a time.

    Contacts, calendar items, tasks and notes are skipped. A message that cannot be read is yielded as a
    SourceFailure and reading goes on; SourceUnreadable is raised when the file itself cannot be opened.
    """
    try:
        import pypff
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise SourceUnreadable(f"cannot read .pst files: libpff-python is not installed ({exc})") from exc
    pff = pypff.file()
    try:
        pff.open(os.fspath(path))
    except Exception as exc:
        raise SourceUnreadable(_open_failure_reason(pypff, path, exc)) from exc
    try:
        try:
            root = pff.get_root_folder()
        except Exception as exc:
            reason = f"corrupt .pst file: folder tree unreadable ({_libpff_cause(exc)})"
            raise SourceUnreadable(reason) from exc
        if root is None:
            raise SourceUnreadable("corrupt .pst file: it has no root folder")
        reader = _PstReader(pypff, origin, _file_charset(pff))
        yield from reader.walk(root)
    finally:
        try:
            pff.close()
        except Exception:
            pass


def pst_password_set(path: Path) -> bool:
    """True when the .pst carries a password (PR_PST_PASSWORD). libpff reads such files regardless: the
    password is only checked by Outlook, the content is not encrypted with it."""
    import pypff

    pff = pypff.file()
    pff.open(os.fspath(path))
    try:
        store = pff.get_message_store()
        entries = _entries(store) if store is not None else {}
        entry = entries.get(PR_PST_PASSWORD)
        return bool(entry is not None and entry.data and any(entry.data))
    finally:
        pff.close()


def _open_failure_reason(pypff: Any, path: Path, exc: Exception) -> str:
    try:
        signature_ok = bool(pypff.check_file_signature(os.fspath(path)))
    except Exception:
        signature_ok = True
    try:
        size = os.path.getsize(path)
    except OSError as os_exc:
        return f"cannot open .pst file: {short_error(os_exc)}"
    if size == 0:
        return "empty file, not an Outlook .pst/.ost file"
    if not signature_ok:
        return "not an Outlook .pst/.ost file (no personal folders signature)"
    return f"corrupt or truncated .pst/.ost file: {_libpff_cause(exc)}"


def _libpff_cause(exc: Exception) -> str:
    """The innermost libpff error of a pypff exception ('pypff_x: a. libpff_y: cause. ...')."""
    if "libpff_" not in str(exc):
        return short_error(exc)
    parts = [p.strip() for p in str(exc).split(". ") if p.strip()]
    if len(parts) >= 2:
        cause = parts[1]
        _, sep, rest = cause.partition(": ")
        return (rest if sep else cause).rstrip(".")[:300]
    return short_error(exc)


def _file_charset(pff: Any) -> str:
    try:
        value = pff.get_ascii_codepage()
    except Exception:
        return "cp1252"
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value or "cp1252")


def _entries(item: Any) -> dict[int, Any]:
    """The properties of an item (its first record set) by property id; named properties left out."""
    out: dict[int, Any] = {}
    if item.number_of_record_sets < 1:
        return out
    record_set = item.get_record_set(0)
    for index in range(record_set.number_of_entries):
        entry = record_set.get_entry(index)
        entry_type = entry.entry_type
        if entry_type is not None and entry_type < 0x8000:
            out.setdefault(entry_type, entry)
    return out


@dataclass(slots=True)
class _Props:
    """Typed access to an item's properties, decoding 8-bit strings with the item's code page."""

    entries: dict[int, Any]
    charset: str

    def text(self, prop: int) -> str:
        entry = self.entries.get(prop)
        if entry is None:
            return ""
        try:
            kind = entry.value_type
            if kind == PT_UNICODE:
                return clean_text(entry.data_as_string)
            if kind == PT_STRING8:
                data = entry.data or b""
                return clean_text(decode_bytes(data.rstrip(b"\x00"), self.charset)[0])
            if kind == 0x0102:  # binary holding text (PR_HTML, some ids)
                return clean_text(decode_bytes(entry.data or b"", None)[0])
        except Exception:
            return ""
        return ""

    def raw_text(self, prop: int) -> str | None:
        """Like text(), but without stripping (bodies), and None when the property is absent."""
        entry = self.entries.get(prop)
        if entry is None:
            return None
        try:
            if entry.value_type == PT_UNICODE:
                value = entry.data_as_string
                return None if value is None else str(value)
            if entry.value_type == PT_STRING8:
                return decode_bytes((entry.data or b"").rstrip(b"\x00"), self.charset)[0]
        except Exception:
            return None
        return None

    def integer(self, prop: int) -> int | None:
        entry = self.entries.get(prop)
        if entry is None:
            return None
        try:
            value = entry.data_as_integer
        except Exception:
            return None
        return int(value) if isinstance(value, int) else None

    def time(self, prop: int) -> datetime | None:
        entry = self.entries.get(prop)
        if entry is None or entry.value_type != PT_SYSTIME:
            return None
        try:
            return aware_utc(entry.data_as_datetime)
        except Exception:
            return None

    def binary(self, prop: int) -> bytes | None:
        entry = self.entries.get(prop)
        if entry is None:
            return None
        try:
            data = entry.data
        except Exception:
            return None
        return bytes(data) if data else None


class _PstReader:
    def __init__(self, pypff: Any, origin: Origin, file_charset: str) -> None:
        self.pypff = pypff
        self.origin = origin
        self.file_charset = file_charset

    def walk(self, root: Any) -> Iterator[Message | SourceFailure]:
        """Depth-first over the folder tree with an explicit stack, in the order Outlook shows folders."""
        stack: list[tuple[Any, str]] = [(root, "")]
        while stack:
            folder, parent_path = stack.pop()
            try:
                name = clean_text(folder.name).replace("\x00", "")
            except Exception:
                name = ""
            folder_path = f"{parent_path}/{name}" if name else parent_path
            try:
                count = folder.number_of_sub_messages
            except Exception as exc:
                yield self.origin.failure(
                    f"folder {folder_path or '/'}: messages unreadable: {_libpff_cause(exc)}",
                    f"folder:{folder_path or '/'}",
                )
                count = 0
            for index in range(count):
                yield from self._read_one(folder, index, folder_path or "/")
            try:
                subfolders = folder.number_of_sub_folders
            except Exception as exc:
                yield self.origin.failure(
                    f"folder {folder_path or '/'}: subfolders unreadable: {_libpff_cause(exc)}",
                    f"folder:{folder_path or '/'}",
                )
                continue
            for sub_index in reversed(range(subfolders)):
                try:
                    stack.append((folder.get_sub_folder(sub_index), folder_path))
                except Exception as exc:
                    yield self.origin.failure(
                        f"folder {folder_path or '/'}: subfolder {sub_index} unreadable: "
                        f"{_libpff_cause(exc)}",
                        f"folder:{folder_path or '/'}",
                    )

    def _read_one(self, folder: Any, index: int, folder_path: str) -> Iterator[Message | SourceFailure]:
        locator = f"folder:{folder_path}#{index}"
        try:
            item = folder.get_sub_message(index)
            if item is None or not isinstance(item, self.pypff.message):
                return  # free/busy data and other non-message items
            props = self._props(item)
            if non_mail_reason(props.text(PR_MESSAGE_CLASS)):
                return
            outlook = self._item(item, props, 0)
            message = build_message(
                outlook,
                self.origin.provenance("pst", locator=locator, folder=folder_path),
                RAW_FORMAT,
            )
        except Exception as exc:
            yield self.origin.failure(f"message {index} in {folder_path}: {short_error(exc)}", locator)
            return
        yield message

    def _props(self, item: Any) -> _Props:
        entries = _entries(item)
        props = _Props(entries, self.file_charset)
        codepage = props.integer(PR_MESSAGE_CODEPAGE)
        props.charset = codepage_charset(codepage) or self.file_charset
        return props

    def _item(self, item: Any, props: _Props, depth: int) -> OutlookItem:
        notes: list[str] = []
        out = OutlookItem(notes=notes)
        out.message_class = props.text(PR_MESSAGE_CLASS)
        subject = props.raw_text(PR_SUBJECT) or ""
        if subject.startswith("\x01") and len(subject) >= 2:  # subject prefix marker (MS-PST)
            subject = subject[2:]
        out.subject = clean_text(subject)
        out.transport_headers = (props.raw_text(PR_TRANSPORT_MESSAGE_HEADERS) or "").replace("\x00", "")
        out.sender_name = props.text(PR_SENDER_NAME)
        out.sender_addresses = address_candidates(
            props.text(PR_SENDER_SMTP_ADDRESS), props.text(PR_SENDER_EMAIL_ADDRESS)
        )
        out.representing_name = props.text(PR_SENT_REPRESENTING_NAME)
        out.representing_addresses = address_candidates(
            props.text(PR_SENT_REPRESENTING_SMTP_ADDRESS), props.text(PR_SENT_REPRESENTING_EMAIL_ADDRESS)
        )
        out.submit_time = props.time(PR_CLIENT_SUBMIT_TIME)
        out.delivery_time = props.time(PR_MESSAGE_DELIVERY_TIME)
        out.creation_time = props.time(PR_CREATION_TIME)
        out.modification_time = props.time(PR_LAST_MODIFICATION_TIME)
        flags = props.integer(PR_MESSAGE_FLAGS)
        out.unsent = flags is not None and bool(flags & 0x8)
        out.message_id = props.text(PR_INTERNET_MESSAGE_ID)
        out.in_reply_to = props.text(PR_IN_REPLY_TO_ID)
        out.references = props.text(PR_INTERNET_REFERENCES)
        out.display_to = props.text(PR_DISPLAY_TO)
        out.display_cc = props.text(PR_DISPLAY_CC)
        out.display_bcc = props.text(PR_DISPLAY_BCC)
        self._recipients(item, props, out)
        out.body_text = props.raw_text(PR_BODY)
        html_entry = props.entries.get(PR_HTML)
        if html_entry is not None:
            if html_entry.value_type == PT_UNICODE:
                out.body_html = (props.raw_text(PR_HTML) or "").encode("utf-8") or None
                out.html_charset = "utf-8"
            else:
                out.body_html = props.binary(PR_HTML)
                out.html_charset = codepage_charset(props.integer(PR_INTERNET_CPID))
        if not (out.body_text or "").strip() and not out.body_html:
            try:
                out.body_rtf = item.get_rtf_body() or None
            except Exception as exc:
                notes.append(f"RTF body unreadable: {_libpff_cause(exc)}")
        try:
            count = item.number_of_attachments
        except Exception as exc:
            notes.append(f"attachment table unreadable: {_libpff_cause(exc)}")
            count = 0
        for index in range(count):
            out.attachments.append(self._attachment(item, index, depth))
        return out

    def _recipients(self, item: Any, props: _Props, out: OutlookItem) -> None:
        try:
            table = item.recipients
        except Exception as exc:
            out.notes.append(f"recipient table unreadable: {_libpff_cause(exc)}")
            return
        if table is None:
            return
        try:
            count = table.number_of_record_sets
        except Exception as exc:
            out.notes.append(f"recipient table unreadable: {_libpff_cause(exc)}")
            return
        for index in range(count):
            try:
                record_set = table.get_record_set(index)
                entries: dict[int, Any] = {}
                for entry_index in range(record_set.number_of_entries):
                    entry = record_set.get_entry(entry_index)
                    if entry.entry_type is not None and entry.entry_type < 0x8000:
                        entries.setdefault(entry.entry_type, entry)
                row = _Props(entries, props.charset)
                emails = address_candidates(row.text(PR_SMTP_ADDRESS), row.text(PR_EMAIL_ADDRESS))
                out.recipients.append(
                    OutlookRecipient(
                        kind=recipient_kind(row.integer(PR_RECIPIENT_TYPE)),
                        name=row.text(PR_DISPLAY_NAME) or row.text(PR_RECIPIENT_DISPLAY_NAME),
                        email=emails[0] if emails else "",
                    )
                )
            except Exception as exc:
                out.notes.append(f"recipient {index + 1} unreadable: {_libpff_cause(exc)}")

    def _attachment(self, item: Any, index: int, depth: int) -> OutlookAttachment:
        try:
            attachment = item.get_attachment(index)
            props = _Props(_entries(attachment), self.file_charset)
        except Exception as exc:
            return OutlookAttachment(
                filename=f"attachment-{index + 1}.bin", error=f"attachment unreadable: {_libpff_cause(exc)}"
            )
        name = props.text(PR_ATTACH_LONG_FILENAME) or props.text(PR_ATTACH_FILENAME)
        name = name or props.text(PR_DISPLAY_NAME)
        out = OutlookAttachment(filename=name)
        out.declared_mime = props.text(PR_ATTACH_MIME_TAG)
        out.content_id = props.text(PR_ATTACH_CONTENT_ID)
        hidden = props.integer(PR_ATTACHMENT_HIDDEN)
        flags = props.integer(PR_ATTACH_FLAGS)
        out.inline = bool(hidden) or (flags is not None and bool(flags & 0x4))
        method = props.integer(PR_ATTACH_METHOD)
        if method == ATTACH_EMBEDDED_MSG:
            if depth + 1 > MAX_EMBEDDED_DEPTH:
                out.error = f"attached Outlook items nested deeper than {MAX_EMBEDDED_DEPTH}; not read"
                return out
            try:
                embedded = _attached_item(self.pypff, attachment)
                out.item = self._item(embedded, self._props(embedded), depth + 1)
            except Exception as exc:
                out.error = f"attached Outlook item unreadable: {_libpff_cause(exc)}"
            return out
        if method not in (None, 0, ATTACH_BY_VALUE, ATTACH_OLE):
            out.error = {
                2: "linked file (attach by reference): the file itself is not in the .pst",
                3: "linked file (attach by reference): the file itself is not in the .pst",
                4: "linked file (attach by reference): the file itself is not in the .pst",
                7: "web attachment: only a link is stored in the .pst",
            }.get(method, f"attachment method {method} not supported; not extracted")
            return out
        try:
            size = attachment.get_size() or 0
            if size > MAX_ATTACHMENT_BYTES:
                out.error = f"{size} bytes is over the {MAX_ATTACHMENT_BYTES} byte limit; not read"
                return out
            data = attachment.read_buffer(size) if size else b""
        except Exception as exc:
            out.error = f"attachment data unreadable: {_libpff_cause(exc)}"
            return out
        out.data = bytes(data)
        if method == ATTACH_OLE:
            out.error = "OLE object: stored as its raw OLE data"
        if not out.filename:
            out.filename = f"attachment-{index + 1}.bin"
        return out


# pypff has no call for the message inside an "attached Outlook item" attachment, although libpff does
# (libpff_attachment_get_item). The extension module exports both that function and pypff_item_create,
# which wraps a libpff item in the right pypff type; ctypes calls them. The pointer read from the pypff
# object is checked against the attachment's identifier before it is used.
_EMBEDDED_API: tuple[Any, Any, Any, Any] | None = None


def _embedded_api(pypff: Any) -> tuple[Any, Any, Any, Any]:
    global _EMBEDDED_API
    if _EMBEDDED_API is None:
        lib = ctypes.PyDLL(pypff.__file__)
        get_item = lib.libpff_attachment_get_item
        pointer_to_pointer = ctypes.POINTER(ctypes.c_void_p)
        get_item.argtypes = [ctypes.c_void_p, pointer_to_pointer, pointer_to_pointer]
        get_item.restype = ctypes.c_int
        get_identifier = lib.libpff_item_get_identifier
        get_identifier.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_void_p)
        ]
        get_identifier.restype = ctypes.c_int
        create = lib.pypff_item_create
        create.argtypes = [ctypes.c_void_p, ctypes.py_object]
        create.restype = ctypes.py_object
        free_error = lib.libpff_error_free
        free_error.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        free_error.restype = ctypes.c_int
        _EMBEDDED_API = (get_item, get_identifier, create, free_error)
    return _EMBEDDED_API


def _attached_item(pypff: Any, attachment: Any) -> Any:
    """The pypff.message inside an attachment whose method is ATTACH_EMBEDDED_MSG."""
    try:
        get_item, get_identifier, create, free_error = _embedded_api(pypff)
    except (OSError, AttributeError) as exc:
        raise RuntimeError(f"this libpff-python build cannot open attached items ({exc})") from exc
    # struct pypff_item { PyObject_HEAD; libpff_item_t *item; ... }
    pointer = ctypes.c_void_p.from_address(id(attachment) + object.__basicsize__).value
    if not pointer:
        raise RuntimeError("attachment has no libpff item")
    identifier = ctypes.c_uint32()
    error = ctypes.c_void_p()
    if get_identifier(pointer, ctypes.byref(identifier), ctypes.byref(error)) != 1:
        free_error(ctypes.byref(error))
        raise RuntimeError("attachment identifier unreadable")
    if identifier.value != attachment.identifier:
        raise RuntimeError("unexpected pypff object layout; attached item not opened")
    embedded = ctypes.c_void_p()
    error = ctypes.c_void_p()
    if get_item(pointer, ctypes.byref(embedded), ctypes.byref(error)) != 1 or not embedded.value:
        if error.value:
            free_error(ctypes.byref(error))
        raise RuntimeError("libpff could not open the attached item")
    item = create(embedded.value, attachment)  # takes ownership of the libpff item; keeps the parent alive
    if not isinstance(item, pypff.message):
        raise RuntimeError(f"attached item is a {type(item).__name__}, not a message")
    return item
