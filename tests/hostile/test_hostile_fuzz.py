"""A fuzz run of the readers and the query language with hypothesis, at a fixed small budget (issue 12).

Readers get arbitrary bytes and mutations of real messages; they must return messages or failures, never
raise. Queries run end to end on a real index; the only error allowed is QuerySyntaxError.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_corpus import HOSTILE_BODY, HOSTILE_SUBJECT, eml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discovery.case import Case
from discovery.errors import QuerySyntaxError
from discovery.ingest.archive import ArchiveLimits
from discovery.ingest.base import Origin, SourceUnreadable
from discovery.ingest.mbox import read_mbox
from discovery.ingest.mime import read_single
from discovery.ingest.readers import Unsupported, read_file
from discovery.model import Message, SourceFailure
from discovery.search.searcher import Searcher

BUDGET = settings(max_examples=60, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SEED = eml(HOSTILE_SUBJECT, HOSTILE_BODY, attachment=("a\u202eb.txt", b"x\x1b[2J"))
HEADER_LINES = [b"Content-Type: multipart/mixed; boundary=", b"Content-Type: text/plain; charset=",
                b"Content-Transfer-Encoding: ", b"Subject: =?", b"From: \"",
                b"Content-Disposition: attachment; filename*=",
                b"Date: ", b"\r\n\r\n--", b"=?utf-8?b?", b"=?undefined?q?"]


def _origin() -> Origin:
    return Origin("/fuzz.eml", "", "", "")


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "header"]))
        if action == "insert":
            data[at:at] = draw(st.binary(max_size=40))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(st.sampled_from(HEADER_LINES)) + draw(st.binary(max_size=20)) + b"\r\n"
    return bytes(data)


@BUDGET
@given(st.binary(max_size=2000) | mutated_messages())
def test_fuzz_single_message_reader_never_raises(data: bytes) -> None:
    result = read_single(data, _origin(), "eml")
    assert isinstance(result, Message | SourceFailure)


@BUDGET
@given(st.lists(mutated_messages() | st.binary(max_size=300), min_size=1, max_size=4))
def test_fuzz_mbox_and_detection_never_raise(messages: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.mbox"
        path.write_bytes(b"".join(b"From fuzz@x Tue Apr  3 10:00:00 2018\n" + m + b"\n" for m in messages))
        items = list(read_mbox(path, _origin()))
        assert all(isinstance(i, Message | SourceFailure) for i in items)
        try:
            items = list(read_file(path, _origin(), 0, ArchiveLimits()))
        except (SourceUnreadable, Unsupported):
            return  # a whole-file verdict, reported as such by the pipeline
        assert all(isinstance(i, Message | SourceFailure) for i in items)


@pytest.fixture(scope="module")
def tiny_searcher() -> Iterator[Searcher]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        (src / "a.eml").write_bytes(SEED)
        (src / "b.eml").write_bytes(eml("budget review", "the numbers for 2018", msgid="<b@x>"))
        with Case(Path(tmp) / "case") as case:
            case.ingest([src])
            with case.searcher(auto_update=False) as searcher:
                yield searcher


QUERY_ALPHABET = st.sampled_from(list("ab ()\"~*:-.@/0123456789\u202e\x1b%_") + [
    " OR ", " AND ", " NOT ", "from:", "to:", "subject:", "date:", "has:", "tag:", "pii:", "2018..2019", "~2"])


@BUDGET
@given(st.lists(QUERY_ALPHABET, max_size=40).map("".join) | st.text(max_size=80))
def test_fuzz_queries_parse_or_fail_cleanly(tiny_searcher: Searcher, query: str) -> None:
    try:
        tiny_searcher.search(query, limit=5, facets=True)
    except QuerySyntaxError as exc:
        assert exc.message
