"""Provides prepare_batch: the per-document work of a production that needs no store and no shared state (finding
every redacted value, reading the original MIME tree), run in worker processes under --jobs N or in line."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from discovery.redact.finder import Match, ValueFinder
from discovery.redact.mimetree import mime_skeleton
from discovery.redact.production import MimePart, WithheldUnit
from discovery.store import decompress_raw


@dataclass(frozen=True, slots=True)
class DocWork:
    """What a worker needs of one document: its fields and, when a mail format is produced, its stored original
    (compressed, as stored) with the reviewed body and the case ids of the messages forwarded inside it."""

    fields: list[tuple[str, str]]
    raw: bytes | None = None
    body_source: str = ""
    body_text: str = ""
    children: dict[int, str] | None = None


@dataclass(frozen=True, slots=True)
class DocPrepared:
    """A worker's answer for one document."""

    matches: list[Match]
    mime: tuple[MimePart, ...] = ()
    mime_withheld: tuple[WithheldUnit, ...] = ()


def prepare(finder: ValueFinder, work: DocWork) -> DocPrepared:
    """The matches of a document's fields (none when it has no fields) and, when its original is given, its MIME
    skeleton."""
    matches = finder.find(work.fields) if work.fields else []
    if work.raw is None:
        return DocPrepared(matches)
    mime, withheld = mime_skeleton(decompress_raw(work.raw), work.body_source, work.body_text, work.children)
    return DocPrepared(matches, mime, tuple(withheld))


_FINDER: ValueFinder | None = None


def init_worker(needles: Sequence[tuple[str, int]], marks: Sequence[str], parent_pid: int) -> None:
    """Pool initializer: end with the parent; build this process's automaton once (batches carry no needles)."""
    global _FINDER
    from discovery.workers import die_with_parent

    die_with_parent(parent_pid)
    _FINDER = ValueFinder(needles, marks)


def prepare_batch(batch: Sequence[DocWork]) -> list[DocPrepared]:
    """In a worker process: prepare each document of a batch."""
    assert _FINDER is not None, "init_worker was not called in this process"
    return [prepare(_FINDER, work) for work in batch]


def worker_args(needles: Sequence[tuple[str, int]], marks: Sequence[str]) -> tuple[object, ...]:
    """initargs for a pool whose initializer is init_worker."""
    return (list(needles), list(marks), os.getpid())
