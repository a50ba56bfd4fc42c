"""Tests that a release's bad redaction (a box drawn over text still in the text layer, samples/release) is never
repeated: a production of that message redacts the text under the box by a rule of its own, logged with the
release's exemption code, wherever it occurs, and the leak check looks for it."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from pypdf import PdfReader

from discovery import Case
from discovery.redact.release import bad_redactions, exemption_of, variant_type
from discovery.redact.verify import verify_production
from discovery.tags import create_tag, tag_messages

HIDDEN = "503-555-0160"  # samples/release: page 1 of hcso-release-text.pdf, a (b)(6) box over the phone number


def _bad_message(case: Case) -> str:
    rows = case.store.rows("SELECT message_id, hidden_text FROM existing_redactions WHERE over_text=1")
    assert [r["hidden_text"] for r in rows] == [HIDDEN]
    return str(rows[0]["message_id"])


def _log(out: Path) -> list[dict[str, str]]:
    with (out / "redaction-log.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_text_under_a_release_box_is_redacted_by_its_own_rule(samples_copy: Case, tmp_path: Path) -> None:
    case = samples_copy
    mid = _bad_message(case)
    body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
    assert HIDDEN in body  # the release left it readable: ingest kept it in the text
    create_tag(case.store, "bad-box", actor="tester")
    tag_messages(case.store, "bad-box", [mid], actor="tester")
    out = tmp_path / "out"
    # --pending keep: no PII suggestion redacts anything, so only the release's own rule can remove the number
    report = case.redact(tag="bad-box", out=out, formats=("txt", "pdf"), pending="keep", bates_prefix="REL-")
    assert report.verified and report.documents == 1
    txt = (out / "txt" / "REL-000001.txt").read_text(encoding="utf-8")
    assert HIDDEN not in txt and "5035550160" not in "".join(c for c in txt if c.isdigit())
    assert "[(b)(6)] (b)(6) | benefits@" in txt  # our label where the number was, the release's label kept
    pdf_text = "".join(page.extract_text() for page in PdfReader(out / "pdf" / "REL-000001.pdf").pages)
    assert "555-0160" not in pdf_text
    rows = [r for r in _log(out) if r["rule"] == "release:bad-redaction"]
    assert len(rows) >= 1 and {(r["exemption"], r["entity_type"], r["document"]) for r in rows} == {
        ("(b)(6)", "RELEASE_REDACTION", mid)}
    assert rows[0]["decision"].startswith("release:") and not any(c.isdigit() for c in rows[0]["decision"])
    log_json = (out / "redaction-log.json").read_text(encoding="utf-8")
    assert HIDDEN not in log_json and "0160" not in log_json


def test_the_release_value_is_followed_into_other_messages(samples_copy: Case, tmp_path: Path) -> None:
    """Another message of the production quoting the boxed number loses it too (a decision follows the text)."""
    case = samples_copy
    mid = _bad_message(case)
    others = [str(r[0]) for r in case.store.rows("SELECT id FROM messages WHERE body_text LIKE '%555-0160%' "
                                                 "AND id != ?", (mid,))]
    create_tag(case.store, "pair", actor="tester")
    tag_messages(case.store, "pair", [mid, *others], actor="tester")
    out = tmp_path / "out"
    report = case.redact(tag="pair", out=out, formats=("txt",), pending="keep", bates_prefix="REL-")
    assert report.verified
    for path in sorted((out / "txt").iterdir()):
        assert "555-0160" not in path.read_text(encoding="utf-8"), path.name
    if others:  # the text and scanned copies of the release carry the same memo
        follows = [r for r in _log(out) if r["decision"].startswith("release:") and r["rule"] == "follow"]
        assert {r["document"] for r in follows} <= set(others) and follows


def test_the_leak_check_looks_for_the_text_under_the_box(samples_copy: Case, tmp_path: Path) -> None:
    case = samples_copy
    mid = _bad_message(case)
    create_tag(case.store, "bad-box", actor="tester")
    tag_messages(case.store, "bad-box", [mid], actor="tester")
    out = tmp_path / "out"
    case.redact(tag="bad-box", out=out, formats=("txt",), pending="keep", bates_prefix="REL-")
    assert verify_production(case, out).ok
    # plant the boxed number (in other punctuation) into the published text, as a broken writer would
    path = out / "txt" / "REL-000001.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nCall (503) 555 0160.\n", encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["txt/REL-000001.txt"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    report = verify_production(case, out)
    assert not report.ok
    assert {(leak.file, leak.kind) for leak in report.leaks} == {("txt/REL-000001.txt", "value")}
    assert "release's box, page 1" in report.leaks[0].value and HIDDEN not in report.leaks[0].describe()


def test_release_codes_and_types() -> None:
    assert exemption_of("(b)(6)", "b6") == "(b)(6)"
    assert exemption_of("B7C", "b7c") == "(b)(7)(C)"
    assert exemption_of("[REDACTED]", "redacted") == ""
    assert variant_type("503-555-0160") == "PHONE_NUMBER"
    assert variant_type("Dana Whitfield") == "RELEASE_REDACTION"
    assert variant_type("17-003391") == "RELEASE_REDACTION"


def test_only_the_selected_messages_bad_redactions_count(samples_copy: Case) -> None:
    mid = _bad_message(samples_copy)
    assert [b.text for b in bad_redactions(samples_copy.store, [mid])] == [HIDDEN]
    assert bad_redactions(samples_copy.store, ["0" * 16]) == []
