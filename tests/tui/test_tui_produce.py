"""Pilot tests of producing from the TUI: P opens the dialog with the CLI's choices, the production runs in a worker
with a progress bar, refuses pending suggestions like the CLI, can be cancelled, and produces a tag."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

from discovery.tui.data.produce import ProduceChoices
from discovery.tui.screens.main import MainScreen
from discovery.tui.screens.produce import ProduceDialog, ProduceProgress
from textual.widgets import Checkbox, Input, Select
from tui_helpers import open_app, run_query, settle

from discovery.case import Case
from discovery.tags import create_tag, tag_messages


async def _open_dialog(pilot: object) -> ProduceDialog:
    await pilot.press("P")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    dialog = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(dialog, ProduceDialog)
    return dialog


async def test_produce_the_current_search_with_one_key(pii_case_dir: Path) -> None:
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "from:*")
        dialog = await _open_dialog(pilot)
        for name in ("txt", "eml", "mbox"):
            dialog.query_one(f"#produce-format-{name}", Checkbox).value = True
        dialog.query_one("#produce-pending", Select).value = "redact"
        dialog.query_one("#produce-label", Select).value = "pseudonym"
        dialog.query_one("#produce-bates", Input).value = "TUI-:10"
        assert dialog.query_one("#produce-out", Input).value == "exports/search"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProduceProgress) or isinstance(app.screen, MainScreen)
        await settle(pilot, rounds=200)
        assert isinstance(app.screen, MainScreen)
        out = pii_case_dir / "exports" / "search"
        assert (out / "manifest.json").exists(), [n.message for n in app._notifications]
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["pending"] == "redact" and manifest["label_style"] == "pseudonym"
        emls = sorted((out / "eml").glob("*.eml"))
        assert emls and emls[0].name == "TUI-000010.eml"
        parsed = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.strict)
        assert parsed["X-Bates-Begin"] == "TUI-000010"
        assert (out / "mbox" / "production.mbox").exists() and (out / "txt").is_dir()
        assert not list(pii_case_dir.glob("exports/search.partial-*"))


async def test_pending_suggestions_are_refused_as_by_the_cli(pii_case_dir: Path) -> None:
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_dialog(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, rounds=200)
        assert isinstance(app.screen, MainScreen)
        assert not (pii_case_dir / "exports" / "search").exists()
        shown = [n.message for n in app._notifications]
        assert any("still pending" in m for m in shown), shown


async def test_a_cancelled_production_leaves_nothing(pii_case_dir: Path) -> None:
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = ProduceProgress(ProduceChoices(scope="search", query="*", formats=("txt",), pending="redact",
                                                out="exports/cancelled"))
        screen.cancelled = True  # as if esc was pressed before the first step ended
        await app.push_screen(screen)
        await settle(pilot, rounds=200)
        assert isinstance(app.screen, MainScreen)
        assert screen.report is None and screen.error is None
        assert not list(pii_case_dir.glob("exports/cancelled*"))
        assert any("cancelled" in n.message for n in app._notifications)


async def test_escape_cancels_the_dialog(pii_case_dir: Path) -> None:
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_dialog(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not (pii_case_dir / "exports").exists()


async def test_produce_a_tag(pii_case_dir: Path) -> None:
    with Case(pii_case_dir, create=False) as case:
        ids = [r[0] for r in case.store.rows("SELECT id FROM messages WHERE parent_id IS NULL ORDER BY id LIMIT 3")]
        create_tag(case.store, "release 1", actor="t")
        tag_messages(case.store, "release 1", ids, actor="t")
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot)
        dialog.query_one("#produce-scope", Select).value = "tag:release 1"
        await pilot.pause()
        assert dialog.query_one("#produce-out", Input).value == "exports/release-1"
        dialog.query_one("#produce-pending", Select).value = "keep"
        await pilot.press("ctrl+s")
        await settle(pilot, rounds=200)
        manifest = json.loads((pii_case_dir / "exports" / "release-1" / "manifest.json").read_text("utf-8"))
        assert manifest["selection"] == "tag: release 1"
        top = {d["id"] for d in manifest["documents"]}
        assert set(ids) <= top
