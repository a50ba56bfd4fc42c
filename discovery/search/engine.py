"""Provides the Whoosh boundary: the only module that imports whoosh. Schema and analyzers, index storage,
locks and damage checks, a fast segment writer for pre-analysed documents, bulk readers of posting lists and
columns (used by execute.py), Whoosh queries for a search plan (to cross-check execute.py), and the stock
behaviours behind the pitfalls the tests document.

Everything else in discovery.search talks to Whoosh through the names defined here, so that moving to
another fork or another engine touches this one module. Several functions use private attributes of
whoosh-reloaded 2.7.5 (pinned); the tests compare their results with Whoosh's own code paths.
"""

# ruff: noqa: E402  (whoosh is imported after defer_unused_imports())
from __future__ import annotations

import hashlib
import pickle
import random
import string
import struct
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import accumulate, starmap
from operator import itemgetter, sub
from pathlib import Path
from types import MethodType
from typing import Any

from discovery.search.deferred import defer_unused_imports

defer_unused_imports()  # before whoosh loads: stand-ins for what it imports and a search never uses

from whoosh import columns, index
from whoosh import fields as wf
from whoosh import query as wq
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import STOP_WORDS as _STOP_WORDS
from whoosh.codec.whoosh3 import STORED_COLUMN, WHOOSH3_HEADER_MAGIC, W3PostingsWriter
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.porter import stem as _porter_stem
from whoosh.matching import AndNotMatcher
from whoosh.query import spans
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.support.charset import accent_map as _accent_map
from whoosh.util.filelock import try_for
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import NO_MERGE, SegmentWriter

from discovery.search.fields import (
    ADDRESS_FIELDS,
    DATE_FIELD,
    DOMAIN_FIELDS,
    ID_FIELD,
    KEYWORD_FIELDS,
    NAME_FIELDS,
    TEXT_FIELDS,
    VOCAB_FIELD,
)

_unpack_uint = struct.Struct("!I").unpack_from
# The index format: bump it whenever what the index holds for a message changes (fields, keyword values), so that an
# index built before is rebuilt from the store (with a notice) instead of giving incomplete results. It is written
# next to the index files (SCHEMA_FILE); indexes older than format 3 have no such file.
#   2: first release. 3: PII types and review states (pii:, has:pii).
SCHEMA_VERSION = "4"  # 4: exemption field, has:redaction, kind:document (issue 11)
SCHEMA_FILE = "discovery-index-format"
INDEX_NAME = "MAIN"
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS)
ACCENT_MAP: dict[int, str] = dict(_accent_map)
stem = _porter_stem

Query = wq.Query
Index = index.FileIndex
Searcher = WhooshSearcher

__all__ = [
    "ACCENT_MAP", "SCHEMA_VERSION", "STOP_WORDS", "FastWriter", "Index", "IndexLocked", "IndexOpenError",
    "IndexOutdated", "Prepared",
    "Query", "Searcher", "build_schema", "create_index", "open_index", "stem",
]


class IndexOpenError(Exception):
    """The index folder exists but cannot be opened or read (damaged, partial, or an older schema)."""


class IndexOutdated(IndexOpenError):
    """The index was built by another version of discovery (another index format): rebuild it from the store."""


class IndexLocked(Exception):
    """Another writer holds the index lock."""


# -- schema ---------------------------------------------------------------------------------------------
_WORD_PATTERN = r"\w+"


def text_analyzer() -> Any:
    """The analyzer of stemmed text fields; discovery.search.analysis implements the same rules faster."""
    return (RegexTokenizer(_WORD_PATTERN) | LowercaseFilter() | CharsetFilter(_accent_map)
            | StopFilter() | StemFilter())


def name_analyzer() -> Any:
    """The analyzer of name fields: words lowercased and accent-folded, nothing dropped or stemmed."""
    return RegexTokenizer(_WORD_PATTERN) | LowercaseFilter() | CharsetFilter(_accent_map)


def build_schema() -> wf.Schema:
    """The index schema. Only ids are stored; the case store keeps every text (snippets come from it)."""
    schema = wf.Schema()
    schema.add(ID_FIELD, wf.ID(stored=True, unique=True))
    for name in TEXT_FIELDS:
        schema.add(name, wf.TEXT(analyzer=text_analyzer(), phrase=True))
    for name in NAME_FIELDS:
        schema.add(name, wf.TEXT(analyzer=name_analyzer(), phrase=True))
    for name in (*ADDRESS_FIELDS.values(), *DOMAIN_FIELDS.values(), *KEYWORD_FIELDS, VOCAB_FIELD):
        schema.add(name, wf.ID(sortable=name == "thread"))
    # The date lives in a column (sorting, ranges); its tiered numeric terms (8 per message, mostly unique)
    # made up a large share of all terms and are not indexed. 'day' and 'month' keywords serve Whoosh queries.
    schema.add(DATE_FIELD, wf.DATETIME(sortable=True))
    return schema


def scorable_fields() -> tuple[str, ...]:
    return (*TEXT_FIELDS, *NAME_FIELDS)


def date_column_value(schema: wf.Schema, when: datetime) -> int:
    return int(schema[DATE_FIELD].to_column_value(when))


