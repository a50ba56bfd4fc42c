"""Provides the TUI's sanitising boundary: copies of stored data with every source string safe for a terminal.

Everything the review UI shows comes from tui.data (session, search, pii), and those hand out what these
functions return. discovery.safe_text replaces one character with one character, so search-hit and PII
offsets into a sanitised body or subject stay exact; ids are left alone (they are ours, hex).
"""

from __future__ import annotations

from dataclasses import replace

from discovery.tui.data.rows import RowSummary, ThreadNode

from discovery.case import AddressOut, AttachmentOut, ProvenanceOut, StoredMessage
from discovery.safe_text import safe_line, safe_text


def _address(a: AddressOut) -> AddressOut:
    return AddressOut(safe_line(a.name), safe_line(a.email), safe_line(a.domain))


def _attachment(a: AttachmentOut) -> AttachmentOut:
    return replace(a, filename=safe_line(a.filename), mime=safe_line(a.mime), declared_mime=safe_line(a.declared_mime),
                   error=None if a.error is None else safe_line(a.error))


def _provenance(p: ProvenanceOut) -> ProvenanceOut:
    return ProvenanceOut(safe_line(p.path), safe_line(p.kind), safe_line(p.inner_path), safe_line(p.locator),
                         safe_line(p.folder), safe_line(p.custodian), safe_line(p.message_id))


def safe_message(m: StoredMessage) -> StoredMessage:
    """A copy of the message whose every text field is safe to show (same lengths, so offsets hold)."""
    return replace(
        m, message_id=safe_line(m.message_id), date_raw=safe_line(m.date_raw), date_error=safe_line(m.date_error),
        sender=[_address(a) for a in m.sender], to=[_address(a) for a in m.to], cc=[_address(a) for a in m.cc],
        bcc=[_address(a) for a in m.bcc], subject=safe_line(m.subject), body_text=safe_text(m.body_text),
        attachments=[_attachment(a) for a in m.attachments], in_reply_to=safe_line(m.in_reply_to),
        references=[safe_line(r) for r in m.references], provenance=[_provenance(p) for p in m.provenance],
        errors=[safe_text(e) for e in m.errors], headers=[(safe_line(k), safe_text(v)) for k, v in m.headers],
    )


def safe_summary(r: RowSummary) -> RowSummary:
    return replace(r, sender=safe_line(r.sender), sender_email=safe_line(r.sender_email), to=safe_line(r.to),
                   subject=safe_line(r.subject), tags=[safe_line(t) for t in r.tags])


def safe_node(n: ThreadNode) -> ThreadNode:
    return replace(n, sender=safe_line(n.sender), subject=safe_line(n.subject))


def safe_notes(notes: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: (safe_text(v) if isinstance(v, str) else v) for k, v in n.items()} for n in notes]
