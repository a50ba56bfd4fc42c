"""Fixtures for the TUI tests: the samples' case with its search index (and a smaller one with PII suggestions), copied
per test so each test writes to its own case (helpers are in tui_helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from discovery.case import Case
from discovery.pii import scan


@pytest.fixture(scope="session")
def indexed_case(samples_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples' case with its search index built (read-only: copy it to write)."""
    from discovery.search import Searcher

    case_dir = tmp_path_factory.mktemp("tui-indexed") / "case"
    shutil.copytree(samples_case, case_dir)
    with Case(case_dir, create=False) as case, Searcher(case.store) as searcher:
        assert searcher.count("*") > 0
    return case_dir


@pytest.fixture(scope="session")
def scanned_case(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Part of the samples (the .eml files and the zip, 45 messages, so the scan stays quick), indexed, with PII
    suggestions from an offline scan (read-only: copy it to write)."""
    from discovery.search import Searcher

    case_dir = tmp_path_factory.mktemp("tui-scanned") / "case"
    with Case(case_dir) as case:
        assert case.ingest([samples_dir / "eml", samples_dir / "archive"]).ok
        report = scan.scan_case(case, jobs=1)
        assert report.ok
        with Searcher(case.store) as searcher:
            assert searcher.count("*") > 0
    return case_dir


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(source, target)
    return target


@pytest.fixture
def case_dir(indexed_case: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the indexed samples' case."""
    return _copy(indexed_case, tmp_path)


@pytest.fixture
def pii_case_dir(scanned_case: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the scanned samples' case."""
    return _copy(scanned_case, tmp_path)
