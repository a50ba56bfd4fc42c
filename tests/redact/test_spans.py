"""Tests apply_spans: replacement, offsets, overlap merging, the accepted-wins rule and stale spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.errors import RedactionError
from discovery.redact.spans import REJECTED, Span, apply_spans


def span(text: str, start: int, end: int, label: str = "[X]", status: str = "accepted") -> Span:
    return Span(start, end, text[start:end], label, status)


def test_replaces_and_reports_output_offsets() -> None:
    text = "Call Dana Whitfield at 555-0100 today"
    out, applied = apply_spans(text, [span(text, 23, 31, "[PHONE]"), span(text, 5, 19, "[PERSON-001]")])
    assert out == "Call [PERSON-001] at [PHONE] today"
    assert [(a.start, a.end, a.label) for a in applied] == [(5, 17, "[PERSON-001]"), (21, 28, "[PHONE]")]
    for a in applied:
        assert out[a.start:a.end] == a.label
    assert [(a.source_start, a.source_end) for a in applied] == [(5, 19), (23, 31)]


def test_overlaps_merge_into_their_union_under_the_longest_label() -> None:
    text = "Dana Whitfield wrote"
    out, applied = apply_spans(text, [span(text, 0, 4, "[FIRST]"), span(text, 0, 14, "[PERSON]"),
                                      span(text, 10, 20, "[TAIL]")])
    assert out == "[PERSON]"
    assert len(applied) == 1 and applied[0].source_end == 20 and len(applied[0].spans) == 3


def test_accepted_wins_over_an_overlapping_rejected_span() -> None:
    text = "Officer Dana Whitfield"
    out, _ = apply_spans(text, [span(text, 0, 22, status=REJECTED), span(text, 8, 22, "[P]")])
    assert out == "Officer [P]"


def test_rejected_alone_changes_nothing() -> None:
    text = "Dana"
    assert apply_spans(text, [span(text, 0, 4, status=REJECTED)]) == ("Dana", [])


def test_touching_spans_stay_apart() -> None:
    text = "ab"
    out, applied = apply_spans(text, [span(text, 0, 1, "[A]"), span(text, 1, 2, "[B]")])
    assert out == "[A][B]" and len(applied) == 2


def test_stale_span_names_message_and_field() -> None:
    with pytest.raises(RedactionError) as info:
        apply_spans("Dana Whitfield", [Span(0, 4, "Jane", "[P]")], message="m-42", field="body")
    assert "m-42" in str(info.value) and "body" in str(info.value)


def test_span_out_of_bounds_is_refused() -> None:
    with pytest.raises(RedactionError):
        apply_spans("abc", [Span(2, 9, "c", "[P]")], message="m-1", field="subject")


@settings(deadline=None)  # timing is not what this checks (the machine is shared)
@given(st.text(min_size=1, max_size=60), st.lists(st.tuples(st.integers(0, 59), st.integers(1, 20)), max_size=6))
def test_no_accepted_character_survives(text: str, raw: list[tuple[int, int]]) -> None:
    spans = []
    covered: set[int] = set()
    for start, width in raw:
        start = min(start, len(text) - 1)
        end = min(len(text), start + width)
        spans.append(span(text, start, end, "\0"))
        covered.update(range(start, end))
    out, applied = apply_spans(text, spans)
    kept = "".join(c for i, c in enumerate(text) if i not in covered)
    assert out.replace("\0", "") == kept.replace("\0", "")
    for a in applied:
        assert out[a.start:a.end] == a.label
