"""Tests for paginate/wrap_line: fixed-width pages, labels never split, quoted lines kept quoted."""

from __future__ import annotations

from discovery.redact.pages import label_positions, paginate, wrap_line


def test_a_wrapped_quoted_line_keeps_its_quote_prefix() -> None:
    line = "> Starting Monday the app is on patrol phones. Please read the attached interim guidelines first."
    printed = wrap_line(line, 40)
    assert len(printed) > 1 and all(p.startswith("> ") and len(p) <= 40 for p in printed)
    assert " ".join(p[2:] for p in printed) == line[2:]
    assert wrap_line(">> " + "x" * 90, 40)[1].startswith(">> ")


def test_labels_are_never_split_and_pages_have_fixed_length() -> None:
    text = "\n".join(f"line {n} for [(b)(6)] and [(b)(6)] again, and a little more text" for n in range(130))
    pages = paginate(text, width=30, lines=50)
    assert all(len(p.split("\n")) <= 50 for p in pages)
    assert all(len(line) <= 30 for p in pages for line in p.split("\n"))
    assert sum(len(label_positions(p)) for p in pages) == 260
