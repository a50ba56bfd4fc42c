"""Provides the per-case search server: a background process that keeps discovery imported and the case's index
open, and runs the 'discovery search' command lines its clients send, as the CLI would in their own process.

Started on demand by a search (discovery.search.client), like 'mu server' or ssh's ControlMaster. It listens on
``<case>/server/search.sock`` (folder 0700, socket 0600), serves only processes of its own user (SO_PEERCRED),
one command at a time, with each client's environment, working folder, umask and terminal (tty or not,
encoding, width), and answers with the exact bytes and exit status of the in-process run. It reopens the index
when its generation changes (discovery.search.kept), declines and exits when discovery's own files changed on
disk since it loaded them (the client then runs the search itself), and exits after an idle timeout, when asked
('discovery server stop'), or when its socket or case folder goes away.

    python -m discovery.search.server CASE_DIR [--idle SECONDS]      # runs in the foreground until idle
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import json
import marshal
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

from discovery.search.client import (
    IDLE_ENV,
    SOCKET_NAME,
    peer_uid,
    read_frame,
    send_frame,
    server_paths,
)

DEFAULT_IDLE = 900.0  # seconds without a search before the server exits
_TICK = 2.0  # seconds between checks of the socket, the case folder and the idle time
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PYTHON = os.path.realpath(sys.executable)


class _Capture(io.BytesIO):
    """One of the command's output streams: records what is written, in order with the other stream, and says
    whether it is a terminal as the client's stream is."""

    def __init__(self, fd: int, log: list[tuple[bytes, bytes]], tty: bool) -> None:
        super().__init__()
        self._kind, self._log, self._tty = str(fd).encode(), log, tty

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if chunk:
            self._log.append((self._kind, chunk))
        return len(chunk)

    def isatty(self) -> bool:
        return self._tty


class _Named(io.TextIOWrapper):
    """A text stream with the name click expects of sys.stdout and sys.stderr."""

    def __init__(self, buffer: _Capture, name: str, encoding: str, errors: str) -> None:
        super().__init__(buffer, encoding=encoding, errors=errors, write_through=True)
        self._name = name

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name


