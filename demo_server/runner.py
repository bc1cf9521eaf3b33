"""Run the demo server in the background, from a notebook cell or a test.

Two ways, for two needs:

* :func:`start_server` serves an app from a **thread** of the current
  process. It starts in a few milliseconds, and the notebook can look into the
  server's store directly. Re-running the cell replaces the old server.
* :func:`start_server_process` runs ``python -m demo_server`` as a **child
  process**, for demos that need several servers sharing (or not sharing) a
  store. The child watches its stdin and exits when that closes, so it dies
  with the kernel even when the kernel is killed outright.

Both are quiet: Werkzeug's request log never reaches a cell's output; each
server keeps its own plain-text access log in :attr:`RunningServer.log`, with
control characters escaped as Werkzeug escapes them. A connection that stays
silent for :data:`CONNECTION_TIMEOUT` seconds, even halfway through a request,
is closed, so idle or half-sent requests cannot hold the server's threads.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Self

from flask import Flask, current_app, has_app_context
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import Pauses, create_app, pauses_of
from .stores import SessionStore

LOOPBACK = "127.0.0.1"

#: Seconds a connection may stay silent (between requests, or halfway through one) before it is closed.
CONNECTION_TIMEOUT = 10.0

#: Werkzeug's escapes for its request log: each C0 and C1 control character becomes ``\xNN``, ``\`` becomes ``\\``.
_CONTROL_CHARS: dict[int, str] = getattr(WSGIRequestHandler, "_control_char_table", None) or {
    **{c: rf"\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}, ord("\\"): r"\\",
}

#: What ``http.server`` logs when a connection times out: not worth a line, a browser's idle keep-alive does it.
_TIMED_OUT = "Request timed out: %r"


def escape_controls(text: str) -> str:
    """A log line that cannot move a terminal's cursor or recolour it, whatever the client sent."""
    return text.translate(_CONTROL_CHARS)


class QuietRequestHandler(WSGIRequestHandler):
    """Logs each request as one plain line in the server's access log, never to stderr."""

    server: QuietServer

    def setup(self) -> None:
        """Give the connection the server's timeout, so a silent client frees its thread."""
        self.timeout = self.server.connection_timeout
        super().setup()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not getattr(self, "command", None):  # a malformed or overlong request line: no command, no path
            self.server.note(f"{self.requestline or '-'} {code}")
        else:
            self.server.note(f"{self.command} {self.path} {code}")

    def log_error(self, format: str, *args: Any) -> None:
        if format != _TIMED_OUT:
            self.server.note("error: " + (format % args))

    def log_message(self, format: str, *args: Any) -> None:
        self.server.note(format % args)

    def send_header(self, keyword: str, value: str) -> None:
        """Drop the ``Server`` header: it would only advertise versions to attackers (and to diffs)."""
        if keyword.lower() != "server":
            super().send_header(keyword, value)


class QuietServer(ThreadedWSGIServer):
    """Werkzeug's threaded server, with its log kept in a list instead of printed."""

    daemon_threads = True

    def __init__(self, app: Flask, listener: socket.socket, access_log: list[str],
                 connection_timeout: float | None = CONNECTION_TIMEOUT) -> None:
        self.access_log = access_log
        self.connection_timeout = connection_timeout
        host, port = listener.getsockname()[:2]
        super().__init__(host, port, app, handler=QuietRequestHandler, fd=listener.fileno())
        listener.close()  # Werkzeug works on its own duplicate of the socket

    def note(self, line: str) -> None:
        """Add one line to the access log, its control characters escaped."""
        self.access_log.append(escape_controls(line))

    def log(self, type: str, message: str, *args: Any) -> None:
        """Werkzeug's own messages (a traceback, say): one access-log line per line of text."""
        for line in (message % args if args else message).rstrip().split("\n"):
            self.note(f"{type}: {line}".rstrip())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A request handler's crash goes to the access log: socketserver would print it to stderr, into a cell."""
        self.log("error", "while handling a connection:\n" + traceback.format_exc())