# -- storage --------------------------------------------------------------------------------------------
def create_index(folder: Path) -> Index:
    """Create an empty index in ``folder`` (which must not hold one)."""
    storage = FileStorage(str(folder)).create()
    ix = storage.create_index(build_schema(), indexname=INDEX_NAME)
    (Path(folder) / SCHEMA_FILE).write_text(SCHEMA_VERSION + "\n", encoding="utf-8")
    return ix


def index_format(folder: Path) -> str:
    """The format the index in folder was built with ('' if it predates format files, or has none)."""
    try:
        return (Path(folder) / SCHEMA_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def index_exists(folder: Path) -> bool:
    """True if the folder holds an index table of contents (whether or not it is readable)."""
    return folder.is_dir() and any(folder.glob(f"_{INDEX_NAME}_*.toc"))


def open_index(folder: Path) -> Index:
    """Open the index and check that every segment it lists can be read; IndexOpenError if not (IndexOutdated
    when it was built by another version of discovery)."""
    try:
        ix = index.open_dir(str(folder), indexname=INDEX_NAME)
        found = index_format(folder)
        if found != SCHEMA_VERSION or set(ix.schema.names()) != set(build_schema().names()):
            detail = f"index format {found}" if found else "an older index format"
            raise IndexOutdated(f"the search index was built by another version of discovery ({detail}; this "
                                f"one uses format {SCHEMA_VERSION})")
        with ix.reader() as reader:
            reader.doc_count()
            for name in (ID_FIELD, "body"):
                for _ in zip(range(1), reader.lexicon(name), strict=False):
                    pass
        return ix
    except IndexOpenError:
        raise
    except Exception as exc:  # Whoosh raises many types on damage: EmptyIndexError, OSError, EOFError, ...
        raise IndexOpenError(f"{type(exc).__name__}: {exc}") from exc


def verify_index(folder: Path) -> str:
    """A thorough read ('' when sound, else what failed): every term of every field in every segment, and the
    postings of the last term of each field (the end of its region of the postings file)."""
    try:
        ix = index.open_dir(str(folder), indexname=INDEX_NAME)
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                for fieldname in leaf.indexed_field_names():
                    last = None
                    for last in leaf.lexicon(fieldname):  # noqa: B007
                        pass
                    if last is not None:
                        term_postings(leaf, fieldname, last.decode("utf-8"), values=True)
        return ""
    except Exception as exc:  # noqa: BLE001 - any failure to read is damage
        return f"{type(exc).__name__}: {exc}"


def latest_generation(folder: Path) -> int:
    try:
        return int(index.TOC._latest_generation(FileStorage(str(folder)), INDEX_NAME))
    except Exception:
        return -1


def lock_file(folder: Path, name: str) -> Any:
    """A cross-process file lock (fcntl/msvcrt) at folder/name: ``acquire(blocking)``, ``release()``."""
    return FileStorage(str(folder)).lock(name)


def acquire(lock: Any, timeout: float) -> None:
    """Take a file lock, waiting up to ``timeout`` seconds; IndexLocked if another process keeps it."""
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):
        raise IndexLocked()


# -- writing --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Prepared:
    """One document ready to write: postings per field, field lengths, column values and the stored id."""

    id: str
    postings: dict[str, list[tuple[bytes, int, float, bytes]]]
    lengths: dict[str, int] = field(default_factory=dict)
    thread: str = ""
    date: int | None = None