class Server:
    """The server of one case folder: ``serve()`` until idle, stopped, or its socket or folder goes away."""

    def __init__(self, case_dir: str, *, idle: float = DEFAULT_IDLE, allowed_uid: int | None = None) -> None:
        self.case_dir = os.path.abspath(case_dir)
        self.folder, self.socket_path, self.lock_path = server_paths(self.case_dir)
        self.idle = idle
        self.allowed_uid = os.getuid() if allowed_uid is None else allowed_uid
        self.started = time.time()
        self.requests = 0
        self.refused = 0
        self._sources: dict[str, int] = {}
        self._checked = 0.0  # when _sources were last compared with the disk (monotonic)
        self._modules_seen = 0  # len(sys.modules) when _sources were last noted
        self._stop = False
        self._lock: Any = None
        self._sock: socket.socket | None = None
        self._inode: tuple[int, int] | None = None

    # -- lifecycle ----------------------------------------------------------------------------------
    def bind(self) -> bool:
        """Take the case's server lock and listen; False when another server holds the lock."""
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        st = os.lstat(self.folder)
        if not os.path.isdir(self.folder) or os.path.islink(self.folder) or st.st_uid != os.getuid():
            raise PermissionError(f"{self.folder} is not a folder of this user")
        if st.st_mode & 0o077:
            os.chmod(self.folder, 0o700)
        lock = os.fdopen(os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")  # held while serving
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return False
        self._lock = lock
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)  # left by a server that died: the lock says none runs
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(self.socket_path)
        finally:
            os.umask(old)
        os.chmod(self.socket_path, 0o600)
        sock.listen(16)
        self._sock = sock
        st = os.stat(self.socket_path)
        self._inode = (st.st_dev, st.st_ino)
        return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            with contextlib.suppress(OSError):
                st = os.stat(self.socket_path)
                if (st.st_dev, st.st_ino) == self._inode:
                    os.unlink(self.socket_path)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        from discovery.search import kept

        kept.close_all()

    def _still_ours(self) -> bool:
        """The socket file is still the one we bound (not removed with the case, nor replaced)."""
        try:
            st = os.stat(self.socket_path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._inode

    def serve(self) -> None:
        """Answer clients until stopped, idle for ``idle`` seconds, or the socket goes away."""
        assert self._sock is not None, "bind() first"
        self._note_sources()
        last = time.monotonic()
        dirty = False
        while not self._stop:
            self._sock.settimeout(_TICK)
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                if dirty:  # Whoosh's readers sit in reference cycles: free them while nobody waits
                    gc.collect()
                    dirty = False
                if time.monotonic() - last > self.idle or not self._still_ours():
                    break
                continue
            except OSError:
                break
            with conn:
                conn.settimeout(None)
                with contextlib.suppress(Exception):  # one client's trouble never ends the server
                    self.handle(conn)
            last = time.monotonic()
            dirty = True

    # -- one client -----------------------------------------------------------------------------------
    def handle(self, conn: socket.socket) -> None:
        if peer_uid(conn) != self.allowed_uid:
            self.refused += 1
            return  # another user: closed without a word
        frame = read_frame(conn)
        if frame is None or frame[0] != b"q":
            return
        try:
            request = marshal.loads(frame[1])  # from a process of our own user (checked above)
        except (EOFError, ValueError, TypeError):
            return
        if not isinstance(request, dict):
            return
        op = request.get("op")
        if op == "status":
            send_frame(conn, b"s", json.dumps(self.status()).encode())
            return
        if op == "stop":
            self._stop = True
            send_frame(conn, b"s", json.dumps(self.status()).encode())
            return
        if op != "run" or not self._accepts(request):
            send_frame(conn, b"n", b"")
            return
        self.requests += 1
        chunks, code = run_command(request)
        self._note_sources()
        for kind, payload in _merged(chunks):
            send_frame(conn, kind, payload)
        send_frame(conn, b"x", str(code).encode())

    def _accepts(self, request: dict[str, Any]) -> bool:
        """A search command line from the same Python and the same copy of discovery, whose files have not
        changed since this server loaded them (else it declines, and exits so that a fresh one can start)."""
        if (request.get("argv") or [None])[0] != "search":
            return False
        same = request.get("python") == _PYTHON and request.get("package") == _PACKAGE
        if not same or self._sources_changed():
            self._stop = True
            return False
        return True

    def _note_sources(self) -> None:
        """Remember the files of discovery's modules loaded so far (looked at only when more were loaded)."""
        if len(sys.modules) == self._modules_seen:
            return
        self._modules_seen = len(sys.modules)
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None) or ""
            if path.startswith(_PACKAGE) and path not in self._sources:
                with contextlib.suppress(OSError):
                    self._sources[path] = os.stat(path).st_mtime_ns

    def _sources_changed(self) -> bool:
        """Whether a file of discovery this server loaded changed on disk (looked at once per _TICK at most)."""
        now = time.monotonic()
        if now - self._checked < _TICK:
            return False
        self._checked = now
        for path, mtime in self._sources.items():
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def status(self) -> dict[str, Any]:
        return {"running": True, "pid": os.getpid(), "case": self.case_dir, "socket": self.socket_path,
                "started": round(self.started, 3), "uptime_s": round(time.time() - self.started, 1),
                "requests": self.requests, "refused": self.refused, "idle_timeout_s": self.idle}


def _merged(chunks: list[tuple[bytes, bytes]]) -> Iterator[tuple[bytes, bytes]]:
    """Consecutive writes to the same stream as one frame."""
    kind, parts = b"", []
    for k, payload in chunks:
        if k != kind and parts:
            yield kind, b"".join(parts)
            parts = []
        kind = k
        parts.append(payload)
    if parts:
        yield kind, b"".join(parts)


