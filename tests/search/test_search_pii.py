"""The pii: field and has:pii: after a real offline scan they find exactly the messages the store's pii_suggestions
say; decisions change the results at the next search (and incremental equals rebuilt); the 'pii' facet; an index
built by an older discovery is rebuilt with a notice."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from search_mail import make_case

from discovery.errors import QuerySyntaxError
from discovery.pii import decisions
from discovery.pii.types import ALL_TYPES
from discovery.search import engine, fields
from discovery.search.fields import PII_ALIASES
from discovery.search.indexer import index_dir, pending_count, rebuild_index, update_index
from discovery.search.query import parse
from discovery.search.searcher import Searcher
from discovery.store import Store

LIVE = "current = 1 AND status != 'rejected'"  # what the index holds of a message's suggestions
ACTOR = "test"


def _ids(store: Store, sql: str, params: tuple[object, ...] = ()) -> set[str]:
    return {str(r[0]) for r in store.rows(sql, params)}


def _with(store: Store, where: str, params: tuple[object, ...] = ()) -> set[str]:
    """Messages with at least one live suggestion matching ``where``, straight from pii_suggestions."""
    return _ids(store, f"SELECT DISTINCT message_id FROM pii_suggestions WHERE {LIVE} AND ({where})", params)


def _types(store: Store, *types: str) -> set[str]:
    marks = ",".join("?" * len(types))
    return _with(store, f"entity_type IN ({marks})", tuple(t.upper() for t in types))


def expectations(store: Store) -> dict[str, set[str]]:
    """Query -> the message ids it must find, computed from the store with SQL (no index, no query parser)."""
    every = _ids(store, "SELECT id FROM messages")
    any_pii = _with(store, "1")
    out: dict[str, set[str]] = {
        "has:pii": any_pii,
        "-has:pii": every - any_pii,
        "pii:pending": _with(store, "status = 'pending'"),
        "pii:accepted": _with(store, "status = 'accepted'"),
        "-pii:pending": every - _with(store, "status = 'pending'"),
        "pii:phone": _with(store, "entity_type = 'PHONE_NUMBER'"),
        "pii:PHONE_NUMBER": _with(store, "entity_type = 'PHONE_NUMBER'"),
        'pii:"phone number"': _with(store, "entity_type = 'PHONE_NUMBER'"),
        "pii:name": _with(store, "entity_type = 'PERSON'"),
        "pii:ssn": _with(store, "entity_type = 'US_SSN'"),
        "pii:us_*": _with(store, r"entity_type LIKE 'US\_%' ESCAPE '\'"),
        "pii:(ssn OR dob)": _with(store, "entity_type IN ('US_SSN', 'DATE_OF_BIRTH')"),
        "pii:address -pii:phone": (_with(store, "entity_type = 'STREET_ADDRESS'")
                                   - _with(store, "entity_type = 'PHONE_NUMBER'")),
        "pii:phone pii:accepted": _ids(store, f"""
            SELECT message_id FROM pii_suggestions WHERE {LIVE} AND entity_type = 'PHONE_NUMBER'
            INTERSECT SELECT message_id FROM pii_suggestions WHERE {LIVE} AND status = 'accepted'"""),
        "has:pii has:attachment": _ids(store, f"""
            SELECT message_id FROM pii_suggestions WHERE {LIVE}
            INTERSECT SELECT id FROM messages WHERE attachment_count > 0"""),
    }
    for kind in ALL_TYPES:
        out[f"pii:{kind.lower()}"] = _types(store, kind)
    for alias, kinds in PII_ALIASES.items():
        out[f"pii:{alias}"] = _types(store, *kinds)
    return out


def check(searcher: Searcher, store: Store) -> dict[str, set[str]]:
    expected = expectations(store)
    found = {q: set(searcher.ids(q)) for q in expected}
    wrong = {q: (sorted(found[q] - ids), sorted(ids - found[q])) for q, ids in expected.items() if found[q] != ids}
    assert not wrong, f"(extra, missing) per query: {wrong}"
    return expected


@pytest.fixture
def pii_copy(pii_case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(pii_case, target, ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK"))
    return target


@pytest.fixture(scope="module")
def pii_searcher(pii_case: Path) -> Iterator[tuple[Searcher, Store]]:
    store = Store(pii_case, create=False)
    with Searcher(store, auto_update=False) as searcher:
        yield searcher, store
    store.close()


def test_pii_queries_find_what_the_store_says(pii_searcher: tuple[Searcher, Store]) -> None:
    searcher, store = pii_searcher
    assert pending_count(store) == 0
    expected = check(searcher, store)
    every = searcher.count("*")
    # the scan found something of most kinds, but not everything everywhere: the comparisons mean something
    assert 0 < len(expected["pii:phone"]) < every and 0 < len(expected["pii:address"]) < every
    assert expected["pii:ssn"] and expected["pii:pending"] == expected["has:pii"]
    assert not expected["pii:accepted"] and not expected["pii:passport"]


def test_pii_facet_counts_messages_per_type(pii_searcher: tuple[Searcher, Store]) -> None:
    searcher, store = pii_searcher
    results = searcher.search("*", facets=["pii"], facet_size=0, limit=0)
    counts = {v.value: v.count for v in results.facets["pii"]}
    expected = {str(r[0]).lower(): int(r[1]) for r in store.rows(
        f"SELECT entity_type, count(DISTINCT message_id) FROM pii_suggestions WHERE {LIVE} GROUP BY entity_type")}
    assert counts == expected
    phone = searcher.search("pii:phone", facets=["pii"], facet_size=0, limit=0).facets["pii"]
    assert {v.value: v.count for v in phone}["phone_number"] == len(_types(store, "PHONE_NUMBER"))


def test_unknown_pii_type_gets_a_note_and_fields_are_listed(pii_searcher: tuple[Searcher, Store]) -> None:
    searcher, _ = pii_searcher
    results = searcher.search("pii:kittens")
    assert results.total == 0
    assert any("pii:kittens" in n and "phone_number" in n and "pii:pending" in n for n in results.notes), results.notes
    assert not searcher.search("pii:passport").notes  # a short name: no note even when the case has none
    with pytest.raises(QuerySyntaxError) as info:
        parse("pi:phone")
    assert "pii:" in info.value.hint
    with pytest.raises(QuerySyntaxError) as info:
        parse("has:kittens")
    assert "has:pii" in info.value.hint


def _suggestion(store: Store, where: str) -> tuple[int, str]:
    row = store.rows(f"SELECT id, message_id FROM pii_suggestions WHERE {LIVE} AND {where} ORDER BY id LIMIT 1")[0]
    return int(row[0]), str(row[1])


def _keyword_postings(case_dir: Path) -> dict[str, set[str]]:
    """field:term -> the ids of the live documents that have it, for the fields PII decisions change."""
    out: dict[str, set[str]] = {}
    with engine.open_searcher(engine.open_index(index_dir(case_dir))) as searcher:
        for name in ("pii", "pii_status", "has"):
            for term in engine.field_terms(searcher, name):
                ids = {engine.stored_id(searcher, d) for d in engine.whoosh_docs(searcher, engine.q_term(name, term))}
                if ids:
                    out[f"{name}:{term}"] = ids
    return out


def test_decisions_change_results_at_the_next_search(pii_copy: Path) -> None:
    notes: list[str] = []
    with Store(pii_copy) as store, Searcher(store, notify=notes.append) as searcher:
        check(searcher, store)
        phone_id, phone_message = _suggestion(store, "entity_type = 'PHONE_NUMBER'")
        _, street_message = _suggestion(store, "entity_type = 'STREET_ADDRESS'")
        person = store.rows(f"""SELECT entity_type, text, count(DISTINCT message_id) FROM pii_suggestions
            WHERE {LIVE} AND entity_type = 'PERSON' GROUP BY value_key ORDER BY 3 DESC LIMIT 1""")[0]
        assert int(person[2]) > 1
        streets = [int(r[0]) for r in store.rows(
            "SELECT id FROM pii_suggestions WHERE message_id = ? AND entity_type = 'STREET_ADDRESS'",
            (street_message,))]

        def no_longer_found() -> None:  # what a rescan does to a decided suggestion it does not find again
            with store.db:
                store.db.execute("UPDATE pii_suggestions SET current = 0 WHERE id = ?", (phone_id,))

        steps: list[tuple[str, Callable[[], object]]] = [
            ("accept a phone number", lambda: decisions.accept(store, [phone_id], actor=ACTOR)),
            ("reject a message's street addresses", lambda: decisions.reject(store, streets, actor=ACTOR)),
            ("reject a name everywhere",
             lambda: decisions.reject_value_everywhere(store, "PERSON", str(person[1]), actor=ACTOR)),
            ("mark a passport number by hand",
             lambda: decisions.add_manual_span(store, street_message, "subject", 0, 3, "US_PASSPORT", actor=ACTOR)),
            ("a rescan no longer finds the accepted phone number", no_longer_found),
            ("undo the street address rejections", lambda: decisions.reset(store, streets, actor=ACTOR)),
        ]
        for what, step in steps:
            step()
            assert pending_count(store) > 0, f"{what}: nothing was queued for the index"
            expected = check(searcher, store)  # the searcher brings the index up to date first
            assert pending_count(store) == 0, what
            if what == "accept a phone number":
                assert phone_message in expected["pii:accepted"]
            if what == "reject a message's street addresses":
                assert street_message not in expected["pii:address"]
            if what == "mark a passport number by hand":
                assert expected["pii:passport"] == {street_message}
        assert not notes, notes
        incremental = _keyword_postings(pii_copy)
        report = rebuild_index(store)
        assert report.action == "rebuild"
        assert _keyword_postings(pii_copy) == incremental
        check(searcher, store)


def test_decision_during_indexing_stays_queued(pii_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A decision made after a message was read for indexing (but before the commit) is not lost: the message's
    fingerprint covers its PII, so the queue keeps it for the next update."""
    import discovery.search.indexer as indexer

    with Store(pii_copy) as store:
        suggestion, message = _suggestion(store, "entity_type = 'PHONE_NUMBER'")
        decisions.accept(store, [_suggestion(store, "entity_type = 'PERSON'")[0]], actor=ACTOR)
        original = indexer._write

        def write_then_decide(*args: object, **kwargs: object) -> object:
            result = original(*args, **kwargs)  # type: ignore[arg-type]
            decisions.accept(store, [suggestion], actor=ACTOR)
            return result

        monkeypatch.setattr(indexer, "_write", write_then_decide)
        update_index(store)
        monkeypatch.setattr(indexer, "_write", original)
        assert _ids(store, "SELECT message_id FROM index_queue") == {message}
        with Searcher(store) as searcher:
            check(searcher, store)
            assert message in searcher.ids("pii:phone pii:accepted")


