"""A search pays only for what it uses: the modules 'discovery search' loads (not its time: speed is bench/'s),
the stand-ins for what whoosh imports and never needs, and the counts (--count, --facets-only, --ids) that skip
building hits, checked against the hits themselves for every query form of the search tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_search_index import QUERIES
from test_search_samples import CASES

from discovery.cli import main
from discovery.search import engine
from discovery.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[2]

# discovery's modules that a search may load: the case and its store, the search package's query, plan and
# execution, and the indexer (to index pending changes first). Nothing of ingest, pii, redact or the TUI.
SEARCH_MODULES = {
    "discovery", "discovery.case", "discovery.cli", "discovery.errors", "discovery.exitcodes", "discovery.store",
    "discovery.privacy", "discovery.safe_text",  # case folder permissions; the terminal sanitiser (both pure, small)
    "discovery.search", "discovery.search.analysis", "discovery.search.batch", "discovery.search.cli",
    "discovery.search.deferred", "discovery.search.documents", "discovery.search.engine",
    "discovery.search.execute", "discovery.search.facets", "discovery.search.fields", "discovery.search.fuzzy",
    "discovery.search.highlight", "discovery.search.indexer", "discovery.search.kept", "discovery.search.output",
    "discovery.search.plan",
    "discovery.search.query", "discovery.search.results", "discovery.search.searcher",
    "discovery.search.translate", "discovery.search.wordlists",
}
# modules that must not be loaded for real: heavy libraries, the ingest machinery, and what whoosh imports at
# import time but a search never uses (deferred.py puts stand-ins in their place)
NOT_LOADED = ("presidio_analyzer", "presidio_anonymizer", "spacy", "thinc", "torch", "textual", "rich", "magic",
              "multiprocessing", "concurrent.futures", "urllib.request", "http.client", "ssl", "email", "asyncio",
              "whoosh.lang.morph_en", "whoosh.lang.dmetaphone", "extract_msg", "pypdf", "pdfminer")

_PROBE = """
import json, sys
from discovery.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    from discovery.search.deferred import is_stand_in
    real = sorted(m for m in sys.modules if not is_stand_in(sys.modules[m]))
    print(json.dumps({"code": exit.code, "modules": real}), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[int, set[str], str]:
    """(exit code, modules loaded for real, stdout) of one CLI command in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env,
                          timeout=120)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return int(report["code"]), set(report["modules"]), proc.stdout


@pytest.mark.parametrize("form", [["--json"], ["--ids"], ["--count"], ["--facets-only"], []])
def test_a_search_loads_only_the_search_path(search_case: Path, form: list[str]) -> None:
    code, modules, out = _loaded("search", "face recognition", "--case", str(search_case), *form)
    assert code == 0 and out.strip()
    ours = {m for m in modules if m.split(".")[0] in ("discovery",)}
    assert ours <= SEARCH_MODULES, sorted(ours - SEARCH_MODULES)
    loaded = sorted(m for m in modules for name in NOT_LOADED if m == name or m.startswith(name + "."))
    assert loaded == [], loaded


# what the 'discovery' entry point loads of ours when the case's search server answers: nothing of the CLI
CLIENT_MODULES = {"discovery", "discovery.errors", "discovery.launcher", "discovery.search", "discovery.search.client"}
# nor anything of these (the client exits with os._exit once answered, so its modules are read from -X importtime)
NOT_ON_CLIENT = {"click", "whoosh", "sqlite3", "_sqlite3", "socket", "json", "typing", "re", "enum"}


def _imported(proc: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules a process run with -X importtime imported (every one, at any depth)."""
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
            and not line.rstrip().endswith("package")}


def test_a_search_the_server_answers_loads_neither_click_nor_whoosh(search_case: Path, tmp_path: Path) -> None:
    from test_search_server import _copy, _start, _stop

    case_dir = _copy(search_case, tmp_path / "case")
    server = _start(case_dir)
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        env.pop("DISCOVERY_NO_SERVER", None)
        for form in (["--ids"], ["--json"], ["--count"]):
            args = ["search", "--case", str(case_dir), *form, "face recognition"]
            proc = subprocess.run([sys.executable, "-X", "importtime", "-c",
                                   "from discovery.launcher import main; main()", *args],
                                  capture_output=True, text=True, env=env, timeout=120)
            assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr
            if form != ["--json"]:  # JSON says how long the search took
                assert proc.stdout == run(*args).stdout
            modules = _imported(proc)
            assert {m for m in modules if m.startswith("discovery")} == CLIENT_MODULES
            assert not modules & NOT_ON_CLIENT, sorted(modules & NOT_ON_CLIENT)
    finally:
        _stop(server, case_dir)


