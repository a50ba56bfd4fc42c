"""Provides scan_case(): the incremental, parallel PII scan of a case (process pool, progress callback and
cancel flag shared by the CLI and the TUI), and scan_status() for 'discovery pii status'."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from discovery.errors import CaseError
from discovery.pii.fields import MessageFields, load_fields
from discovery.pii.names import CorpusNames, learn_from_store
from discovery.pii.policy import Policy, PolicyFilter, load_policy, policy_path
from discovery.pii.suggestions import (
    MergeStats,
    address_owners,
    join_questions,
    merge_message,
    question_figures,
    question_map,
    record_scan,
    value_rules,
)
from discovery.pii.types import Finding, Problem
from discovery.store import Store, now_iso

if TYPE_CHECKING:
    from discovery.case import Case
    from discovery.pii.engine import EngineSpec, PiiEngine

BATCH = 32  # messages per unit of work


@dataclass(slots=True)
class ScanProgress:
    """Where a scan is: sent to the progress callback after each batch."""

    phase: str  # 'learning', 'scanning', 'done'
    done: int = 0
    total: int = 0
    suggestions: int = 0
    problems: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[ScanProgress], None]


@dataclass(slots=True)
class ScanReport:
    """What a scan did. `ok` is False when some messages could not be analysed (see problems)."""

    engine: str
    mode: str
    scan_version: str
    people_learned: int
    messages: int
    to_scan: int
    scanned: int = 0
    up_to_date: int = 0
    findings: int = 0  # spans found
    allowed: int = 0  # findings the policy's allow-list removed
    merge: MergeStats = field(default_factory=MergeStats)
    problem_counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)  # a sample, with message ids
    interrupted: bool = False
    seconds: float = 0.0
    jobs: int = 1
    allow_hints: list[dict[str, object]] = field(default_factory=list)  # domains that dominate the suggestions
    questions: dict[str, float | int] = field(default_factory=dict)  # the case's, after the scan: question_figures

    @property
    def ok(self) -> bool:
        return not self.problem_counts.get("error")

    @property
    def rate(self) -> float:
        return self.scanned / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["ok"] = self.ok
        data["rate"] = round(self.rate, 1)
        return data


@dataclass(slots=True)
class Prepared:
    """Everything a scan needs before it reads messages: engine choice, learned names, policy."""

    spec: EngineSpec
    names: CorpusNames
    policy: Policy
    policy_filter: PolicyFilter
    scan_version: str


def prepare(case: Case, policy: Policy | None = None) -> Prepared:
    """Resolve the engine, learn the case's names and load its policy (imports spaCy, not Presidio)."""
    from discovery.pii.engine import resolve_engine

    policy = policy or load_policy(case.path)
    spec = resolve_engine(policy.mode, policy.model)
    store = case.store
    names = learn_from_store(store)
    people = [(r[0], r[1]) for r in store.rows("SELECT DISTINCT name, email FROM addresses WHERE email != ''")]
    policy_filter = PolicyFilter.build(policy, people, case_lists(store) if policy.mailing_lists else ())
    version = f"{spec.fingerprint}|names:{names.version()}|policy:{policy_filter.version()}"
    return Prepared(spec, names, policy, policy_filter, version)


def case_lists(store: Store) -> set[str]:
    """The mailing list addresses named by the case's list headers (List-Id, List-Post, X-BeenThere, ...)."""
    import json

    from discovery.pii.headers import list_addresses

    found: set[str] = set()
    for (raw,) in store.rows("SELECT headers FROM messages WHERE headers LIKE '%list%' OR headers LIKE "
                             "'%X-BeenThere%' OR headers LIKE '%X-Loop%'"):
        try:
            found |= list_addresses(json.loads(raw or "[]"))
        except (ValueError, TypeError):
            continue
    return found


