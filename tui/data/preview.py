"""Provides the published preview of one message: what a production would contain, built by the production
pipeline itself (accepted and policy redactions applied), with the redactions that only pending suggestions make
told apart (they are published only under '--pending redact')."""

from __future__ import annotations

from dataclasses import dataclass, field

from discovery.tui.data.session import ReviewSession

from discovery.pii.fields import render_address
from discovery.redact.production import ProducedDocument
from discovery.safe_text import safe_text

PREVIEW_LABEL = "code"  # the dialog's default label style


@dataclass(frozen=True, slots=True)
class PreviewMark:
    """A redaction label in a published field: offsets into the published text, and whether only a pending
    suggestion makes it."""

    start: int
    end: int
    pending: bool


@dataclass(slots=True)
class PublishedPreview:
    """One message as a production would publish it: each field's published text and its redaction marks."""

    message_id: str
    document: ProducedDocument
    pending_hashes: frozenset[str] = field(default_factory=frozenset)

    def text(self, key: str) -> str:
        """The published text of a field key ('subject', 'body', 'address:to:0', 'attachment:1', ...)."""
        return safe_text(published_text(self.document, key))  # one character for one: marks keep their offsets

    def marks(self, key: str) -> list[PreviewMark]:
        return [PreviewMark(r.start, r.end, r.value_hash in self.pending_hashes)
                for r in self.document.redactions if r.field == key]


def published_text(doc: ProducedDocument, key: str) -> str:
    """A field of a published document, by the store's field key; a withheld unit shows its slip sheet."""
    if doc.withheld_in_full:
        return doc.slip_sheet or f"Message withheld: {doc.withheld_in_full}"
    kind, _, rest = key.partition(":")
    if key == "subject":
        return doc.subject
    if key == "body":
        return doc.body
    if kind == "address":
        role, _, n = rest.partition(":")
        for a in doc.addresses:
            if a.role == role and str(a.position) == n:
                return render_address(a.name, a.email)
        return "(not published)"
    if kind == "attachment":
        position, _, part = rest.partition(":")
        att = doc.attachment(int(position)) if position.isdigit() else None
        if att is None:
            return "(not published)"
        if part == "name":
            return att.filename
        if att.withheld:
            return att.slip_sheet or f"Attachment withheld: {att.withheld}"
        return att.text if att.text is not None else "(no text published)"
    if kind == "header":
        name, _, n = rest.partition(":")
        values = [v for h, v in doc.headers if h.lower() == name.lower()]
        index = int(n) if n.isdigit() else 0
        return values[index] if index < len(values) else "(header not published)"
    return "(not published)"


def build_preview(session: ReviewSession, message_id: str) -> PublishedPreview:
    """Run the production pipeline on this one message twice: with pending suggestions treated as accepted (what
    is shown) and as rejected; a value redacted only in the first is marked pending. Call from a worker."""
    from discovery.redact.pipeline import RedactOptions, Selection, build_production

    selection = Selection(query=f"id:{message_id}")
    docs = {}
    with session.reading() as case:
        for mode in ("redact", "keep"):
            result = build_production(case, selection, RedactOptions(pending=mode, label=PREVIEW_LABEL,
                                                                      formats=("eml",)))
            docs[mode] = next((d for d in result.production.documents if d.id == message_id), None)
    doc, decided = docs["redact"], docs["keep"]
    if doc is None or decided is None:
        from discovery.errors import NotFound

        raise NotFound(f"message {message_id} is not in the search index",
                       hint="Run 'discovery reindex' and open the preview again.")
    decided_values = {r.value_hash for r in decided.redactions}
    pending = frozenset(r.value_hash for r in doc.redactions if r.value_hash not in decided_values)
    return PublishedPreview(message_id, doc, pending)
