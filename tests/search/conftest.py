"""Fixtures for search tests: one case built per session from samples/ (with custodians and a tag), a
long-lived Searcher on it, expectations computed from its store, and cheap copies for tests that write; a smaller
case with PII suggestions for the pii: field."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from search_expect import Corpus

from discovery.case import Case
from discovery.search.indexer import update_index
from discovery.search.searcher import Searcher
from discovery.store import Store
from discovery.tags import tag_messages

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ENRON = ROOT.parent / "shared" / "corpora" / "enron-maildir" / "maildir"
SALES_TAG = "Sales pitch"


@pytest.fixture(scope="session")
def search_gold() -> list[dict[str, object]]:
    if not (SAMPLES / "gold.jsonl").exists():
        pytest.fail("samples/ is missing its gold.jsonl: regenerate with 'python -m discovery.synthetic samples'")
    return [json.loads(line) for line in (SAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def search_case(tmp_path_factory: pytest.TempPathFactory, search_gold: list[dict[str, object]]) -> Path:
    """samples/ ingested in three runs (two with a custodian), gold sales_outreach messages tagged."""
    case_dir = tmp_path_factory.mktemp("search") / "case"
    with Case(case_dir) as case:
        case.ingest([SAMPLES / "mbox"], custodian="Harlow County Sheriff")
        case.ingest([SAMPLES / "maildir"], custodian="Curtis Vandermeer")
        case.ingest([SAMPLES / "eml", SAMPLES / "archive"])
        by_header = {r[0]: r[1] for r in case.store.rows("SELECT message_id, id FROM messages")}
        sales = [by_header[str(g["message_id"])] for g in search_gold if "sales_outreach" in g["labels"]]  # type: ignore[operator]
        tag_messages(case.store, SALES_TAG, sales, actor="test")
        update_index(case.store)
    return case_dir


@pytest.fixture(scope="session")
def pii_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .eml files and the zip of samples/ (45 messages, so the scan stays quick) with the PII suggestions of an
    offline scan, indexed (read-only: copy it to write)."""
    from discovery.pii.scan import scan_case

    case_dir = tmp_path_factory.mktemp("search-pii") / "case"
    with Case(case_dir) as case:
        assert case.ingest([SAMPLES / "eml", SAMPLES / "archive"]).ok
        assert scan_case(case, jobs=1).ok
        update_index(case.store)
    return case_dir


@pytest.fixture(scope="session")
def corpus(search_case: Path) -> Corpus:
    return Corpus(search_case)


@pytest.fixture(scope="session")
def searcher(search_case: Path) -> Iterator[Searcher]:
    store = Store(search_case, create=False)
    with Searcher(store, auto_update=False) as s:
        yield s
    store.close()


@pytest.fixture
def case_copy(search_case: Path, tmp_path: Path) -> Path:
    """A private copy of the session case, for tests that change it."""
    target = tmp_path / "case"
    shutil.copytree(search_case, target, ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK"))
    return target
