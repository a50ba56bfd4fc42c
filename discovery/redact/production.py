"""Provides the plain records of a redacted production: what every writer (txt, eml/mbox, pdf) receives.

This module is the contract between the pipeline (``discovery.redact.pipeline``) and the writers. Everything
here is already redacted: no record holds a value that the production redacts, so a writer that serialises
these records faithfully cannot leak. Writers never read the store nor re-parse the raw message.

Field names (``AppliedRedaction.field``, ``MimePart.supplies``, ``WithheldUnit.unit``) use the store's field
keys: ``subject``, ``body``, ``address:<role>:<n>`` (the text ``Name <email>`` as rendered by
``discovery.pii.fields.render_address`` from the *published* name and email), ``header:<Name>[:<n>]`` (the n-th
published header of that name), ``attachment:<n>`` (its text) and ``attachment:<n>:name`` (its file name), where
``<n>`` is the attachment's ``position`` (0-based, as stored).

Output layout of a production directory ``OUT_DIR`` (every file is listed in ``manifest.json``; no other file
is allowed in it)::

    manifest.json          case, selection, formats, pending mode, label style, Bates prefix and range,
                           policy sha256, documents [{id, bates_first, bates_last, files}], files {path: sha256};
                           sorted keys, no clock, no absolute paths
    redaction-log.csv      one row per AppliedRedaction (no redacted value; a keyed hash at most)
    redaction-log.json     the same rows, plus the Vaughn-index draft grouped by document and exemption
    withheld.csv           one row per WithheldUnit
    txt/<BATES>.txt        one per document (BATES = its bates_first, e.g. HCSO-000123)
    eml/<BATES>.eml        one per document
    mbox/production.mbox   all documents in Bates order
    pdf/<BATES>.pdf        one per document; pdf/<BATES>-att<N>.pdf beside it for a PDF attachment redacted in
                           its own format (N = the attachment's position)

A production is written to a sibling ``OUT_DIR.partial-*`` and renamed to ``OUT_DIR`` only after the leak check
passed; on a leak it is moved to ``OUT_DIR.quarantine-*``.

Bates numbers are ``PREFIX`` + a 6-digit zero-padded number (``HCSO-000123``), one per page of
``ProducedDocument.pages``; the PDF writer typesets exactly those pages, and txt/eml use the same count, so a
document's range is the same in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_WIDTH = 90  # characters per line of a published page (see discovery.redact.pages.paginate)
PAGE_LINES = 60  # lines per published page


def bates_label(prefix: str, number: int) -> str:
    """The Bates number as printed and used in file names: 'HCSO-' and 123 -> 'HCSO-000123'."""
    return f"{prefix}{number:06d}"


@dataclass(frozen=True, slots=True)
class AppliedRedaction:
    """One redaction as applied in the published output, for the log and for drawing boxes.

    ``field`` is a field key (module docstring) and ``start``/``end`` are offsets (end exclusive) into the
    *published* text of that field, covering exactly ``label``. ``entity_type`` is the PII type ('PERSON',
    'US_SSN', ..., 'WITHHELD' for a whole-field withhold). ``exemption`` is the FOIA code ('(b)(6)').
    ``rule`` says what decided it: 'reviewer' (an accepted suggestion or manual span), 'value' (an accepted
    decision by value), 'policy:auto' / 'policy:deny' (the policy's rules), 'pending' (a pending suggestion
    redacted under ``--pending redact``), 'follow' (the same value found elsewhere by value-following).
    ``reviewer`` is who decided ('' for policy rules), ``decided_at`` when (ISO 8601, '' when unknown).
    ``decision`` identifies the decision it derives from ('suggestion:<keyed hash of its id>',
    'value:<TYPE>:<keyed hash>', 'unit:<unit>'), so the log can count how many places each decision reached.
    Keyed hashes are written in the letters a-p (no digits).
    ``value_hash`` is a keyed hash (HMAC-SHA256, key kept out of the production) of the normalized value;
    it is never the value nor an unsalted hash of it.
    ``page``/``line``/``column`` locate the label in ``ProducedDocument.pages`` (0-based; -1 when the field is
    not printed on the pages, e.g. a dropped header); the label is never split across lines.
    """

    field: str
    start: int
    end: int
    entity_type: str
    label: str
    exemption: str
    rule: str
    reviewer: str = ""
    decided_at: str = ""
    decision: str = ""
    value_hash: str = ""
    page: int = -1
    line: int = -1
    column: int = -1


@dataclass(frozen=True, slots=True)
class WithheldUnit:
    """A unit kept out of the production, with why: a whole message, an attachment or a whole field.

    ``unit`` is 'message', 'attachment:<n>', a field key ('subject', 'body', 'header:<Name>') or 'mime:<path>'
    for a MIME part that has no field of its own (an HTML alternative that differs from the text part).
    ``reason`` is a short machine-readable cause ('reviewer', 'no-text', 'truncated', 'html-differs',
    'forwarded-attachment', 'unsupported-format', 'pending'); ``detail`` a sentence for people (never quoting a
    redacted value; attachment names in it are the *published* names). ``exemption`` is the code when a
    reviewer withheld it under one, else ''.
    """

    unit: str
    reason: str
    detail: str = ""
    exemption: str = ""
    reviewer: str = ""
    decided_at: str = ""


@dataclass(frozen=True, slots=True)
class ProducedAddress:
    """One published mailbox: the role ('from', 'to', 'cc', 'bcc', 'reply-to'), position, and the display name
    and address as published (already redacted: a redacted address is replaced by its label)."""

    role: str
    position: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ProducedAttachment:
    """One attachment as published.

    ``position`` is the stored position (0-based); ``filename`` the published (redacted) file name; ``mime`` the
    detected type. ``text`` is the redacted extracted text, or None when there was none. ``content`` is the
    redacted file itself in its own format when the pipeline could produce it (plain-text types are re-encoded
    from ``text`` as UTF-8), else None: a writer then publishes ``text`` (or a slip sheet) instead and never
    the original bytes. ``withheld`` is '' or the reason code of the WithheldUnit ('no-text', ...); a withheld
    attachment has ``text`` and ``content`` None and writers put a slip sheet (``slip_sheet``) in its place.
    """

    position: int
    filename: str
    mime: str
    text: str | None = None
    content: bytes | None = None
    withheld: str = ""
    slip_sheet: str = ""


@dataclass(frozen=True, slots=True)
class MimePart:
    """One part of the original MIME tree, in walk order (depth first), for the mail writers.

    ``path`` is the part's position ('' for the root, '1', '1.2', ... like IMAP section numbers).
    ``content_type`` is lower-case ('multipart/alternative', 'text/plain', ...); ``charset`` and
    ``disposition`` ('inline', 'attachment' or '') as declared. ``supplies`` says which published record gives
    the part's content: '' for a multipart container, 'body' (the published body text), 'body-html' (an HTML
    alternative: render it from the published body, never from the original HTML), 'attachment:<n>'
    (ProducedAttachment with that position), 'embedded' (a forwarded message/rfc822 part, whose content is
    published as its own document when in the production) or 'withheld' (drop it; a WithheldUnit says why).
    ``document`` is, for 'embedded', the case id of the ProducedDocument that is that forwarded message ('' when
    unknown; it may be absent from the production).
    """

    path: str
    content_type: str
    charset: str = ""
    disposition: str = ""
    supplies: str = ""
    document: str = ""


@dataclass(frozen=True, slots=True)
class ProducedDocument:
    """One published message.

    ``id`` is the case's message id. ``bates_first``/``bates_last`` are the printed Bates numbers of its first
    and last page (``bates_label``); ``bates_start`` the number of the first page. ``date`` is the date as
    published (ISO 8601 with the sender's offset, '' when unknown). ``headers`` are the published headers in
    order, (name, value), rebuilt from the reviewed fields (From/To/Cc/Reply-To/Subject/Date, then the others
    the header policy keeps, redacted; never copied from the stored raw headers). ``subject`` and ``body`` are the
    published texts; ``addresses`` the published mailboxes in role order. ``redactions`` are every redaction
    applied to this document, sorted by (field, start). ``withheld`` the units withheld from it;
    ``withheld_in_full`` is '' or the reason when the whole message is withheld (then subject, body,
    addresses and attachments are empty and ``slip_sheet`` is the page text put in its place).
    ``pages`` is the document as printed (headers, body, attachment list and attachments' text), paginated at
    PAGE_WIDTH x PAGE_LINES: one Bates number per page. ``mime`` is the skeleton of the original MIME tree.
    ``parent_id`` is the id of the message this one was forwarded inside ('' if none).
    """

    id: str
    bates_first: str
    bates_last: str
    bates_start: int
    page_count: int
    date: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    subject: str = ""
    body: str = ""
    addresses: tuple[ProducedAddress, ...] = ()
    attachments: tuple[ProducedAttachment, ...] = ()
    redactions: tuple[AppliedRedaction, ...] = ()
    withheld: tuple[WithheldUnit, ...] = ()
    withheld_in_full: str = ""
    slip_sheet: str = ""
    pages: tuple[str, ...] = ()
    mime: tuple[MimePart, ...] = ()
    parent_id: str = ""

    def page_labels(self) -> list[str]:
        """The Bates number printed on each page, in order."""
        prefix = self.bates_first[:-6]
        return [bates_label(prefix, self.bates_start + i) for i in range(self.page_count)]

    def addresses_for(self, role: str) -> list[tuple[str, str]]:
        """The published (name, email) pairs of one role, in order."""
        return [(a.name, a.email) for a in self.addresses if a.role == role]

    def attachment(self, position: int) -> ProducedAttachment | None:
        """The published attachment with that stored position, None when there is none."""
        for att in self.attachments:
            if att.position == position:
                return att
        return None


@dataclass(frozen=True, slots=True)
class Production:
    """A whole production: settings and the documents sorted by Bates number.

    ``case`` is the case's name (folder name, never a path); ``selection`` a description of what was selected
    ('--all', 'query: ...', 'tag: ...', 'saved: ...'); ``pending`` the pending mode ('refuse', 'redact',
    'keep'); ``label_style`` ('code', 'pseudonym', 'blackout'); ``bates_prefix`` and ``bates_start`` the first
    number; ``policy_sha256`` the sha256 of the policy file's bytes ('' when the case has none);
    ``formats`` the formats asked for, in canonical order (txt, eml, mbox, pdf).
    ``values_redacted`` is how many distinct values were redacted; ``pending_redacted`` how many pending
    suggestions were treated as accepted (``--pending redact``) or kept (``keep``).
    """

    case: str
    selection: str
    pending: str
    label_style: str
    bates_prefix: str
    bates_start: int
    policy_sha256: str
    formats: tuple[str, ...] = ()
    documents: tuple[ProducedDocument, ...] = ()
    values_redacted: int = 0
    pending_redacted: int = 0
    header_policy: str = "neutralise"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def bates_end(self) -> int:
        """The number of the last page (bates_start - 1 when there is no document)."""
        if not self.documents:
            return self.bates_start - 1
        last = self.documents[-1]
        return last.bates_start + last.page_count - 1