def pending_messages(store: Store, scan_version: str, *, full: bool = False, only_new: bool = False) -> list[str]:
    """Ids of messages a scan must read: never scanned, changed since (rev), or scanned by another version."""
    if full:
        return [r[0] for r in store.rows("SELECT id FROM messages ORDER BY id")]
    condition = "s.message_id IS NULL OR s.scanned_rev != m.rev"
    params: tuple[object, ...] = ()
    if not only_new:
        condition += " OR s.scan_version != ?"
        params = (scan_version,)
    return [r[0] for r in store.rows(
        f"SELECT m.id FROM messages m LEFT JOIN pii_scans s ON s.message_id = m.id WHERE {condition} ORDER BY m.id",
        params)]


# -- worker side ---------------------------------------------------------------------------------------------
_WORKER: tuple[PiiEngine, PolicyFilter] | None = None


def _init_worker(spec: EngineSpec, names: CorpusNames, policy_filter: PolicyFilter) -> None:
    global _WORKER
    from discovery.pii.engine import PiiEngine
    from discovery.workers import die_with_parent

    die_with_parent()  # the forkserver's child: Ctrl-C is the parent's to handle; kill -9 of the scan ends us too

    _WORKER = (PiiEngine(spec, names), policy_filter)


def analyze_batch(engine: PiiEngine, policy_filter: PolicyFilter, batch: list[MessageFields]
                  ) -> list[tuple[str, int, list[Finding], list[Problem], int]]:
    """(message id, rev, suggestions, problems, allowed count) for each message of a batch."""
    out = []
    for item, (findings, problems) in zip(batch, engine.analyze_messages(batch), strict=True):
        kept, allowed = policy_filter.apply(findings, item.fields)
        out.append((item.message_id, item.rev, kept, problems, allowed))
    return out


def _work(batch: list[MessageFields]) -> list[tuple[str, int, list[Finding], list[Problem], int]]:
    assert _WORKER is not None, "worker not initialised"
    return analyze_batch(_WORKER[0], _WORKER[1], batch)


