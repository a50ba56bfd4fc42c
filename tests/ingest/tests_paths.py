"""Provides corpus(): a path under ../shared/corpora, or a skip with the reason where it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not present: {path} (these tests run where ../shared exists beside the repo)")
    return path
