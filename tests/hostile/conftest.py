"""Fixtures for the hostile-input tests: the crafted dump ingested once through the real command line."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_cli import run_cli
from hostile_corpus import HostileTree, build_hostile_tree


@dataclass
class HostileCase:
    tree: HostileTree
    case: Path
    ingest: subprocess.CompletedProcess[bytes]


@pytest.fixture(scope="session")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> HostileCase:
    base = tmp_path_factory.mktemp("hostile")
    tree = build_hostile_tree(base)
    case = base / "case"
    result = run_cli("ingest", str(tree.root), "--case", str(case), "--jobs", "2", timeout=600)
    return HostileCase(tree, case, result)
