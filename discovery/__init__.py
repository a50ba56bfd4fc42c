"""Provides discovery's public API: open a case, ingest mail into it, read what it holds."""

from __future__ import annotations

from discovery.errors import (
    CaseBusy,
    CaseError,
    DiscoveryError,
    IndexBusy,
    NotFound,
    PolicyError,
    QuerySyntaxError,
    UnsupportedFormat,
    UsageError,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a search answered by its server needs none)
if TYPE_CHECKING:
    from typing import Any

    from discovery.case import Case, CaseStats, StoredMessage
    from discovery.ingest.pipeline import IngestProgress, IngestReport
    from discovery.model import Address, Attachment, Message, Provenance

# Imported on first use (PEP 562), so that 'discovery search' loads neither the ingest pipeline nor the
# message model's parsers: name -> module that defines it.
_LAZY = {
    "Case": "discovery.case", "CaseStats": "discovery.case", "StoredMessage": "discovery.case",
    "IngestProgress": "discovery.ingest.pipeline", "IngestReport": "discovery.ingest.pipeline",
    "Address": "discovery.model", "Attachment": "discovery.model", "Message": "discovery.model",
    "Provenance": "discovery.model",
}

__version__ = "0.1.0"

__all__ = [
    "Address",
    "Attachment",
    "Case",
    "CaseBusy",
    "CaseError",
    "CaseStats",
    "DiscoveryError",
    "IndexBusy",
    "IngestProgress",
    "IngestReport",
    "Message",
    "NotFound",
    "PolicyError",
    "Provenance",
    "QuerySyntaxError",
    "StoredMessage",
    "UnsupportedFormat",
    "UsageError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'discovery' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
