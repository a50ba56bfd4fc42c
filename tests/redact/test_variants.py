"""Tests value-following's matching rules, labels, pagination and Bates assignment (pure functions)."""

from __future__ import annotations

from discovery.redact.finder import find_values
from discovery.redact.labels import BLACKOUT, Labeler
from discovery.redact.pages import label_positions, paginate
from discovery.redact.pipeline import assign_bates
from discovery.redact.production import PAGE_LINES, PAGE_WIDTH, ProducedDocument
from discovery.redact.spans import Span, apply_spans
from discovery.redact.variants import value_forms


def spans(text: str, entity_type: str, value: str) -> list[str]:
    marks = "".join(sorted({c for c in value if not c.isalnum() and not c.isspace()}))
    needles = [(f, 0) for f in value_forms(entity_type, value)]
    return [text[s:e] for _, s, e, _ in find_values([("body", text)], needles, [marks])]


def test_names_match_in_every_order_case_and_spacing() -> None:
    text = "DANA  WHITFIELD called; later Whitfield, Dana and whitfield dana.\n> Dana\n> Whitfield"
    assert spans(text, "PERSON", "Dana Whitfield") == [
        "DANA  WHITFIELD", "Whitfield, Dana", "whitfield dana", "Dana\n> Whitfield"]


def test_word_boundaries_hold() -> None:
    assert spans("Danaher and sedan", "PERSON", "Dana") == []


def test_phone_numbers_match_by_digits_whatever_the_punctuation() -> None:
    text = "(503) 555-0142, 503.555.0142, +1 503 555 0142 and 5035550142"
    needles = [(f, 0) for f in value_forms("PHONE_NUMBER", "503-555-0142")]
    found = find_values([("body", text)], needles, ["-"])
    out, applied = apply_spans(text, [Span(s, e, text[s:e], "[P]") for _, s, e, _ in found])
    assert out == "([P], [P], +[P] and [P]" and len(applied) == 4


def test_an_address_split_over_a_quoted_line_is_found() -> None:
    found = spans("> write to dana.whit\n> field@home.example now", "EMAIL_ADDRESS", "dana.whitfield@home.example")
    assert found == ["dana.whit\n> field@home.example"]


def test_a_match_never_spans_an_address_mark_or_a_time() -> None:
    assert spans("Brent Kasprzak <brent@vendor.example>", "PERSON", "Brent Kasprzak") == ["Brent Kasprzak"]
    assert spans("Date: Wed, 24 Jan 2018 15:02:11", "BADGE_NUMBER", "1502") == []


def test_pseudonyms_are_numbered_by_first_appearance_with_one_width() -> None:
    labeler = Labeler("pseudonym")
    labeler.see("PERSON", "b")
    labeler.see("PERSON", "a")
    labeler.see("EMAIL_ADDRESS", "x")
    assert labeler.label("PERSON", "b", "(b)(6)") == "[PERSON-001]"
    assert labeler.label("PERSON", "a", "(b)(6)") == "[PERSON-002]"
    assert labeler.label("EMAIL_ADDRESS", "x", "(b)(6)") == "[EMAIL-001]"
    assert Labeler("code").label("PERSON", "a", "(b)(7)(C)") == "[(b)(7)(C)]"
    assert Labeler("blackout").label("PERSON", "Al", "(b)(6)") == BLACKOUT == Labeler("blackout").label(
        "PERSON", "Bartholomew", "(b)(6)")


def test_paginate_fixed_width_and_length_never_splitting_a_label() -> None:
    text = "\n".join(["word " * 40] * 100) + "\n" + "x" * (PAGE_WIDTH - 4) + "[PERSON-001] end"
    pages = paginate(text)
    assert len(pages) > 1
    for page in pages:
        lines = page.split("\n")
        assert len(lines) <= PAGE_LINES
        assert all(len(line) <= PAGE_WIDTH for line in lines)
    assert any(label == "[PERSON-001]" for page in pages for _, _, label in label_positions(page))
    assert paginate("") == ("",) and paginate("a") == paginate("a")


def test_bates_numbers_are_kept_when_the_pages_still_fit() -> None:
    docs = [ProducedDocument(i, "", "", 0, 0, pages=("p",) * n) for i, n in (("a", 2), ("b", 1), ("c", 3))]
    first, numbers = assign_bates(docs, "HC-", 10, {})
    assert [d.bates_first for d in first] == ["HC-000010", "HC-000012", "HC-000013"]
    assert first[2].bates_last == "HC-000015" and first[2].page_labels()[-1] == "HC-000015"
    again, _ = assign_bates([docs[2], docs[0]], "HC-", 1, numbers)
    assert {d.id: d.bates_first for d in again} == {"a": "HC-000010", "c": "HC-000013"}
    grown = [ProducedDocument("b", "", "", 0, 0, pages=("p",) * 4)]
    moved, _ = assign_bates(grown, "HC-", 1, numbers)
    assert moved[0].bates_first == "HC-000016"  # no longer fits: the next free numbers
