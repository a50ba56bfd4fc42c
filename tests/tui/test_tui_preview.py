"""Pilot tests of the review screen's published preview: built by the production pipeline, so it shows exactly what
a production would contain (accepted, manual and value decisions applied as labels), pending suggestions marked."""

from __future__ import annotations

from pathlib import Path

from discovery.tui.data.preview import build_preview
from discovery.tui.data.session import ReviewSession
from discovery.tui.screens.preview import PENDING_STYLE, REDACTED_STYLE
from discovery.tui.screens.review import ReviewScreen
from discovery.tui.widgets.body import MarkedText
from tui_helpers import open_app, run_query, screen_text, settle

from discovery.case import Case
from discovery.pii import decisions
from discovery.redact.pipeline import RedactOptions, Selection, build_production


def _message_with_pending(case_dir: Path) -> tuple[str, list[int]]:
    with Case(case_dir, create=False) as case:
        key = str(case.store.rows(
            """SELECT message_id FROM pii_suggestions WHERE status='pending' AND field='body' AND current=1
               GROUP BY message_id HAVING count(*) >= 2 ORDER BY count(*) DESC, message_id LIMIT 1""")[0][0])
        ids = [int(r[0]) for r in case.store.rows(
            "SELECT id FROM pii_suggestions WHERE message_id=? AND field='body' AND status='pending' AND current=1 "
            "ORDER BY start", (key,))]
    return key, ids


def test_the_preview_is_the_production_of_the_message(pii_case_dir: Path) -> None:
    key, ids = _message_with_pending(pii_case_dir)
    with Case(pii_case_dir, create=False) as case:
        decisions.accept(case.store, ids[:1], actor="t")
        accepted = case.store.rows("SELECT text FROM pii_suggestions WHERE id=?", (ids[0],))[0][0]
        produced = build_production(case, Selection(query=f"id:{key}"),
                                    RedactOptions(pending="keep", formats=("eml",))).production
    session = ReviewSession(pii_case_dir, "t")
    try:
        preview = build_preview(session, key)
    finally:
        session.close()
    body = preview.text("body")
    assert accepted not in body
    marks = preview.marks("body")
    assert any(not m.pending for m in marks) and any(m.pending for m in marks)
    # what is not marked pending is what a production that keeps pending suggestions redacts, value for value
    published = next(d for d in produced.documents if d.id == key)
    kept = {r.value_hash for r in published.redactions}
    shown = preview.document.redactions
    assert {r.value_hash for r in shown if r.value_hash not in preview.pending_hashes} == kept
    assert all(body[m.start:m.end].startswith("[") for m in marks)


async def test_the_review_preview_marks_pending_suggestions(pii_case_dir: Path) -> None:
    key, ids = _message_with_pending(pii_case_dir)
    with Case(pii_case_dir, create=False) as case:
        decisions.accept(case.store, ids[:1], actor="t")
    app = open_app(pii_case_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, f"id:{key}")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.show_field("body")
        await pilot.press("v")
        await settle(pilot, rounds=100)
        view = screen.query_one("#review-text", MarkedText)
        styles = {style for marks in view._line_marks.values() for _, _, style in marks}
        assert REDACTED_STYLE in styles and PENDING_STYLE in styles
        text = screen_text(app)
        assert "PREVIEW as published" in text and "pending" in text
        # a decision rebuilds the preview: accept the rest, nothing is pending any more
        with Case(pii_case_dir, create=False) as case:
            decisions.accept(case.store, ids[1:], actor="t")
        await pilot.press("v", "v")  # leave and re-enter after a reload
        screen.load(key)
        await settle(pilot, rounds=100)
        styles = {style for marks in view._line_marks.values() for _, _, style in marks}
        assert PENDING_STYLE not in styles or screen.state is None