# -- the scan ------------------------------------------------------------------------------------------------
def scan_case(case: Case, *, jobs: int = 1, full: bool = False, only_new: bool = False, policy: Policy | None = None,
              progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None,
              engine: PiiEngine | None = None, actor: str = "discovery", batch_size: int = BATCH,
              limit: int | None = None) -> ScanReport:
    """Scan the case's new and changed messages (all with full=True) and store the suggestions.

    jobs > 1 runs a process pool (each worker builds its own engine); jobs = 1 runs here, reusing `engine`
    when given. Decisions already made are kept (see suggestions.merge_message). Safe to interrupt: what was
    scanned is committed, and the next scan goes on from there."""
    started = time.monotonic()
    cancel = cancel or (lambda: False)
    if progress:
        progress(ScanProgress("learning"))
    prep = prepare(case, policy)
    store = case.store
    ids = pending_messages(store, prep.scan_version, full=full, only_new=only_new)
    if limit is not None:
        ids = ids[:limit]
    total_messages = _count(store.scalar("SELECT count(*) FROM messages"))
    report = ScanReport(prep.spec.label, prep.spec.mode, prep.scan_version, prep.names.people, total_messages,
                        len(ids), up_to_date=total_messages - len(ids), jobs=jobs)
    rules = value_rules(store)
    owners = address_owners(store)
    questions = question_map(store)
    policy_version = prep.policy_filter.version()
    state = ScanProgress("scanning", total=len(ids))
    problem_counter: Counter[str] = Counter()

    def batches() -> Iterator[list[MessageFields]]:
        for i in range(0, len(ids), batch_size):
            yield load_fields(store, ids[i : i + batch_size], transport=prep.policy.transport_headers,
                              headers=prep.policy.scan_headers)

    def commit(results: list[tuple[str, int, list[Finding], list[Problem], int]]) -> None:
        stamp = now_iso()
        with store.db:
            for message_id, rev, findings, problems, allowed in results:
                stats = merge_message(store.db, message_id, findings, scan_version=prep.scan_version,
                                      policy_version=policy_version, rules=rules, stamp=stamp, owners=owners,
                                      questions=questions)
                report.merge.add(stats)
                record_scan(store.db, message_id, rev, prep.spec.mode, prep.scan_version, len(findings), problems,
                            stamp)
                report.findings += len(findings)
                report.allowed += allowed
                for p in problems:
                    problem_counter[p.kind] += 1
                    if len(report.problems) < 50 and p.kind != "empty":
                        report.problems.append({"message": message_id, **p.to_dict()})
        report.scanned += len(results)
        state.done = report.scanned
        state.suggestions = report.merge.questions
        state.problems = sum(n for k, n in problem_counter.items() if k != "empty")
        state.elapsed = time.monotonic() - started
        if progress:
            progress(state)

    def failed(message_ids: list[str], detail: str) -> None:
        """A batch that could not be analysed: reported, not marked scanned (the next scan tries again)."""
        problem_counter["error"] += len(message_ids)
        for message_id in message_ids[: max(0, 50 - len(report.problems))]:
            report.problems.append({"message": message_id, "field": "", "kind": "error", "detail": detail[:500]})

    if ids:
        if jobs <= 1:
            if engine is None:
                from discovery.pii.engine import PiiEngine

                engine = PiiEngine(prep.spec, prep.names)
            else:
                engine.names = prep.names
            for batch in batches():
                if cancel():
                    report.interrupted = True
                    break
                commit(analyze_batch(engine, prep.policy_filter, batch))
        else:
            report.interrupted = _run_pool(jobs, prep, batches(), commit, failed, cancel)
    join_questions(store.db)  # one question per person or value across the case, its decision on new places
    report.questions = question_figures(store)
    report.problem_counts = dict(problem_counter)
    report.seconds = round(time.monotonic() - started, 3)
    from discovery.pii.allowlist import dominant_domains

    report.allow_hints = [h.to_dict() for h in dominant_domains(store, prep.policy)]
    store.audit(actor, "pii.scan", str(case.path), {
        "engine": report.engine, "scan_version": report.scan_version, "scanned": report.scanned,
        "suggestions": report.findings, "inserted": report.merge.inserted, "removed": report.merge.removed,
        "kept_decided": report.merge.kept, "interrupted": report.interrupted, "problems": report.problem_counts,
    })
    if progress:
        state.phase = "done"
        progress(state)
    return report


def _run_pool(jobs: int, prep: Prepared, batches: Iterator[list[MessageFields]],
              commit: Callable[[list[tuple[str, int, list[Finding], list[Problem], int]]], None],
              failed: Callable[[list[str], str], None], cancel: Callable[[], bool]) -> bool:
    """Feed batches to a process pool, at most 2 * jobs in flight (memory stays flat on huge cases)."""
    # No plain fork: the parent may hold threads (the progress bar) and an open SQLite connection. A fork server
    # is started clean, imports Presidio once, and forks workers from that (spawn would import it per worker).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["discovery.pii.engine", "presidio_analyzer", "spacy"])
    else:
        context = multiprocessing.get_context("spawn")
    interrupted = False
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(prep.spec, prep.names, prep.policy_filter)) as pool:
        in_flight: dict[Future[list[tuple[str, int, list[Finding], list[Problem], int]]], list[str]] = {}
        exhausted = False
        while True:
            while not exhausted and not interrupted and len(in_flight) < 2 * jobs:
                if cancel():
                    interrupted = True
                    break
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                in_flight[pool.submit(_work, batch)] = [m.message_id for m in batch]
            if not in_flight:
                break
            done, _ = wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                ids = in_flight.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool as exc:
                    raise CaseError("a PII scan worker died (out of memory?); what was scanned is saved",
                                    hint="Run the scan again, with --jobs 1 if it happens again.") from exc
                except Exception as exc:  # a bug in one batch: report it, scan the rest, retry next time
                    failed(ids, f"{type(exc).__name__}: {exc}")
                    continue
                commit(results)
            if cancel():
                interrupted = True
    return interrupted


def default_jobs() -> int:
    return max(1, min(8, os.cpu_count() or 1))


