"""How fast the demo server starts, stops and serves, next to Flask's built-in cookie session.

Usage: python bench/bench_server.py [--quick] [--store memory|sqlite] [--clients N]

Three questions, one section each:

1. Is ``start_server()`` fast enough to run in every notebook cell that needs
   a server? (median and max over many start/stop cycles, in-process thread)
2. How long does ``start_server_process()`` take, for the multi-process demos?
3. What does keeping sessions on the server cost? The demo app with
   server-side sessions and the same routes on Flask's built-in cookie session
   (:func:`demo_server.create_cookie_session_app`) are served by the same
   quiet server code (:func:`demo_server.runner.make_quiet_server`), each in
   its own child process, so the load generator here never competes with the
   server for one GIL. The two apps are measured in alternation, round after
   round, so machine noise hits both equally; the summary uses medians.

Two workloads, each client thread with its own session:

* **lookup**: ``GET /`` with a logged-in cookie (each client logs in first);
  every answer must be ``hello 张三 welcome``, so a lost session is an error,
  not a fast "未登入".
* **create**: ``GET /login`` without a cookie, so every request makes a fresh
  session (and, server-side, writes it to the store).

Next to requests/second it prints the server's CPU time per request and how
busy each side was: if the server process is not near 100 % busy, the client
(or the network path) was the bottleneck and the ratio understates the
difference. This is a benchmark, not a test: it exits 0 when the target is
missed, and 1 only when requests failed (then the numbers mean nothing).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from flask import Flask
from werkzeug.test import EnvironBuilder

from demo_server import (
    DEFAULT_USER, RunningServer, ServerProcess, create_app, create_cookie_session_app, start_server,
    start_server_process,
)
from demo_server.runner import LOOPBACK, make_quiet_server
from demo_server.stores import store_from_url

#: The least share of the cookie session's throughput the server-side app must reach, per store:
#: memory should cost next to nothing; an SQLite lookup or write is a real file access.
TARGET_MIN_RATIO = {"memory": 0.95, "sqlite": 0.85}
#: What ``GET /`` must answer for a logged-in client: anything else means the session was lost.
LOGGED_IN_BODY = f"hello {DEFAULT_USER} welcome".encode()
LOGIN_BODY = "登入成功".encode()
#: Per request; the dev server answers in milliseconds, so this only catches a hung server.
REQUEST_TIMEOUT = 10.0
#: A client that fails this often stops early: its numbers are worthless anyway.
MAX_ERRORS_PER_CLIENT = 20
#: How long a child server may take to import Flask and bind its port.
CHILD_START_TIMEOUT = 30.0
#: Both apps get the same secret, so signing costs the same on both sides.
SECRET = "bench-secret-" + "0" * 32

SERVER_SIDE = "server-side"
COOKIE = "cookie"
LOOKUP = "lookup"
CREATE = "create"


@dataclass(frozen=True)
class Settings:
    """How long and how hard to push; ``--quick`` trades precision for a ~10 s run."""

    start_cycles: int = 20
    process_cycles: int = 5
    rounds: int = 7
    phase_seconds: float = 1.25
    warmup_seconds: float = 0.5
    clients: int = 8
    #: A hard cap per client and phase, so a phase ends even if the clock misbehaves.
    max_requests_per_client: int = 50_000
    #: Direct WSGI calls per app, workload and round in the app-alone section.
    wsgi_calls: int = 400


QUICK = Settings(start_cycles=10, process_cycles=2, rounds=3, phase_seconds=0.5, warmup_seconds=0.2,
                 wsgi_calls=150)
#: The app-alone section stops a batch after this long, whatever ``wsgi_calls`` says.
WSGI_BATCH_MAX_SECONDS = 0.3


# -- 1 and 2: start and stop latency ------------------------------------------


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes, str | None]:
    """One ``GET`` on a fresh connection (the dev server closes each one anyway).

    Raw :mod:`http.client` rather than ``requests``: about a third of the
    client CPU per request (measured), so the client stays ahead of the server.
    Returns status, body and the first ``Set-Cookie`` pair (``name=value``).
    """
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        set_cookie = response.getheader("Set-Cookie")
    finally:
        conn.close()
    return response.status, body, set_cookie.split(";", 1)[0] if set_cookie else None


@dataclass
class Latencies:
    """Seconds per cycle, one list per step."""

    start: list[float] = field(default_factory=list)
    first_response: list[float] = field(default_factory=list)
    stop: list[float] = field(default_factory=list)


def time_start_stop(start: Callable[[], RunningServer | ServerProcess], cycles: int) -> Latencies:
    """Start a server, wait for its first answer, stop it; ``cycles`` times."""
    result = Latencies()
    for _ in range(cycles):
        began = time.perf_counter()
        server = start()
        started = time.perf_counter()
        try:
            status, _, _ = fetch(server.port, "/")
            if status != 200:
                raise RuntimeError(f"GET / answered {status}")
            answered = time.perf_counter()
        finally:
            before_stop = time.perf_counter()
            server.stop()
            stopped = time.perf_counter()
        result.start.append(started - began)
        result.first_response.append(answered - started)
        result.stop.append(stopped - before_stop)
    return result


def time_start_server(cycles: int) -> Latencies:
    """``start_server()`` as a notebook calls it: app creation, bind, thread start."""
    return time_start_stop(lambda: start_server(name="bench"), cycles)


def time_start_server_process(cycles: int) -> Latencies:
    """``start_server_process()``: a new interpreter that imports Flask, binds, prints its port."""
    return time_start_stop(lambda: start_server_process(name="bench"), cycles)


def print_latencies(title: str, latencies: Latencies) -> None:
    print(f"\n== {title} ==")
    for label, values in (("start", latencies.start), ("first response after start", latencies.first_response),
                          ("stop", latencies.stop)):
        print(f"  {label:<27} median {ms(statistics.median(values)):>8}   max {ms(max(values)):>8}"
              f"   (n={len(values)})")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -- 3: throughput, with the server in a child process ------------------------


def serve_in_child(kind: str, store_spec: str, conn: Connection) -> None:
    """The child process: serve one app until the parent says stop or goes away.

    It answers ``"cpu"`` with its own CPU seconds so far, so the parent can
    tell a busy server from an idle one.
    """
    app = (create_app(store=store_from_url(store_spec), secret=SECRET) if kind == SERVER_SIDE
           else create_cookie_session_app(secret=SECRET))
    server = make_quiet_server(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    conn.send(server.port)
    try:
        while (message := conn.recv()) != "stop":
            if message == "cpu":
                server.access_log.clear()  # one line per request; keep memory flat across phases
                usage = resource.getrusage(resource.RUSAGE_SELF)
                conn.send(usage.ru_utime + usage.ru_stime)
    except EOFError:  # the parent died: do not outlive it
        pass
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


class ChildServer:
    """The parent's handle on :func:`serve_in_child`."""

    def __init__(self, kind: str, store_spec: str) -> None:
        self.kind = kind
        context = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=serve_in_child, args=(kind, store_spec, child_conn),
                                        name=f"bench-{kind}", daemon=True)
        self._process.start()
        child_conn.close()
        if not self._conn.poll(CHILD_START_TIMEOUT):
            self._process.kill()
            raise RuntimeError(f"the {kind} server did not start within {CHILD_START_TIMEOUT:.0f} s")
        try:
            self.port: int = self._conn.recv()
        except EOFError:
            self._process.join(5)
            raise RuntimeError(f"the {kind} server exited before listening "
                               f"(exit code {self._process.exitcode})") from None

    def cpu_seconds(self) -> float:
        self._conn.send("cpu")
        if not self._conn.poll(REQUEST_TIMEOUT):
            raise RuntimeError(f"the {self.kind} server stopped answering")
        return float(self._conn.recv())

    def stop(self) -> None:
        with suppress(OSError):  # the child is already gone
            self._conn.send("stop")
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._conn.close()