class FastWriter(SegmentWriter):
    """A SegmentWriter that takes pre-analysed documents and writes its postings term by term.

    Whoosh's own writer pushes every posting through a sorting pool (tuples, pickled runs, a heap merge)
    and re-reads each document's field length per posting. Documents arrive here in docnum order, so each
    term's posting list is already sorted: we keep one list per term and write blocks directly, with
    the lengths we computed. Segments it writes are ordinary Whoosh segments. Merges of existing
    segments are left to Whoosh's stock writer (see ``merge_small``).
    """

    def __init__(self, ix: Index, *, lock: bool, timeout: float = 0.0) -> None:
        try:
            # compound=False: whoosh-reloaded's BufferFile copies a compound segment's postings into memory
            # every time a reader opens it (hundreds of MB at 100k messages); plain files are read in place.
            super().__init__(ix, _lk=lock, timeout=timeout, delay=0.05, compound=False)
        except index.LockError as exc:
            raise IndexLocked() from exc
        self._terms: dict[str, dict[bytes, tuple[array[int], list[bytes]]]] = {}
        self._lens: dict[str, array[int]] = {name: array("I") for name in scorable_fields()}
        self._thread_column = self.schema["thread"].column_type
        self._date_column = self.schema[DATE_FIELD].column_type
        self._vocabulary: dict[str, int] = {}

    def add_prepared(self, doc: Prepared) -> int:
        """Add one document; returns its document number within the new segment."""
        self._check_state()
        docnum = self.docnum
        local = docnum - self.docbase
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        terms = self._terms
        for fieldname, items in doc.postings.items():
            fterms = terms.get(fieldname)
            if fterms is None:
                fterms = terms[fieldname] = {}
            for tbytes, _freq, _weight, vbytes in items:
                entry = fterms.get(tbytes)
                if entry is None:
                    fterms[tbytes] = (array("I", (local,)), [vbytes])
                else:
                    entry[0].append(local)
                    entry[1].append(vbytes)
        schema = self.schema
        pdw.add_field(ID_FIELD, schema[ID_FIELD], doc.id, 0)
        for name, lens in self._lens.items():
            length = doc.lengths.get(name, 0)
            lens.append(byte_to_length(length_to_byte(length)) if length else 0)
            if length:
                pdw.add_field(name, schema[name], None, length)
        if doc.thread:
            pdw.add_column_value("thread", self._thread_column, doc.thread.encode("utf-8"))
        if doc.date is not None:
            pdw.add_column_value(DATE_FIELD, self._date_column, doc.date)
        pdw.finish_doc()
        self._added = True
        self.docnum += 1
        return local

    def field_terms(self, fieldname: str) -> dict[bytes, tuple[array[int], list[bytes]]]:
        """The segment's term -> (local document numbers, values) lists of one field, for analysers that append
        a document's postings themselves before ``add_prepared`` adds the rest of it (in docnum order)."""
        fterms = self._terms.get(fieldname)
        if fterms is None:
            fterms = self._terms[fieldname] = {}
        return fterms

    def add_vocabulary(self, words: dict[str, int]) -> None:
        """Record unstemmed words (word -> local docnum of the first document that has it)."""
        for word, docnum in words.items():
            self._vocabulary.setdefault(word, docnum)

    def doc_count(self) -> int:
        return self.docnum - self.docbase

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        if self._vocabulary:
            vterms = self._terms.setdefault(VOCAB_FIELD, {})
            for word, docnum in self._vocabulary.items():
                tbytes = word.encode("utf-8")
                if tbytes not in vterms:
                    vterms[tbytes] = (array("I", (docnum,)), [b""])
        fw = self.fieldwriter
        schema = self.schema
        for fieldname in sorted(self._terms):
            fieldobj = schema[fieldname]
            fw.start_field(fieldname, fieldobj)
            standard = fw._postwriter  # noqa: SLF001
            fw._postwriter = _FastPostingsWriter(  # noqa: SLF001
                standard._postfile, standard._blocklimit, compression=standard._compression)  # noqa: SLF001
            _write_field(fw, self._terms[fieldname], fieldobj.format.fixed_value_size(), self._lens.get(fieldname))
            fw.finish_field()
        tindex = fw._tindex  # noqa: SLF001
        if type(tindex)._write_hashes is filetables.HashWriter._write_hashes:  # noqa: SLF001
            tindex._write_hashes = MethodType(_write_hashes, tindex)  # noqa: SLF001
        fw.close()
        self._terms.clear()

    def finish_segment(self) -> Any:
        """Write the segment's files (no lock, no TOC): for worker processes. Returns the Segment."""
        segment = self._finalize_segment() if self._added else None
        if not self._added:
            self._close_segment()
        self.is_closed = True
        return segment

    def commit_segments(self, extra: Sequence[Any], *, merge: bool = False) -> None:
        """Commit this writer's deletions, its own documents and segments written elsewhere, then unlock."""
        self._check_state()
        segments = list(self._merge_segments(None if merge else NO_MERGE, False, merge))
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        segments.extend(s for s in extra if s is not None)
        self._commit_toc(segments)
        self._finish()

    def set_generation(self, value: int) -> None:
        self.generation = value



