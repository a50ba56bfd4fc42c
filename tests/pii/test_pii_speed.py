"""Tests the scan's shortcuts against what they stand in for: Presidio's pattern recognizers run on the lines their
patterns can match give what they give on the whole text; the context words read from a window of tokens are
Presidio's own; context phrases grouped by first character match as the flat alternation; the person detector's
memory of lone words and runs gives what a fresh detector gives, also when the learned names change; and the
runs of lines and words the detectors read hold every match of the whole text. (The scan's findings on the shared
releases were compared with the code before these shortcuts; see the commit messages.)"""

from __future__ import annotations

import random
import re

import pytest

from discovery.pii.engine import (
    _LINE_FILTERS,
    _STOP,
    _TOKEN,
    PiiEngine,
    light_lemma,
    patterns_fingerprint,
    surrounding_words,
)
from discovery.pii.names import learn_names
from discovery.pii.recognizers import MessageContext, PersonNameDetector
from discovery.pii.recognizers.base import Phrases, _phrase_regex, lines_holding, words_holding, words_where
from discovery.pii.types import FieldText

PIECES = ["123", "45", "6789", "078-05-1120", "4111 1111 1111 1111", "DE89370400440532013000", "912-70-1234",
          "A12345678", "123456789", "12345678901", "9127", "-", " ", ".", "  ", "\n", "\n\n", "SSN", "card",
          "passport", "iban", "tax", "id", "the", "number", "is", "Dana", "x", "/", "GB82 WEST 1234 5698 7654 32",
          "\t", "#", "(", ")", "+1", "2018-11-02", "5.10"]


def random_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60))) for _ in range(count)]


def _key(results: list[object]) -> list[tuple[object, ...]]:
    return [(r.entity_type, r.start, r.end, r.score, r.analysis_explanation.pattern_name)  # type: ignore[attr-defined]
            for r in results]


def test_presidio_recognizers_on_lines_find_what_they_find_in_the_whole_text(engine: PiiEngine) -> None:
    from presidio_analyzer import predefined_recognizers as pre

    wrapped = {type(r).__name__: r for r in engine.analyzer.registry.recognizers if type(r).__name__ in _LINE_FILTERS}
    assert set(wrapped) == set(_LINE_FILTERS)
    for name, recognizer in wrapped.items():
        fresh = getattr(pre, name)()
        assert patterns_fingerprint(fresh) == _LINE_FILTERS[name][0], (
            f"Presidio's {name} patterns changed: read its line filter again (engine._LINE_FILTERS)")
        assert "analyze" in vars(recognizer), f"{name} is not run on lines"
        found = 0
        for text in random_texts(400):
            entities = fresh.supported_entities
            expected = _key(fresh.analyze(text, entities))
            assert _key(recognizer.analyze(text, entities)) == expected, (name, text)
            found += len(expected)
        assert found, f"no {name} finding in the test texts: they test nothing"


def test_surrounding_words_are_presidios() -> None:
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    presidio = LemmaContextAwareEnhancer(context_prefix_count=5, context_suffix_count=2)

    class Artifacts:  # the whole text tokenized, as the scan did before (tokens, lemmas and keywords as lists)
        def __init__(self, text: str) -> None:
            matches = list(_TOKEN.finditer(text))
            self.tokens = [m.group() for m in matches]
            self.tokens_indices = [m.start() for m in matches]
            self.lemmas = [light_lemma(t) for t in self.tokens]
            self.keywords = [x for x in self.lemmas if x not in _STOP and x[:1].isalnum()]

    words = ["social", "security", "the", "a", "of", "number", "is", "SSN", "card", ",", ".", "078-05-1120",
             "(", "tax", "ID", "\n", "\n\n", "  "]
    rng = random.Random(3)
    for _ in range(60):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 400)))
        artifacts = Artifacts(text)
        for start in range(0, len(text), 7):
            try:
                expected = set(presidio._extract_surrounding_words(artifacts, "w", start))
            except ValueError:
                with pytest.raises(ValueError):
                    surrounding_words(text, "w", start, 5, 2)
                continue
            assert set(surrounding_words(text, "w", start, 5, 2)) == expected, (text, start)


