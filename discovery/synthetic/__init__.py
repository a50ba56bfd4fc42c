"""Provides a deterministic generator of the fictional demo corpus in samples/ and of benchmark mboxes."""

from __future__ import annotations

from .bulk import BulkSummary, generate_bulk
from .samples import Summary, build_corpus, generate_samples

__all__ = ["BulkSummary", "Summary", "build_corpus", "generate_bulk", "generate_samples"]