class _FastPostingsWriter(W3PostingsWriter):
    """W3PostingsWriter with a leaner block writer: same block format (the reader checks each block's
    compression flag), but blocks too small to gain from zlib are stored uncompressed, which Whoosh meant
    to do (its size check is overwritten by the next line) and which halves the cost of writing the many
    terms that occur in one or two documents."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        count = len(ids)
        deltas = (ids[0],) if count == 1 else tuple(accumulate_deltas(ids))
        weights = self._weights
        first = weights[0]
        mini_weights = None if first == 1.0 and weights.count(first) == count else (
            first if weights.count(first) == count else tuple(weights))
        fixed = self._format.fixed_value_size()
        values = self._values
        mini_values = tuple(values) if fixed is None or fixed < 0 else (None if fixed == 0 else b"".join(values))
        databytes = pickle.dumps((deltas, mini_weights, mini_values), 2)
        compression = self._compression if len(databytes) >= 128 else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        infobytes = pickle.dumps((count, ids[-1], self._maxweight, compression, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


def accumulate_deltas(ids: Sequence[int]) -> Iterator[int]:
    """Delta encoding of sorted ids (the first id as is)."""
    previous = 0
    for value in ids:
        yield value - previous
        previous = value


_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's header: flags, weight, df, min/max length, max weight, ids
_EXTENT = struct.Struct("!qi")  # then where its postings are: offset (pack_long) and length (pack_int)
_BLOCK_LENGTH = struct.Struct("!i")
_FIELD_ID = struct.Struct("!H")


def _write_field(fw: Any, fterms: dict[bytes, tuple[array[int], list[bytes]]], fixed: int | None,
                 lens: array[int] | None) -> None:
    """Write one field's terms, in order, into the term dictionary and the postings file.

    A real vocabulary is mostly terms found in one or a few documents, so the cost is per term, not per
    posting: the bytes of each posting list that fits one block (all but the most common terms) are built
    here in one go, as ``_write_term`` and Whoosh's W3 writer would write them (a test compares the files
    byte for byte), and written with their term dictionary entries in large pieces (``_add_terms``). Longer
    lists are cut into blocks by ``_term_blocks``, the same way.
    """
    pw = fw._postwriter  # noqa: SLF001
    postfile, limit, level = pw._postfile, pw._blocklimit, pw._compression  # noqa: SLF001
    tindex = fw._tindex  # noqa: SLF001
    prefix = _FIELD_ID.pack(fw._fieldid)  # noqa: SLF001
    positional = fixed != 0
    variable = fixed is None or fixed < 0
    dumps, compress = pickle.dumps, zlib.compress
    pack_block, pack_info, pack_extent = _BLOCK_LENGTH.pack, _TERMINFO.pack, _EXTENT.pack
    unpack_uint = _unpack_uint
    lens_at = lens.__getitem__ if lens is not None else None
    pieces: list[bytes] = []
    entries: list[tuple[bytes, bytes]] = []  # term dictionary rows not yet written
    position = postfile.tell()
    for tbytes in sorted(fterms):
        ids, values = fterms[tbytes]
        count = len(ids)
        if count > limit:  # the most common terms: several blocks
            extent, info = _term_blocks(ids, values, positional, variable, lens_at, limit, level, pieces)
            entries.append((prefix + tbytes, info + pack_extent(position, extent)))
            position += extent
            if len(pieces) >= 4096:
                postfile.write(b"".join(pieces))
                pieces.clear()
            continue
        first_id, last_id = ids[0], ids[-1]
        if count == 1:  # most terms of a real vocabulary
            maxweight = total = float(unpack_uint(values[0], 0)[0]) if positional else 1.0
            mini_weights: Any = None if maxweight == 1.0 else maxweight
            minlength: int | None = None
            maxlength = 0
            if lens_at is not None:
                length = lens_at(first_id)
                if length:
                    minlength = maxlength = length
            deltas: tuple[int, ...] = (first_id,)
        else:
            if positional:
                weights = list(map(float, map(_first, map(unpack_uint, values))))
                first = weights[0]
                maxweight = max(weights)
                total = sum(weights)
                if weights.count(first) == count:
                    mini_weights = None if first == 1.0 else first
                else:
                    mini_weights = tuple(weights)
            else:
                maxweight, total, mini_weights = 1.0, float(count), None
            minlength, maxlength = None, 0
            if lens_at is not None:
                lengths = list(map(lens_at, ids))
                shortest = min(lengths)
                if not shortest:
                    lengths = [n for n in lengths if n]
                if lengths:
                    minlength, maxlength = min(lengths), max(lengths)
            deltas = (first_id, *map(sub, ids[1:], ids))
        mini_values = (tuple(values) if variable else (b"".join(values) if positional else None))
        data = dumps((deltas, mini_weights, mini_values), 2)
        compression = level if len(data) >= 128 else 0
        if compression:
            data = compress(data, compression)
        minbyte, maxbyte = length_to_byte(minlength), length_to_byte(maxlength)
        info = dumps((count, last_id, maxweight, compression, minbyte, maxbyte), 2)
        length = len(info) + len(data)
        pieces += (WHOOSH3_HEADER_MAGIC, pack_block(-length), info, data)
        extent = 8 + length  # magic, block length, block
        entries.append((prefix + tbytes, pack_info(False, total, count, minbyte, maxbyte, maxweight, first_id, last_id)
                        + pack_extent(position, extent)))
        position += extent
        if len(pieces) >= 4096:
            postfile.write(b"".join(pieces))
            pieces.clear()
    postfile.write(b"".join(pieces))
    _add_terms(tindex, entries)


def _term_blocks(ids: array[int], values: list[bytes], positional: bool, variable: bool,
                 lens_at: Callable[[int], int] | None, limit: int, level: int, pieces: list[bytes]
                 ) -> tuple[int, bytes]:
    """A posting list longer than one block, as ``_write_term`` writes it through Whoosh's writer (a test compares
    the bytes): its blocks appended to pieces; returns (bytes appended, its term-info header). Per posting,
    only C-level maps: no writer calls, no per-posting Python."""
    dumps, compress = pickle.dumps, zlib.compress
    pack_block = _BLOCK_LENGTH.pack
    total = len(ids)
    extent = len(WHOOSH3_HEADER_MAGIC)
    pieces.append(WHOOSH3_HEADER_MAGIC)
    weight_sum = 0.0
    maxweight = 0.0
    minlength: int | None = None
    maxlength = 0
    for start in range(0, total, limit):
        end = min(total, start + limit)
        block_ids = ids[start:end]
        count = end - start
        if positional:
            block_values = values[start:end]
            weights = list(map(float, map(_first, map(_unpack_uint, block_values))))
        else:
            block_values = None
            weights = [1.0] * count
        block_max = max(weights)
        weight_sum += sum(weights)
        maxweight = max(maxweight, block_max)
        block_min: int | None = None
        block_maxlength = 0
        if lens_at is not None:
            lengths = list(map(lens_at, block_ids))
            block_min = min(filter(None, lengths), default=None)
            if block_min is not None:
                block_maxlength = max(lengths)
        if block_min is not None:
            minlength = block_min if minlength is None else min(minlength, block_min)
        maxlength = max(maxlength, block_maxlength)
        first = weights[0]
        same = weights.count(first) == count
        mini_weights: Any = (None if first == 1.0 else first) if same else tuple(weights)
        deltas = (block_ids[0], *map(sub, block_ids[1:], block_ids))
        if block_values is None:
            mini_values: Any = None
        else:
            mini_values = tuple(block_values) if variable else b"".join(block_values)
        data = dumps((deltas, mini_weights, mini_values), 2)
        compression = level if len(data) >= 128 else 0
        if compression:
            data = compress(data, compression)
        info = dumps((count, block_ids[-1], block_max, compression, length_to_byte(block_min),
                      length_to_byte(block_maxlength)), 2)
        length = len(info) + len(data)
        pieces += (pack_block(-length if end == total else length), info, data)
        extent += 4 + length
    header = _TERMINFO.pack(False, weight_sum, total, length_to_byte(minlength), length_to_byte(maxlength), maxweight,
                            ids[0], ids[-1])
    return extent, header


_first = itemgetter(0)
_HASH_LENGTHS = struct.Struct("!ii")  # a hash file row's key and value lengths (whoosh.filedb.filetables._lengths)
_HASH_POINTER = struct.Struct("!Iq")  # a hash table slot: hash value, row position (filetables._pointer)


def _add_terms(tindex: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` of many rows at once (keys in increasing order): the same bytes, hash buckets
    and position index as one call per row, with one write."""
    if not entries:
        return
    dbfile = tindex.dbfile
    position = dbfile.tell()
    last = tindex.lastkey
    buckets = tindex.buckets
    hashfn = tindex.hashfn if tindex.hashfn is not filetables.md5_hash else None  # None: md5, inlined below
    md5, from_bytes = hashlib.md5, int.from_bytes
    pack = _HASH_LENGTHS.pack
    pieces: list[bytes] = []
    positions: list[int] = []
    for key, value in entries:
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        positions.append(position)
        pieces += (pack(len(key), len(value)), key, value)
        # md5_hash's value (the digest's low 32 bits) without its hex round trip
        h = from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big") if hashfn is None else hashfn(key)
        buckets[h & 255].append((h, position))
        position += 8 + len(key) + len(value)
        last = key
    dbfile.write(b"".join(pieces))
    tindex.lastkey = last
    _extend_index(tindex.index, positions)


