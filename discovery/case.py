"""Provides Case: the Python API over one investigation folder (ingest, stats, show), used by CLI and TUI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discovery.errors import NotFound
from discovery.store import Store, decompress_raw

if TYPE_CHECKING:  # the ingest pipeline is imported by Case.ingest only: searching never pays for it
    from discovery.ingest.pipeline import IngestReport, ProgressCallback
    from discovery.problems import Problem
    from discovery.redact.produce import ProduceReport
    from discovery.search.results import SearchResults
    from discovery.search.searcher import Searcher

DEFAULT_CASE = Path("indexes") / "default"


@dataclass(slots=True)
class AddressOut:
    name: str
    email: str
    domain: str


@dataclass(slots=True)
class AttachmentOut:
    position: int
    filename: str
    mime: str
    declared_mime: str
    size: int
    sha256: str
    has_text: bool
    error: str | None


@dataclass(slots=True)
class ProvenanceOut:
    path: str
    kind: str
    inner_path: str
    locator: str
    folder: str
    custodian: str
    message_id: str


@dataclass(slots=True)
class StoredMessage:
    """A message as the case holds it: fields, body, attachments and every place it was found."""

    id: str
    message_id: str
    date: str | None
    date_raw: str
    date_error: str
    tz_offset_min: int | None
    sender: list[AddressOut]
    to: list[AddressOut]
    cc: list[AddressOut]
    bcc: list[AddressOut]
    subject: str
    body_text: str
    body_source: str
    attachments: list[AttachmentOut]
    thread_id: str | None
    thread_parent: str | None
    parent_id: str | None
    in_reply_to: str
    references: list[str]
    provenance: list[ProvenanceOut]
    errors: list[str]
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw_format: str = "rfc822"
    # Printed releases (issue 11): item kind, pages, Bates numbers, split confidence, the release's own redactions.
    release: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class CaseStats:
    """Counts for 'discovery stats'."""

    case: str
    messages: int
    copies: int
    duplicates: int  # copies beyond the first of each message
    threads: int
    attachments: int
    sources: dict[str, int]  # by status
    source_kinds: dict[str, int]
    messages_by_kind: dict[str, int]
    by_year: dict[str, int]
    top_senders: list[dict[str, object]]
    top_domains: list[dict[str, object]]
    custodians: dict[str, int]
    undated: int
    failures: int
    failure_samples: list[dict[str, str]]
    problems: dict[str, int] = field(default_factory=dict)  # by kind, as 'discovery problems' lists them
    # Printed releases (issue 11): document items, and the redactions releases already carry, by exemption code.
    documents: int = 0
    redacted_messages: int = 0
    existing_redactions: dict[str, int] = field(default_factory=dict)
    bad_redactions: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class Case:
    """One case folder. Use as a context manager, or call close()."""

    def __init__(self, path: Path | str = DEFAULT_CASE, *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        self.store = Store(self.path, create=create, readonly=readonly)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ---------------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str], *, custodian: str = "", jobs: int = 1,
               progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None,
               actor: str = "discovery", index_progress: Callable[[int, int], None] | None = None,
               follow_links: bool = False) -> IngestReport:
        """Read mail from files and folders into the case; safe to run again (adds only what is new). Then bring
        the search index up to date (``index_progress(done, total)`` follows that part)."""
        path_list = [Path(p) for p in paths]
        from discovery.ingest.pipeline import Ingest

        report = Ingest(self.store, path_list, custodian=custodian, jobs=jobs, progress=progress,
                        cancel=cancel, follow_links=follow_links).run()
        self.store.audit(actor, "ingest", ", ".join(str(p) for p in path_list)[:2000], {
            "custodian": custodian, "new_messages": report.new_messages, "copies": report.messages,
            "failures": report.failures, "interrupted": report.interrupted,
        })
        if not report.interrupted:  # bring the search index up to date; if it cannot be, the ingest says so
            from discovery.search.indexer import safe_update

            _, problem = safe_update(self.store, jobs=jobs, progress=index_progress, cancel=cancel)
            if problem:
                report.index_error = problem
                report.problems.append({"path": str(self.path / "whoosh"), "locator": "",
                                        "reason": f"search index not updated ({problem}); the next search or "
                                        "'discovery reindex' will catch up"})
        return report

    # -- search ---------------------------------------------------------------------------------------
    def search(self, query: str, **options: Any) -> SearchResults:
        """Run one search (options as discovery.search.Searcher.search); for many, keep a searcher()."""
        with self.searcher() as searcher:
            return searcher.search(query, **options)

    def searcher(self, **options: Any) -> Searcher:
        """A long-lived Searcher over this case (reopens the index only when it changed); close it after use."""
        from discovery.search.searcher import Searcher

        return Searcher(self.store, **options)

    # -- reading --------------------------------------------------------------------------------------
    def message(self, key: str) -> StoredMessage:
        """A message by id (or unique prefix of at least 6 characters)."""
        row = self.store.message_row(key)
        if row is None:
            raise NotFound(f"no message {key!r} in this case",
                           hint="Ids are shown by 'discovery search' and 'discovery stats'; a prefix of 6+ "
                           "characters is enough when it is unique.")
        return self._stored(row)

    def raw(self, key: str) -> bytes:
        """The original bytes of a message (for Outlook items, a faithful RFC 822 rebuild)."""
        row = self.store.message_row(key)
        if row is None:
            raise NotFound(f"no message {key!r} in this case")
        return decompress_raw(row["raw"])

    def message_ids(self) -> Iterator[str]:
        for row in self.store.iter_rows("SELECT id FROM messages ORDER BY date_utc, id"):
            yield row[0]

    def _stored(self, row: object) -> StoredMessage:
        r = row  # sqlite3.Row
        key = r["id"]  # type: ignore[index]
        addresses: dict[str, list[AddressOut]] = {"from": [], "to": [], "cc": [], "bcc": []}
        for a in self.store.rows(
            "SELECT role, name, email, domain FROM addresses WHERE message_id=? ORDER BY role, position", (key,)
        ):
            addresses.setdefault(a["role"], []).append(AddressOut(a["name"], a["email"], a["domain"]))
        attachments = [
            AttachmentOut(a["position"], a["filename"], a["mime"], a["declared_mime"], a["size"], a["sha256"],
                          a["text"] is not None and a["text"] != "", a["error"])
            for a in self.store.rows("SELECT * FROM attachments WHERE message_id=? ORDER BY position", (key,))
        ]
        provenance = [
            ProvenanceOut(p["path"], p["kind"], p["inner_path"], p["locator"], p["folder"], p["custodian"],
                          p["message_id_header"])
            for p in self.store.rows(
                """SELECT s.path, p.kind, p.inner_path, p.locator, p.folder, p.custodian, p.message_id_header
                   FROM provenance p JOIN sources s ON s.id=p.source_id WHERE p.message_id=? ORDER BY p.id""",
                (key,),
            )
        ]
        return StoredMessage(
            id=key,
            message_id=r["message_id"],  # type: ignore[index]
            date=r["date_utc"],  # type: ignore[index]
            date_raw=r["date_raw"],  # type: ignore[index]
            date_error=r["date_error"],  # type: ignore[index]
            tz_offset_min=r["tz_offset_min"],  # type: ignore[index]
            sender=addresses["from"],
            to=addresses["to"],
            cc=addresses["cc"],
            bcc=addresses["bcc"],
            subject=r["subject"],  # type: ignore[index]
            body_text=r["body_text"],  # type: ignore[index]
            body_source=r["body_source"],  # type: ignore[index]
            attachments=attachments,
            thread_id=r["thread_id"],  # type: ignore[index]
            thread_parent=r["thread_parent"],  # type: ignore[index]
            parent_id=r["parent_id"],  # type: ignore[index]
            in_reply_to=r["in_reply_to"],  # type: ignore[index]
            references=json.loads(r["refs"]),  # type: ignore[index]
            provenance=provenance,
            errors=json.loads(r["errors"]),  # type: ignore[index]
            headers=[tuple(h) for h in json.loads(r["headers"])],  # type: ignore[index,misc]
            raw_format=r["raw_format"],  # type: ignore[index]
            release=self._release(key, r),
        )

    def attachment_bytes(self, key: str, position: int) -> tuple[AttachmentOut, bytes]:
        """The original bytes of attachment ``position`` (as numbered by show), decoded again from the stored
        raw message with the ingest's tolerant decoders and checked against the sha256 taken at ingest."""
        import hashlib

        from discovery.errors import CaseError
        from discovery.ingest.mime import attachment_payloads

        message = self.message(key)
        found = next((a for a in message.attachments if a.position == position), None)
        if found is None:
            raise NotFound(f"message {message.id} has no attachment {position}",
                           hint=f"'discovery show {message.id}' lists its attachments with their numbers.")
        payloads = attachment_payloads(self.raw(message.id))
        data = payloads[position] if position < len(payloads) else None
        if data is None or hashlib.sha256(data).hexdigest() != found.sha256:
            data = next((p for p in payloads if hashlib.sha256(p).hexdigest() == found.sha256), None)
        if data is None:
            raise CaseError(f"attachment {position} ({found.filename!r}) of message {message.id} cannot be rebuilt "
                            "from the stored message: its bytes no longer match the sha256 taken at ingest",
                            hint="Open the original source file listed by 'discovery show' to get it.")
        return found, data

    def _release(self, key: str, r: object) -> dict[str, object]:
        """Where a printed item sits in its release and the redactions the release carries; {} for mail."""
        row: Any = r
        if row["page_first"] is None:
            return {}
        redactions = [
            {"kind": x["kind"], "page": x["page"], "label": x["label"], "code": x["code"],
             "box": None if x["x0"] is None else [x["x0"], x["y0"], x["x1"], x["y1"]],
             "over_text": bool(x["over_text"])}
            for x in self.store.rows("SELECT * FROM existing_redactions WHERE message_id=? ORDER BY position", (key,))
        ]
        return {"item_kind": row["item_kind"], "page_first": row["page_first"], "page_last": row["page_last"],
                "bates_first": row["bates_first"], "bates_last": row["bates_last"],
                "split_confidence": row["split_confidence"], "redactions": redactions,
                "file_items": self._file_items(key)}

    def _file_items(self, key: str) -> list[str]:
        """The ids of the items split from the same file as ``key`` (its first printed copy), in page order."""
        return [r[0] for r in self.store.rows(
            """SELECT p2.message_id FROM provenance p2 JOIN (SELECT source_id, inner_path FROM provenance
                   WHERE message_id = ? AND locator LIKE 'pages:%' ORDER BY id LIMIT 1) p1
                 ON p2.source_id = p1.source_id AND p2.inner_path = p1.inner_path
               WHERE p2.locator LIKE 'pages:%' ORDER BY p2.id""", (key,))]

    def attachment_text(self, key: str, position: int) -> str | None:
        row = self.store.message_row(key)
        if row is None:
            raise NotFound(f"no message {key!r} in this case")
        value = self.store.scalar("SELECT text FROM attachments WHERE message_id=? AND position=?",
                                  (row["id"], position))
        return value if isinstance(value, str) else None

    # -- publication --------------------------------------------------------------------------------
    def redact(self, query: str = "", *, out: Path | str, tag: str = "", saved: str = "", all: bool = False,
               formats: Iterable[str] = ("txt",), label: str = "code", bates_prefix: str = "DOC-",
               bates_start: int = 1, pending: str = "refuse", jobs: int = 1,
               progress: Callable[[str, int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
               actor: str = "discovery") -> ProduceReport:
        """Publish the messages a query, a tag, a saved search or ``all=True`` selects, redacted, into ``out``
        (formats txt/eml/mbox/pdf; labels code/pseudonym/blackout; ``pending`` refuse/redact/keep), then check
        the output for leaks. ``progress(stage, done, total)`` follows it. Raises PendingSuggestions (refuse),
        RedactionError (a reviewed span no longer matches), LeakFound (quarantined), UsageError."""
        from discovery.redact.pipeline import RedactOptions, Selection
        from discovery.redact.produce import produce

        selection = Selection(query=query, tag=tag, saved=saved, all=all)
        options = RedactOptions(pending=pending, label=label, bates_prefix=bates_prefix, bates_start=bates_start,
                                formats=tuple(formats), jobs=jobs)
        return produce(self, selection, out, options, progress=progress, cancel=cancel, actor=actor)

    # -- stats ----------------------------------------------------------------------------------------
    def problems(self, kinds: Iterable[str] = ()) -> list[Problem]:
        """Everything the case does not hold whole: skipped and failed files, repaired and partly read
        messages, attachments without text (kinds from discovery.problems.KINDS; all when empty)."""
        from discovery.problems import list_problems

        return list(list_problems(self.store, kinds))

    def stats(self, top: int = 10) -> CaseStats:
        from discovery.problems import count_problems

        s = self.store
        messages = int(s.scalar("SELECT count(*) FROM messages") or 0)
        copies = int(s.scalar("SELECT count(*) FROM provenance") or 0)
        return CaseStats(
            case=str(self.path),
            messages=messages,
            copies=copies,
            duplicates=copies - int(s.scalar("SELECT count(DISTINCT message_id) FROM provenance") or 0),
            threads=int(s.scalar("SELECT count(DISTINCT thread_id) FROM messages") or 0),
            attachments=int(s.scalar("SELECT count(*) FROM attachments") or 0),
            sources=_pairs(s.rows("SELECT status, count(*) FROM sources GROUP BY status ORDER BY 2 DESC")),
            source_kinds=_pairs(s.rows("SELECT kind, count(*) FROM sources GROUP BY kind ORDER BY 2 DESC")),
            messages_by_kind=_pairs(s.rows(
                """SELECT kind, count(DISTINCT message_id) FROM provenance GROUP BY kind ORDER BY 2 DESC""")),
            by_year=_pairs(s.rows(
                """SELECT substr(date_utc, 1, 4), count(*) FROM messages WHERE date_utc IS NOT NULL
                   GROUP BY 1 ORDER BY 1""")),
            top_senders=[
                {"email": r[0], "name": r[1], "messages": r[2]}
                for r in s.rows(
                    """SELECT from_email, max(from_name), count(*) FROM messages WHERE from_email != ''
                       GROUP BY from_email ORDER BY 3 DESC, 1 LIMIT ?""", (top,))
            ],
            top_domains=[
                {"domain": r[0], "messages": r[1]}
                for r in s.rows(
                    """SELECT from_domain, count(*) FROM messages WHERE from_domain != ''
                       GROUP BY from_domain ORDER BY 2 DESC, 1 LIMIT ?""", (top,))
            ],
            custodians=_pairs(s.rows(
                """SELECT custodian, count(DISTINCT message_id) FROM provenance WHERE custodian != ''
                   GROUP BY custodian ORDER BY 2 DESC""")),
            undated=int(s.scalar("SELECT count(*) FROM messages WHERE date_utc IS NULL") or 0),
            # a bad redaction found in a release is a finding (counted under printed releases), not a read failure
            failures=int(s.scalar("SELECT count(*) FROM failures WHERE reason NOT LIKE 'bad redaction%'") or 0)
            + int(s.scalar("SELECT count(*) FROM sources WHERE status='failed'") or 0),
            failure_samples=[
                {"path": r[0] + (f"!{r[1]}" if r[1] else ""), "locator": r[2], "reason": r[3]}
                for r in s.rows(
                    """SELECT s.path, f.inner_path, f.locator, f.reason FROM failures f
                       JOIN sources s ON s.id=f.source_id WHERE f.reason NOT LIKE 'bad redaction%'
                       UNION ALL SELECT path, '', '', reason FROM sources WHERE status='failed'
                       LIMIT ?""", (top * 2,))
            ],
            problems=count_problems(s),
            documents=int(s.scalar("SELECT count(*) FROM messages WHERE item_kind='document'") or 0),
            redacted_messages=int(s.scalar("SELECT count(DISTINCT message_id) FROM existing_redactions") or 0),
            existing_redactions=_pairs(s.rows(
                """SELECT CASE code WHEN '' THEN 'unlabelled box' ELSE code END, count(*) FROM existing_redactions
                   GROUP BY 1 ORDER BY 2 DESC, 1""")),
            bad_redactions=int(s.scalar("SELECT count(*) FROM existing_redactions WHERE over_text=1") or 0),
        )


def _pairs(rows: list[object]) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in rows}  # type: ignore[index]
