"""Snapshot tests (pytest-textual-snapshot) of the main screens on the samples' case, at 80x24 and 120x40.

Update them after an intended change with: pytest tests/tui/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_helpers import open_app, run_query, settle

from discovery.case import Case
from discovery.pii import decisions

pytest.importorskip("pytest_textual_snapshot", reason="pytest-textual-snapshot is a dev dependency")

SnapCompare = Callable[..., bool]


def settled(*keys: str, query: str | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if query is not None:
            await run_query(pilot, query)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_main_screen_80x24(case_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(case_dir), terminal_size=(80, 24), run_before=settled())


def test_main_screen_with_thread_120x40(case_dir: Path, snap_compare: SnapCompare) -> None:
    run_before = settled("down", "down", "v", query="from:@cirrusweb.example")
    assert snap_compare(open_app(case_dir), terminal_size=(120, 40), run_before=run_before)


def test_review_screen_120x40(case_dir: Path, snap_compare: SnapCompare) -> None:
    """Review of a message with two manual redactions (made through the API, so the picture does not depend on
    the PII recognizers of the day), one then shown in the published preview."""
    with Case(case_dir, create=False) as case:
        key, body = case.store.rows(
            "SELECT id, body_text FROM messages WHERE length(body_text) > 400 ORDER BY date_utc, id LIMIT 1")[0]
        first = body.index(" ", 20)
        decisions.add_manual_span(case.store, key, "body", 0, first, "PERSON", actor="snap")
        decisions.add_manual_span(case.store, key, "subject", 0, 3, "CASE_NUMBER", actor="snap")
        with case.store.db:  # a fixed decision time, so the picture is the same on every run
            case.store.db.execute("UPDATE pii_suggestions SET decided_at='2020-01-02T03:04:05Z'")
    assert snap_compare(open_app(case_dir), terminal_size=(120, 40),
                        run_before=settled("r", query=f"id:{key}"))