def _extend_index(index: Any, positions: list[int]) -> None:
    """GrowableArray.extend in C: the array widens itself (retypes) on the first value that does not fit, so on an
    overflow the values are appended one by one as Whoosh does."""
    raw = getattr(index, "array", None)
    if isinstance(raw, array):
        size = len(raw)
        try:
            raw.extend(positions)
            return
        except OverflowError:
            del raw[size:]
    for position in positions:
        index.append(position)


def _write_hashes(self: Any) -> None:
    """HashWriter._write_hashes with each bucket's table written in one piece (same bytes)."""
    dbfile = self.dbfile
    null = (0, 0)
    pack = _HASH_POINTER.pack
    for entries in self.buckets:
        pos = dbfile.tell()
        numslots = 2 * len(entries)
        self.directory.append((pos, numslots))
        hashtable = [null] * numslots
        for hashval, position in entries:
            slot = (hashval >> 8) % numslots
            while hashtable[slot] != null:
                slot = (slot + 1) % numslots
            hashtable[slot] = (hashval, position)
        dbfile.write(b"".join(starmap(pack, hashtable)))


def _write_term(fw: Any, tbytes: bytes, ids: array[int], values: list[bytes], positional: bool,
                lens: array[int] | None) -> None:
    """Write one term's posting list in blocks through Whoosh's own field and postings writers (start_term,
    finish_term), as W3PostingsWriter.add_posting would, minus per-call checks: the reference that the tests hold
    ``_write_field``'s fast paths to, byte for byte.

    Positional values start with the term's frequency (Whoosh's Positions format), which is also its
    weight; other fields are Existence fields (weight 1, no value). ``lens`` holds each document's field
    length already quantized the way Whoosh stores it.
    """
    fw.start_term(tbytes)
    pw = fw._postwriter  # noqa: SLF001
    limit = pw._blocklimit  # noqa: SLF001
    total = len(ids)
    for start in range(0, total, limit):
        if start:
            pw._write_block()  # noqa: SLF001
        end = min(total, start + limit)
        block_ids = ids[start:end]
        pw._ids.extend(block_ids)  # noqa: SLF001
        if positional:
            block = values[start:end]
            weights = list(map(float, map(_first, map(_unpack_uint, block))))
            pw._values.extend(block)  # noqa: SLF001
        else:
            weights = [1.0] * (end - start)
        pw._weights.extend(weights)  # noqa: SLF001
        pw._maxweight = max(weights)  # noqa: SLF001
        if lens is not None:
            nonzero = [n for n in map(lens.__getitem__, block_ids) if n]
            if nonzero:
                pw._minlength = min(nonzero)  # noqa: SLF001
                pw._maxlength = max(nonzero)  # noqa: SLF001
    fw.finish_term()


