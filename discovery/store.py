"""Provides Store: the case's SQLite database (WAL, versioned schema), the source of truth for a case."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from discovery.errors import CaseBusy, CaseError, UsageError

if TYPE_CHECKING:  # the model and its hashing are needed to write messages, never to read them
    from discovery.model import Message

STORE_NAME = "store.sqlite"
MIN_ID_PREFIX = 6  # shortest message id prefix accepted

# Each migration takes the schema from version i to i+1. Never edit one that has shipped: add another.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT '',
        mime TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        size INTEGER,
        mtime_ns INTEGER,
        sha256 TEXT,
        custodian TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'pending',   -- pending, reading, done, partial, failed, skipped
        reason TEXT NOT NULL DEFAULT '',
        messages INTEGER NOT NULL DEFAULT 0,      -- copies found in this source (provenance rows)
        new_messages INTEGER NOT NULL DEFAULT 0,  -- of which were not already in the case
        failures INTEGER NOT NULL DEFAULT 0,
        started_at TEXT,
        finished_at TEXT
    );
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        message_id TEXT NOT NULL DEFAULT '',
        in_reply_to TEXT NOT NULL DEFAULT '',
        refs TEXT NOT NULL DEFAULT '[]',
        parent_id TEXT,                 -- the message this one was attached to (forwarded message/rfc822)
        thread_id TEXT,
        thread_parent TEXT,
        date_utc TEXT,                  -- ISO 8601 UTC, NULL when unknown
        tz_offset_min INTEGER,          -- the sender's offset, to show local time
        date_raw TEXT NOT NULL DEFAULT '',
        date_error TEXT NOT NULL DEFAULT '',
        from_name TEXT NOT NULL DEFAULT '',
        from_email TEXT NOT NULL DEFAULT '',
        from_domain TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        body_text TEXT NOT NULL DEFAULT '',
        body_source TEXT NOT NULL DEFAULT '',
        attachment_count INTEGER NOT NULL DEFAULT 0,
        headers TEXT NOT NULL DEFAULT '[]',
        errors TEXT NOT NULL DEFAULT '[]',
        raw BLOB,                       -- zlib-compressed original (or rebuilt) RFC 822 bytes
        raw_format TEXT NOT NULL DEFAULT 'rfc822',
        raw_size INTEGER NOT NULL DEFAULT 0,
        first_source_id INTEGER REFERENCES sources(id),
        ingested_at TEXT NOT NULL,
        rev INTEGER NOT NULL DEFAULT 0  -- bumped on every change, for incremental consumers (index)
    );
    CREATE INDEX messages_message_id ON messages(message_id);
    CREATE INDEX messages_thread ON messages(thread_id);
    CREATE INDEX messages_date ON messages(date_utc);
    CREATE INDEX messages_parent ON messages(parent_id);
    CREATE INDEX messages_first_source ON messages(first_source_id);
    CREATE TABLE addresses (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        role TEXT NOT NULL,             -- from, to, cc, bcc, reply-to
        position INTEGER NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (message_id, role, position)
    );
    CREATE INDEX addresses_email ON addresses(email);
    CREATE INDEX addresses_domain ON addresses(domain);
    CREATE TABLE attachments (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        filename TEXT NOT NULL DEFAULT '',
        mime TEXT NOT NULL DEFAULT '',
        declared_mime TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL DEFAULT '',
        text TEXT,
        error TEXT,
        inline INTEGER NOT NULL DEFAULT 0,
        content_id TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (message_id, position)
    );
    CREATE INDEX attachments_sha ON attachments(sha256);
    CREATE TABLE provenance (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        kind TEXT NOT NULL,
        inner_path TEXT NOT NULL DEFAULT '',
        locator TEXT NOT NULL DEFAULT '',
        folder TEXT NOT NULL DEFAULT '',
        custodian TEXT NOT NULL DEFAULT '',
        message_id_header TEXT NOT NULL DEFAULT '',  -- this copy's own Message-ID
        UNIQUE (source_id, inner_path, locator)
    );
    CREATE INDEX provenance_message ON provenance(message_id);
    CREATE TABLE failures (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        inner_path TEXT NOT NULL DEFAULT '',
        locator TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (source_id, inner_path, locator, reason)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: review state shared by search, the TUI and redaction: tags, notes, saved searches, and the queue
    # of messages whose search-index entry is out of date (filled by triggers, drained by the indexer).
    """
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        color TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL DEFAULT 0,     -- order for quick keys 1-9
        created_at TEXT NOT NULL
    );
    CREATE TABLE message_tags (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        PRIMARY KEY (message_id, tag_id)
    );
    CREATE INDEX message_tags_tag ON message_tags(tag_id);
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX notes_message ON notes(message_id);
    CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    );
    CREATE TABLE index_queue (message_id TEXT PRIMARY KEY);
    INSERT INTO index_queue(message_id) SELECT id FROM messages;
    CREATE TRIGGER queue_on_insert AFTER INSERT ON messages
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (NEW.id); END;
    CREATE TRIGGER queue_on_update AFTER UPDATE OF rev ON messages
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (NEW.id); END;
    CREATE TRIGGER queue_on_provenance AFTER INSERT ON provenance
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (NEW.message_id); END;
    CREATE TRIGGER queue_on_tag AFTER INSERT ON message_tags
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (NEW.message_id); END;
    CREATE TRIGGER queue_on_untag AFTER DELETE ON message_tags
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (OLD.message_id); END;
    CREATE TRIGGER queue_on_tag_rename AFTER UPDATE OF name ON tags
        BEGIN INSERT OR IGNORE INTO index_queue(message_id)
              SELECT message_id FROM message_tags WHERE tag_id=NEW.id; END;
    CREATE TRIGGER queue_on_tag_delete BEFORE DELETE ON tags
        BEGIN INSERT OR IGNORE INTO index_queue(message_id)
              SELECT message_id FROM message_tags WHERE tag_id=OLD.id; END;
    """,
    # 3: PII suggestions and reviewers' decisions (discovery.pii), one truth for the CLI, the review UI and
    # redaction. Offsets are Python string indices into a field's text, end exclusive. Fields: 'subject', 'body',
    # 'address:<role>:<n>' (shown as 'Name <email>'), 'header:<Name>[:<n>]', 'attachment:<n>', 'attachment:<n>:name'.
    # Decided suggestions (accepted/rejected) survive every rescan; 'current' = 0 when the scan no longer finds them.
    """
    CREATE TABLE pii_suggestions (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,                      -- the field's text at [start:end) when suggested
        value_key TEXT NOT NULL,                 -- normalized value: decisions by value, rescans
        entity_type TEXT NOT NULL,
        score REAL NOT NULL DEFAULT 0,
        recognizer TEXT NOT NULL DEFAULT '',
        explanation TEXT NOT NULL DEFAULT '{}',  -- JSON: Presidio's decision process, policy threshold
        origin TEXT NOT NULL DEFAULT 'scan',     -- scan, manual, value (made by a decision by value)
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
        current INTEGER NOT NULL DEFAULT 1,
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT,
        note TEXT NOT NULL DEFAULT '',
        scan_version TEXT NOT NULL DEFAULT '',
        policy_version TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (message_id, field, start, end, entity_type)
    );
    CREATE INDEX pii_suggestions_status ON pii_suggestions(status, entity_type);
    CREATE INDEX pii_suggestions_value ON pii_suggestions(entity_type, value_key);
    CREATE TABLE pii_value_decisions (           -- 'accept/reject everywhere': applied to future scans too
        entity_type TEXT NOT NULL,
        value_key TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (entity_type, value_key)
    );
    CREATE TABLE pii_scans (                      -- what the last scan of each message saw, for incremental scans
        message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        scanned_rev INTEGER NOT NULL,
        scanned_at TEXT NOT NULL,
        engine_mode TEXT NOT NULL,
        scan_version TEXT NOT NULL,              -- engine, recognizers, learned names and policy
        findings INTEGER NOT NULL DEFAULT 0,
        problems TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX pii_scans_version ON pii_scans(scan_version);
    """,
    # 4: the search index holds each message's PII types and review states (pii:phone, pii:pending, has:pii),
    # from its current suggestions that are not rejected. Queue a message when one of those may change. Kept cheap
    # for scans that insert thousands of rows: nothing for rows the index ignores or for a rescan that only
    # refreshes scores and offsets, and a lookup instead of a write when the message is queued already.
    """
    CREATE TRIGGER queue_on_pii_insert AFTER INSERT ON pii_suggestions
        WHEN NEW.current = 1 AND NEW.status != 'rejected'
             AND NOT EXISTS (SELECT 1 FROM index_queue WHERE message_id = NEW.message_id)
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (NEW.message_id); END;
    CREATE TRIGGER queue_on_pii_delete AFTER DELETE ON pii_suggestions
        WHEN OLD.current = 1 AND OLD.status != 'rejected'
             AND NOT EXISTS (SELECT 1 FROM index_queue WHERE message_id = OLD.message_id)
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (OLD.message_id); END;
    CREATE TRIGGER queue_on_pii_update AFTER UPDATE OF status, current, entity_type, message_id ON pii_suggestions
        WHEN OLD.status IS NOT NEW.status OR OLD.current IS NOT NEW.current
             OR OLD.entity_type IS NOT NEW.entity_type OR OLD.message_id IS NOT NEW.message_id
        BEGIN INSERT OR IGNORE INTO index_queue(message_id) VALUES (OLD.message_id), (NEW.message_id); END;
    INSERT OR IGNORE INTO index_queue(message_id)
        SELECT DISTINCT message_id FROM pii_suggestions WHERE current = 1 AND status != 'rejected';
    """,
    # Issue 12: a file name that is not UTF-8 is stored as text with its undecodable bytes written \xNN (see
    # storable()), and its exact bytes kept in source_path_bytes: nothing is lost, every other column stays text.
    """
    CREATE TABLE IF NOT EXISTS source_path_bytes (
        source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        path_bytes BLOB NOT NULL
    );
    """,
    # 6 (issue 11): printed releases. A PDF or text release becomes emails and 'document' items with their place
    # in the release (pages, Bates numbers), the page text they were split from and how sure the split is; the
    # redactions a release already carries are data: an exemption label in the text, or a box on a page (points
    # from the top-left), flagged when drawn over text still in the text layer (a bad redaction).
    """
    ALTER TABLE messages ADD COLUMN item_kind TEXT NOT NULL DEFAULT 'email';
    ALTER TABLE messages ADD COLUMN page_first INTEGER;
    ALTER TABLE messages ADD COLUMN page_last INTEGER;
    ALTER TABLE messages ADD COLUMN bates_first TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN bates_last TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN split_confidence REAL;
    ALTER TABLE messages ADD COLUMN source_text TEXT NOT NULL DEFAULT '';
    CREATE INDEX messages_item_kind ON messages(item_kind);
    CREATE TABLE existing_redactions (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,                 -- label, box
        page INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',     -- as printed: (b)(6), B6, [REDACTED]
        code TEXT NOT NULL DEFAULT '',      -- b6, b7c, redacted
        x0 REAL, y0 REAL, x1 REAL, y1 REAL,
        over_text INTEGER NOT NULL DEFAULT 0,
        hidden_text TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (message_id, position)
    );
    CREATE INDEX existing_redactions_code ON existing_redactions(code);
    """,
    # 7 (issue 10, publication): an exemption code per decision ('' = the policy's default for the type), whole-unit
    # decisions (withhold a message, an attachment or a whole field: a slip sheet goes in its place), productions
    # made, and the Bates numbers given to each document under a prefix, so a document keeps them when a
    # production is made again.
    """
    ALTER TABLE pii_suggestions ADD COLUMN exemption TEXT NOT NULL DEFAULT '';
    ALTER TABLE pii_value_decisions ADD COLUMN exemption TEXT NOT NULL DEFAULT '';
    CREATE TABLE redaction_units (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        unit TEXT NOT NULL,                      -- 'message', 'attachment:<n>', 'subject', 'body', 'header:<Name>'
        exemption TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (message_id, unit)
    );
    CREATE TABLE productions (
        id INTEGER PRIMARY KEY,
        out_dir TEXT NOT NULL,
        selection TEXT NOT NULL,
        formats TEXT NOT NULL,
        pending TEXT NOT NULL,
        label_style TEXT NOT NULL,
        bates_prefix TEXT NOT NULL,
        bates_first INTEGER,
        bates_last INTEGER,
        documents INTEGER NOT NULL DEFAULT 0,
        policy_sha256 TEXT NOT NULL DEFAULT '',
        manifest_sha256 TEXT NOT NULL DEFAULT '',
        files TEXT NOT NULL DEFAULT '{}',         -- JSON: relative path -> sha256
        created_by TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE bates_numbers (
        prefix TEXT NOT NULL,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        first INTEGER NOT NULL,
        pages INTEGER NOT NULL,                  -- numbers reserved: first .. first + pages - 1
        production_id INTEGER REFERENCES productions(id),
        PRIMARY KEY (prefix, message_id)
    );
    CREATE INDEX bates_numbers_first ON bates_numbers(prefix, first);
    """,
    # 8 (issue 9): the reviewer's questions. Suggestions of one message sharing a group_key are one question (one
    # value, or one person: a name and the address written with it) whose status always moves together; every
    # span keeps its row, so redaction, the leak check and the evaluation still read spans. An old case groups by
    # value until its next scan links names and addresses.
    """
    ALTER TABLE pii_suggestions ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
    UPDATE pii_suggestions SET group_key = entity_type || ':' || value_key;
    CREATE INDEX pii_suggestions_group ON pii_suggestions(message_id, group_key);
    """,
    # 9 (issue 9): questions across the case. A message's groups of one person or value are joined across messages
    # (pii.groups.case_questions) into one question_key, decided once for every place; decision_scope says how far a
    # decision was meant to reach: 'case' (the question everywhere, and places found later), 'message' (its places
    # in one message) or 'place' (one span), '' while pending. A case decision never overrides a message or place
    # decision (the per-place override: a public official kept readable in one press release). Decisions made before
    # were per message: 'legacy', kept by case decisions like a message's, but (as before) a legacy rejection does
    # not keep a value readable that the production redacts elsewhere. The join itself is computed by the next
    # 'pii scan' or 'pii status' (question_key starts as the message's group, one string for a person everywhere).
    """
    ALTER TABLE pii_suggestions ADD COLUMN question_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE pii_suggestions ADD COLUMN decision_scope TEXT NOT NULL DEFAULT '';
    UPDATE pii_suggestions SET question_key = coalesce(nullif(group_key, ''), entity_type || ':' || value_key),
        decision_scope = CASE WHEN status = 'pending' THEN '' ELSE 'legacy' END;
    CREATE INDEX pii_suggestions_question ON pii_suggestions(question_key, status);
    INSERT OR REPLACE INTO meta(key, value) VALUES ('pii_questions_joined', '0');
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def storable(text: str) -> str:
    """Text SQLite can hold: a name decoded with surrogateescape (bytes that are not UTF-8) gets those bytes
    written as \\xNN; any other text is returned unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(slots=True)
class MessageRecord:
    """A message flattened into rows, built in ingest workers so the writer only inserts."""

    id: str
    content_hash: str
    columns: dict[str, object]
    addresses: list[tuple[str, int, str, str, str]]
    attachments: list[tuple[object, ...]]
    kind: str
    inner_path: str
    locator: str
    folder: str
    custodian: str
    message_id_header: str
    embedded: list[MessageRecord] = field(default_factory=list)
    redactions: list[tuple[object, ...]] = field(default_factory=list)


def to_record(msg: Message) -> MessageRecord:
    """Flatten a parsed Message (and its forwarded messages) into a MessageRecord."""
    from discovery.dedup import content_hash, message_key

    digest = msg.content_hash or content_hash(msg)
    key = message_key(digest)
    date_utc = tz_min = None
    if msg.date is not None:
        date_utc = msg.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        offset = msg.date.utcoffset()
        tz_min = int(offset.total_seconds() // 60) if offset is not None else None
    sender = msg.sender[0] if msg.sender else None
    raw = msg.raw or b""
    columns: dict[str, object] = {
        "message_id": msg.message_id,
        "in_reply_to": msg.in_reply_to,
        "refs": json.dumps(msg.references),
        "date_utc": date_utc,
        "tz_offset_min": tz_min,
        "date_raw": msg.date_raw,
        "date_error": msg.date_error,
        "from_name": sender.name if sender else "",
        "from_email": sender.email.lower() if sender else "",
        "from_domain": sender.domain if sender else "",
        "subject": msg.subject,
        "body_text": msg.body_text,
        "body_source": msg.body_source,
        "attachment_count": len(msg.attachments),
        "headers": json.dumps(msg.headers, ensure_ascii=False),
        "errors": json.dumps(msg.errors, ensure_ascii=False),
        "raw": zlib.compress(raw, 1) if raw else None,
        "raw_format": msg.raw_format,
        "raw_size": len(raw),
        "item_kind": msg.item_kind,
        "page_first": msg.page_first,
        "page_last": msg.page_last,
        "bates_first": msg.bates_first,
        "bates_last": msg.bates_last,
        "split_confidence": msg.split_confidence,
        "source_text": msg.source_text,
    }
    addresses = [
        (role, i, a.name, a.email.lower(), a.domain)
        for role, group in (("from", msg.sender), ("to", msg.to), ("cc", msg.cc), ("bcc", msg.bcc),
                            ("reply-to", msg.reply_to))
        for i, a in enumerate(group)
    ]
    attachments = [
        (i, a.filename, a.mime, a.declared_mime, a.size, a.sha256, a.text, a.error, int(a.inline), a.content_id)
        for i, a in enumerate(msg.attachments)
    ]
    prov = msg.provenance
    return MessageRecord(
        id=key,
        content_hash=digest,
        columns=columns,
        addresses=addresses,
        attachments=attachments,
        kind=prov.kind,
        inner_path=storable(prov.inner_path),
        locator=storable(prov.locator),
        folder=storable(prov.folder),
        custodian=prov.custodian,
        message_id_header=msg.message_id,
        embedded=[to_record(child) for child in msg.embedded],
        redactions=[
            (i, r.kind, r.page, r.label, r.code, *(r.box or (None, None, None, None)), int(r.over_text), r.hidden_text)
            for i, r in enumerate(msg.redactions)
        ],
    )


@dataclass(slots=True)
class SourceRow:
    id: int
    path: str
    kind: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    status: str
    reason: str
    messages: int
    failures: int
    custodian: str


class Store:
    """The case database. One writer at a time (SQLite's lock); readers never block it (WAL)."""

    def __init__(self, case_dir: Path, *, create: bool = True, readonly: bool = False) -> None:
        self.case_dir = Path(case_dir)
        self.path = self.case_dir / STORE_NAME
        self.readonly = readonly
        self.tightened: list[Path] = []  # paths made private on open (issue 12), for a notice
        if not readonly:
            from discovery.privacy import private_umask

            private_umask()
        if not self.path.exists():
            if not create or readonly:
                raise CaseError(
                    f"no case at {self.case_dir}",
                    hint="Run 'discovery ingest PATH --case DIR' first, or pass the right --case.",
                )
            try:
                self.case_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CaseError(f"cannot create the case folder {self.case_dir}: {exc.strerror or exc}") from exc
        if not readonly:  # before SQLite opens the store: it gives a new (or empty) -wal and -shm the store's mode
            from discovery.privacy import make_private

            self.tightened = make_private(self.case_dir)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
            else:
                self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate(readonly)
        except sqlite3.DatabaseError as exc:
            raise CaseError(
                f"the case store {self.path} cannot be opened: {exc}",
                hint="If the file is damaged, restore it from a backup; sources are never modified, so a new "
                "case can always be built again from them.",
            ) from exc

    # -- schema ---------------------------------------------------------------------------------------
    def _migrate(self, readonly: bool) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CaseError(
                f"the case at {self.case_dir} was written by a newer discovery (schema {version}, "
                f"this one knows {SCHEMA_VERSION})",
                hint="Upgrade discovery to open it.",
            )
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise CaseError(f"the case at {self.case_dir} needs an upgrade; open it once for writing")
        try:
            for index in range(version, SCHEMA_VERSION):
                with self.db:
                    self.db.executescript("BEGIN IMMEDIATE;" + MIGRATIONS[index] + ";")
                    self.db.execute(f"PRAGMA user_version={index + 1}")
                    if index == 0:
                        self.db.execute("INSERT INTO meta(key, value) VALUES ('created_at', ?)", (now_iso(),))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise CaseBusy(f"the case at {self.case_dir} is being written by another process") from exc
            raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources --------------------------------------------------------------------------------------
    def source(self, path: str) -> SourceRow | None:
        row = self.db.execute("SELECT * FROM sources WHERE path=?", (storable(path),)).fetchone()
        return _source_row(row) if row else None

    def begin_source(self, path: str, *, kind: str, mime: str, description: str, size: int | None,
                     mtime_ns: int | None, sha256: str | None, custodian: str) -> int:
        """Register (or re-open) a source as being read; returns its id. No commit: a source that was
        never committed is simply read again next time."""
        exact = storable(path)
        path_bytes = None if exact == path else path.encode("utf-8", "surrogateescape")
        path = exact
        self.db.execute(
            """INSERT INTO sources(path, kind, mime, description, size, mtime_ns, sha256, custodian, status,
                                   reason, started_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'reading', '', ?)
               ON CONFLICT(path) DO UPDATE SET kind=excluded.kind, mime=excluded.mime,
                   description=excluded.description, size=excluded.size, mtime_ns=excluded.mtime_ns,
                   sha256=excluded.sha256, custodian=excluded.custodian, status='reading', reason='',
                   started_at=excluded.started_at, finished_at=NULL""",
            (path, kind, mime, description, size, mtime_ns, sha256, custodian, now_iso()),
        )
        row = self.db.execute("SELECT id FROM sources WHERE path=?", (path,)).fetchone()
        if path_bytes is not None:
            self.db.execute("INSERT OR REPLACE INTO source_path_bytes(source_id, path_bytes) VALUES (?, ?)",
                            (row[0], path_bytes))
        return int(row[0])

    def update_source_kind(self, source_id: int, kind: str, mime: str, description: str) -> None:
        self.db.execute("UPDATE sources SET kind=?, mime=?, description=? WHERE id=?",
                        (kind, mime, description, source_id))

    def finish_source(self, source_id: int, status: str, reason: str = "") -> None:
        """Close a source with its final status; counts come from what the store holds. No commit."""
        self.db.execute(
            """UPDATE sources SET status=?, reason=?, finished_at=?,
                   messages=(SELECT count(*) FROM provenance WHERE source_id=sources.id),
                   new_messages=(SELECT count(*) FROM messages WHERE first_source_id=sources.id),
                   failures=(SELECT count(*) FROM failures WHERE source_id=sources.id)
               WHERE id=?""",
            (status, storable(reason), now_iso(), source_id),
        )

    def record_skipped(self, path: str, *, status: str, reason: str, kind: str = "", mime: str = "",
                       description: str = "", size: int | None = None, mtime_ns: int | None = None,
                       custodian: str = "") -> int:
        source_id = self.begin_source(path, kind=kind, mime=mime, description=description, size=size,
                                      mtime_ns=mtime_ns, sha256=None, custodian=custodian)
        self.finish_source(source_id, status, reason)
        return source_id

    def sources(self) -> list[SourceRow]:
        return [_source_row(r) for r in self.db.execute("SELECT * FROM sources ORDER BY id")]

    # -- writing messages -----------------------------------------------------------------------------
    def add_records(self, source_id: int, records: Iterable[MessageRecord]) -> tuple[int, int]:
        """Insert the messages of one source; see add_many. Returns (copies added, new messages)."""
        return self.add_many([(source_id, r) for r in records])

    def add_many(self, items: Sequence[tuple[int, MessageRecord]]) -> tuple[int, int]:
        """Insert messages found in sources, with their forwarded messages: new content becomes a message
        with its addresses and attachments, known content only gains a provenance row. Idempotent: a
        re-read adds nothing. Returns (provenance rows added, messages added). No commit."""
        flat: list[tuple[int, MessageRecord, str | None]] = []
        stack: list[tuple[int, MessageRecord, str | None]] = [(sid, r, None) for sid, r in reversed(items)]
        while stack:
            sid, record, parent = stack.pop()
            flat.append((sid, record, parent))
            stack.extend((sid, child, record.id) for child in reversed(record.embedded))
        if not flat:
            return 0, 0
        hashes = list({record.content_hash for _, record, _ in flat})
        known: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            known.update(r[0] for r in self.db.execute(
                f"SELECT content_hash FROM messages WHERE content_hash IN ({','.join('?' * len(part))})", part))
        fresh: list[tuple[int, MessageRecord, str | None]] = []
        for sid, record, parent in flat:
            if record.content_hash not in known:
                known.add(record.content_hash)
                fresh.append((sid, record, parent))
        stamp = now_iso()
        if fresh:
            columns = list(fresh[0][1].columns)
            self.db.executemany(
                f"""INSERT INTO messages(id, content_hash, parent_id, first_source_id, ingested_at,
                                         {", ".join(columns)})
                    VALUES (?, ?, ?, ?, ?, {", ".join("?" * len(columns))}) ON CONFLICT(content_hash) DO NOTHING""",
                [(r.id, r.content_hash, parent, sid, stamp, *(r.columns[c] for c in columns))
                 for sid, r, parent in fresh],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO addresses(message_id, role, position, name, email, domain) VALUES (?,?,?,?,?,?)",
                [(r.id, *a) for _, r, _ in fresh for a in r.addresses],
            )
            self.db.executemany(
                """INSERT OR IGNORE INTO attachments(message_id, position, filename, mime, declared_mime, size,
                                                     sha256, text, error, inline, content_id)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                [(r.id, *a) for _, r, _ in fresh for a in r.attachments],
            )
            self.db.executemany(
                """INSERT OR IGNORE INTO existing_redactions(message_id, position, kind, page, label, code,
                                                             x0, y0, x1, y1, over_text, hidden_text)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
                [(r.id, *x) for _, r, _ in fresh for x in r.redactions],
            )
        sources = sorted({sid for sid, _, _ in flat})
        count_sql = f"SELECT count(*) FROM provenance WHERE source_id IN ({','.join('?' * len(sources))})"
        before = self.db.execute(count_sql, sources).fetchone()[0]
        self.db.executemany(
            """INSERT INTO provenance(message_id, source_id, kind, inner_path, locator, folder, custodian,
                                      message_id_header)
               VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(source_id, inner_path, locator) DO NOTHING""",
            [(r.id, sid, r.kind, r.inner_path, r.locator, r.folder, r.custodian, r.message_id_header)
             for sid, r, _ in flat],
        )
        copies = self.db.execute(count_sql, sources).fetchone()[0] - before
        return copies, len(fresh)

    def add_failure(self, source_id: int, reason: str, inner_path: str = "", locator: str = "") -> None:
        """Record a problem with one message or member. No commit."""
        self.db.execute(
            """INSERT INTO failures(source_id, inner_path, locator, reason, created_at) VALUES (?,?,?,?,?)
               ON CONFLICT DO NOTHING""",
            (source_id, storable(inner_path), storable(locator), storable(reason[:2000]), now_iso()),
        )

    def commit(self) -> None:
        self.db.commit()

    def set_threads(self, links: dict[str, tuple[str, str]]) -> int:
        """Store thread ids and parents; returns how many messages changed. Commits."""
        current = {
            row[0]: (row[1], row[2]) for row in self.db.execute("SELECT id, thread_id, thread_parent FROM messages")
        }
        changes = [
            (thread, parent or None, key)
            for key, (thread, parent) in links.items()
            if current.get(key) != (thread, parent or None)
        ]
        with self.db:
            self.db.executemany(
                "UPDATE messages SET thread_id=?, thread_parent=?, rev=rev+1 WHERE id=?", changes
            )
        return len(changes)

    def audit(self, actor: str, action: str, target: str = "", detail: dict[str, object] | None = None) -> None:
        """Append to the audit log. Commits."""
        with self.db:
            self.db.execute(
                "INSERT INTO audit(at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                (now_iso(), actor, action, target, json.dumps(detail or {}, ensure_ascii=False, default=str)),
            )

    # -- reading --------------------------------------------------------------------------------------
    def message_row(self, key: str) -> sqlite3.Row | None:
        """One message row by id or unique id prefix (at least 6 hex digits); None when there is none.
        Raises UsageError for a prefix shorter than 6 characters or one that several messages share."""
        key = key.strip().lower()
        row = self.db.execute("SELECT * FROM messages WHERE id=?", (key,)).fetchone()
        if row is not None:
            return row
        if len(key) < MIN_ID_PREFIX:
            raise UsageError(f"message id prefix {key!r} is too short",
                             hint=f"Give at least {MIN_ID_PREFIX} characters of the id, as 'discovery search' "
                             "shows it.")
        # A literal prefix (a range on the id index), so that '%' and '_' are not wildcards.
        rows = self.db.execute("SELECT * FROM messages WHERE id >= ? AND id < ? LIMIT 2",
                               (key, key + "\U0010ffff")).fetchall()
        if len(rows) > 1:
            raise UsageError(f"message id prefix {key!r} matches more than one message",
                             hint="Give more characters of the id.")
        return rows[0] if rows else None

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def iter_rows(self, sql: str, params: Sequence[object] = ()) -> Iterator[sqlite3.Row]:
        yield from self.db.execute(sql, params)

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None


def _source_row(row: sqlite3.Row) -> SourceRow:
    return SourceRow(
        id=row["id"], path=row["path"], kind=row["kind"], size=row["size"], mtime_ns=row["mtime_ns"],
        sha256=row["sha256"], status=row["status"], reason=row["reason"], messages=row["messages"],
        failures=row["failures"], custodian=row["custodian"],
    )


def decompress_raw(blob: bytes | None) -> bytes:
    return zlib.decompress(blob) if blob else b""
