"""The command line: ``python -m demo_server [options]``.

It serves the demo app until Ctrl-C or SIGTERM. Once listening it prints
exactly one line, ``Serving on http://HOST:PORT``, so scripts (and
:class:`~demo_server.runner.ServerProcess`) can read the port it got.
Access-log lines go to stderr. Anything that keeps it from serving (a bad
option, a secret too short, a store it cannot reach, a busy port) is one
line on stderr and exit code 2, before it listens.

By default one process serves, from threads (Werkzeug). ``--workers N``
serves through gunicorn's N worker processes instead, as production does
(:mod:`demo_server.production`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any, Literal, NoReturn

from flask import Flask

from . import production
from .app import create_app
from .decision import SessionOptions
from .runner import LOOPBACK, QuietServer, bind_listener, make_quiet_server
from .signing import MIN_SECRET_LENGTH, check_secrets
from .stores import MemoryStore, SessionStore, store_from_url

#: The signing secret, read when ``--secret`` is not given: unlike an argument, ``ps`` does not show it.
SECRET_VARIABLE = "DEMO_SERVER_SECRET"
#: Older secrets, separated by whitespace, accepted as well as any ``--secret-fallback``.
FALLBACKS_VARIABLE = "DEMO_SERVER_SECRET_FALLBACKS"

ENVIRONMENT_HELP = f"""\
environment:
  {SECRET_VARIABLE}  the signing secret, if --secret is not given (ps shows
                      arguments to every user, not the environment)
  {FALLBACKS_VARIABLE}
                      older secrets, separated by spaces, still accepted
                      (added to any --secret-fallback)
"""


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


def _auto(text: str) -> Literal["auto"]:
    if text != "auto":
        raise argparse.ArgumentTypeError(f"the only value is auto, not {text!r}")
    return "auto"


class _OneLineErrorParser(argparse.ArgumentParser):
    """Reports a bad argument in one line on stderr, not after an eight-line usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(
        prog="python -m demo_server",
        description="Serve the server-side session demo (the seed's 张三 login).",
        epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--max-age-cap", type=_positive_int, default=SessionOptions.max_age_cap, metavar="SECONDS",
                        help="the longest max age a session may get, also by /login?remember=N (default %(default)s)")
    parser.add_argument("--secure", nargs="?", type=_auto, const=True, default=False, metavar="auto",
                        help="mark the cookie Secure (HTTPS only: over plain http no cookie is sent); "
                             "--secure=auto marks it Secure exactly when the request came over HTTPS")
    parser.add_argument("--samesite", choices=["Strict", "Lax", "None", "none"], default=SessionOptions.samesite,
                        help="the cookie's SameSite: Strict, Lax (default), None (sent cross-site, needs --secure) "
                             "or none to leave the attribute out")
    parser.add_argument("--httponly", action=argparse.BooleanOptionalAction, default=SessionOptions.httponly,
                        help="keep the cookie away from JavaScript (default: yes)")
    parser.add_argument("--partitioned", action="store_true",
                        help="mark the cookie Partitioned (CHIPS: a third-party cookie kept per top-level site); "
                             "needs --secure")
    parser.add_argument("--domain", help="the cookie's Domain; omit to tie the cookie to this host only")
    parser.add_argument("--path", default=SessionOptions.path,
                        help="the cookie's Path; outside it there is no session (default %(default)s)")
    parser.add_argument("--proxy", action="store_true",
                        help="trust X-Forwarded-Prefix and X-Forwarded-Proto from a reverse proxy; "
                             "only behind one, or any client can claim to be it")
    parser.add_argument("--secret", help=f"signing secret of at least {MIN_SECRET_LENGTH} characters "
                                         f"(or set {SECRET_VARIABLE}); random if neither is given, "
                                         "so restarts log everyone out")
    parser.add_argument("--secret-fallback", action="append", default=[], metavar="OLD_SECRET",
                        help="an older secret still accepted (repeatable), for rotation; "
                             f"see also {FALLBACKS_VARIABLE}")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="serve through gunicorn with N worker processes, as in production "
                             "(Linux and macOS); each worker opens its own connection to the store")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin closes (used to tie the server to a parent process)")
    return parser


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _exit_when_stdin_closes(stop: signal.Signals = signal.SIGTERM) -> None:
    """Block until the parent closes our stdin, then stop the server with the signal ``stop``."""
    try:  # os.read, not sys.stdin: a thread blocked in a buffered read can abort the interpreter's exit
        while os.read(sys.stdin.fileno(), 4096):
            pass
    finally:  # to the main thread: that is where Python runs handlers, and a signal interrupts its wait
        signal.pthread_kill(threading.main_thread().ident or 0, stop)


def _one_line(error: BaseException) -> str:
    """An exception's message on one line, fit to follow ``error:``."""
    return " ".join(str(error).split()) or type(error).__name__