def random_suffix(n: int = 8) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=n))


def merge_small(ix: Index, timeout: float) -> int:
    """Merge small segments with Whoosh's stock writer (off the write path). Returns the segment count."""
    try:
        writer = ix.writer(timeout=timeout, compound=False)
    except index.LockError as exc:
        raise IndexLocked() from exc
    writer.commit()  # default policy: MERGE_SMALL
    return len(ix.refresh()._segments())


def segment_count(ix: Index) -> int:
    return len(ix._segments())  # noqa: SLF001


def delete_ids(writer: SegmentWriter, ids: Iterable[str]) -> int:
    """Mark the documents with these ids deleted in the writer's existing segments."""
    count = 0
    if not writer.segments:
        return 0
    with writer.searcher() as searcher:
        for key in ids:
            for docnum in searcher.document_numbers(**{ID_FIELD: key}):
                writer.delete_document(docnum)
                count += 1
    return count


# -- Whoosh queries (the plan's equivalent in Whoosh's own matchers, for cross-checks) ------------------------
def q_term(fieldname: str, text: str, boost: float = 1.0) -> Query:
    return wq.Term(fieldname, text, boost=boost)


def q_phrase(fieldname: str, words: Sequence[str], boost: float = 1.0) -> Query:
    if len(words) == 1:
        return wq.Term(fieldname, words[0], boost=boost)
    return wq.Phrase(fieldname, list(words), slop=1, boost=boost)


def q_near(fieldname: str, words: Sequence[str], distance: int, boost: float = 1.0) -> Query:
    """Every word with at most ``distance`` other words between it and the next, in any order."""
    if len(words) == 1:
        return wq.Term(fieldname, words[0], boost=boost)
    near = spans.SpanNear2([wq.Term(fieldname, w) for w in words], slop=distance + 1, ordered=False, mindist=1)
    near.boost = boost
    return near


def q_and(parts: Sequence[Query]) -> Query:
    if any(p is wq.NullQuery for p in parts) or not parts:
        return wq.NullQuery
    return parts[0] if len(parts) == 1 else wq.And(list(parts))


def q_or(parts: Sequence[Query]) -> Query:
    kept = [p for p in parts if p is not wq.NullQuery]
    if not kept:
        return wq.NullQuery
    return kept[0] if len(kept) == 1 else wq.Or(kept)


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's AndNotMatcher checks its first document against the excluded matcher only when both start on
    the same document; when the excluded one starts earlier, the first document leaks through all_ids()
    (so 'a -b' counted a document that has b). Align them from the start."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):  # type: ignore[misc]
    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(scored, excluded)


def q_and_not(positive: Query, negative: Query) -> Query:
    if negative is wq.NullQuery or positive is wq.NullQuery:
        return positive
    return _AndNot(positive, negative)


def q_every() -> Query:
    return wq.Every()


def q_none() -> Query:
    return wq.NullQuery


# -- reading --------------------------------------------------------------------------------------------
def open_searcher(ix: Index) -> Searcher:
    return ix.searcher()


def searcher_up_to_date(searcher: Searcher) -> bool:
    return bool(searcher.up_to_date())


def field_terms(searcher: Searcher, fieldname: str, prefix: str = "") -> Iterator[str]:
    """Every term of a field (merged over segments), optionally only those starting with prefix."""
    reader = searcher.reader()
    if prefix:
        for tbytes in reader.expand_prefix(fieldname, prefix):
            yield tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes
        return
    for tbytes in reader.lexicon(fieldname):
        yield tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes


def leaf_terms(leaf: Any, fieldname: str) -> list[str]:
    """Every term of a field in one segment."""
    if fieldname not in leaf.indexed_field_names():
        return []
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in leaf.lexicon(fieldname)]


def has_term(searcher: Searcher, fieldname: str, text: str) -> bool:
    return (fieldname, text) in searcher.reader()


def doc_frequency(searcher: Searcher, fieldname: str, text: str) -> int:
    return int(searcher.reader().doc_frequency(fieldname, text))


def doc_count(searcher: Searcher) -> int:
    return int(searcher.doc_count())


