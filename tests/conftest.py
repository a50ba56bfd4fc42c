"""Shared fixtures: paths to the shipped samples and to the shared real corpora (skipped where absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus(*parts: str) -> Path:
    """A path under ../shared/corpora, or skip the test with the reason when it is not there."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not present: {path} (tests on real corpora run where ../shared exists)")
    return path


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "gold.jsonl").exists():
        pytest.fail("samples/ is missing its gold.jsonl: regenerate with 'python -m discovery.synthetic samples'")
    return SAMPLES
