"""Provides discovery's public API: open a case, ingest mail into it, read what it holds."""

from discovery.case import Case, CaseStats, StoredMessage
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
from discovery.ingest.pipeline import IngestProgress, IngestReport
from discovery.model import Address, Attachment, Message, Provenance

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
