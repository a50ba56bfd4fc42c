"""Fixtures for the redaction tests: the samples ingested and PII-scanned once per session (offline mode),
copied per test; a small mail builder for hand-made cases; the leak search used by the assertions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from discovery import Case
from discovery.pii.policy import Policy
from discovery.pii.scan import scan_case


@pytest.fixture(scope="session")
def scanned_samples(samples_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ ingested (the root fixture) and scanned in offline mode, once (read-only: copy it to change it)."""
    target = tmp_path_factory.mktemp("redact-samples") / "case"
    shutil.copytree(samples_case, target)
    with Case(target) as case:
        report = scan_case(case, jobs=2, policy=Policy(mode="offline"))
        assert not report.interrupted
    return target


@pytest.fixture()
def samples_copy(scanned_samples: Path, tmp_path: Path) -> Iterator[Case]:
    """A private copy of the scanned samples' case, open."""
    target = tmp_path / "samples"
    shutil.copytree(scanned_samples, target)
    case = Case(target)
    try:
        yield case
    finally:
        case.close()
