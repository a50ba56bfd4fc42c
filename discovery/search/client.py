"""Provides the search server's client: hands a 'discovery search' command line to the case's search server
(a Unix socket in the case folder) and prints exactly what the server's run of it printed, with its exit status.

It imports only the interpreter's own socket layer (_socket: the socket module's enum classes cost more than
the rest of this file), so that a search answered by a server costs little more than starting Python. Whenever
the server is absent, refuses, or breaks, the caller runs the command in its own process instead (nothing has
been printed by then: the answer is written only once it arrived whole).

Wire format, both ways: frames of one kind byte, a 4-byte big-endian length and a payload. The request is one
``q`` frame (a marshal'd dict: argv, cwd, environment, umask, what stdout and stderr are; marshal is built in,
and the server reads requests only from processes of its own user); the answer is ``1``/``2`` frames
(bytes for stdout/stderr, in the order they were written) and one ``x`` frame (the exit status, in ASCII), or a
single ``n`` frame (declined: run it yourself).
"""

import _socket
import marshal
import os
import stat
import sys

SERVER_DIR = "server"  # inside the case folder, 0700
SOCKET_NAME = "search.sock"
LOCK_NAME = "server.lock"  # held by the running (or starting) server
DISABLE_ENV = "DISCOVERY_NO_SERVER"  # set (to anything but '' or 0) to never use nor start a server
IDLE_ENV = "DISCOVERY_SERVER_IDLE"  # seconds a started server waits for the next search before it exits
DEFAULT_CASE = os.path.join("indexes", "default")  # as discovery.case.DEFAULT_CASE
_MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes with the terminating NUL
_HEADER = 5
Socket = _socket.socket  # what socket.socket wraps; the server passes socket.socket objects, which are ones


def case_dir_of(argv: list[str]) -> str:
    """The case folder a search command line names (--case, else $DISCOVERY_CASE, else the default)."""
    for i, token in enumerate(argv):
        if token == "--":
            break
        if token == "--case" and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith("--case="):
            return token.split("=", 1)[1]
    return os.environ.get("DISCOVERY_CASE") or DEFAULT_CASE


def disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") not in ("", "0")


def wanted(argv: list[str]) -> bool:
    """Whether this search may go to a server: not disabled, and not a --batch (which reads and writes files
    of its own; it runs in-process)."""
    if disabled():
        return False
    for token in argv:
        if token == "--":
            break
        if token in ("--no-server", "--batch") or token.startswith("--batch="):
            return False
    return True


def server_paths(case_dir: str) -> tuple[str, str, str]:
    """(folder, socket, lock file) of a case's search server."""
    folder = os.path.join(os.path.abspath(case_dir), SERVER_DIR)
    return folder, os.path.join(folder, SOCKET_NAME), os.path.join(folder, LOCK_NAME)


