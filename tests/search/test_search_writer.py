"""The segment writer's fast paths (one-block and several-block posting lists, term dictionary rows and hash
tables in bulk) write the same bytes as Whoosh's own term-by-term writer, and the index it writes is one Whoosh
opens and searches with its own code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from discovery.search import engine
from discovery.search.documents import iter_id_batches, load_messages
from discovery.search.indexer import write_segments
from discovery.store import STORE_NAME


def _files(folder: Path) -> dict[str, bytes]:
    """Postings and term dictionary by suffix (segment names are random)."""
    return {p.suffix: p.read_bytes() for p in folder.iterdir() if p.suffix in (".pst", ".trm")}


def _build(folder: Path, case: Path) -> dict[str, bytes]:
    engine.create_index(folder)
    db = sqlite3.connect(f"file:{case / STORE_NAME}?mode=ro", uri=True)
    docs = [doc for batch in iter_id_batches(db) for doc in load_messages(db, batch)]
    db.close()
    segments, _ = write_segments(folder, iter(docs))
    assert len(segments) == 1
    writer = engine.FastWriter(engine.open_index(folder), lock=True)
    writer.commit_segments(segments)
    return _files(folder)


def test_fast_field_writer_writes_the_term_by_term_bytes(search_case: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = engine._term_blocks  # noqa: SLF001
    long_lists: list[int] = []

    def counted(ids, *args):  # type: ignore[no-untyped-def]
        long_lists.append(len(ids))
        return blocks(ids, *args)

    monkeypatch.setattr(engine, "_term_blocks", counted)
    fast = _build(tmp_path / "fast", search_case)
    assert long_lists and max(long_lists) > 2 * 128  # the several-block path was taken, up to 3+ blocks

    def term_by_term(fw, fterms, fixed, lens):  # type: ignore[no-untyped-def]
        for tbytes in sorted(fterms):
            ids, values = fterms[tbytes]
            engine._write_term(fw, tbytes, ids, values, fixed != 0, lens)  # noqa: SLF001

    monkeypatch.setattr(engine, "_write_field", term_by_term)
    from whoosh.filedb.filetables import HashWriter

    monkeypatch.setattr(engine, "_write_hashes", HashWriter._write_hashes)  # noqa: SLF001 - Whoosh's own hash tables
    reference = _build(tmp_path / "reference", search_case)
    assert set(fast) == {".pst", ".trm"} and fast == reference


def test_whoosh_reads_every_posting_the_fast_writer_wrote(search_case: Path, tmp_path: Path) -> None:
    _build(tmp_path / "ix", search_case)
    ix = engine.open_index(tmp_path / "ix")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        checked = 0
        for fieldname in ("body", "subject", "from"):
            for tbytes in list(reader.lexicon(fieldname))[:400]:
                text = tbytes.decode("utf-8")
                stock = list(reader.postings(fieldname, text).all_ids())  # Whoosh's own block reader
                leaf, = [leaf for leaf, _ in reader.leaf_readers()] or [reader]
                ours = engine.term_postings(leaf, fieldname, text)[0]
                assert stock == list(ours) and reader.doc_frequency(fieldname, text) == len(stock)
                checked += 1
        assert checked > 400
        assert searcher.search(engine.q_term("body", "pilot")).scored_length() > 0
