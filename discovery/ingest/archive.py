"""Provides read_archive: zip/tar/gzip/bzip2/xz members read recursively, with archive-bomb guards."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from discovery.ingest.base import Origin, ReadResult, SourceUnreadable
from discovery.model import SourceFailure

CHUNK = 1024 * 1024


@dataclass
class ArchiveLimits:
    """Guards against archive bombs; hitting one is reported as a source failure, never a crash."""

    max_total_bytes: int = 16 * 1024**3  # all members of one source, nested archives included
    max_member_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0  # uncompressed/compressed, checked for members over ratio_floor bytes
    ratio_floor: int = 8 * 1024 * 1024
    max_depth: int = 5
    max_members: int = 1_000_000
    # A source's budget (issue 12): past this many members that break a guard, or this much time, the whole
    # source is stopped with one problem row, so a 42.zip-style nested bomb is cut short instead of giving a
    # row per leaf. Up to max_guard_hits such members are each reported, once the source is done.
    max_guard_hits: int = 8
    max_seconds: float = 900.0
    used_bytes: int = field(default=0, repr=False)
    members: int = field(default=0, repr=False)
    guard_hits: list[SourceFailure] = field(default_factory=list, repr=False)
    deadline: float = field(default=0.0, repr=False)
    open_archives: int = field(default=0, repr=False)


class LimitHit(Exception):
    """An archive-bomb guard was hit: the message says which."""


class BudgetSpent(Exception):
    """The source's whole budget (members, bytes, guard hits or time) is spent: stop reading it."""


# A dispatcher reads one extracted member file (it is read_file from discovery.ingest.readers).
Dispatch = Callable[[Path, Origin, int, ArchiveLimits], ReadResult]


def read_archive(path: Path, origin: Origin, kind: str, depth: int, limits: ArchiveLimits,
                 dispatch: Dispatch) -> ReadResult:
    """Yield the messages of every member; nested archives are read up to ``limits.max_depth``."""
    if depth >= limits.max_depth:
        yield origin.failure(f"archive nested more than {limits.max_depth} deep; not opened", fatal=True)
        return
    if limits.open_archives == 0:  # the outermost archive of the source keeps the budget
        limits.deadline = time.monotonic() + limits.max_seconds
        limits.open_archives += 1
        try:
            yield from _read_archive(path, origin, kind, depth, limits, dispatch)
        except BudgetSpent as exc:
            limits.guard_hits.clear()
            yield origin.failure(f"archive-bomb guard: {exc}; the rest of this source was not read", fatal=True)
        finally:
            limits.open_archives -= 1
        yield from limits.guard_hits
        limits.guard_hits.clear()
        return
    limits.open_archives += 1
    try:
        yield from _read_archive(path, origin, kind, depth, limits, dispatch)
    finally:
        limits.open_archives -= 1


def _read_archive(path: Path, origin: Origin, kind: str, depth: int, limits: ArchiveLimits,
                  dispatch: Dispatch) -> ReadResult:
    with tempfile.TemporaryDirectory(prefix="discovery-") as tmp:
        tmpdir = Path(tmp)
        try:
            members = _members(path, kind, origin)
            for name, opener, declared, compressed in members:
                limits.members += 1
                if limits.members > limits.max_members:
                    raise BudgetSpent(f"more than {limits.max_members:,} archive members")
                if time.monotonic() > limits.deadline:
                    raise BudgetSpent(f"reading it took more than {limits.max_seconds:.0f} s "
                                      f"({limits.members:,} members)")
                member_origin = origin.member(name)
                target = tmpdir / f"m{limits.members}"
                try:
                    _check_declared(name, declared, compressed, limits)
                    with opener() as src:
                        _copy_limited(src, target, name, declared, compressed, limits)
                except LimitHit as exc:
                    target.unlink(missing_ok=True)
                    if limits.used_bytes >= limits.max_total_bytes:
                        raise BudgetSpent(str(exc)) from None
                    limits.guard_hits.append(member_origin.failure(f"archive-bomb guard: {exc}"))
                    if len(limits.guard_hits) > limits.max_guard_hits:
                        raise BudgetSpent(f"more than {limits.max_guard_hits} members broke the size limits "
                                          f"(first: {limits.guard_hits[0].inner_path}: "
                                          f"{limits.guard_hits[0].reason.removeprefix('archive-bomb guard: ')})"
                                          ) from None
                    continue
                except _MemberError as exc:
                    target.unlink(missing_ok=True)
                    yield member_origin.failure(str(exc))
                    continue
                try:
                    yield from dispatch(target, _with_folder(member_origin, name), depth + 1, limits)
                finally:
                    target.unlink(missing_ok=True)
        except (SourceUnreadable, BudgetSpent):
            raise
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
            raise SourceUnreadable(f"damaged {kind} archive: {type(exc).__name__}: {exc}") from exc


