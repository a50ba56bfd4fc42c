"""Pilot tests of the redaction review: accept, reject, accept a value everywhere, a manual span, undo, the
published preview and stepping across the results; each decision is in the store and 'discovery audit'."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from discovery.tui.data.pii import questions_of
from discovery.tui.screens.dialogs import ChoiceDialog, ConfirmDialog
from discovery.tui.screens.main import MainScreen
from discovery.tui.screens.review import ReviewScreen
from discovery.tui.widgets.body import MarkedText
from tui_helpers import open_app, run_query, screen_text, settle

from discovery.case import Case
from discovery.cli import main as discovery_cli
from discovery.pii import suggestions as suggestions_api


def audit(case_dir: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(discovery_cli, ["audit", "--json", "--case", str(case_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def suggestion(case_dir: Path, suggestion_id: int) -> object:
    with Case(case_dir, create=False) as case:
        return suggestions_api.get_suggestion(case.store, suggestion_id)


def busiest_message(case_dir: Path) -> str:
    """The message with the most pending body suggestions (for a stable review target)."""
    with Case(case_dir, create=False) as case:
        return str(case.store.rows(
            """SELECT message_id FROM pii_suggestions WHERE status='pending' AND field='body'
               GROUP BY message_id ORDER BY count(*) DESC, message_id LIMIT 1""")[0][0])


async def open_review(pilot: object, key: str) -> ReviewScreen:
    await run_query(pilot, f"id:{key}")  # type: ignore[arg-type]
    await pilot.press("r")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ReviewScreen)
    return screen


async def test_accept_reject_undo_and_step(pii_case_dir: Path) -> None:
    key = busiest_message(pii_case_dir)
    app = open_app(pii_case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_review(pilot, key)
        assert screen.state is not None and screen.state.message_id == key
        first = screen.current_id
        assert first is not None and suggestion(pii_case_dir, first).status == "pending"  # type: ignore[attr-defined]
        assert "Recognizer" in screen_text(app)  # why it was suggested
        await pilot.press("a")
        await settle(pilot)
        assert suggestion(pii_case_dir, first).status == "accepted"  # type: ignore[attr-defined]
        second = screen.current_id
        assert second is not None and second != first  # moved on to the next pending one
        await pilot.press("x")
        await settle(pilot)
        assert suggestion(pii_case_dir, second).status == "rejected"  # type: ignore[attr-defined]
        # back to the rejected one and undo it
        await pilot.press("p")
        await settle(pilot)
        screen.select(next(q for q in screen.state.questions if q.id == second))
        await pilot.press("backspace")
        await settle(pilot)
        assert suggestion(pii_case_dir, second).status == "pending"  # type: ignore[attr-defined]
    log = audit(pii_case_dir)
    actions = [(e["action"], e["actor"]) for e in log[:3]]
    assert actions == [("pii.reset", "ana"), ("pii.reject", "ana"), ("pii.accept", "ana")]
    assert log[2]["detail"]["suggestion"] == first  # type: ignore[index]


async def test_accept_a_value_everywhere_asks_and_applies_across_the_case(pii_case_dir: Path) -> None:
    with Case(pii_case_dir, create=False) as case:
        entity_type, vkey, key = case.store.rows(
            """SELECT entity_type, value_key, min(message_id) FROM pii_suggestions
               WHERE status='pending' AND entity_type='PHONE_NUMBER' AND field='body'
               GROUP BY 1, 2 HAVING count(DISTINCT message_id) > 1 ORDER BY count(*) DESC LIMIT 1""")[0]
        count, places, messages = case.store.rows(  # questions (one per value or person of the case), places
            """SELECT count(DISTINCT question_key), count(*), count(DISTINCT message_id) FROM pii_suggestions
               WHERE status != 'accepted' AND question_key IN (SELECT question_key FROM pii_suggestions
                                                               WHERE entity_type=? AND value_key=?)""",
            (entity_type, vkey))[0]
        assert messages > 1
    app = open_app(pii_case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_review(pilot, key)
        assert screen.state is not None
        target = next(q for q in screen.state.questions
                      if q.lead.value_key == vkey and q.lead.entity_type == entity_type)
        screen.select(target)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        shown = " ".join(screen_text(app).split())
        assert f"{count:,} suggestion" in shown and f"({places:,} place" in shown
        assert f"in {messages:,} messages" in shown
        await pilot.press("y")
        await settle(pilot)
    with Case(pii_case_dir, create=False) as case:
        left = case.store.scalar("SELECT count(*) FROM pii_suggestions WHERE entity_type=? AND value_key=? "
                                 "AND status != 'accepted'", (entity_type, vkey))
    assert left == 0
    entry = audit(pii_case_dir)[0]
    assert entry["action"] == "pii.accept_value" and entry["actor"] == "ana"


async def test_manual_span_and_preview(pii_case_dir: Path) -> None:
    key = busiest_message(pii_case_dir)
    app = open_app(pii_case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_review(pilot, key)
        screen.show_field("body")
        await pilot.press("tab")  # to the text
        text_view = screen.query_one("#review-text", MarkedText)
        assert app.focused is text_view
        text_view.move_cursor((0, 0))
        await pilot.press(*["shift+right"] * 5)
        span = text_view.selected_span()
        assert span == (0, 5)
        chosen = text_view.original[0:5]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # PERSON, the first type offered
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        with Case(pii_case_dir, create=False) as case:
            row = case.store.rows("SELECT * FROM pii_suggestions WHERE message_id=? AND origin='manual'", (key,))[0]
        assert (row["field"], row["start"], row["end"], row["text"], row["status"]) == ("body", 0, 5, chosen,
                                                                                         "accepted")
        # the preview is the published body: the manual span replaced by its label (tests/tui/test_tui_preview.py)
        await pilot.press("v")
        await settle(pilot)
        shown = text_view.original
        assert not shown.startswith(chosen) and shown != screen.state.text_of("body")  # type: ignore[union-attr]
        assert "PREVIEW" in screen_text(app)
        await pilot.press("v", "escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    entry = audit(pii_case_dir)[0]
    assert entry["action"] == "pii.manual" and entry["target"] == f"{key}:body:0-5"


async def test_next_pending_crosses_into_the_next_message(pii_case_dir: Path) -> None:
    from discovery.pii import decisions
    from discovery.search import Searcher

    with Case(pii_case_dir, create=False) as case, Searcher(case.store) as searcher:
        ids = searcher.ids("body:camera")
        questions = questions_of(suggestions_api.message_suggestions(case.store, ids[0]))
        first_pending = [q.id for q in questions if q.status == "pending"]
        decisions.reject(case.store, first_pending[1:], actor="setup")  # one pending question left in the first hit
    app = open_app(pii_case_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "body:camera")
        main = app.screen
        assert isinstance(main, MainScreen) and main.open_id == ids[0]
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.state is not None
        assert screen.current_id == first_pending[0]
        await pilot.press("n")  # no other pending one here: on to the next hit that has some
        await settle(pilot)
        assert screen.state.message_id != ids[0] and screen.state.message_id in ids[:100]
        current = next(q for q in screen.state.questions if q.id == screen.current_id)
        assert current.status == "pending"
        await pilot.press("p")  # and back to the only pending one of the first hit
        await settle(pilot)
        assert screen.state.message_id == ids[0] and screen.current_id == first_pending[0]


def test_addresses_of_one_header_are_numbered() -> None:
    from discovery.tui.data.pii import FieldText, number_addresses

    fields = number_addresses([FieldText("body", "Body", "x"), FieldText("address:from:0", "From", "a@x.example"),
                               FieldText("address:cc:0", "Cc", "Ann <ann@x.example>"),
                               FieldText("address:cc:1", "Cc", "Bo <bo@x.example>")])
    assert [f.label for f in fields] == ["Body", "From", "Cc 1", "Cc 2"]


async def test_list_shows_fields_picker_tells_fields_apart_and_decisions_wrap_to_skipped(pii_case_dir: Path) -> None:
    key = busiest_message(pii_case_dir)
    app = open_app(pii_case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_review(pilot, key)
        assert screen.state is not None
        table = screen.table
        assert "Field" in [str(c.label) for c in table.columns.values()]
        first = screen.state.questions[0]
        assert str(table.get_row(str(first.id))[2]) == ("Body" if first.lead.field == "body" else
                                                        screen.state.label_of(first.lead.field))
        assert table.row_count == len(screen.state.questions) < len(screen.state.suggestions)  # one row a question
        # skip the first pending one, decide all the others: the last decision comes back to the skipped one
        pendings = [q for q in screen.state.questions if q.status == "pending"]
        assert len(pendings) >= 3
        screen.select(pendings[1])
        for _ in pendings[1:]:
            await pilot.press("x")
            await settle(pilot)
        assert screen.state.message_id == key and screen.current_id == pendings[0].id
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        labels = [str(label) for _, label in app.screen.options]
        assert len(labels) == len(set(labels))  # two Cc (or To) fields never look the same


def test_help_speaks_plainly() -> None:
    from discovery.tui.screens.help import QUERY_HELP

    assert QUERY_HELP.startswith("How to search:") and "issue" not in QUERY_HELP


async def test_withhold_the_current_message_and_undo_it(pii_case_dir: Path) -> None:
    key = busiest_message(pii_case_dir)
    app = open_app(pii_case_dir, reviewer="ana")

    def units() -> list[tuple[str, str, str]]:
        with Case(pii_case_dir, create=False) as case:
            return [(r["unit"], r["exemption"], r["decided_by"]) for r in case.store.rows(
                "SELECT * FROM redaction_units WHERE message_id=?", (key,))]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_review(pilot, key)
        await pilot.press("W")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.options[0][0] == "code:(b)(6)"  # the policy's default first; nothing to undo yet
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert units() == [("message", "(b)(6)", "ana")]
        assert screen.state is not None and screen.state.withheld == "(b)(6)"
        assert "WITHHELD IN FULL (b)(6)" in screen_text(app)
        await pilot.press("W")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog) and app.screen.options[0][0] == "release"
        await pilot.press("enter")
        await settle(pilot)
        assert units() == []
        assert screen.state is not None and screen.state.withheld is None
    actions = [e["action"] for e in audit(pii_case_dir)]
    assert "redact.withhold" in actions and "redact.release" in actions


def _recurring(case_dir: Path, ids: list[str]) -> tuple[str, str]:
    """(a message of the results, a pending question of it found in the most other messages of the results)."""
    with Case(case_dir, create=False) as case:
        rows = case.store.rows(
            f"""SELECT question_key, count(DISTINCT message_id) FROM pii_suggestions WHERE status='pending'
                AND message_id IN ({",".join("?" * len(ids))}) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", ids)
        key = str(rows[0][0])
        assert int(rows[0][1]) >= 3
        first = next(m for m in ids if case.store.scalar(
            "SELECT count(*) FROM pii_suggestions WHERE message_id=? AND question_key=?", (m, key)))
    return first, key


