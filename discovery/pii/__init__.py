"""Provides PII suggestions for a case: scan (Presidio + email-aware recognizers), policy, decisions, eval.

Importing this package is cheap: Presidio and spaCy load only when a scan or an engine needs them
(discovery.pii.engine is the one module that imports them)."""

from discovery.pii.decisions import (
    accept,
    accept_value_everywhere,
    add_manual_span,
    decide_value,
    reject,
    reject_value_everywhere,
    reset,
    set_status,
)
from discovery.pii.policy import Policy, load_policy
from discovery.pii.scan import ScanProgress, ScanReport, ScanStatus, scan_case, scan_status
from discovery.pii.suggestions import Query, Suggestion, accepted_spans, list_suggestions, parse_query
from discovery.pii.types import ALL_TYPES, GOLD_TYPES, Finding

__all__ = [
    "ALL_TYPES",
    "GOLD_TYPES",
    "Finding",
    "Policy",
    "Query",
    "ScanProgress",
    "ScanReport",
    "ScanStatus",
    "Suggestion",
    "accept",
    "accept_value_everywhere",
    "accepted_spans",
    "add_manual_span",
    "decide_value",
    "list_suggestions",
    "load_policy",
    "parse_query",
    "reject",
    "reject_value_everywhere",
    "reset",
    "scan_case",
    "scan_status",
    "set_status",
]