def _secrets(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """The secret and its fallbacks, from the options and the environment, each checked where it came from."""
    secret, secret_from = args.secret, "--secret"
    if secret is None and SECRET_VARIABLE in os.environ:
        secret, secret_from = os.environ[SECRET_VARIABLE], SECRET_VARIABLE
    from_environment = os.environ.get(FALLBACKS_VARIABLE, "").split()
    sources = [(secret_from, [secret] if secret is not None else []),
               ("--secret-fallback", args.secret_fallback), (FALLBACKS_VARIABLE, from_environment)]
    for source, values in sources:
        for value in values:
            try:
                check_secrets(value, [])
            except (TypeError, ValueError) as error:  # the message never quotes the secret
                parser.error(f"{source}: {error}")
    return secret, [*args.secret_fallback, *from_environment]


#: A :class:`SessionOptions` field named in an error message, longest first, to say which option it is.
_FIELD_NAME = re.compile(r"\b(" + "|".join(sorted((f.name for f in dataclasses.fields(SessionOptions)),
                                                   key=len, reverse=True)) + r")\b")


def _in_option_names(message: str) -> str:
    """``max_age must be …`` as ``--max-age must be …``: the user typed options, not fields."""
    return _FIELD_NAME.sub(lambda match: "--" + match[1].replace("_", "-"), message)


def _session_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`SessionOptions` fields the options ask for, checked before any store is opened."""
    fields: dict[str, Any] = dict(
        cookie_name=args.cookie_name, max_age=args.max_age, idle_timeout=args.idle_timeout,
        absolute_timeout=args.absolute_timeout, rolling=args.rolling, save_uninitialized=args.save_uninitialized,
        resave=args.resave, secure=args.secure, samesite=None if args.samesite == "none" else args.samesite,
        httponly=args.httponly, partitioned=args.partitioned, domain=args.domain, path=args.path,
        max_age_cap=args.max_age_cap,
    )
    try:
        SessionOptions(**fields)
    except (TypeError, ValueError) as error:  # e.g. --partitioned without --secure
        parser.error(_in_option_names(_one_line(error)))
    return fields


def _open_store(parser: argparse.ArgumentParser, spec: str) -> SessionStore:
    """The store, opened and reached once: a server that cannot use its store must not start."""
    try:
        store = store_from_url(spec)
    except Exception as error:  # a bad spec, an unreadable file, a missing redis package
        parser.error(f"--store: {_one_line(error)}")
    try:
        store.ping()
    except Exception as error:  # StoreUnavailable, or anything else the store could not survive
        store.close()
        parser.error(f"--store: {_one_line(error)}")
    return store


def _make_app(parser: argparse.ArgumentParser, store: SessionStore, secret: str | None, fallbacks: list[str],
              proxy: bool, fields: dict[str, Any]) -> Flask:
    """The demo app on ``store``, as the options and the environment ask."""
    try:
        return create_app(store=store, secret=secret, secret_fallbacks=fallbacks, proxy=proxy, **fields)
    except (TypeError, ValueError) as error:  # whatever create_app refuses that the checks before let by
        parser.error(_one_line(error))


def _listen(parser: argparse.ArgumentParser, app: Flask, host: str, port: int) -> QuietServer:
    """The app's server, bound to ``host:port`` and logging to stderr."""
    try:
        return make_quiet_server(app, host, port, access_log=_StderrLog())
    except OSError as error:
        parser.error(f"cannot listen on {host}:{port}: {error.strerror or error}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    secret, fallbacks = _secrets(parser, args)  # bad options are reported before the store is opened,
    fields = _session_options(parser, args)      # which may take a while
    if args.workers is not None:
        return _serve_with_gunicorn(parser, args, secret, fallbacks, fields)
    store = _open_store(parser, args.store)
    try:
        app = _make_app(parser, store, secret, fallbacks, args.proxy, fields)
        server = _listen(parser, app, args.host, args.port)
    except BaseException:  # parser.error() raises SystemExit: the store is closed on the way out too
        store.close()
        raise
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


def _memory_warning(workers: int) -> str:
    return (f"warning: --store memory with {workers} workers: each worker keeps its own sessions, so a request "
            "that another worker serves finds none and the user seems logged out at random; "
            "share a store: --store sqlite:PATH or --store redis://HOST:PORT/DB")


def _serve_with_gunicorn(parser: argparse.ArgumentParser, args: argparse.Namespace, secret: str | None,
                         fallbacks: list[str], fields: dict[str, Any]) -> int:
    """``--workers N``: every check of the one-process path first, then gunicorn on a socket we bound."""
    if production.GUNICORN_MISSING:
        parser.error(production.GUNICORN_MISSING)
    secret = secret or secrets.token_hex(32)  # one secret for every worker, or each would refuse the others' cookies
    store = _open_store(parser, args.store)
    try:
        _make_app(parser, store, secret, fallbacks, args.proxy, fields)  # refused here, not in every worker
        in_memory = isinstance(store, MemoryStore)
    finally:
        store.close()
    if in_memory and args.workers > 1:
        print(_memory_warning(args.workers), file=sys.stderr, flush=True)
    try:
        listener = bind_listener(args.host, args.port)
    except OSError as error:
        parser.error(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")

    def make_app() -> Flask:
        return create_app(store=store_from_url(args.store), secret=secret, secret_fallbacks=fallbacks,
                          proxy=args.proxy, **fields)

    port = listener.getsockname()[1]

    def on_ready() -> None:  # in the master, once gunicorn listens and handles signals
        if args.exit_with_stdin:
            # SIGINT: gunicorn's quick shutdown. The parent is gone or done; nobody waits for an answer.
            threading.Thread(target=_exit_when_stdin_closes, args=(signal.SIGINT,), daemon=True).start()
        print(f"Serving on http://{args.host}:{port}", flush=True)

    production.serve(listener.detach(), args.workers, make_app, on_ready)
    return 0


class _StderrLog(list[str]):
    """An access log that prints each line to stderr and keeps none: the CLI may run for days."""

    def append(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)