def run_command(request: dict[str, Any]) -> tuple[list[tuple[bytes, bytes]], int]:
    """Run one command line through the click CLI in this process, as the client's process would have run it:
    (what it wrote to stdout and stderr, in order, as bytes; its exit status)."""
    from discovery.cli import main

    chunks: list[tuple[bytes, bytes]] = []
    streams = request["streams"]
    out = _Named(_Capture(1, chunks, streams["stdout"]["tty"]), "<stdout>", streams["stdout"]["encoding"],
                 streams["stdout"]["errors"])
    err = _Named(_Capture(2, chunks, streams["stderr"]["tty"]), "<stderr>", streams["stderr"]["encoding"],
                 streams["stderr"]["errors"])
    saved_env, saved_cwd, saved_streams = dict(os.environ), os.getcwd(), (sys.stdout, sys.stderr)
    saved_umask = os.umask(request["umask"])
    tz = os.environ.get("TZ")
    code = 0
    try:
        _set_environ(request["env"])
        if os.environ.get("TZ") != tz:
            time.tzset()
        os.chdir(request["cwd"])
        sys.stdout, sys.stderr = out, err
        try:
            main.main(args=request["argv"], prog_name=request.get("prog") or "discovery", standalone_mode=True)
        except SystemExit as exit_:
            code = _exit_status(exit_.code, err)
        except BaseException:  # as Python would report an uncaught error of the command: traceback, status 1
            traceback.print_exc(file=err)
            code = 1
    finally:
        with contextlib.suppress(Exception):
            out.flush()
            err.flush()
        sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        _set_environ(saved_env)
        if os.environ.get("TZ") != request["env"].get("TZ"):
            time.tzset()
        os.umask(saved_umask)
    return chunks, code


def _set_environ(wanted: dict[str, str]) -> None:
    """Make os.environ equal to wanted, touching only the variables that differ (each change is a putenv)."""
    for key in [k for k in os.environ if k not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _exit_status(code: object, err: io.TextIOBase) -> int:
    """The status a process exiting with SystemExit(code) has (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=err)
    return 1


def query(case_dir: str, op: str) -> dict[str, Any] | None:
    """Ask the case's server for its status or to stop; its status, or None when no server answers."""
    from discovery.search.client import connect

    sock = connect(case_dir)
    if sock is None:
        return None
    try:
        send_frame(sock, b"q", marshal.dumps({"op": op}))
        frame = read_frame(sock)
    except OSError:
        return None
    finally:
        sock.close()
    if frame is None or frame[0] != b"s":
        return None
    return dict(json.loads(frame[1]))


def preload() -> None:
    """Import what a search uses, so that the first client does not wait for it."""
    import discovery.cli  # noqa: F401
    import discovery.search.cli  # noqa: F401
    import discovery.search.output  # noqa: F401
    from discovery.search import kept

    kept.keep_searchers()


WARM_QUERY = "zzwarmzz"  # what warm() counts: any word will do, the cost is in opening the store and the index


def warm(case_dir: str) -> None:
    """Open the case's store and index once, as a search does (its answer is dropped), so that the server's first
    client does not pay for it: the first search after a start took 20-50 ms more CPU than the next ones (on Enron,
    the peers bench's rare word, the first query after each cold start, took 26 ms against 13.5 for its count)."""
    stream = {"tty": False, "encoding": "utf-8", "errors": "replace"}
    request = {"argv": ["search", "--case", case_dir, "--count", "--", WARM_QUERY], "cwd": os.getcwd(),
               "env": dict(os.environ), "umask": os.umask(0o077), "streams": {"stdout": stream, "stderr": stream}}
    os.umask(request["umask"])
    with contextlib.suppress(Exception):
        run_command(request)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m discovery.search.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("case_dir")
    parser.add_argument("--idle", type=float, default=None, help=f"seconds before exiting (${IDLE_ENV}, "
                        f"default {DEFAULT_IDLE:.0f})")
    args = parser.parse_args(argv)
    idle = args.idle if args.idle is not None else float(os.environ.get(IDLE_ENV) or DEFAULT_IDLE)
    os.umask(os.umask(0o077) | 0o077)  # what it creates is private, as the case's files are (privacy.py)
    server = Server(args.case_dir, idle=idle)
    if not os.path.isdir(server.case_dir):
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    try:
        if not server.bind():
            return 0  # another server has the case
        preload()
        warm(server.case_dir)
        server.serve()
    finally:
        server.close()
    return 0


__all__ = ["DEFAULT_IDLE", "SOCKET_NAME", "Server", "main", "query", "run_command"]

if __name__ == "__main__":
    sys.exit(main())
