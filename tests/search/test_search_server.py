"""The per-case search server answers every search as the CLI does in its own process (the same bytes on stdout
and stderr, the same exit status), sees what an ingest added, falls back silently when absent or broken, and
serves only its own user through a private socket."""

from __future__ import annotations

import marshal
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_search_index import QUERIES
from test_search_samples import CASES

from discovery.case import Case
from discovery.cli import main
from discovery.search import client
from discovery.search.server import Server, query

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
ENV.pop(client.DISABLE_ENV, None)
FORMS = [[], ["--json"], ["--ids"], ["--count", "--threads"]]
MORE_FORMS = [["--csv"], ["--facets"], ["--facets-only", "--json"], ["--sort", "date", "--limit", "5", "--offset", "2"],
              ["--threads", "--json", "--no-snippets"]]


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock", "*WRITELOCK", client.SERVER_DIR))
    return target


def _start(case_dir: Path, idle: float = 120) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "discovery.search.server", str(case_dir), "--idle", str(idle)],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while query(str(case_dir), "status") is None:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the server did not answer"
        time.sleep(0.05)
    return proc


def _stop(proc: subprocess.Popen[bytes], case_dir: Path) -> None:
    query(str(case_dir), "stop")
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def served(search_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the session case with its search server running."""
    case_dir = _copy(search_case, tmp_path_factory.mktemp("served") / "case")
    proc = _start(case_dir)
    yield case_dir
    _stop(proc, case_dir)


def _without_timing(data: bytes) -> bytes:
    """JSON output says how long the search took: the one part that differs from run to run."""
    return b"\n".join(line for line in data.split(b"\n") if not line.lstrip().startswith(b'"elapsed_ms"'))


def _same(case_dir: Path, *args: str) -> None:
    argv = ["search", "--case", str(case_dir), *args]
    answer = client.ask(argv, prog="discovery")
    assert answer is not None, "the server did not answer"
    chunks, code = answer
    out = b"".join(p for k, p in chunks if k == b"1")
    err = b"".join(p for k, p in chunks if k == b"2")
    here = CliRunner().invoke(main, argv, prog_name="discovery")
    assert (code, _without_timing(out), err) == (here.exit_code, _without_timing(here.stdout_bytes),
                                                 here.stderr_bytes), argv


@pytest.mark.parametrize("text", sorted(set(CASES) | set(QUERIES)))
def test_server_answers_as_in_process(served: Path, text: str) -> None:
    for form in FORMS:
        _same(served, *form, "--", text)


@pytest.mark.parametrize("form", MORE_FORMS, ids=" ".join)
def test_server_answers_other_forms_as_in_process(served: Path, form: list[str]) -> None:
    _same(served, *form, "--", "pilot")


def test_help_through_the_server_is_the_commands_own(served: Path) -> None:
    """(click's test runner formats help for a width of its own: compared with the command run in-process.)"""
    served_before = query(str(served), "status")["requests"]  # type: ignore[index]
    through = _launch(served, "--help")
    assert query(str(served), "status")["requests"] == served_before + 1  # type: ignore[index]
    assert through.returncode == 0 and "--no-server" in through.stdout
    here = _launch(served, "--help", DISCOVERY_NO_SERVER="1")
    assert (through.returncode, through.stdout, through.stderr) == (here.returncode, here.stdout, here.stderr)


@pytest.mark.parametrize("args", [["--", "(unclosed"], ["--ids", "--json", "pilot"], [], ["--", "zzxqnothing"],
                                  ["--facet", "nosuch", "pilot"]], ids=str)
def test_server_reports_errors_as_in_process(served: Path, args: list[str]) -> None:
    _same(served, *args)


def test_server_sees_what_an_ingest_added(served: Path, tmp_path: Path) -> None:
    word = "quokkaflux"
    _same(served, "--count", word)
    before = client.ask(["search", "--case", str(served), "--count", word])
    assert before is not None and before[1] == 1
    mail = tmp_path / "new.eml"
    mail.write_text(f"From: a@example.org\nTo: b@example.org\nSubject: {word} report\nDate: Mon, 1 Jan 2018 "
                    f"10:00:00 +0000\nMessage-ID: <{word}@example.org>\n\nThe {word} numbers are in.\n")
    with Case(served) as case:
        assert case.ingest([mail]).ok
    after = client.ask(["search", "--case", str(served), "--ids", word])
    assert after is not None and after[1] == 0 and len(after[0][0][1].split()) == 1
    _same(served, "--json", word)
    _same(served, "--count", "pilot")


def test_socket_is_private_and_checked(served: Path) -> None:
    folder, path, lock = (Path(p) for p in client.server_paths(str(served)))
    assert folder.stat().st_mode & 0o777 == 0o700
    assert Path(path).stat().st_mode & 0o777 == 0o600 and Path(lock).stat().st_mode & 0o777 == 0o600
    folder.chmod(0o755)  # open to others: the client no longer trusts it (and runs the search itself)
    try:
        assert client.connect(str(served)) is None
        assert client.ask(["search", "--case", str(served), "pilot"]) is None
    finally:
        folder.chmod(0o700)
    assert client.ask(["search", "--case", str(served), "--count", "pilot"]) is not None


def test_server_refuses_another_user(tmp_path: Path) -> None:
    """A client whose uid is not the server's gets no answer (checked with SO_PEERCRED)."""
    server = Server(str(tmp_path), allowed_uid=os.getuid() + 1)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        client.send_frame(theirs, b"q", marshal.dumps({"op": "status"}))
        server.handle(ours)
        ours.close()
        try:
            answer = client.read_frame(theirs)
        except ConnectionResetError:  # closed with the request unread
            answer = None
        assert answer is None
    assert server.refused == 1 and server.requests == 0


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_reach_the_socket(served: Path) -> None:
    code = ("import os, socket, sys\nos.setgid(65534); os.setuid(65534)\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('refused')\n")
    proc = subprocess.run([sys.executable, "-c", code, client.server_paths(str(served))[1]], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.strip() == "refused", proc.stderr


def test_server_declines_another_copy_of_discovery(search_case: Path, tmp_path: Path) -> None:
    """A client of another installation (or Python) is declined, and the server exits to make room for one
    of the client's own."""
    case_dir = _copy(search_case, tmp_path / "case")
    proc = _start(case_dir)
    try:
        sock = client.connect(str(case_dir))
        assert sock is not None
        request = marshal.loads(client.request_bytes(["search", "--case", str(case_dir), "pilot"]))
        request["package"] = "/elsewhere/discovery"
        client.send_frame(sock, b"q", marshal.dumps(request))
        assert client.read_frame(sock) == (b"n", b"")
        sock.close()
        proc.wait(timeout=20)
        assert not Path(client.server_paths(str(case_dir))[1]).exists()
    finally:
        _stop(proc, case_dir)


def _launch(case_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "discovery.launcher", "search", "--case", str(case_dir), *args],
                          capture_output=True, text=True, env={**ENV, **env}, timeout=120)


def test_first_search_starts_a_server_and_a_broken_one_is_ignored(search_case: Path, tmp_path: Path) -> None:
    case_dir = _copy(search_case, tmp_path / "case")
    folder, path, _ = client.server_paths(str(case_dir))
    os.makedirs(folder, mode=0o700)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # a socket nobody listens on, as a killed server leaves it
    stale.close()
    without = _launch(case_dir, "--ids", "pilot", DISCOVERY_NO_SERVER="1")
    first = _launch(case_dir, "--ids", "pilot", DISCOVERY_SERVER_IDLE="30")
    assert (first.returncode, first.stdout, first.stderr) == (without.returncode, without.stdout, without.stderr)
    deadline = time.monotonic() + 60
    while (status := query(str(case_dir), "status")) is None:
        assert time.monotonic() < deadline, "no server was started"
        time.sleep(0.1)
    assert status["requests"] == 0
    second = _launch(case_dir, "--ids", "pilot")
    assert (second.returncode, second.stdout, second.stderr) == (without.returncode, without.stdout, without.stderr)
    assert query(str(case_dir), "status")["requests"] == 1  # type: ignore[index]
    assert _launch(case_dir, "--no-server", "--count", "pilot").stdout == second.stdout.count("\n").__str__() + "\n"
    assert query(str(case_dir), "status")["requests"] == 1  # type: ignore[index]
    stopped = CliRunner().invoke(main, ["server", "stop", "--case", str(case_dir)])
    assert stopped.exit_code == 0 and "stopped" in stopped.stdout
    assert CliRunner().invoke(main, ["server", "status", "--case", str(case_dir)]).exit_code == 1


def _on_terminal(case_dir: Path, *args: str, **env: str) -> bytes:
    """What a search prints on a terminal 70 columns wide (a pseudo-terminal as its stdout)."""
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 70, 0, 0))
    environment = {**ENV, **env}
    environment.pop("COLUMNS", None)
    environment.pop("LINES", None)
    proc = subprocess.Popen([sys.executable, "-m", "discovery.launcher", "search", "--case", str(case_dir), *args],
                            stdout=follower, stderr=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks)


def test_a_terminals_colours_and_width_are_the_clients(served: Path) -> None:
    for args in (["pilot", "--limit", "3"], ["--help"]):
        through = _on_terminal(served, *args)
        here = _on_terminal(served, *args, DISCOVERY_NO_SERVER="1")
        assert through == here
    assert b"\x1b[" in through or b"\x1b[" in _on_terminal(served, "pilot", "--limit", "3")  # colours on a terminal
    paragraph = next(line for line in here.decode().splitlines() if line.startswith("  CSV cells"))
    assert 60 < len(paragraph.rstrip()) <= 70  # help's prose wrapped for the terminal's 70 columns (not 80)


def test_the_client_default_case_is_the_case_modules() -> None:
    """The client keeps its own copy of the default case folder (importing discovery.case would cost its
    start-up): the two must name the same folder, or a search without --case would ask the wrong server."""
    from discovery.case import DEFAULT_CASE
    from discovery.search import client

    assert client.DEFAULT_CASE == str(DEFAULT_CASE)
