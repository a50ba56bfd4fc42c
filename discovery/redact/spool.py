"""Provides Spool: a scratch file that pieces are appended to in one order and read back in another, so that a
file written in Bates order never has to be whole in memory."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

Piece = tuple[int, int]  # (offset, length) in the spool


class Spool:
    """Append pieces, read them back by (offset, length); ``remove`` deletes the scratch file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO = open(path, "w+b")  # noqa: SIM115  # closed by remove()
        self._size = 0

    def add(self, data: bytes) -> Piece:
        self._handle.seek(self._size)
        self._handle.write(data)
        piece = (self._size, len(data))
        self._size += len(data)
        return piece

    def read(self, piece: Piece) -> bytes:
        offset, length = piece
        self._handle.seek(offset)
        return self._handle.read(length)

    def copy(self, pieces: list[Piece], out: BinaryIO, separator: bytes = b"") -> None:
        """Write the pieces to out in the order given, separator between them."""
        for n, piece in enumerate(pieces):
            if n and separator:
                out.write(separator)
            out.write(self.read(piece))

    def remove(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)