async def test_the_queue_asks_a_recurring_question_once_and_one_message_can_keep_it(pii_case_dir: Path) -> None:
    from discovery.search import Searcher

    with Case(pii_case_dir, create=False) as case, Searcher(case.store) as searcher:
        ids = searcher.ids("has:pii")
    message, key = _recurring(pii_case_dir, ids)
    app = open_app(pii_case_dir, reviewer="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await run_query(pilot, "has:pii")
        main = app.screen
        assert isinstance(main, MainScreen)
        main.open_id = message  # the review opens on this hit of the results
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.state is not None and screen.state.message_id == message
        question = next(q for q in screen.state.questions if q.lead.question_key == key)
        reach = screen.state.reach_of(question)
        assert reach.messages >= 3 and reach.places > question.places
        row = screen.table.get_row(str(question.id))
        assert f"×{reach.places} in {reach.messages} msgs" in str(row[3])  # shown once, with how far it goes
        screen.select(question)
        await settle(pilot)
        assert f"{reach.places} in {reach.messages} messages" in screen_text(app)
        await pilot.press("a")  # once: every place in every message
        await settle(pilot)
        assert screen.current_id != question.id  # moved on
        with Case(pii_case_dir, create=False) as case:
            statuses = case.store.rows("SELECT DISTINCT status FROM pii_suggestions WHERE question_key=?", (key,))
        assert [r[0] for r in statuses] == ["accepted"]
        # walk on with n: no question is asked twice, and the accepted one never again
        asked = [screen.state.message_id]
        shown: dict[str, str] = {}
        for _ in range(12):
            current = next(q for q in screen.state.questions if q.id == screen.current_id)
            qkey = current.lead.question_key
            assert current.status == "pending" and qkey != key
            assert shown.setdefault(qkey, screen.state.message_id) == screen.state.message_id
            await pilot.press("n")
            await settle(pilot)
            if screen.state.message_id != asked[-1]:
                asked.append(screen.state.message_id)
            if screen.current_id is None:
                break
        assert len(asked) >= 2  # it crossed into other messages of the results
        # one message keeps the accepted person readable: X here, and undo gives it the question's decision again
        screen.load(message)
        await settle(pilot)
        here = next(q for q in screen.state.questions if q.lead.question_key == key)
        screen.select(here)
        await pilot.press("X")
        await settle(pilot)
        with Case(pii_case_dir, create=False) as case:
            rows = case.store.rows("SELECT message_id = ?, status, decision_scope FROM pii_suggestions "
                                   "WHERE question_key=? GROUP BY 1, 2, 3", (message, key))
        assert {tuple(r) for r in rows} == {(1, "rejected", "message"), (0, "accepted", "case")}
        screen.select(next(q for q in screen.state.questions if q.lead.question_key == key))  # X moved on: back
        await settle(pilot)
        assert "Decided for this message alone" in screen_text(app)
        await pilot.press("backspace")
        await settle(pilot)
        with Case(pii_case_dir, create=False) as case:
            rows = case.store.rows("SELECT DISTINCT status FROM pii_suggestions WHERE question_key=?", (key,))
        assert [r[0] for r in rows] == ["accepted"]
    actions = [e["action"] for e in audit(pii_case_dir)[:3]]
    assert actions[:2] == ["pii.reset", "pii.reject"]
