"""Provides the independent leak check of a production (imports no writer and nothing of the pipeline)."""

from discovery.redact.verify.check import Leak, VerifyReport, verify_production
from discovery.redact.verify.values import RedactedValue, redacted_values

__all__ = ["Leak", "RedactedValue", "VerifyReport", "redacted_values", "verify_production"]