def _with_folder(origin: Origin, name: str) -> Origin:
    from discovery.ingest.layout import folder_label

    parts = PurePosixPath(name).parts[:-1]
    return Origin(origin.path, origin.inner_path, origin.custodian, folder_label(parts) or origin.folder)


class _MemberError(Exception):
    pass


Member = tuple[str, Callable[[], BinaryIO], int | None, int | None]


def _members(path: Path, kind: str, origin: Origin) -> Iterator[Member]:
    if kind == "zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise SourceUnreadable(f"damaged zip archive: {exc}") from exc
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.flag_bits & 0x1:
                    yield info.filename, _raiser(f"encrypted member {info.filename!r} (password-protected zip)"), 0, 0
                    continue
                yield info.filename, _zip_opener(archive, info), info.file_size, info.compress_size
    elif kind == "tar":
        try:
            archive = tarfile.open(path, "r:*")
        except tarfile.TarError as exc:
            raise SourceUnreadable(f"damaged tar archive: {exc}") from exc
        with archive:
            for info in archive:
                if not info.isfile():
                    continue
                yield info.name, _tar_opener(archive, info), info.size, None
    elif kind in ("gzip", "bzip2", "xz"):
        opener = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open}[kind]
        inner = Path(origin.inner_path.rsplit("!", 1)[-1] if origin.inner_path else origin.path).name
        for suffix in (".gz", ".tgz", ".bz2", ".xz", ".z"):
            if inner.lower().endswith(suffix):
                inner = inner[: -len(suffix)] + (".tar" if suffix == ".tgz" else "")
                break
        else:
            inner = inner + ".decompressed"
        compressed = path.stat().st_size
        yield inner, lambda: opener(path, "rb"), None, compressed  # type: ignore[operator]
    else:
        raise SourceUnreadable(f"not an archive kind: {kind}")


def _raiser(reason: str) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        raise _MemberError(reason)

    return open_member


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        try:
            return archive.open(info)  # type: ignore[return-value]
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
            raise _MemberError(f"cannot open member {info.filename!r}: {exc}") from exc

    return open_member


def _tar_opener(archive: tarfile.TarFile, info: tarfile.TarInfo) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        handle = archive.extractfile(info)
        if handle is None:
            raise _MemberError(f"cannot open member {info.name!r}")
        return handle  # type: ignore[return-value]

    return open_member


def _check_size(name: str, size: int, compressed: int | None, limits: ArchiveLimits, *, declared: bool) -> None:
    """Raise LimitHit when a member of this (declared or counted) size breaks a guard."""
    verb = "declares" if declared else "expands to"
    if size > limits.max_member_bytes:
        raise LimitHit(f"member {name!r} {verb} more than {limits.max_member_bytes} bytes")
    if limits.used_bytes + size > limits.max_total_bytes:
        limits.used_bytes = limits.max_total_bytes
        raise LimitHit(f"archive expands past {limits.max_total_bytes} bytes in total")
    if compressed and size > limits.ratio_floor and size / compressed > limits.max_ratio:
        raise LimitHit(
            f"member {name!r} {verb} {size / compressed:.0f}x its compressed size ({compressed} to {size} bytes), "
            f"over the {limits.max_ratio:.0f}x limit"
        )


def _check_declared(name: str, declared: int | None, compressed: int | None, limits: ArchiveLimits) -> None:
    if declared is not None:
        _check_size(name, declared, compressed, limits, declared=True)


def _copy_limited(src: BinaryIO, target: Path, name: str, declared: int | None, compressed: int | None,
                  limits: ArchiveLimits) -> None:
    """Copy a member out, counting what it really expands to (headers can lie)."""
    written = 0
    try:
        with open(target, "wb") as out:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                _check_size(name, written, compressed, limits, declared=False)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
        raise _MemberError(f"member {name!r} is damaged: {type(exc).__name__}: {exc}") from exc
    limits.used_bytes += written