def whoosh_query(node: Any, searcher: Searcher) -> Query:
    """The Whoosh query for a search plan (discovery.search.plan): what Whoosh's own matchers would return,
    used to cross-check execute.py."""
    from discovery.search import plan as p

    if isinstance(node, p.Term):
        return q_term(node.field, node.text, node.boost)
    if isinstance(node, p.Phrase):
        if node.near is not None:
            return q_near(node.field, node.terms, node.near, node.boost)
        return q_phrase(node.field, node.terms, node.boost)
    if isinstance(node, p.DateIn):  # the days in range that the index holds
        low = node.start.strftime("%Y-%m-%d") if node.start else ""
        high = node.end.strftime("%Y-%m-%d") if node.end else "~"
        return q_or([q_term("day", d) for d in field_terms(searcher, "day") if low <= d < high])
    if isinstance(node, p.All):
        return q_every()
    if isinstance(node, p.And):
        return q_and([whoosh_query(n, searcher) for n in node.items])
    if isinstance(node, p.Or):
        return q_or([whoosh_query(n, searcher) for n in node.items])
    if isinstance(node, p.AndNot):
        return q_and_not(whoosh_query(node.positive, searcher), whoosh_query(node.negative, searcher))
    return q_none()


def whoosh_docs(searcher: Searcher, q: Query) -> list[int]:
    return sorted(searcher.docs_for_query(q))


def stored_id(searcher: Searcher, docnum: int) -> str:
    return str(searcher.stored_fields(docnum)[ID_FIELD])


def stored_ids(searcher: Searcher, docnums: Sequence[int]) -> list[str]:
    """The message ids of many documents (global docnums), reading each segment's stored-fields column once
    instead of seeking in it per document. Same values as ``stored_id``; falls back to it per document for a
    segment whose column is not the whoosh3 layout this reads."""
    if len(docnums) < 64:
        return [stored_id(searcher, d) for d in docnums]
    leaves = leaf_segments(searcher)
    starts = [offset for _, offset, _ in leaves]
    out = [""] * len(docnums)
    by_leaf: dict[int, list[int]] = {}
    for position, docnum in enumerate(docnums):
        by_leaf.setdefault(bisect_right(starts, docnum) - 1, []).append(position)
    for which, positions in by_leaf.items():
        _, offset, leaf = leaves[which]
        values = _bulk_stored_ids(leaf, [docnums[i] - offset for i in positions])
        if values is None:
            values = [stored_id(searcher, docnums[i]) for i in positions]
        for i, value in zip(positions, values, strict=True):
            out[i] = value
    return out


def _bulk_stored_ids(leaf: Any, local: list[int]) -> list[str] | None:
    try:
        column = leaf._perdoc._cached_reader("_stored", STORED_COLUMN)  # noqa: SLF001
        raw = column._child  # noqa: SLF001 - CompressedBytesColumn.Reader over VarBytesColumn
        offsets, lengths, dbfile, base = raw._offsets, raw._lengths, raw._dbfile, raw._basepos  # noqa: SLF001
        decompress = raw._decompress  # noqa: SLF001
    except AttributeError:
        return None
    first, last = min(local), max(local)
    start = offsets[first]
    blob = dbfile.get(base + start, offsets[last] + lengths[last] - start)
    loads = pickle.loads
    out = []
    for d in local:
        length = lengths[d]
        if not length:
            return None
        at = offsets[d] - start
        out.append(str(loads(decompress(blob[at:at + length]))[ID_FIELD]))
    return out


def leaf_segments(searcher: Searcher) -> list[tuple[str, int, Any]]:
    """(segment id, docnum offset, leaf reader) for each segment of the searcher's reader."""
    out = []
    reader = searcher.reader()
    leaves = reader.leaf_readers()
    for leaf, offset in leaves:
        segment = getattr(leaf, "_segment", None)
        key = segment.segment_id() if segment is not None else f"seg{offset}"
        out.append((key, offset, leaf))
    return out


def uninvert(leaf: Any, fieldname: str) -> tuple[list[str], dict[int, list[int]]]:
    """A segment's terms for one field and, per local docnum, the indexes of the terms it has."""
    terms: list[str] = []
    docs: dict[int, list[int]] = {}
    if fieldname not in leaf.indexed_field_names():
        return terms, docs
    for tbytes in leaf.lexicon(fieldname):
        index_of = len(terms)
        text = tbytes.decode("utf-8")
        terms.append(text)
        for docnum in term_postings(leaf, fieldname, text)[0]:
            found = docs.get(docnum)
            if found is None:
                docs[docnum] = [index_of]
            else:
                found.append(index_of)
    return terms, docs


# -- bulk reading, for execute.py ------------------------------------------------------------------------
# Whoosh's matchers cost several microseconds per document in Python; reading a term's posting blocks whole
# and working on plain lists is several times faster for the large result sets investigators ask for.
_length_of_byte = [byte_to_length(b) for b in range(256)]


def segment_size(leaf: Any) -> int:
    """Documents in a segment, deleted ones included (local docnums are 0..size-1)."""
    return int(leaf.doc_count_all())


def segment_deleted(leaf: Any) -> frozenset[int]:
    return frozenset(leaf.deleted_docs_set) if leaf.has_deletions() else frozenset()