#: Where :func:`make_quiet_server` files an app's access log, in ``app.extensions``.
_ACCESS_LOG = "demo_server.access_log"


class _AccessLogHandler(logging.Handler):
    """Sends the app's own log records (such as a view's traceback) to the access log.

    Every app that :func:`~demo_server.app.create_app` builds is named
    ``demo_server``, so all of them share one logger: the record goes to the
    log of the app it happened in, not to the server started last.
    """

    def emit(self, record: logging.LogRecord) -> None:
        access_log = current_app.extensions.get(_ACCESS_LOG) if has_app_context() else None
        if access_log is not None:  # the message may quote a request path, decoded from %1b and the like
            access_log.append(escape_controls(f"{record.levelname.lower()}: {record.getMessage()}"))


def bind_listener(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port); ``OSError`` if the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def make_quiet_server(app: Flask, host: str = LOOPBACK, port: int = 0, access_log: list[str] | None = None,
                      connection_timeout: float | None = CONNECTION_TIMEOUT) -> QuietServer:
    """Bind a quiet server; port 0 asks the OS for a free port.

    We bind the socket ourselves so that a busy port raises ``OSError``
    here, instead of Werkzeug printing to stderr and exiting the process.
    A connection silent for ``connection_timeout`` seconds is closed
    (``None``: never, which lets a few hundred half-sent requests hold as
    many threads for ever).
    """
    listener = bind_listener(host, port)
    access_log = [] if access_log is None else access_log
    app.extensions[_ACCESS_LOG] = access_log
    app.logger.handlers[:] = [_AccessLogHandler()]
    app.logger.propagate = False
    return QuietServer(app, listener, access_log, connection_timeout)


class _BackgroundServer:
    """What both kinds of background server share: a name, a URL, ``stop()`` and ``with``."""

    name: str
    url: str
    running: bool

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name!r} {self.url} {state}>"


class RunningServer(_BackgroundServer):
    """A demo server serving from a background thread. Stop it with :meth:`stop` or ``with``."""

    def __init__(self, app: Flask, name: str, connection_timeout: float | None = CONNECTION_TIMEOUT) -> None:
        self.app = app
        self.name = name
        self._server = make_quiet_server(app, connection_timeout=connection_timeout)
        self.host = LOOPBACK
        self.port: int = self._server.port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"demo-server-{name}-{self.port}", daemon=True,
        )
        self._thread.start()
        self.running = True

    @property
    def store(self) -> SessionStore | None:
        """The server's session store (``None`` for Flask's built-in cookie session)."""
        return getattr(self.app.session_interface, "store", None)

    @property
    def log(self) -> list[str]:
        """One plain line per request served, oldest first."""
        return self._server.access_log

    @property
    def pauses(self) -> Pauses:
        """The ``/count?pause=`` pauses of this server: wait until requests are in one, or end them."""
        return pauses_of(self.app)

    def stop(self) -> None:
        """Stop serving and free the port. Safe to call twice."""
        if not self.running:
            return
        self.running = False
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        if _running.get(self.name) is self:
            del _running[self.name]


_running: dict[str, RunningServer] = {}


def start_server(app: Flask | None = None, *, name: str = "default", **options: Any) -> RunningServer:
    """Serve ``app`` (or ``create_app(**options)``) on a free loopback port, in the background.

    Calling it again with the same ``name`` first stops the server started
    under that name, so re-running a notebook cell never leaves an orphan
    behind. Give two servers different names to run both at once.
    """
    if app is not None and options:
        raise TypeError("pass either an app or options for create_app(), not both")
    previous = _running.pop(name, None)
    if previous is not None:
        previous.stop()
    server = RunningServer(app if app is not None else create_app(**options), name)
    _running[name] = server
    return server


def stop_all_servers() -> None:
    """Stop every server started by :func:`start_server` or :func:`start_server_process`."""
    for server in list(_running.values()):
        server.stop()
    for process in list(_processes.values()):
        process.stop()


