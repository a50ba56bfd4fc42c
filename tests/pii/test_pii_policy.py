"""Tests the case policy: TOML validation, types, thresholds, allow-list (names, emails, domains, wildcards,
names of allowed addresses) and deny-list."""

from __future__ import annotations

from pathlib import Path

import pytest
from pii_helpers import spans

from discovery.errors import PolicyError
from discovery.pii.policy import TEMPLATE, Policy, PolicyFilter, load_policy, name_keys, parse_policy, write_template
from discovery.pii.types import FieldText, Finding

TEXT = ("Hi Dana, Brent Kasprzak (bkasprzak@vendor.example) and Sheriff Tom Reyes met Reyes, Tom and T. Reyes. "
        "Call 503-555-0142. Case 17-018832. Bev knows.")


def test_template_is_valid_and_is_the_default(tmp_path: Path) -> None:
    write_template(tmp_path)
    policy = load_policy(tmp_path)
    assert policy.rules() == Policy().rules()
    assert "[allow]" in TEMPLATE and "[deny]" in TEMPLATE
    with pytest.raises(PolicyError, match="exists"):
        write_template(tmp_path)


def test_no_file_means_defaults(tmp_path: Path) -> None:
    assert load_policy(tmp_path).path == "" and load_policy(tmp_path).threshold("PERSON") == 0.5


@pytest.mark.parametrize("toml, message", [
    ("[allow\nnames = 1", "not valid TOML"),
    ("[surprise]\nx = 1", "unknown section"),
    ("[allow]\nnicknames = []", "unknown key"),
    ("[entities]\nsuggest = ['PERSON', 'SHOE_SIZE']", "unknown entity type"),
    ("[thresholds]\nPERSON = 1.5", "from 0.3 to 1.0"),
    ("[thresholds]\nPERSON = true", "from 0.3 to 1.0"),
    ("[thresholds]\nSHOE = 0.5", "unknown type"),
    ("[allow]\nnames = 'Tom'", "list of strings"),
    ("[engine]\nmode = 'gpu'", "engine.mode"),
    ("[deny]\nSHOE = ['x']", "unknown type"),
])
def test_bad_policies_are_named(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "pii-policy.toml").write_text(toml)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path)


def test_types_and_thresholds(analyze) -> None:
    only = parse_policy({"entities": {"suggest": ["PHONE_NUMBER"]}})
    assert {f.entity_type for f in analyze(TEXT, policy=only)} == {"PHONE_NUMBER"}
    strict = parse_policy({"thresholds": {"default": 0.5, "PERSON": 0.9}})
    loose_people = spans(analyze(TEXT), "PERSON")
    strict_people = spans(analyze(TEXT, policy=strict), "PERSON")
    assert "Dana" in loose_people and "Dana" not in strict_people  # a greeting name scores 0.8
    assert all(f.score >= 0.9 for f in analyze(TEXT, policy=strict) if f.entity_type == "PERSON")


def test_allow_names_cover_variants_not_bare_first_names(analyze) -> None:
    policy = parse_policy({"allow": {"names": ["Tom Reyes"]}})
    people = spans(analyze(TEXT, policy=policy), "PERSON")
    assert not {"Tom Reyes", "Reyes, Tom", "T. Reyes"} & set(people)
    assert "Brent Kasprzak" in people
    assert name_keys("Robert Allen") >= {"robert allen", "r allen", "bob allen"}


def test_allow_emails_domains_and_wildcards(analyze) -> None:
    for allow in ({"emails": ["*@vendor.example"]}, {"domains": ["vendor.example"]}, {"domains": ["example"]}):
        policy = parse_policy({"allow": allow})
        assert spans(analyze(TEXT, policy=policy), "EMAIL_ADDRESS") == []
    policy = parse_policy({"allow": {"emails": ["other@vendor.example"]}})
    assert spans(analyze(TEXT, policy=policy), "EMAIL_ADDRESS") == ["bkasprzak@vendor.example"]


def test_names_of_allowed_addresses_are_allowed(analyze) -> None:
    people = [("Brent Kasprzak", "bkasprzak@vendor.example"), ("Whitfield, Dana", "dwhitfield@county.example")]
    policy = parse_policy({"allow": {"domains": ["vendor.example"]}})
    found = spans(analyze(TEXT, names=people, policy=policy), "PERSON")
    assert "Brent Kasprzak" not in found and "Dana" in found
    off = parse_policy({"allow": {"domains": ["vendor.example"], "names_of_allowed_emails": False}})
    assert "Brent Kasprzak" in spans(analyze(TEXT, names=people, policy=off), "PERSON")


def test_allow_values_any_type(analyze) -> None:
    policy = parse_policy({"allow": {"values": ["503-555-0142", "Brent*"]}})
    found = analyze(TEXT, policy=policy)
    assert "503-555-0142" not in spans(found) and "Brent Kasprzak" not in spans(found)


def test_deny_list_always_suggests_and_wins_overlaps(analyze) -> None:
    policy = parse_policy({"deny": {"PERSON": ["Bev", "Tom*"], "CASE_NUMBER": ["17-0188*"]}})
    found = [(f.entity_type, f.text, f.recognizer) for f in analyze(TEXT + " bev too.", policy=policy)]
    assert ("PERSON", "Bev", "PolicyDenyList") in found and ("PERSON", "bev", "PolicyDenyList") in found
    assert ("CASE_NUMBER", "17-018832", "PolicyDenyList") in found
    assert ("PERSON", "Tom", "PolicyDenyList") in found


def test_policy_version_changes_with_rules_not_comments(tmp_path: Path) -> None:
    (tmp_path / "pii-policy.toml").write_text("# one\n[thresholds]\nPERSON = 0.6\n")
    first = load_policy(tmp_path).version()
    (tmp_path / "pii-policy.toml").write_text("# two\n[thresholds]\nPERSON = 0.6\n")
    assert load_policy(tmp_path).version() == first
    (tmp_path / "pii-policy.toml").write_text("[thresholds]\nPERSON = 0.7\n")
    assert load_policy(tmp_path).version() != first


def test_filter_counts_what_the_allow_list_removed() -> None:
    f = Finding("body", 0, 5, "PERSON", 0.9, "x", "Tom R")
    kept, allowed = PolicyFilter.build(parse_policy({"allow": {"values": ["tom r"]}})).apply(
        [f], [FieldText("body", "body", "Tom R said")])
    assert kept == [] and allowed == 1