def term_postings(leaf: Any, fieldname: str, text: str, *, values: bool = False
                  ) -> tuple[list[int], list[float], list[bytes]]:
    """A term's postings in one segment (deleted documents included): local docnums, weights (term frequency
    for text fields) and, when asked, the encoded positions."""
    tbytes = text.encode("utf-8")
    ids: list[int] = []
    weights: list[float] = []
    raw: list[bytes] = []
    if (fieldname, tbytes) not in leaf:
        return ids, weights, raw
    fieldobj = leaf.schema[fieldname]
    fixed = fieldobj.format.fixed_value_size()
    matcher = leaf._terms.matcher(fieldname, tbytes, fieldobj.format)  # noqa: SLF001
    while matcher.is_active():
        matcher._read_data()  # noqa: SLF001 - one unpickled (ids, weights, values) tuple per block
        deltas, block_weights, block_values = matcher._data  # noqa: SLF001
        count = matcher._blocklength  # noqa: SLF001
        ids.extend(accumulate(deltas))
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if values:
            if fixed is None or fixed < 0:
                raw.extend(block_values)
            elif fixed:
                raw.extend(block_values[i:i + fixed] for i in range(0, len(block_values), fixed))
        matcher._next_block()  # noqa: SLF001
    return ids, weights, raw


def decode_positions(value: bytes) -> list[int]:
    """Positions from a Positions-format posting value (frequency, then pickled position deltas)."""
    deltas = pickle.loads(value[4:])
    out = []
    position = 0
    for delta in deltas:
        position += delta
        out.append(position)
    return out


def _numeric_column(leaf: Any, column_name: str, column: Any) -> list[int]:
    size = segment_size(leaf)
    perdoc = leaf._perdoc  # noqa: SLF001
    if not perdoc.has_column(column_name):
        return [0] * size
    reader = perdoc.column_reader(column_name, column)
    try:  # one unpack for the whole column instead of one call per document
        count = reader._count  # noqa: SLF001
        data = reader._dbfile.get(reader._basepos, count * reader._fixedlen)  # noqa: SLF001
        found = list(struct.unpack(f"!{count}{reader._typecode}", data))  # noqa: SLF001
    except AttributeError:  # pragma: no cover - another Whoosh version
        found = [reader[i] for i in range(size)]
    return found + [0] * (size - len(found))


def date_values(leaf: Any) -> list[int]:
    """Each document's date as the column holds it (0 when undated)."""
    return _numeric_column(leaf, DATE_FIELD, leaf.schema[DATE_FIELD].column_type)


def date_value(when: datetime) -> int:
    """A date as the date column stores it (comparable with date_values)."""
    return int(_date_field().to_column_value(when))


@lru_cache(maxsize=1)
def _date_field() -> Any:
    return build_schema()[DATE_FIELD]


def field_lengths(leaf: Any, fieldname: str) -> list[int]:
    """Each document's length in a text field, quantized as Whoosh stores it (what BM25 uses)."""
    raw = _numeric_column(leaf, f"_{fieldname}_len", columns.NumericColumn("B"))
    table = _length_of_byte
    return [table[b] for b in raw]


def thread_values(leaf: Any) -> list[str]:
    size = segment_size(leaf)
    perdoc = leaf._perdoc  # noqa: SLF001
    if not perdoc.has_column("thread"):
        return [""] * size
    reader = perdoc.column_reader("thread", leaf.schema["thread"].column_type)
    return [reader[i].decode("utf-8") for i in range(size)]


@dataclass(frozen=True, slots=True)
class TermStats:
    doc_frequency: int
    documents: int
    average_length: float


def term_stats(searcher: Searcher, fieldname: str, text: str) -> TermStats:
    reader = searcher.reader()
    documents = searcher.doc_count_all()
    df = reader.doc_frequency(fieldname, text.encode("utf-8")) if fieldname in reader.indexed_field_names() else 0
    average = searcher.field_length(fieldname) / (documents or 1) if fieldname in \
        scorable_fields() else 0.0
    return TermStats(int(df), int(documents), float(average) or 1.0)


# -- stock Whoosh behaviour, kept for the tests that document its pitfalls ------------------------------
def stock_refresh(searcher: Searcher) -> Searcher:
    """Whoosh's Searcher.refresh() (reuses segment readers: stale or doubled hits after updates)."""
    return searcher.refresh()


def stock_fuzzy_docs(searcher: Searcher, fieldname: str, text: str, maxdist: int) -> set[int]:
    """Documents Whoosh's FuzzyTerm finds (Levenshtein: a transposition costs two edits)."""
    return set(searcher.docs_for_query(wq.FuzzyTerm(fieldname, text, maxdist=maxdist, prefixlength=0)))


def stock_date_parser(text: str) -> tuple[datetime | None, datetime | None]:
    """The range Whoosh's DateParserPlugin reads from a date query, as (first, last) datetimes."""
    from whoosh import qparser
    from whoosh.qparser.dateparse import DateParserPlugin
    from whoosh.util.times import long_to_datetime

    parser = qparser.QueryParser("body", build_schema())
    parser.add_plugin(DateParserPlugin())
    q = parser.parse(text)
    start = long_to_datetime(q.start) if getattr(q, "start", None) is not None else None
    end = long_to_datetime(q.end) if getattr(q, "end", None) is not None else None
    return start, end


def stock_writer(ix: Index) -> Any:
    """Whoosh's own writer, with its default (no) lock timeout."""
    try:
        return ix.writer()
    except index.LockError as exc:
        raise IndexLocked() from exc