def private_to_us(st: os.stat_result) -> bool:
    """Owned by this user and closed to group and others."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def peer_uid(sock: Socket) -> int | None:
    """The user id of the process at the other end of a connected Unix socket (Linux: SO_PEERCRED)."""
    option = getattr(_socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = sock.getsockopt(_socket.SOL_SOCKET, option, 12)  # struct ucred: pid, uid, gid (3 ints)
    return int.from_bytes(creds[4:8], sys.byteorder)


def send_frame(sock: Socket, kind: bytes, payload: bytes) -> None:
    sock.sendall(kind + len(payload).to_bytes(4, "big") + payload)


def read_frame(sock: Socket) -> tuple[bytes, bytes] | None:
    """(kind, payload), or None when the other end closed the connection before a whole frame."""
    head = _read_exactly(sock, _HEADER)
    if head is None:
        return None
    payload = _read_exactly(sock, int.from_bytes(head[1:], "big"))
    return None if payload is None else (head[:1], payload)


def _read_exactly(sock: Socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def connect(case_dir: str) -> Socket | None:
    """A connection to the case's server, or None when there is none we can trust (folder or socket not ours
    or open to others, a server of another user, a path too long for a Unix socket)."""
    folder, path, _ = server_paths(case_dir)
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH or not hasattr(_socket, "AF_UNIX"):
        return None
    try:
        if not private_to_us(os.stat(folder)):
            return None
        st = os.stat(path)
        if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.getuid():
            return None
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.connect(path)
        if peer_uid(sock) != os.getuid():
            sock.close()
            return None
    except OSError:
        sock.close()
        return None
    return sock


def request_bytes(argv: list[str], prog: str | None = None) -> bytes:
    """The request that runs a command line in the server as it would run in this process."""
    env = dict(os.environ)
    if "COLUMNS" not in env or "LINES" not in env:  # what shutil.get_terminal_size() would find in this process
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            size = None
        if size is not None:
            env.setdefault("COLUMNS", str(size.columns))
            env.setdefault("LINES", str(size.lines))
    umask = os.umask(0o077)
    os.umask(umask)
    streams = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError, OSError):
            tty = False
        streams[name] = {"tty": tty, "encoding": getattr(stream, "encoding", None) or "utf-8",
                         "errors": getattr(stream, "errors", None) or "strict"}
    return marshal.dumps({
        "op": "run", "argv": argv, "prog": prog or program_name(),
        "cwd": os.getcwd(), "env": env, "umask": umask, "streams": streams, "python": os.path.realpath(sys.executable),
        "package": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    })


def ask(argv: list[str], prog: str | None = None) -> tuple[list[tuple[bytes, bytes]], int] | None:
    """Run a command line in the case's server: (what it printed, as (b"1" stdout | b"2" stderr, bytes) in
    order; its exit status), or None when there is no server or it declined or broke. ``prog``: the command's
    name in usage lines (by default this process's, as click finds it)."""
    sock = connect(case_dir_of(argv[1:]))
    if sock is None:
        return None
    chunks: list[tuple[bytes, bytes]] = []
    try:
        send_frame(sock, b"q", request_bytes(argv, prog))
        while True:
            frame = read_frame(sock)
            if frame is None or frame[0] == b"n":
                return None
            if frame[0] == b"x":
                return chunks, int(frame[1])
            chunks.append(frame)
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


def program_name() -> str:
    """The name usage lines show, found as click finds it for this process (click.utils._detect_program_name):
    the script's name, or 'python -m PACKAGE.MODULE'."""
    path = sys.argv[0] if sys.argv and sys.argv[0] else "discovery"
    package = getattr(sys.modules.get("__main__"), "__package__", None)
    if package in (None, ""):
        return os.path.basename(path)
    module = str(package)
    name = os.path.splitext(os.path.basename(path))[0]
    if name != "__main__":
        module = f"{module}.{name}"
    return f"python -m {module.lstrip('.')}"


def run_in_server(argv: list[str]) -> int | None:
    """Run a search command line in the case's server and print its output; its exit status, or None when it
    must run in this process (no server, or the server declined or broke: nothing was printed)."""
    try:
        answer = ask(argv)
    except KeyboardInterrupt:  # as click reports an interrupted command
        sys.stderr.write("\nAborted!\n")
        return 1
    if answer is None:
        return None
    _write(answer[0])
    return answer[1]


def exit_now(code: int) -> None:
    """End the process with this status once the server's answer is written: os._exit, not sys.exit, since
    nothing is left to run or free (no atexit handler is registered on this path, stdout and stderr are flushed),
    and the interpreter's shutdown (modules, objects, memory) is a tenth of what such a process costs."""
    status = code & 0xFF
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = 120  # as Python's own exit reports a stream it could not flush
    os._exit(status)


def _write(chunks: list[tuple[bytes, bytes]]) -> None:
    """Write the answer as it was printed; a reader that closed the pipe ('| head') ends it quietly (status 0,
    as the CLI does)."""
    try:
        for kind, payload in chunks:
            stream = sys.stdout if kind == b"1" else sys.stderr
            stream.flush()
            stream.buffer.write(payload)
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(0)


def start_server(argv: list[str]) -> bool:
    """Start the case's search server in the background unless one runs or is starting (its lock is held), the
    case does not exist, or its socket path would be too long. True if one was started."""
    case_dir = case_dir_of(argv[1:])
    folder, path, lock = server_paths(case_dir)
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH or not os.path.isfile(os.path.join(case_dir, "store.sqlite")):
        return False
    if not hasattr(_socket, "SO_PEERCRED"):
        return False  # the server trusts only clients of its own user, which it can check only where this exists
    try:
        import fcntl

        with open(lock, "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a server holds it
    except FileNotFoundError:
        pass
    except OSError:
        return False
    import subprocess

    env = dict(os.environ)
    if env.get("PYTHONPATH"):  # the server runs from '/': keep relative entries meaning what they mean here
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p for p in env["PYTHONPATH"].split(os.pathsep))
    try:
        subprocess.Popen([sys.executable, "-P", "-m", "discovery.search.server", os.path.abspath(case_dir)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd="/", env=env, start_new_session=True, close_fds=True)
    except OSError:
        return False
    return True
