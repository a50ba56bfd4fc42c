"""The search, reindex and saved commands: output schemas, grep-like exit codes, errors, batch mode, speed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from search_expect import hit_ids

from discovery.cli import main
from discovery.search.batch import BATCH_COLUMNS, HIT_COLUMNS
from discovery.search.searcher import Searcher


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_json_output_schema(search_case: Path, searcher: Searcher) -> None:
    result = run("search", "face recognition", "--case", str(search_case), "--json", "--facets", "--limit", "5")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == searcher.count("face recognition") and len(data["hits"]) == 5
    assert data["sort"] == "relevance" and data["offset"] == 0 and data["limit"] == 5
    hit = data["hits"][0]
    assert isinstance(hit["id"], str) and isinstance(hit["score"], float) and hit["rank"] == 1
    assert set(hit["snippet"]) == {"field", "text", "highlights"}
    assert all(isinstance(s, list) and len(s) == 2 for s in hit["snippet"]["highlights"])
    assert set(data["facets"]) == {"sender_domains", "senders", "recipient_domains", "tags", "months", "years",
                                   "custodians", "pii"}
    assert all(set(v) == {"value", "count"} for values in data["facets"].values() for v in values)


def test_csv_and_ids_list_every_hit_by_default(search_case: Path, searcher: Searcher) -> None:
    expected = [h.id for h in searcher.search("pilot", limit=None, snippets=False).hits]
    result = run("search", "pilot", "--case", str(search_case), "--csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == HIT_COLUMNS
    assert [r[1] for r in rows[1:]] == expected
    ids = run("search", "pilot", "--case", str(search_case), "--ids")
    assert ids.stdout.split() == expected and ids.exit_code == 0


def test_query_words_may_be_given_unquoted(search_case: Path, searcher: Searcher) -> None:
    result = run("search", "from:cirrusweb.example", "pilot", "--case", str(search_case), "--ids")
    assert set(result.stdout.split()) == hit_ids(searcher, "from:cirrusweb.example pilot")


def test_exit_codes_are_grep_like(search_case: Path, tmp_path: Path) -> None:
    assert run("search", "pilot", "--case", str(search_case), "--ids").exit_code == 0
    assert run("search", "zzyzxqwv", "--case", str(search_case)).exit_code == 1
    assert run("search", "zzyzxqwv", "--case", str(search_case), "--json").exit_code == 1
    assert run("search", "pilot AND", "--case", str(search_case)).exit_code == 2
    assert run("search", "pilot", "--case", str(tmp_path / "nowhere")).exit_code == 2
    assert run("search", "--case", str(search_case)).exit_code == 2


def test_syntax_error_shows_a_caret_and_no_traceback(search_case: Path) -> None:
    result = run("search", 'from:dana "face recog', "--case", str(search_case))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    query_line = next(i for i, line in enumerate(lines) if 'from:dana "face recog' in line)
    assert lines[query_line + 1].index("^") == lines[query_line].index('"')
    assert "never closed" in result.stderr and "Traceback" not in result.stderr
    data = json.loads(run("search", "frm:x", "--case", str(search_case), "--json").stderr)
    assert data["error"]["type"] == "QuerySyntaxError" and "unknown field" in data["error"]["message"]
    assert "character 1" in data["error"]["message"] and data["error"]["hint"]


def test_sort_threads_and_paging_options(search_case: Path, searcher: Searcher) -> None:
    newest = json.loads(run("search", "pilot", "--case", str(search_case), "--json", "--sort", "date").stdout)
    dates = [h["date"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)
    oldest = json.loads(run("search", "pilot", "--case", str(search_case), "--json", "--sort", "date",
                            "--reverse", "--limit", "0").stdout)
    assert [h["date"] for h in oldest["hits"]] == sorted(h.date for h in searcher.search(
        "pilot", limit=None, snippets=False).hits)
    threads = json.loads(run("search", "pilot", "--case", str(search_case), "--json", "--threads").stdout)
    assert threads["threads"] == searcher.search("pilot", threads=True, limit=0).threads
    page2 = json.loads(run("search", "pilot", "--case", str(search_case), "--json", "--offset", "3",
                           "--limit", "2").stdout)
    assert [h["rank"] for h in page2["hits"]] == [4, 5]


def test_text_output(search_case: Path) -> None:
    result = run("search", '"face recognition"', "--case", str(search_case), "--limit", "2", "--facets")
    assert result.exit_code == 0
    assert "match" in result.stdout and "[face] [recognition]" in result.stdout
    assert "sender domains:" in result.stdout


def test_batch_mode(search_case: Path, searcher: Searcher, tmp_path: Path) -> None:
    batch = tmp_path / "watch.tsv"
    batch.write_text("# newsroom watch-list\nvendor\tfrom:cirrusweb.example\n\nbodycam\t\"body camera\"\n"
                     "nothing\tzzyzxqwv\n", encoding="utf-8")
    out = tmp_path / "hits.csv"
    result = run("search", "--batch", str(batch), "--out", str(out), "--case", str(search_case))
    assert result.exit_code == 0, result.stderr
    counts = dict(line.split("\t") for line in result.stdout.splitlines())
    assert {k.strip(): int(v) for k, v in counts.items()} == {
        "vendor": searcher.count("from:cirrusweb.example"), "bodycam": searcher.count('"body camera"'),
        "nothing": 0}
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == BATCH_COLUMNS
    assert {r["id"] for r in rows if r["name"] == "vendor"} == hit_ids(searcher, "from:cirrusweb.example")
    assert len(rows) == sum(int(v) for v in counts.values())
    as_json = json.loads(run("search", "--batch", str(batch), "--out", str(out), "--case", str(search_case),
                             "--json").stdout)
    assert [(s["name"], s["total"]) for s in as_json["searches"]] == [(k.strip(), int(v)) for k, v in counts.items()]
    assert as_json["hits_csv"] == str(out)
    to_stdout = run("search", "--batch", str(batch), "--out", "-", "--case", str(search_case))
    assert to_stdout.stdout.splitlines()[0].split(",")[:3] == ["name", "query", "rank"]
    assert "vendor" in to_stdout.stderr


def test_batch_errors_name_the_line(search_case: Path, tmp_path: Path) -> None:
    batch = tmp_path / "bad.tsv"
    batch.write_text("ok\tpilot\nbroken\tpilot AND\n", encoding="utf-8")
    result = run("search", "--batch", str(batch), "--out", str(tmp_path / "x.csv"), "--case", str(search_case))
    assert result.exit_code == 2 and "line 2" in result.stderr and "^" in result.stderr
    batch.write_text("no tab here\n", encoding="utf-8")
    result = run("search", "--batch", str(batch), "--case", str(search_case))
    assert result.exit_code == 2 and "line 1" in result.stderr
    none = tmp_path / "none.tsv"
    none.write_text("a\tzzyzxqwv\n", encoding="utf-8")
    assert run("search", "--batch", str(none), "--out", str(tmp_path / "y.csv"), "--case",
               str(search_case)).exit_code == 1


def test_saved_searches(case_copy: Path, searcher: Searcher) -> None:
    case = str(case_copy)
    assert run("saved", "add", "vendor", "from:cirrusweb.example", "pilot", "--case", case).exit_code == 0
    assert run("saved", "add", "vendor", "x", "--case", case).exit_code == 2  # exists
    assert run("saved", "add", "bad", "pilot AND", "--case", case).exit_code == 2
    assert run("saved", "add", "recent", "pilot", "--sort", "date", "--threads", "--case", case).exit_code == 0
    listed = json.loads(run("saved", "list", "--case", case, "--json").stdout)
    assert [(s["name"], s["query"]) for s in listed] == [("recent", "pilot"),
                                                          ("vendor", "from:cirrusweb.example pilot")]
    assert listed[0]["options"] == {"sort": "date", "threads": True}
    ran = run("saved", "run", "vendor", "--case", case, "--ids")
    assert ran.exit_code == 0 and set(ran.stdout.split()) == hit_ids(searcher, "from:cirrusweb.example pilot")
    recent = json.loads(run("saved", "run", "recent", "--case", case, "--json").stdout)
    assert recent["sort"] == "newest" and recent["threads"] is not None
    assert run("saved", "rm", "vendor", "--case", case).exit_code == 0
    assert run("saved", "run", "vendor", "--case", case).exit_code == 2
    assert run("saved", "rm", "vendor", "--case", case).exit_code == 2
    assert [s["name"] for s in json.loads(run("saved", "list", "--case", case, "--json").stdout)] == ["recent"]


def test_reindex(case_copy: Path) -> None:
    result = run("reindex", "--case", str(case_copy), "--json", "--jobs", "1")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["action"] == "rebuild" and data["documents"] == data["indexed"] == 298
    assert data["index_bytes"] > 0
    pending = json.loads(run("reindex", "--pending", "--case", str(case_copy), "--json").stdout)
    assert pending["action"] == "none" and pending["pending"] == 0


@pytest.mark.parametrize("command", [["search"], ["reindex"], ["saved"], ["saved", "add"], ["saved", "list"],
                                     ["saved", "run"], ["saved", "rm"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_only_the_engine_imports_whoosh() -> None:
    package = Path(__file__).resolve().parents[2] / "discovery"
    importers = sorted(
        str(p.relative_to(package)) for p in package.rglob("*.py")
        if any(line.lstrip().startswith(("import whoosh", "from whoosh")) for line in p.read_text().splitlines())
    )
    assert importers == ["search/engine.py"]
