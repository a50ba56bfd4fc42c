"""Tests the engine set-up: mode choice, no downloads, Presidio's weak spots fixed, model mode, import hygiene."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pii_helpers import spans

from discovery.errors import UsageError
from discovery.pii.chunks import CHUNK
from discovery.pii.engine import PiiEngine, light_lemma, model_folder, resolve_engine
from discovery.pii.postprocess import resolve, trim_person
from discovery.pii.types import Finding


def test_offline_when_asked_and_errors_name_the_remedy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_engine("offline").mode == "offline"
    with pytest.raises(UsageError, match="not installed") as info:
        resolve_engine("model", "en_core_web_nonexistent")
    assert "offline mode" in info.value.hint
    with pytest.raises(UsageError):
        resolve_engine("sideways")
    monkeypatch.setenv("DISCOVERY_SPACY_MODEL", "/no/such/folder")
    with pytest.raises(UsageError):
        resolve_engine("auto")


def test_auto_is_offline_without_a_standard_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCOVERY_SPACY_MODEL", raising=False)
    monkeypatch.setattr("discovery.pii.engine.installed_models", lambda: [])
    spec = resolve_engine("auto")
    assert spec.mode == "offline" and "no standard spaCy" in spec.reason
    assert "cannot find" in spec.cannot_find or "cannot" in spec.cannot_find


def test_a_blank_pipeline_saved_to_disk_stands_in_as_a_model(tmp_path: Path) -> None:
    import spacy

    folder = tmp_path / "blank_en"
    spacy.blank("en").to_disk(folder)
    spec = resolve_engine("model", str(folder))
    assert spec.mode == "model" and model_folder(str(folder)) == str(folder)
    engine = PiiEngine(spec)
    assert spans(engine.analyze_text("SSN 541-22-7093, call 503-555-0142"), "PHONE_NUMBER") == ["503-555-0142"]


def test_presidio_registry_is_explicit(engine: PiiEngine) -> None:
    names = engine.recognizer_names()
    for weak in ("EmailRecognizer", "PhoneRecognizer", "UsLicenseRecognizer", "NhsRecognizer", "UrlRecognizer",
                 "SpacyRecognizer", "DateRecognizer", "IpRecognizer"):
        assert weak not in names
    assert "UsSsnRecognizer" in names and "PersonNameDetector" in names


def test_no_tldextract_download_and_reserved_domains_found(engine: PiiEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    import tldextract

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("tldextract must not be called (it downloads the suffix list)")

    monkeypatch.setattr(tldextract, "extract", boom)
    monkeypatch.setattr(tldextract.TLDExtract, "__call__", boom)
    text = "dana@harlowcounty-or.example, ECT@enron.com, admin@intranet.local"
    assert spans(engine.analyze_text(text), "EMAIL_ADDRESS") == ["dana@harlowcounty-or.example", "ECT@enron.com",
                                                                 "admin@intranet.local"]


def test_nhs_checksum_does_not_fire_on_us_phones(engine: PiiEngine) -> None:
    text = "call 401 555 0199 or 503 555 0142 or 943 476 5919"  # 943 476 5919 passes the NHS checksum
    types = {f.entity_type for f in engine.analyze_text(text)}
    assert "UK_NHS" not in types and "PHONE_NUMBER" in types


def test_context_words_are_whole_words(engine: PiiEngine) -> None:
    # 'lic' used to match inside 'public'; 'ssn' inside 'lessons' must not lift a weak number either
    assert engine.analyzer.context_aware_enhancer.context_matching_mode == "whole_word"
    findings = engine.analyze_text("public lessons 123456789")
    assert all(f.score < 0.5 for f in findings)


def test_light_lemma() -> None:
    assert [light_lemma(w) for w in ("Licenses", "bookings", "class", "SSN", "boxes")] == [
        "license", "booking", "class", "ssn", "box"]


def test_trim_person_cuts_what_a_model_swallows() -> None:
    text = "Dana Whitfield <dwhitfield@x.example> and Phillip K Allen/HOU/ECT@ECT and Sam (HCSO)"
    assert text[slice(*trim_person(text, 0, 37))] == "Dana Whitfield"  # type: ignore[misc]
    start = text.index("Phillip")
    assert text[slice(*trim_person(text, start, start + 29))] == "Phillip K Allen"  # type: ignore[misc]
    start = text.index("Sam")
    assert text[slice(*trim_person(text, start, start + 10))] == "Sam"  # type: ignore[misc]


def test_resolve_prefers_the_specific_type_and_merges_agreement() -> None:
    text = "Dana Whitfield dana@x.example"
    findings = [
        Finding("body", 0, 29, "PERSON", 0.85, "Ner", text),  # swallowed the address
        Finding("body", 15, 29, "EMAIL_ADDRESS", 1.0, "EmailDetector", text[15:]),
        Finding("body", 15, 29, "EMAIL_ADDRESS", 1.0, "Other", text[15:]),
    ]
    kept = resolve(findings, text)
    assert [(f.entity_type, f.text) for f in kept] == [("PERSON", "Dana Whitfield"), ("EMAIL_ADDRESS", text[15:])]
    assert kept[1].explanation["also_found_by"] == ["Other"]


def test_long_text_is_chunked_not_dropped(engine: PiiEngine) -> None:
    filler = "nothing to see here.\n" * (CHUNK // 20)
    text = filler + "call 503-555-0142\n" + filler + "mail dana@x.example\n"
    assert len(text) > 2 * CHUNK
    found = engine.analyze_text(text)
    assert spans(found, "PHONE_NUMBER") == ["503-555-0142"] and spans(found, "EMAIL_ADDRESS") == ["dana@x.example"]
    phone = next(f for f in found if f.entity_type == "PHONE_NUMBER")
    assert text[phone.start : phone.end] == "503-555-0142"


def test_model_mode_with_the_small_pipeline(model_engine: PiiEngine, analyze) -> None:
    assert model_engine.spec.mode == "model" and "SpacyNerPerson" in model_engine.recognizer_names()
    text = ("Laura has been working with Iain Greig on it.\nFrom: Dana Whitfield <dwhitfield@x.example>\n"
            "Crime Analyst | Harlow County Sheriff's Office\nPhillip K Allen/HOU/ECT@ECT")
    found = analyze(text, use=model_engine)
    people = spans(found, "PERSON")
    assert "Iain Greig" in people and "Dana Whitfield" in people and "Phillip K Allen" in people
    assert "Crime Analyst" not in people and not any("@" in p or "<" in p for p in people)


def test_importing_the_light_modules_does_not_import_presidio_or_spacy() -> None:
    code = ("import sys\nimport discovery.cli, discovery.pii, discovery.pii.decisions, discovery.pii.suggestions, "
            "discovery.pii.policy, discovery.pii.evaluate, discovery.pii.scan, discovery.pii.names\n"
            "bad = [m for m in ('presidio_analyzer', 'spacy', 'thinc') if m in sys.modules]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
