"""The command line: ``python -m demo_server [options]``.

It serves the demo app until Ctrl-C or SIGTERM. Once listening it prints
exactly one line, ``Serving on http://HOST:PORT``, so scripts (and
:class:`~demo_server.runner.ServerProcess`) can read the port it got.
Access-log lines go to stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

from .app import create_app
from .runner import LOOPBACK, make_quiet_server
from .stores import SessionStore, store_from_url


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535: {value}")
    return value


class _OneLineErrorParser(argparse.ArgumentParser):
    """Reports a bad argument in one line on stderr, not after an eight-line usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(
        prog="python -m demo_server",
        description="Serve the server-side session demo (the seed's 张三 login).",
    )
    parser.add_argument("--host", default=LOOPBACK, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=_port, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--store", default="memory", metavar="SPEC",
                        help="memory (default), sqlite:PATH or redis://HOST:PORT/DB")
    parser.add_argument("--max-age", type=_positive_int, metavar="SECONDS",
                        help="cookie and session lifetime; omit for a browser-session cookie")
    parser.add_argument("--idle-timeout", type=_positive_int, default=1800, metavar="SECONDS",
                        help="server-side lifetime of a session without max age (default %(default)s)")
    parser.add_argument("--absolute-timeout", type=_positive_int, metavar="SECONDS",
                        help="the longest any session may live")
    parser.add_argument("--rolling", action="store_true", help="re-send the cookie on every response")
    parser.add_argument("--save-uninitialized", action=argparse.BooleanOptionalAction, default=False,
                        help="store and send a cookie for sessions that hold no data yet (default: no)")
    parser.add_argument("--resave", action="store_true", help="write unchanged sessions back to the store")
    parser.add_argument("--cookie-name", default="sid", help="session cookie name (default %(default)s)")
    parser.add_argument("--secure", action="store_true", help="mark the cookie Secure (HTTPS only)")
    parser.add_argument("--secret", help="signing secret; random if omitted, so restarts log everyone out")
    parser.add_argument("--secret-fallback", action="append", default=[], metavar="OLD_SECRET",
                        help="an older secret still accepted (repeatable), for rotation")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin closes (used to tie the server to a parent process)")
    return parser


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _exit_when_stdin_closes() -> None:
    """Block until the parent closes our stdin, then stop the server."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        signal.raise_signal(signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        store: SessionStore = store_from_url(args.store)
    except Exception as error:  # a bad spec, an unreadable file, a missing redis package
        parser.error(f"--store: {error}")
    app = create_app(
        store=store, secret=args.secret, secret_fallbacks=args.secret_fallback,
        cookie_name=args.cookie_name, max_age=args.max_age, idle_timeout=args.idle_timeout,
        absolute_timeout=args.absolute_timeout, rolling=args.rolling,
        save_uninitialized=args.save_uninitialized, resave=args.resave, secure=args.secure,
    )
    try:
        server = make_quiet_server(app, args.host, args.port, access_log=_StderrLog())
    except OSError as error:
        store.close()
        parser.error(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # From here on a SIGTERM (or stdin closing) may arrive at any moment, even
    # while the line below is still being printed: all of it sits inside the try.
    try:
        if args.exit_with_stdin:
            threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
        print(f"Serving on http://{args.host}:{server.port}", flush=True)
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
    return 0


class _StderrLog(list[str]):
    """An access log that prints each line to stderr and keeps none: the CLI may run for days."""

    def append(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)