class ServerProcess(_BackgroundServer):
    """``python -m demo_server`` as a child process that cannot outlive its parent.

    The child reads its stdin and exits when it closes. The parent holds the
    only write end, so when the parent dies for any reason, even SIGKILL,
    the child follows.

    The child's stderr (its access log, or why it could not start) goes to
    a nameless temporary file, never to the notebook: a cell's output stays
    the same from run to run. A file rather than a pipe, because nobody
    reads a pipe while the server runs, and a full one would block it.
    """

    def __init__(self, args: Sequence[str], name: str, start_timeout: float = 10.0) -> None:
        self.name = name
        self.args = [sys.executable, "-m", "demo_server", "--port", "0", "--exit-with-stdin", *args]
        self._stderr = tempfile.TemporaryFile(prefix="demo-server-stderr-")
        try:
            self._process = subprocess.Popen(
                self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                start_new_session=True,  # a Ctrl-C in the notebook does not reach it
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except BaseException:
            self._stderr.close()
            raise
        try:
            self.url = self._read_url(start_timeout)
        except BaseException:  # including a KeyboardInterrupt while waiting: no child, no open file left
            self._end()
            raise
        self.port = int(self.url.rsplit(":", 1)[1])
        self.running = True

    def _read_url(self, timeout: float) -> str:
        """Wait for the one line the CLI prints once it listens; ``RuntimeError`` with its reason if it does not."""
        assert self._process.stdout is not None
        timed_out = threading.Event()

        def give_up() -> None:
            timed_out.set()
            self._process.kill()

        timer = threading.Timer(timeout, give_up)
        timer.start()
        try:
            line = self._process.stdout.readline().decode(errors="replace").strip()
        finally:
            timer.cancel()
        if line.startswith("Serving on "):
            return line.removeprefix("Serving on ")
        self._process.kill()
        exit_code = self._process.wait()
        if timed_out.is_set():
            raise RuntimeError(f"demo server did not start within {timeout:g} s")
        reason = self._last_stderr_line()
        raise RuntimeError(f"demo server did not start (exit code {exit_code})" + (f": {reason}" if reason else ""))

    def _last_stderr_line(self) -> str:
        """The child's last words on stderr: the CLI's one-line error, when it refused to start."""
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").splitlines()
        return escape_controls(next((line.strip() for line in reversed(lines) if line.strip()), ""))

    def _end(self, timeout: float = 5.0) -> None:
        """Close the child's stdin, which tells it to exit; kill it if it will not; close every file we hold."""
        assert self._process.stdin is not None and self._process.stdout is not None
        with suppress(BrokenPipeError):  # the child may be gone already
            self._process.stdin.close()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()
        self._stderr.close()  # the file has no name: closing it frees it

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def log(self) -> list[str]:
        """The child's stderr so far, one line per item: its access log, and under gunicorn the workers' starts."""
        if self._stderr.closed:
            return []
        # pread: the child writes through the same file offset, which a seek here would move under it.
        text = os.pread(self._stderr.fileno(), os.fstat(self._stderr.fileno()).st_size, 0)
        return [escape_controls(line) for line in text.decode(errors="replace").splitlines()]

    def stop(self, timeout: float = 5.0) -> None:
        """Tell the child to exit (kill it if it will not) and close its pipes and its stderr file."""
        if not self.running:
            return
        self.running = False
        self._end(timeout)
        if _processes.get(self.name) is self:
            del _processes[self.name]


_processes: dict[str, ServerProcess] = {}


def start_server_process(*args: str, name: str = "default") -> ServerProcess:
    """Start ``python -m demo_server ARGS`` on a free port and wait until it listens.

    ``args`` are CLI options, e.g. ``"--store", "sqlite:sessions.db"``.
    Re-using a ``name`` stops the process started under it first.
    """
    previous = _processes.pop(name, None)
    if previous is not None:
        previous.stop()
    process = ServerProcess(args, name)
    _processes[name] = process
    return process


atexit.register(stop_all_servers)
