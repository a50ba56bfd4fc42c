"""Shared fixtures: paths to the shipped samples and to the shared real corpora (skipped where absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "gold.jsonl").exists():
        pytest.fail("samples/ is missing its gold.jsonl: regenerate with 'python -m discovery.synthetic samples'")
    return SAMPLES


@pytest.fixture(scope="session")
def samples_case(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case built once per test session from samples/ (read-only for tests: copy it to modify)."""
    from discovery import Case

    case_dir = tmp_path_factory.mktemp("samples-case") / "case"
    with Case(case_dir) as case:
        report = case.ingest([samples_dir], jobs=2)
    assert report.ok, report.problems
    return case_dir


@pytest.fixture(scope="session")
def gold(samples_dir: Path) -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in (samples_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