class MeasuredServer(Protocol):
    """What :func:`run_phase` needs of a server, whatever runs it: a name, a port, its CPU time so far."""

    kind: str
    port: int

    def cpu_seconds(self) -> float: ...


def round_order(kinds: Sequence[str], round_number: int) -> tuple[str, ...]:
    """The order of ``kinds`` in round ``round_number`` (from 1): rotated by one each round.

    Each kind goes first equally often, so machine noise and warm caches do
    not favour one; for two kinds this alternates, the first kind leading odd rounds.
    """
    shift = (round_number - 1) % len(kinds)
    return (*kinds[shift:], *kinds[:shift])


@dataclass(frozen=True)
class Phase:
    """One app under one workload for a while."""

    app: str
    workload: str
    round: int
    requests: int
    errors: int
    seconds: float
    server_cpu: float
    client_cpu: float
    #: CPU seconds used by everything else on the machine meanwhile (``nan`` off Linux).
    others_cpu: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def server_busy(self) -> float:
        return self.server_cpu / self.seconds

    @property
    def client_busy(self) -> float:
        return self.client_cpu / self.seconds

    @property
    def others_busy(self) -> float:
        return self.others_cpu / self.seconds

    @property
    def server_cpu_per_request(self) -> float:
        return self.server_cpu / max(self.requests, 1)


