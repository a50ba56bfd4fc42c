"""Provides apply_spans: the one function that replaces reviewed spans of a text by their labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from discovery.errors import RedactionError

ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Span:
    """A span to redact (``status`` 'accepted') or one a reviewer rejected ('rejected').

    ``start``/``end`` are offsets into the text (end exclusive); ``text`` is the text that was reviewed there and
    must still be found at those offsets. ``label`` replaces it. ``meta`` is carried through untouched for the
    caller (its decision, type, reviewer ...).
    """

    start: int
    end: int
    text: str
    label: str
    status: str = ACCEPTED
    meta: object = None


@dataclass(frozen=True, slots=True)
class AppliedSpan:
    """One replaced range: ``start``/``end`` in the output text (covering ``label`` exactly), ``source_start``/
    ``source_end`` in the input text, and the accepted spans merged into it (longest first)."""

    start: int
    end: int
    source_start: int
    source_end: int
    label: str
    spans: tuple[Span, ...]


def _check(text: str, span: Span, message: str, field: str) -> None:
    where = f"message {message}, field {field}" if message else f"field {field or '?'}"
    if not (0 <= span.start < span.end <= len(text)):
        raise RedactionError(
            f"A redaction at {span.start}-{span.end} lies outside the text of {where} ({len(text)} characters).",
            hint="The message changed after review: run 'discovery pii scan' again and review it before producing.",
        )
    if text[span.start:span.end] != span.text:
        raise RedactionError(
            f"The text at {span.start}-{span.end} of {where} is no longer the text that was reviewed.",
            hint="The message changed after review: run 'discovery pii scan' again and review it before producing.",
        )


def _label_of(group: list[Span]) -> tuple[str, tuple[Span, ...]]:
    ordered = sorted(group, key=lambda s: (-(s.end - s.start), s.start, s.label))
    return ordered[0].label, tuple(ordered)


def apply_spans(
    text: str, spans: Iterable[Span], *, message: str = "", field: str = ""
) -> tuple[str, list[AppliedSpan]]:
    """Replace every accepted span of ``text`` by its label and say where each replacement landed.

    Each span's reviewed text must equal ``text[start:end]``, else a RedactionError naming ``message`` and
    ``field`` stops the production. Overlapping accepted spans are merged (their union is redacted, under
    the label of the longest); a rejected span never protects text that an accepted span covers (accepted
    wins). Spans that only touch are kept apart. Pure: no I/O, deterministic for a given input.
    """
    items = list(spans)
    for span in items:
        _check(text, span, message, field)
    accepted = sorted((s for s in items if s.status != REJECTED), key=lambda s: (s.start, s.end, s.label))
    groups: list[list[Span]] = []
    bounds: list[list[int]] = []
    for span in accepted:
        if groups and span.start < bounds[-1][1]:
            groups[-1].append(span)
            bounds[-1][1] = max(bounds[-1][1], span.end)
        else:
            groups.append([span])
            bounds.append([span.start, span.end])
    out: list[str] = []
    applied: list[AppliedSpan] = []
    cursor = 0
    length = 0
    for group, (start, end) in zip(groups, bounds, strict=True):
        piece = text[cursor:start]
        out.append(piece)
        length += len(piece)
        label, members = _label_of(group)
        out.append(label)
        applied.append(AppliedSpan(length, length + len(label), start, end, label, members))
        length += len(label)
        cursor = end
    out.append(text[cursor:])
    return "".join(out), applied