def test_the_command_script_imports_neither_re_nor_click(search_case: Path, tmp_path: Path) -> None:
    """The 'discovery' command as pip installs it (a copy of discovery/discovery in a bin folder): a search its
    server answers imports no regular expressions (pip's console-script wrapper does), nor click or whoosh."""
    from test_search_server import _copy, _start, _stop

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "discovery"
    shutil.copy(ROOT / "discovery" / "discovery", script)
    case_dir = _copy(search_case, tmp_path / "case")
    server = _start(case_dir)
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        env.pop("DISCOVERY_NO_SERVER", None)
        proc = subprocess.run([sys.executable, "-X", "importtime", str(script), "search", "--case", str(case_dir),
                               "--ids", "face recognition"], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr
        direct = run("search", "--case", str(case_dir), "--ids", "face recognition")
        assert proc.stdout == direct.stdout
        modules = _imported(proc)
        assert {m for m in modules if m.startswith("discovery")} == CLIENT_MODULES
        assert not modules & NOT_ON_CLIENT, sorted(modules & NOT_ON_CLIENT)
    finally:
        _stop(server, case_dir)


def test_the_command_is_installed_as_that_script() -> None:
    """pip installs discovery/discovery as the command (its '#!python' line becomes the venv's Python), and no
    console-script entry point of the same name replaces it with pip's wrapper."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["script-files"] == ["discovery/discovery"]
    assert "discovery" not in project["project"].get("scripts", {})
    script = ROOT / "discovery" / "discovery"
    assert script.read_text().startswith("#!python\n") and os.access(script, os.X_OK)


def test_finding_a_command_imports_no_other(search_case: Path) -> None:
    """Whether a lazy command exists is found on disk: 'search' loads neither the other commands' modules nor,
    for them, the packages they live in."""
    code, modules, out = _loaded("search", "--help")
    assert code == 0 and "--count" in out
    assert not {m for m in modules
                if m.startswith(("discovery.pii", "discovery.ingest", "discovery.tags_cli", "discovery.tui"))}


def test_deferred_modules_load_for_real_on_first_use() -> None:
    """What whoosh bound from a stand-in still works, and so does any later user of the real module."""
    code = (
        "import sys\n"
        "from discovery.search import engine\n"
        "from discovery.search.deferred import is_stand_in\n"
        "assert is_stand_in(sys.modules['whoosh.lang.morph_en']), 'not deferred'\n"
        "from whoosh.query import terms\n"
        "assert 'rendering' in terms.variations('render')\n"
        "assert not is_stand_in(sys.modules['whoosh.lang.morph_en'])\n"
        "import urllib.request\n"
        "assert urllib.request.Request('http://example.org').host == 'example.org'\n"
        "assert not is_stand_in(sys.modules['urllib.request'])\n"
        "import asyncio\n"
        "assert asyncio.run(asyncio.sleep(0, 'ok')) == 'ok'\n"
        "print('fine')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.strip() == "fine", proc.stderr


def test_bulk_stored_ids_equal_one_by_one(searcher: Searcher) -> None:
    raw = searcher._searcher  # noqa: SLF001 - the open Whoosh searcher
    docs = list(range(engine.doc_count(raw)))
    picked = docs[::-3]  # not sorted, and more than the bulk path's minimum
    assert len(picked) >= 64
    assert engine.stored_ids(raw, picked) == [engine.stored_id(raw, d) for d in picked]
    assert engine.stored_ids(raw, docs) == [engine.stored_id(raw, d) for d in docs]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("query", sorted(set(CASES) | set(QUERIES)))
def test_count_equals_the_ids_listed(search_case: Path, searcher: Searcher, query: str) -> None:
    def cli(*options: str) -> Result:  # '--' first: queries like '-pilot' are not options
        return run("search", "--case", str(search_case), *options, "--", query)

    ids = cli("--ids").stdout.split()
    count = cli("--count")
    assert count.stdout.strip() == str(len(ids))
    assert count.exit_code == (0 if ids else 1)
    threads = cli("--ids", "--threads").stdout.split()
    assert cli("--count", "--threads").stdout.strip() == f"{len(ids)}\t{len(threads)}"
    assert ids == [h.id for h in searcher.search(query, limit=None, snippets=False).hits]
    assert searcher.count(query) == len(ids) and searcher.count(query, threads=True) == len(threads)


def test_count_and_facets_only_as_json(search_case: Path, searcher: Searcher) -> None:
    counted = json.loads(run("search", "pilot", "--case", str(search_case), "--count", "--json", "--threads").stdout)
    full = searcher.search("pilot", limit=None, threads=True, facets=True)
    assert counted["total"] == full.total and counted["threads"] == full.threads
    facets = json.loads(run("search", "pilot", "--case", str(search_case), "--facets-only", "--json").stdout)
    assert facets["hits"] == [] and facets["total"] == full.total
    assert facets["facets"] == {name: [{"value": v.value, "count": v.count} for v in values]
                                for name, values in full.facets.items()}
    one = json.loads(run("search", "pilot", "--case", str(search_case), "--facets-only", "--facet", "years",
                         "--json").stdout)
    assert list(one["facets"]) == ["years"]


def test_count_refuses_hit_formats(search_case: Path) -> None:
    result = run("search", "pilot", "--case", str(search_case), "--count", "--ids")
    assert result.exit_code == 2 and "--count" in result.stderr


def test_limit_zero_lists_every_hit(search_case: Path, searcher: Searcher) -> None:
    data = json.loads(run("search", "pilot", "--case", str(search_case), "--json", "--limit", "0",
                          "--no-snippets").stdout)
    assert len(data["hits"]) == data["total"] == searcher.count("pilot") > 20