def test_changes_the_index_ignores_queue_nothing(pii_copy: Path) -> None:
    """A rescan that finds the same suggestions again only refreshes scores, text and offsets: no re-indexing."""
    with Store(pii_copy) as store:
        assert pending_count(store) == 0
        with store.db:
            store.db.execute("UPDATE pii_suggestions SET score = score / 2, current = 1, start = start, text = text, "
                             "updated_at = 'now'")
            rejected, message = _suggestion(store, "1")
            store.db.execute("UPDATE pii_suggestions SET status = 'rejected' WHERE id = ?", (rejected,))
        assert _ids(store, "SELECT message_id FROM index_queue") == {message}
        update_index(store)
        with store.db:  # rows the index does not hold: rejected ones, and decided ones a rescan no longer finds
            store.db.execute("DELETE FROM pii_suggestions WHERE id = ?", (rejected,))
            store.db.execute("""INSERT INTO pii_suggestions(message_id, field, start, end, text, value_key,
                                    entity_type, status, current, created_at, updated_at)
                                VALUES (?, 'body', 0, 1, 'x', 'x', 'US_ITIN', 'accepted', 0, 'now', 'now')""",
                             (message,))
        assert pending_count(store) == 0


def test_a_case_from_before_the_pii_triggers_is_upgraded(pii_copy: Path) -> None:
    """Opening a case of store schema 3 adds the triggers and queues the messages with PII for indexing."""
    import sqlite3

    db = sqlite3.connect(pii_copy / "store.sqlite")
    with db:
        for name in ("queue_on_pii_insert", "queue_on_pii_delete", "queue_on_pii_update"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM index_queue")
        # Undo what later migrations added (issue 11: printed releases), so that replaying them from 3 works.
        db.execute("DROP TABLE IF EXISTS existing_redactions")
        db.execute("DROP INDEX IF EXISTS messages_item_kind")
        for column in ("item_kind", "page_first", "page_last", "bates_first", "bates_last", "split_confidence",
                       "source_text"):
            db.execute(f"ALTER TABLE messages DROP COLUMN {column}")
        # ...and issue 10's publication tables and exemption columns.
        for table in ("redaction_units", "productions", "bates_numbers"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for table in ("pii_suggestions", "pii_value_decisions"):
            db.execute(f"ALTER TABLE {table} DROP COLUMN exemption")
        # ...and issue 9's questions (one per value or person and message, then across the case).
        db.execute("DROP INDEX IF EXISTS pii_suggestions_question")
        db.execute("ALTER TABLE pii_suggestions DROP COLUMN question_key")
        db.execute("ALTER TABLE pii_suggestions DROP COLUMN decision_scope")
        db.execute("DELETE FROM meta WHERE key = 'pii_questions_joined'")
        db.execute("DROP INDEX IF EXISTS pii_suggestions_group")
        db.execute("ALTER TABLE pii_suggestions DROP COLUMN group_key")
    db.execute("PRAGMA user_version = 3")
    db.close()
    with Store(pii_copy) as store:
        assert store.schema_version >= 4
        assert _ids(store, "SELECT message_id FROM index_queue") == _with(store, "1")
        update_index(store)
        decisions.reject(store, [_suggestion(store, "1")[0]], actor=ACTOR)
        assert pending_count(store) == 1


@pytest.mark.parametrize("old", ["format_2_without_pii_fields", "format_file_says_2"])
def test_index_of_an_older_format_is_rebuilt_with_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           old: str) -> None:
    case_dir = make_case(tmp_path, 4)
    folder = index_dir(case_dir)
    if old == "format_2_without_pii_fields":  # what discovery built before: no pii fields, no format file
        with monkeypatch.context() as patch, Store(case_dir) as store:
            patch.setattr(engine, "KEYWORD_FIELDS", tuple(f for f in fields.KEYWORD_FIELDS if not f.startswith("pii")))
            patch.setattr(engine, "SCHEMA_VERSION", "2")
            rebuild_index(store)
        (folder / engine.SCHEMA_FILE).unlink()
    else:  # same fields, but built by a version that put other values in them
        (folder / engine.SCHEMA_FILE).write_text("2\n", encoding="utf-8")
    with pytest.raises(engine.IndexOutdated):
        engine.open_index(folder)
    with Store(case_dir) as store:
        message = str(store.scalar("SELECT id FROM messages ORDER BY rowid LIMIT 1"))
        decisions.add_manual_span(store, message, "subject", 0, 4, "US_PASSPORT", actor=ACTOR)
        notes: list[str] = []
        with Searcher(store, notify=notes.append) as searcher:
            assert searcher.ids("pii:passport") == [message]
            assert searcher.count("*") == 4 and searcher.count("merger") == 1
    assert any("another version of discovery" in n and "rebuilding" in n for n in notes), notes
    assert not any("damaged" in n for n in notes), notes
    assert engine.index_format(folder) == engine.SCHEMA_VERSION
    engine.open_index(folder)


def test_update_after_ingest_rebuilds_an_older_index(tmp_path: Path) -> None:
    """The update an ingest runs (and 'reindex --pending') rebuilds too, saying why."""
    case_dir = make_case(tmp_path, 3)
    (index_dir(case_dir) / engine.SCHEMA_FILE).unlink()
    with Store(case_dir) as store:
        report = update_index(store)
    assert report.action == "rebuild" and report.documents == 3
    assert "another version of discovery" in report.reason and "older index format" in report.reason
