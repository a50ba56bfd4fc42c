"""Tests of discovery.safe_text: every control made visible, one character for one, JSON exact, CSV defused."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.safe_text import csv_cell, csv_row, has_unsafe, json_safe, safe_line, safe_text

# What a terminal may obey: C0 (but newline and tab in text), DEL, C1, bidi controls, line separators; and
# lone surrogates, which cannot be written as UTF-8 at all.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                             "\u2028\u2029\ud800-\udfff]")
FUZZ = settings(max_examples=80, deadline=None, derandomize=True)


def test_escape_sequences_are_shown_not_obeyed() -> None:
    assert safe_line("a\x1b]52;c;ZXZpbA==\x07b") == "a\u241b]52;c;ZXZpbA==\u2407b"
    assert safe_text("\x1b[2J\x1b[Hhello") == "\u241b[2J\u241b[Hhello"
    assert safe_line("\x9b31m") == "\ufffd31m"  # C1 CSI
    assert safe_line("del\x7f") == "del\u2421"


def test_bidi_controls_are_marked() -> None:
    assert safe_line("invoice\u202egpj.exe") == "invoice\u21c4gpj.exe"
    assert safe_line("\u2066x\u2069") == "\u21c4x\u21c4"


def test_lines_and_text_differ_only_in_newlines_and_tabs() -> None:
    assert safe_text("one\ntwo\tthree") == "one\ntwo\tthree"
    assert safe_line("one\ntwo\tthree") == "one\u240atwo three"
    assert safe_text("crlf\r\nlone\rcr") == "crlf \nlone\u240dcr"


def test_undecodable_file_name_bytes_can_be_printed() -> None:
    name = b"caf\xe9.eml".decode("utf-8", "surrogateescape")
    shown = safe_line(name)
    assert shown == "caf\ufffd.eml"
    shown.encode("utf-8")  # would raise for a lone surrogate


def test_json_safe_is_exact_and_printable() -> None:
    value = {"subject": "a\x1b]0;t\x07\u202e\x9b\u2028", "name": b"\xff".decode("utf-8", "surrogateescape")}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not TERMINAL_UNSAFE.search(text)
    text.encode("utf-8")


def test_csv_cells_are_defused_as_owasp_advises() -> None:
    assert csv_row(["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", 3, -1.5]) == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\u240dx", "plain", 3, -1.5]
    assert csv_cell("a\x1b[2Jb\nc") == "a\u241b[2Jb\nc"


@FUZZ
@given(st.text())
def test_fuzz_sanitised_text_is_safe_and_keeps_offsets(text: str) -> None:
    for out, multiline in ((safe_text(text), True), (safe_line(text), False)):
        assert len(out) == len(text)  # spans computed on the original stay valid
        assert not TERMINAL_UNSAFE.search(out)
        assert not has_unsafe(out, multiline=multiline)
        if not multiline:
            assert "\n" not in out and "\t" not in out
        out.encode("utf-8")
        if not has_unsafe(text, multiline=multiline):
            assert out == text  # clean text is never touched


@FUZZ
@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12))
def test_fuzz_json_safe_round_trips(value: object) -> None:
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not TERMINAL_UNSAFE.search(text.replace("\n", ""))


@FUZZ
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_fuzz_csv_cells_never_start_a_formula(cells: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(list(cells)))
    for cell in next(csv.reader(io.StringIO(out.getvalue(), newline=""))):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert not TERMINAL_UNSAFE.search(cell.replace("\r", "\u240d"))