# -- status ----------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class ScanStatus:
    """What 'discovery pii status' shows."""

    engine: str
    mode: str
    reason: str
    cannot_find: str
    installed_models: list[str]
    census_lists: bool
    policy_file: str
    policy_version: str
    scan_version: str
    people_learned: int
    messages: int
    scanned: int
    up_to_date: int
    changed: int  # scanned, but the message changed since
    stale: dict[str, int]  # scanned by another version: why (engine, names, policy)
    suggestions: dict[str, int]  # the reviewer's questions by status (one per value or person and message)
    value_decisions: int
    problems: dict[str, int]
    allow_hints: list[dict[str, object]] = field(default_factory=list)  # domains that dominate the suggestions
    places: dict[str, int] = field(default_factory=dict)  # the spans those questions cover, by status
    questions: dict[str, float | int] = field(default_factory=dict)  # question_figures

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def scan_status(case: Case) -> ScanStatus:
    """The engine a scan would use, and how far the case's scan is."""
    from discovery.pii import lexicon
    from discovery.pii.allowlist import dominant_domains
    from discovery.pii.engine import installed_models
    from discovery.pii.suggestions import JOINED_META, question_counts

    prep = prepare(case)
    store = case.store
    if store.scalar("SELECT value FROM meta WHERE key=?", (JOINED_META,)) == "0" and not store.readonly:
        join_questions(store.db)  # a case upgraded from per-message questions
    messages = _count(store.scalar("SELECT count(*) FROM messages"))
    scanned = _count(store.scalar("SELECT count(*) FROM pii_scans"))
    current = _count(store.scalar(
        "SELECT count(*) FROM pii_scans s JOIN messages m ON m.id=s.message_id WHERE s.scanned_rev=m.rev "
        "AND s.scan_version=?", (prep.scan_version,)))
    changed = _count(store.scalar(
        "SELECT count(*) FROM pii_scans s JOIN messages m ON m.id=s.message_id WHERE s.scanned_rev!=m.rev"))
    stale: Counter[str] = Counter()
    want = dict(_version_parts(prep.scan_version))
    for version, n in store.rows("SELECT scan_version, count(*) FROM pii_scans WHERE scan_version != ? "
                                 "GROUP BY scan_version", (prep.scan_version,)):
        have = dict(_version_parts(version))
        for part in ("engine", "names", "policy"):
            if have.get(part) != want.get(part):
                stale[part] += int(n)
    problems: Counter[str] = Counter()
    import json

    for (raw,) in store.rows("SELECT problems FROM pii_scans WHERE problems != '[]'"):
        try:
            for p in json.loads(raw):
                problems[str(p.get("kind", "?"))] += 1
        except ValueError:
            continue
    path = policy_path(case.path)
    questions = question_counts(store)
    return ScanStatus(
        engine=prep.spec.label, mode=prep.spec.mode, reason=prep.spec.reason, cannot_find=prep.spec.cannot_find,
        installed_models=installed_models(), census_lists=lexicon.census_available(),
        policy_file=str(path) if path.exists() else "(none: built-in defaults)",
        policy_version=prep.policy_filter.version(), scan_version=prep.scan_version,
        people_learned=prep.names.people, messages=messages, scanned=scanned, up_to_date=current, changed=changed,
        stale=dict(stale),
        suggestions={k: v["questions"] for k, v in questions.items()},
        places={k: v["places"] for k, v in questions.items()},
        questions=question_figures(store),
        value_decisions=_count(store.scalar("SELECT count(*) FROM pii_value_decisions")),
        problems=dict(problems),
        allow_hints=[h.to_dict() for h in dominant_domains(store, prep.policy)],
    )


def _version_parts(version: str) -> list[tuple[str, str]]:
    parts = version.split("|")
    out = [("engine", parts[0])]
    for p in parts[1:]:
        key, _, value = p.partition(":")
        out.append((key, value))
    return out


def _count(value: object) -> int:
    """A COUNT(*) result as an int (0 for NULL)."""
    return int(value) if isinstance(value, int | float | str) and value != "" else 0