def test_phrases_grouped_by_first_character_match_as_the_flat_alternation() -> None:
    phrases = ["case", "cases", "case number", "cad", "cr", "call number", "d.o.b", "dob", "dl#", "dl", "(m)", "m:",
               "tel", "téléphone", "tél", "ref.", "ref", "report number", "report"]
    grouped = Phrases(phrases)
    parts = sorted({p.lower() for p in phrases}, key=lambda p: (-len(_phrase_regex(p)), p))
    flat = re.compile(r"(?<![\w])(?:" + "|".join(_phrase_regex(p) for p in parts) + r")(?![a-z])", re.IGNORECASE)
    rng = random.Random(5)
    pieces = [*phrases, " ", "_", "-", "x", "showcase", "Case", "CASE NUMBER", "\n", "#", "5", "İ"]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        expected = [(m.start(), m.end()) for m in flat.finditer(text)]
        assert [(m.start(), m.end()) for m in grouped.finditer(text)] == expected, text


def test_line_and_word_runs_hold_every_match() -> None:
    dash = re.compile(r"(?<![\w-])([A-Z]{2,5}-\d{2}-\d{3,7})(?![\w-])")
    rng = random.Random(11)
    pieces = ["PRR-18-0147", "AB-", "12", "-", " ", "\n", "x", "CR-2018-0311", "\t", "Z"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        whole = [m.span() for m in dash.finditer(text)]
        need = re.compile(r"[A-Z]-\d")
        on_lines = [m.span() for s, e in lines_holding(text, need, gap=rng.choice([0, 5, 256]))
                    for m in dash.finditer(text, s, e)]
        assert on_lines == whole, text
        in_words = [m.span() for s, e in words_where(text, "-", lambda t, i: 0 < i < len(t) - 1
                                                     and "A" <= t[i - 1] <= "Z" and t[i + 1].isdecimal())
                    for m in dash.finditer(text, s, e)]
        assert in_words == whole, text
        assert [m.span() for s, e in words_holding(text, "-") for m in dash.finditer(text, s, e)] == whole


PEOPLE = [("Dana Whitfield", "dana@harlow.example"), ("Whitfield, Dana", ""), ("Collier, Tameka (BEGA)", ""),
          ("Sam Nakagawa", "sam@harlow.example"), ("Grant Price", "grant@x.example")]
TEXTS = [
    "Hi Dana,\n\nThe Ethics Board met. Whitfield, Dana said Deputy Ostrander called.\n\nThanks,\nTameka\n",
    "The Official Code and the Comprehensive Code; Ethics Board; Government Accountability.\nSam\n",
    "Contact Gary Pellegrino. Ask Hector. Will Grant come? Dear Washingtonians, THE BOARD OF ETHICS.\n",
    "The Ethics Board met again. Ms. Achterberg. Deputy Ostrander #1187 | Patrol\nBest,\nGreg Couch\n",
]


def _fresh(text: str, names: object) -> list[object]:
    return sorted(PersonNameDetector().find(text, FieldText("body", "body", text), MessageContext(names, ())))


def test_person_detector_memory_changes_nothing_and_follows_the_names() -> None:
    first = learn_names(PEOPLE, TEXTS)
    second = learn_names(PEOPLE[:2], TEXTS[:1])
    detector = PersonNameDetector()  # one detector for every text and both sets of names, as the engine keeps it
    for names in (first, second, first):
        for text in TEXTS * 2:
            got = sorted(detector.find(text, FieldText("body", "body", text), MessageContext(names, ())))
            assert got == _fresh(text, names), text
    first.add_display("Ethics Board")  # names learned after a scan: what the detector remembered is dropped
    for text in TEXTS:
        assert sorted(detector.find(text, FieldText("body", "body", text), MessageContext(first, ()))) == _fresh(
            text, first)
