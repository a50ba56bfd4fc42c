"""Tests the 'discovery pii' commands end to end on a real case: output, JSON, exit codes, errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from discovery.cli import main
from discovery.exitcodes import ExitCode


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["pii", *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def case_dir(small_case) -> str:  # type: ignore[no-untyped-def]
    (small_case.path / "pii-policy.toml").write_text('[engine]\nmode = "offline"\n')
    path = str(small_case.path)
    small_case.close()
    return path


def test_every_pii_command_has_help() -> None:
    for command in ("status", "scan", "list", "stats", "eval", "policy", "accept", "reject", "reset",
                    "accept-value", "reject-value", "mark"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_status_scan_list_stats(case_dir: str) -> None:
    code, out, _ = run("status", "--case", case_dir)
    assert code == 0 and "offline" in out and "to scan" in out
    code, out, _ = run("scan", "--case", case_dir, "--jobs", "1", "--json")
    report = json.loads(out)
    assert code == ExitCode.OK and report["scanned"] == 3 and report["ok"] and report["mode"] == "offline"
    code, out, _ = run("scan", "--case", case_dir, "--jobs", "1")
    assert code == 0 and "Scanned 0 of 0" in out
    code, out, _ = run("status", "--case", case_dir, "--json")
    assert json.loads(out)["up_to_date"] == 3
    code, out, _ = run("list", "type:PHONE_NUMBER", "--case", case_dir, "--json")
    listed = json.loads(out)
    assert code == 0 and listed["total"] >= 4 and {s["entity_type"] for s in listed["suggestions"]} == {"PHONE_NUMBER"}
    first = listed["suggestions"][0]
    assert {"id", "message_id", "field", "start", "end", "text", "score", "recognizer", "explanation"} <= set(first)
    code, out, _ = run("list", "nothing-like-this", "--case", case_dir)
    assert code == ExitCode.NO_HITS and "0 suggestion(s)" in out
    code, out, err = run("list", "colour:red", "--case", case_dir, "--json")
    assert code == ExitCode.USAGE and json.loads(err)["error"]["type"] == "UsageError"
    code, out, _ = run("stats", "--case", case_dir, "--json")
    assert code == 0 and json.loads(out)["by_type"]["PERSON"]["pending"] > 0
    code, out, _ = run("stats", "--case", case_dir)
    assert code == 0 and "PERSON" in out and "by recognizer" in out


def test_decisions_from_the_command_line(case_dir: str) -> None:
    run("scan", "--case", case_dir, "--jobs", "1", "-q")
    _, out, _ = run("list", "type:EMAIL_ADDRESS", "--case", case_dir, "--json")
    ids = [str(s["id"]) for s in json.loads(out)["suggestions"]]
    code, out, _ = run("accept", ids[0], ids[1], "--case", case_dir, "--reviewer", "ann", "--note", "private")
    assert code == 0 and "2 suggestion(s) accepted" in out
    code, out, _ = run("reject", "--stdin", "--case", case_dir, "--reviewer", "ann", stdin=ids[2] + "\n")
    assert code == 0 and "1 suggestion(s) rejected" in out
    code, _, err = run("reset", "999999", "--case", case_dir, "--json")
    assert code == ExitCode.USAGE and json.loads(err)["error"]["type"] == "NotFound"
    code, out, _ = run("accept-value", "PERSON", "Brent Kasprzak", "--case", case_dir, "--reviewer", "ann", "--json")
    # accepting two addresses above accepted the names written with them already, in every message (one person,
    # one question across the case): nothing is left for the value to decide
    assert code == 0 and json.loads(out)["updated"] == 0
    code, _, _ = run("list", '"Brent Kasprzak" status:pending', "--case", case_dir, "--json")
    assert code == ExitCode.NO_HITS
    _, out, _ = run("list", "status:accepted", "--case", case_dir, "--json")
    assert json.loads(out)["places"] > json.loads(out)["total"] >= 2  # two people, each in several places
    msg = json.loads(out)["suggestions"][0]["message_id"]
    code, out, _ = run("mark", msg, "subject", "0", "3", "CASE_NUMBER", "--case", case_dir, "--reviewer", "ann")
    assert code == 0 and "marked CASE_NUMBER" in out
    code, _, err = run("mark", msg, "body", "0", "999999", "PERSON", "--case", case_dir)
    assert code == ExitCode.USAGE and "outside" in err


def test_policy_command(case_dir: str, tmp_path: Path) -> None:
    code, out, _ = run("policy", "--case", case_dir, "--json")
    assert code == 0 and json.loads(out)["mode"] == "offline"
    code, _, err = run("policy", "--init", "--case", case_dir)
    assert code == ExitCode.USAGE and "exists" in err
    code, _, _ = run("policy", "--init", "--force", "--case", case_dir)
    assert code == 0 and "[allow]" in (Path(case_dir) / "pii-policy.toml").read_text()
    (Path(case_dir) / "pii-policy.toml").write_text("[thresholds]\nPERSON = 7\n")
    code, _, err = run("scan", "--case", case_dir, "--json")
    assert code == ExitCode.USAGE and json.loads(err)["error"]["type"] == "PolicyError"


def test_eval_command(case_dir: str, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"message_id": "<m2@test.example>", "pii": [
        {"field": "from", "start": 0, "end": 12, "type": "PERSON", "text": "Sam Nakagawa"}]}) + "\n")
    code, out, _ = run("eval", str(gold), "--case", case_dir, "--jobs", "1", "--json")
    result = json.loads(out)
    assert code == 0 and result["exact"]["PERSON"]["recall"] == 1.0 and result["matched"] == 1
    code, out, _ = run("eval", str(gold), "--case", case_dir, "--no-scan")
    assert code == 0 and "Span-exact" in out and "Overlap" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    code, _, err = run("eval", str(bad), "--case", case_dir)
    assert code == ExitCode.USAGE and "bad.jsonl:1" in err


def test_conll_eval_command(tmp_path: Path) -> None:
    conll = tmp_path / "tiny.conll"
    rows = [("Hi", "-"), ("Dana", "(P0)"), (",", "-"), ("", ""), ("Call", "-"), ("Sam", "(P1"), ("Nakagawa", "P1)"),
            ("today", "-"), (".", "-")]
    conll.write_text("#begin document (tiny)\n" + "".join(
        f"{tok}\tX\t{ent}\t-\n" if tok else "\n" for tok, ent in rows) + "#end document\n")
    code, out, _ = run("eval", str(conll), "--mode", "offline", "--json")
    result = json.loads(out)
    assert code == 0 and result["documents"] == 1 and result["overlap"]["PERSON"]["gold"] == 2
    assert result["overlap"]["PERSON"]["recall"] == 1.0


def test_errors_are_json_on_stderr(tmp_path: Path) -> None:
    code, out, err = run("status", "--case", str(tmp_path / "nowhere"), "--json")
    assert code == ExitCode.ERROR and out == ""
    assert set(json.loads(err)["error"]) == {"type", "title", "message", "hint"}


def test_pii_import_does_not_slow_other_commands() -> None:
    import subprocess

    code = "import sys\nfrom discovery.cli import main\nassert 'presidio_analyzer' not in sys.modules\n"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_scan_leaves_the_search_index_up_to_date(case_dir: str) -> None:
    """pii: queries work at once after a scan, without the next search having to index first."""
    from discovery.search.searcher import Searcher
    from discovery.store import Store

    code, _, _ = run("scan", "--case", case_dir, "--jobs", "1", "-q")
    assert code == 0
    with Store(Path(case_dir), create=False) as store:
        assert store.rows("SELECT count(*) FROM index_queue")[0][0] == 0
        expected = {r[0] for r in store.rows("SELECT DISTINCT message_id FROM pii_suggestions "
                                             "WHERE entity_type='PHONE_NUMBER' AND current=1 AND status!='rejected'")}
        with Searcher(store, auto_update=False) as searcher:
            found = {hit.id for hit in searcher.search("pii:phone", limit=None).hits}
    assert expected and found == expected