def machine_cpu_seconds() -> float:
    """CPU seconds all processes have used since boot (Linux ``/proc/stat``), or ``nan``.

    Other work on a shared machine is the main source of noise here; the
    per-phase "others" column shows which phases it disturbed.
    """
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return float("nan")
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
    ticks = [int(value) for value in fields[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def log_in(port: int) -> str:
    """Log one client in and prove the server recognises its cookie."""
    status, body, cookie = fetch(port, "/login")
    if status != 200 or body != LOGIN_BODY or cookie is None:
        raise RuntimeError(f"login failed: {status} {body!r} cookie={cookie!r}")
    status, body, _ = fetch(port, "/", cookie)
    if status != 200 or body != LOGGED_IN_BODY:
        raise RuntimeError(f"the fresh session was not recognised: {status} {body!r}")
    return cookie


def request_once(port: int, workload: str, cookie: str | None) -> bool:
    """One request of the workload; ``True`` if the answer is the right one."""
    if workload == LOOKUP:
        status, body, _ = fetch(port, "/", cookie)
        return status == 200 and body == LOGGED_IN_BODY
    status, body, new_cookie = fetch(port, "/login")
    return status == 200 and body == LOGIN_BODY and new_cookie is not None


def run_phase(server: MeasuredServer, workload: str, seconds: float, settings: Settings,
              round_number: int = 0) -> Phase:
    """``settings.clients`` threads hammer ``server`` until the deadline or their request cap."""
    cookies = [log_in(server.port) if workload == LOOKUP else None for _ in range(settings.clients)]
    done = [0] * settings.clients
    errors = [0] * settings.clients
    finished_at = [0.0] * settings.clients
    start_line = threading.Barrier(settings.clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        start_line.wait()
        end = deadline[0]
        for _ in range(settings.max_requests_per_client):
            if time.perf_counter() >= end or errors[index] >= MAX_ERRORS_PER_CLIENT:
                break
            try:
                ok = request_once(server.port, workload, cookies[index])
            except (OSError, http.client.HTTPException):  # e.g. a connection dropped mid-answer: an error, not a crash
                ok = False
            if ok:
                done[index] += 1
            else:
                errors[index] += 1
        finished_at[index] = time.perf_counter()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(settings.clients)]
    for thread in threads:
        thread.start()
    machine_before = machine_cpu_seconds()
    cpu_before = server.cpu_seconds()
    client_cpu_before = time.process_time()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT * 2)
    elapsed = max(finished_at) - began if all(finished_at) else time.perf_counter() - began
    client_cpu = time.process_time() - client_cpu_before
    server_cpu = server.cpu_seconds() - cpu_before
    others_cpu = machine_cpu_seconds() - machine_before - server_cpu - client_cpu
    return Phase(server.kind, workload, round_number, sum(done), sum(errors), elapsed, server_cpu, client_cpu,
                 max(others_cpu, 0.0))


@contextmanager
def child_servers(store: str) -> Iterator[dict[str, ChildServer]]:
    """Both apps, each in its own process, for the whole run (no restarts between rounds)."""
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as scratch:
        store_spec = "memory" if store == "memory" else f"sqlite:{Path(scratch) / 'sessions.db'}"
        servers: dict[str, ChildServer] = {}
        try:
            servers[SERVER_SIDE] = ChildServer(SERVER_SIDE, store_spec)
            servers[COOKIE] = ChildServer(COOKIE, store_spec)
            yield servers
        finally:
            for server in servers.values():
                server.stop()


def measure_throughput(settings: Settings, store: str, report: Callable[[Phase, str], None]) -> list[Phase]:
    """Warm both apps up, then alternate them: server-side first in odd rounds, cookie first in even.

    Within a round the two apps run back to back on the same workload, so a
    burst of load from elsewhere on the machine lands on both or on one pair only.
    """
    phases: list[Phase] = []
    with child_servers(store) as servers:
        for kind in (SERVER_SIDE, COOKIE):
            for workload in (LOOKUP, CREATE):
                run_phase(servers[kind], workload, settings.warmup_seconds, settings)
        for round_number in range(1, settings.rounds + 1):
            for workload in (LOOKUP, CREATE):
                for kind in round_order((SERVER_SIDE, COOKIE), round_number):
                    phase = run_phase(servers[kind], workload, settings.phase_seconds, settings, round_number)
                    report(phase, f"round {round_number}")
                    phases.append(phase)
    return phases


# -- 4: the app alone, no HTTP server ----------------------------------------


def call_wsgi(app: Flask, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request straight into the WSGI app: no sockets, no server threads."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
                       ) -> Callable[[bytes], object]:
        started.append((status, headers))
        return lambda data: None  # the write() callable, which Flask never uses

    body = b"".join(app(dict(environ), start_response))
    return started[0][0], started[0][1], body


def time_wsgi(app: Flask, environ: dict[str, Any], expected_body: bytes, calls: int) -> float:
    """Seconds per call, over at most ``calls`` calls or ``WSGI_BATCH_MAX_SECONDS``."""
    status, _, body = call_wsgi(app, environ)
    if not status.startswith("200") or body != expected_body:
        raise RuntimeError(f"unexpected answer {status} {body!r}")
    began = time.perf_counter()
    deadline = began + WSGI_BATCH_MAX_SECONDS
    done = 0
    while done < calls and time.perf_counter() < deadline:
        call_wsgi(app, environ)
        done += 1
    return (time.perf_counter() - began) / done


def measure_app_alone(settings: Settings, store: str) -> dict[tuple[str, str], float]:
    """Median µs per request of each app called directly, alternating apps as above.

    The HTTP dev server costs about a millisecond per request (a thread and a
    socket per connection); this shows what is left once it is out of the way,
    i.e. how much the session layer itself costs.
    """
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as scratch:
        apps = {SERVER_SIDE: create_app(store=store_from_url("memory" if store == "memory"
                                                             else f"sqlite:{Path(scratch) / 'wsgi.db'}"),
                                        secret=SECRET),
                COOKIE: create_cookie_session_app(secret=SECRET)}
        login = EnvironBuilder(path="/login").get_environ()
        lookups: dict[str, dict[str, Any]] = {}
        for kind, app in apps.items():
            _, headers, _ = call_wsgi(app, login)
            cookie = next(value for name, value in headers if name == "Set-Cookie").split(";", 1)[0]
            lookups[kind] = EnvironBuilder(path="/", headers=[("Cookie", cookie)]).get_environ()
        samples: dict[tuple[str, str], list[float]] = {}
        for round_number in range(1, settings.rounds + 2):  # round 1 is a short warm-up, not recorded
            for kind in round_order((SERVER_SIDE, COOKIE), round_number):
                for workload, environ, body in ((LOOKUP, lookups[kind], LOGGED_IN_BODY), (CREATE, login, LOGIN_BODY)):
                    warmup = round_number == 1
                    seconds = time_wsgi(apps[kind], environ, body,
                                        settings.wsgi_calls // 4 if warmup else settings.wsgi_calls)
                    if not warmup:
                        samples.setdefault((kind, workload), []).append(seconds)
    return {key: statistics.median(values) for key, values in samples.items()}


def print_app_alone(per_call: dict[tuple[str, str], float], settings: Settings) -> None:
    print(f"\n== The app alone: direct WSGI calls, one thread, no server "
          f"(median of {settings.rounds} rounds of up to {settings.wsgi_calls} calls) ==")
    print(f"  {'workload':<8} {'server-side':>14} {'cookie':>14} {'ratio':>7}   (ratio = cookie / server-side time,"
          " i.e. a throughput ratio)")
    for workload in (LOOKUP, CREATE):
        ours, theirs = per_call[(SERVER_SIDE, workload)], per_call[(COOKIE, workload)]
        print(f"  {workload:<8} {ours * 1e6:9.0f} µs/r {theirs * 1e6:9.0f} µs/r {theirs / ours:7.2f}")


def print_phase(phase: Phase, label: str) -> None:
    errors = f"   ERRORS {phase.errors}" if phase.errors else ""
    print(f"  {label:<8} {phase.workload:<7} {phase.app:<12} {phase.per_second:8.0f} req/s"
          f"   server {phase.server_cpu_per_request * 1e6:5.0f} µs CPU/req, {phase.server_busy:4.0%} busy"
          f"   client {phase.client_busy:4.0%} busy   others {phase.others_busy:4.0%}{errors}", flush=True)


def median_of(phases: list[Phase], kind: str, workload: str, value: Callable[[Phase], float]) -> float:
    return statistics.median(value(p) for p in phases if p.app == kind and p.workload == workload)


def round_ratios(phases: list[Phase], workload: str) -> list[float]:
    """Server-side / cookie throughput within each round: the spread shows how noisy the machine was."""
    rates = {(p.app, p.round): p.per_second for p in phases if p.workload == workload}
    return [rates[(SERVER_SIDE, r)] / rates[(COOKIE, r)] for r in sorted({p.round for p in phases})]


def print_summary(phases: list[Phase], settings: Settings, store: str) -> None:
    """Medians per app and workload, and the ratio the target is about."""
    target = TARGET_MIN_RATIO[store]
    print(f"\n== Summary: medians over {settings.rounds} rounds ==")
    print(f"  {'workload':<8} {'server-side':>14} {'cookie':>14} {'ratio':>7}   {'CPU/req ratio':>13}   "
          f"target for {store}: ratio >= {target:.2f}")
    for workload in (LOOKUP, CREATE):
        rates = {kind: median_of(phases, kind, workload, lambda p: p.per_second) for kind in (SERVER_SIDE, COOKIE)}
        cpu = {kind: median_of(phases, kind, workload, lambda p: p.server_cpu_per_request)
               for kind in (SERVER_SIDE, COOKIE)}
        ratio = rates[SERVER_SIDE] / rates[COOKIE]
        verdict = "met" if ratio >= target else f"MISSED (costs {1 - ratio:.0%})"
        print(f"  {workload:<8} {rates[SERVER_SIDE]:10.0f} r/s {rates[COOKIE]:10.0f} r/s {ratio:7.2f}"
              f"   {cpu[SERVER_SIDE] / cpu[COOKIE]:13.2f}   {verdict}")
    print("  (ratio = server-side / cookie throughput; CPU/req ratio = server-side / cookie server CPU"
          " per request, above 1 = dearer)")
    for workload in (LOOKUP, CREATE):
        print(f"  {workload} ratio in each round: " + " ".join(f"{r:.2f}" for r in round_ratios(phases, workload)))
    server_busy = statistics.median(p.server_busy for p in phases)
    client_busy = statistics.median(p.client_busy for p in phases)
    others_busy = statistics.median(p.others_busy for p in phases)
    print(f"  server process busy {server_busy:.0%}, load generator busy {client_busy:.0%}, other processes"
          f" {others_busy:.0%} (medians; 100% = one core of {os.cpu_count()})")
    if others_busy > 0.25:
        print("  note: other processes were using the CPUs: expect noise; the per-round ratios show how much.")
    elif server_busy < 0.8 and client_busy < 0.8:
        print("  note: neither side used a full core and little else ran: the pace is set by latency (a new"
              " connection and a new server thread per request), equally for both apps.")
    elif client_busy >= 0.8:
        print("  note: the load generator is near one full core, so it may limit the server;"
              " the CPU/req ratio is the fairer comparison here.")


def load_average() -> str:
    """Other work on the machine skews everything here; say how much there was."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def print_header(settings: Settings, store: str) -> None:
    print(f"bench_server: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"{platform.machine()}, Python {platform.python_version()}, Flask {version('flask')}, "
          f"Werkzeug {version('werkzeug')}")
    print(f"  store={store}, {settings.clients} clients, {settings.rounds} rounds of "
          f"{settings.phase_seconds:g} s per app and workload; {load_average()}")


def add_load_arguments(parser: argparse.ArgumentParser, quick_help: str) -> None:
    """``--quick`` and ``--clients``, which every throughput benchmark takes; read them with :func:`load_settings`."""
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--clients", type=int, choices=range(1, 65), metavar="1..64",
                        help="concurrent clients, each with its own session (default 8)")


def load_settings(args: argparse.Namespace) -> Settings:
    """The :class:`Settings` that ``--quick`` and ``--clients`` ask for."""
    settings = QUICK if args.quick else Settings()
    return replace(settings, clients=args.clients) if args.clients else settings


def exit_code(phases: list[Phase]) -> int:
    """1, with the reason on stderr, when any request failed: then no throughput number can be trusted."""
    failed = sum(p.errors for p in phases)
    if failed:
        print(f"{failed} requests failed or got the wrong answer: the throughput numbers are not valid",
              file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, "a ~10 s run with fewer, shorter rounds")
    parser.add_argument("--store", choices=("memory", "sqlite"), default="memory",
                        help="the server-side store (default %(default)s); sqlite uses a temp file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings(args)
    began = time.perf_counter()
    print_header(settings, args.store)
    print_latencies(f"start_server() latency, in-process thread ({settings.start_cycles} cycles)",
                    time_start_server(settings.start_cycles))
    print_latencies(f"start_server_process() latency, child process ({settings.process_cycles} cycles)",
                    time_start_server_process(settings.process_cycles))
    print(f"\n== Throughput: {settings.clients} concurrent clients, server in a child process ==", flush=True)
    phases = measure_throughput(settings, args.store, print_phase)
    print_summary(phases, settings, args.store)
    print_app_alone(measure_app_alone(settings, args.store), settings)
    print(f"\nbench_server took {time.perf_counter() - began:.1f} s; {load_average()}")
    return exit_code(phases)


if __name__ == "__main__":
    sys.exit(main())
