"""Provides blocks(): a body or attachment text cut where one message's text ends and another's begins (a run of
quoted '> ' lines, a forwarded or quoted Outlook header block), so the scan can analyse a block that recurs across
a case (every reply quotes its parent; a thread's later messages carry the earlier ones) once and re-base what it
found to each occurrence."""

from __future__ import annotations

import re

MIN_BLOCK = 600  # characters: shorter runs stay with their neighbours (each block costs one analyser call)
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
# The first line of a quoted or forwarded message in Outlook and similar clients (at quote depth 0).
_SEPARATOR = re.compile(r"(?:-{3,}[ \t]*(?:Original Message|Forwarded message|Forwarded by)|_{10,}[ \t]*$|"
                        r"Begin forwarded message:)", re.IGNORECASE)
_FROM_LINE = re.compile(r"(?:From|De|Von|Van):[ \t]", re.IGNORECASE)
_NEXT_HEADER = re.compile(r"(?:Sent|Date|Datum|Envoyé|Enviado|To|Subject|An|À|Para):", re.IGNORECASE)


_FIRSTS = frozenset("-_BbFfDdVv")  # the first characters _SEPARATOR and _FROM_LINE can match


def _depth(line: str) -> int:
    if line[:1] not in _QUOTED_STARTS:  # (most lines: no blank or '>' first, so no quote marker)
        return 0
    m = _QUOTE.match(line)
    return m.group(0).count(">") if m else 0


_QUOTED_STARTS = frozenset(" \t>")


def _starts_message(lines: list[str], i: int) -> bool:
    """Does line i open a quoted or forwarded message written without '>' markers?"""
    line = lines[i].lstrip(" \t*")
    if line[:1] not in _FIRSTS:
        return False
    if _SEPARATOR.match(line):
        return True
    if not _FROM_LINE.match(line):
        return False
    return any(_NEXT_HEADER.match(lines[j].lstrip(" \t*")) for j in range(i + 1, min(i + 3, len(lines))))


def boundaries(text: str) -> list[int]:
    """Offsets where a new block may start: the line break before a line whose quote depth differs from the line
    before it, or that opens a quoted or forwarded message (so a quoted run reads the same whether more text
    follows it or it ends the message)."""
    lines = text.split("\n")
    cuts: list[int] = []
    pos = 0
    previous = 0
    opened = False  # the line before opened a message ('-----Original Message-----' before its 'From:')
    for i, line in enumerate(lines):
        depth = _depth(line)  # a '>' line with nothing else keeps a quoted run going; a blank line ends it
        starts = depth == 0 and _starts_message(lines, i)
        if i and (depth != previous or (starts and not opened)):
            cuts.append(pos - 1)  # the line break before goes with the new block: a run ends alike everywhere
        opened = starts
        previous = depth
        pos += len(line) + 1
    return cuts


def blocks(text: str, min_block: int = MIN_BLOCK) -> list[tuple[int, str]]:
    """(offset, text) blocks covering the text end to end. A run between two boundaries becomes a block of its own
    when it is at least min_block characters long; consecutive shorter runs are joined into one block. Depends on
    the text alone, so the same text always gives the same blocks."""
    if len(text) < min_block:
        return [(0, text)]
    edges = [0, *boundaries(text), len(text)]
    out: list[tuple[int, int]] = []  # (start, end)
    alone = False  # the last block is a long run, kept apart so that it can recur elsewhere unchanged
    for start, end in zip(edges, edges[1:], strict=False):
        if end <= start:
            continue
        if end - start >= min_block:
            out.append((start, end))
            alone = True
        elif out and not alone:
            out[-1] = (out[-1][0], end)  # short runs between long ones are analysed together
        else:
            out.append((start, end))
            alone = False
    return [(s, text[s:e]) for s, e in out]
