"""Provides the typed results of a search (hits, snippets, facets) returned to the CLI, the TUI and scripts."""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of a field's text with the character spans that matched the query."""

    field: str  # body, attachment or subject
    text: str
    highlights: tuple[Span, ...] = ()

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The text with each highlight wrapped in markers, e.g. for plain-text output."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass(slots=True)
class Hit:
    """One matching message (one row per distinct message: duplicates are already folded by the store)."""

    rank: int  # 1-based position in the whole result list
    id: str
    score: float | None  # BM25F relevance; None when sorted by date
    date: str | None  # ISO 8601 UTC
    sender: str  # "Name <address>" or the address
    sender_email: str
    recipients: list[str]  # to, cc and bcc addresses
    subject: str
    subject_highlights: tuple[Span, ...] = ()
    snippet: Snippet | None = None
    thread_id: str | None = None
    thread_hits: int | None = None  # with one row per thread: how many hits the thread has
    tags: list[str] = field(default_factory=list)
    attachments: int = 0
    to: list[str] = field(default_factory=list)  # To recipients: address, or the display name when it has none
    cc: list[str] = field(default_factory=list)
    custodians: list[str] = field(default_factory=list)  # whose mail the copies were found in
    sources: list[str] = field(default_factory=list)  # every file (with !member) a copy was found in, to cite it

    def to_dict(self) -> dict[str, object]:
        """The fields in their order, as dataclasses.asdict gives them (spans as lists), built directly: asdict
        deep-copies every value, a third of what printing 20 hits as JSON cost."""
        snippet = self.snippet
        return {
            "rank": self.rank, "id": self.id, "score": self.score, "date": self.date, "sender": self.sender,
            "sender_email": self.sender_email, "recipients": list(self.recipients), "subject": self.subject,
            "subject_highlights": [list(s) for s in self.subject_highlights],
            "snippet": None if snippet is None else {"field": snippet.field, "text": snippet.text,
                                                     "highlights": [list(s) for s in snippet.highlights]},
            "thread_id": self.thread_id, "thread_hits": self.thread_hits, "tags": list(self.tags),
            "attachments": self.attachments, "to": list(self.to), "cc": list(self.cc),
            "custodians": list(self.custodians), "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(slots=True)
class SearchResults:
    """A page of hits with the exact total, optional facet counts and notes (e.g. what a fuzzy word matched)."""

    query: str
    total: int  # matching messages
    offset: int
    limit: int | None
    sort: str
    hits: list[Hit]
    threads: int | None = None  # matching threads, when collapsed to one row per thread
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # when nothing matched: indexed words close to the query's
    elapsed_ms: float = 0.0

    @property
    def has_more(self) -> bool:
        shown = self.threads if self.threads is not None else self.total
        return self.offset + len(self.hits) < shown

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "total": self.total,
            "threads": self.threads,
            "offset": self.offset,
            "limit": self.limit,
            "sort": self.sort,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [{"value": v.value, "count": v.count} for v in values]
                       for name, values in self.facets.items()},
            "notes": self.notes,
            "suggestions": self.suggestions,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
