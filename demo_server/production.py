"""Serving through gunicorn, as real deployments do: ``python -m demo_server --workers N``.

gunicorn forks N worker processes that take turns accepting connections on
one socket. That is the setting of the sessions bug people report most,
"logged out at random with ``gunicorn -w 4``": each worker is its own
process, so an in-memory store exists once per worker, and a request that
lands on another worker finds no session. A shared store (SQLite, Redis)
and one secret for all workers fix it.

The CLI binds the socket itself and hands it to gunicorn (``fd://``), so
``--port 0`` works and the one "Serving on" line names the real port. Each
worker builds its own app and opens its own store connection after the fork:
a SQLite connection must never cross a fork.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

try:
    from gunicorn.app.base import BaseApplication
except ImportError:  # Windows, or gunicorn not installed: --workers says so in one line
    BaseApplication = object  # type: ignore[assignment,misc]
    GUNICORN_MISSING: str | None = "--workers needs gunicorn, which runs on Linux and macOS (pip install gunicorn)"
else:
    GUNICORN_MISSING = None

#: Threads per worker: a slow request (``/count?pause=1``) must not stall the rest of its worker.
THREADS = 4
#: Seconds a worker gets to finish its requests when the server stops.
GRACEFUL_TIMEOUT = 3

#: One access-log line per request, starting with the worker that served it: ``<1234> "GET / HTTP/1.0" 200``.
ACCESS_LOG_FORMAT = '%(p)s "%(r)s" %(s)s'
#: gunicorn's own log and its access log, both on stderr, one plain line each: stdout carries only "Serving on".
_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {name: {"handlers": ["stderr"], "level": "INFO", "propagate": False}
                for name in ("gunicorn.error", "gunicorn.access")},
}


class _DemoApplication(BaseApplication):  # type: ignore[misc,valid-type]
    """gunicorn's embedding API: our settings instead of a config file, our app factory instead of an import path."""

    def __init__(self, make_app: Callable[[], Flask], settings: dict[str, Any]) -> None:
        self._make_app = make_app
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Called in each worker after the fork: its own app, its own store connection."""
        return self._make_app()


def serve(listener: int, workers: int, make_app: Callable[[], Flask], on_ready: Callable[[], None]) -> None:
    """Serve ``make_app()`` from ``workers`` gunicorn workers on the listening socket ``listener`` until SIGTERM.

    gunicorn takes ``listener``, a file descriptor, over and closes it.
    ``on_ready`` runs in the master once every worker has built its app (the
    CLI prints its line there), so that the first requests already find all of
    them. gunicorn stops on SIGTERM, SIGINT or SIGQUIT, finishing the requests
    in flight; this returns once it has.
    """
    if GUNICORN_MISSING:
        raise RuntimeError(GUNICORN_MISSING)
    # Each worker writes one byte here once its app is built; a thread of the master counts them.
    booted_read, booted_write = os.pipe()

    def worker_booted(worker: Any) -> None:
        with contextlib.suppress(OSError):  # a worker restarted after the count closed the pipe
            os.write(booted_write, b".")

    def count_workers() -> None:
        with os.fdopen(booted_read, "rb", buffering=0) as booted:
            if len(b"".join(booted.read(1) for _ in range(workers))) == workers:
                on_ready()

    settings = {
        "bind": [f"fd://{listener}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        # One request per connection, as nginx talks to its upstream by default (HTTP/1.0): each
        # request is accepted by whichever worker is free, and stopping never waits for idle clients.
        "keepalive": 0,
        "logconfig_dict": _LOGGING,
        "access_log_format": ACCESS_LOG_FORMAT,
        "control_socket_disable": True,  # else every gunicorn of this user shares ~/.gunicorn/gunicorn.ctl
        "proc_name": "demo_server",
        "when_ready": lambda arbiter: threading.Thread(target=count_workers, daemon=True).start(),
        "post_worker_init": worker_booted,
    }
    try:
        _DemoApplication(make_app, settings).run()
    except SystemExit as stop:  # the arbiter ends with sys.exit(), even on a clean SIGTERM
        if stop.code not in (0, None):
            raise
    finally:
        os.close(booted_write)
        sys.stdout.flush()
