"""Provides the exception tree of discovery; every message says what happened and what to do next.

    DiscoveryError
     ├── UsageError          bad arguments or options
     ├── CaseError           the case folder cannot be opened or written
     │    └── CaseBusy       another process holds the case for writing
     ├── UnsupportedFormat   a file whose type we cannot read
     ├── IndexBusy           another writer holds the search index
     ├── QuerySyntaxError    a search query that cannot be parsed
     ├── NotFound            no message/tag/search with that id
     ├── PolicyError         a PII or redaction policy file that is invalid
     └── RedactionError      a production cannot be made as reviewed (stale span, pending suggestions)
"""

from __future__ import annotations


class DiscoveryError(Exception):
    """Root of every error discovery raises on purpose."""

    title = "Error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UsageError(DiscoveryError):
    title = "Usage error"


class CaseError(DiscoveryError):
    title = "Case error"


class CaseBusy(CaseError):
    title = "Case busy"


class UnsupportedFormat(DiscoveryError):
    title = "Unsupported format"


class IndexBusy(DiscoveryError):
    title = "Index busy"


class QuerySyntaxError(DiscoveryError):
    title = "Query syntax error"

    def __init__(self, message: str, *, query: str = "", position: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.query = query
        self.position = position


class NotFound(DiscoveryError):
    title = "Not found"


class PolicyError(DiscoveryError):
    title = "Policy error"


class RedactionError(DiscoveryError):
    """A production cannot be made as reviewed (a span no longer matches its field, a stale decision)."""

    title = "Redaction error"
