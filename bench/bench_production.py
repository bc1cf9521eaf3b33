"""Lookup throughput as production serves it: our SQLite sessions under gunicorn, express-session on node.

Usage: python bench/bench_production.py [--quick] [--workers N] [--clients N]

``bench_server.py`` compares the demo with Flask's cookie session on the
development server. This asks what a deployment would see. Three peers run
side by side in one run:

* **ours**: ``python -m demo_server --workers N --store sqlite:PATH``, the
  server-side sessions in one SQLite file shared by N gunicorn workers;
* **cookie**: Flask's cookie session (``create_cookie_session_app``) served by
  :func:`demo_server.production.serve` with the same N workers, so the same
  gunicorn settings (gthread, ``THREADS`` threads, keepalive 0, access log);
* **express**: the seed's own library, ``bench/express/app.js``, express-session
  with its default MemoryStore in one node process (a MemoryStore cannot be
  shared between processes, so more node processes would lose sessions).

The workload is ``bench_server``'s lookup: ``GET /`` with a logged-in cookie,
every answer checked against ``hello 张三 welcome``. After a warm-up, each
round runs every peer once, in an order rotated each round, and the summary
compares medians. The goal is ours >= 0.6 x express; a miss is printed, not
failed. The script exits 1 only when requests failed. Without node (or npm,
when ``bench/express/node_modules`` must be installed), it says so in one line
and measures the other two.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import IO

from bench_server import (
    CHILD_START_TIMEOUT, COOKIE, LOOKUP, SECRET, Phase, Settings, add_load_arguments, exit_code, load_average,
    load_settings, median_of, print_phase, round_order, run_phase,
)
from demo_server import create_cookie_session_app, production
from demo_server.cli import _exit_when_stdin_closes
from demo_server.runner import LOOPBACK, bind_listener

OURS = "ours"
EXPRESS = "express"
#: The issue's goal: our lookups at no less than this share of express-session's.
TARGET_MIN_RATIO_VS_EXPRESS = 0.6
DEFAULT_WORKERS = 2

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
EXPRESS_DIR = BENCH_DIR / "express"
#: Written by ``npm ci`` last, so it is missing after an interrupted install.
INSTALLED_LOCK = EXPRESS_DIR / "node_modules" / ".package-lock.json"
#: The one stdout line every peer prints once it listens, as ``python -m demo_server`` does.
SERVING_LINE = re.compile(r"Serving on http://[^\s]+:(\d+)\s*$")
#: Seconds a peer gets to exit after its stdin closes, and again after SIGTERM.
STOP_TIMEOUT = 5.0
NPM_CI_TIMEOUT = 300.0


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User and system CPU seconds of ``root_pid`` and all its live descendants (Linux ``/proc``), or ``nan``.

    A gunicorn server is its master plus the workers it forked; only the sum
    says what serving cost. The workers live for the whole run, so none of
    their CPU is lost to an exit between two readings.
    """
    parent_of: dict[int, int] = {}
    cpu_ticks: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return float("nan")
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat_file:
                stat = stat_file.read()
        except OSError:  # exited while we looked
            continue
        # After the command name, which may hold spaces and parentheses: state, ppid, ..., utime (14), stime (15).
        fields = stat.rsplit(")", 1)[1].split()
        parent_of[int(name)] = int(fields[1])
        cpu_ticks[int(name)] = int(fields[11]) + int(fields[12])
    if root_pid not in cpu_ticks:
        return float("nan")
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parent_of.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(cpu_ticks[pid] for pid in tree) / os.sysconf("SC_CLK_TCK")


class CommandServer:
    """A peer run as a command: it prints its "Serving on" line once listening and exits when its stdin closes.

    That stdin tie means a peer never outlives this script, even if the
    script is killed. Each peer gets its own process group, so Ctrl-C reaches
    only this script, which then stops every peer in order.
    """

    def __init__(self, kind: str, command: Sequence[str], *, log_path: Path, cwd: Path = REPO_ROOT,
                 env: dict[str, str] | None = None) -> None:
        self.kind = kind
        self._log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb")  # stderr: gunicorn writes an access-log line per request
        self._process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._log, start_new_session=True)
        try:
            self.port = self._read_port()
        except BaseException:
            self.stop()
            raise

    def _read_port(self) -> int:
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], CHILD_START_TIMEOUT)
        line = self._process.stdout.readline().decode(errors="replace") if ready else ""
        if match := SERVING_LINE.match(line):
            return int(match[1])
        if line:
            reason = f"printed {line.strip()!r}"
        elif ready:
            reason = "exited before listening"
        else:
            reason = f"did not start within {CHILD_START_TIMEOUT:.0f} s"
        raise RuntimeError(f"the {self.kind} server {reason}; its stderr ends with: {self.stderr_tail()}")

    def stderr_tail(self, lines: int = 3) -> str:
        self._log.flush()
        return " | ".join(self._log_path.read_text(errors="replace").splitlines()[-lines:]) or "(nothing)"

    def cpu_seconds(self) -> float:
        return process_tree_cpu_seconds(self._process.pid)

    def __enter__(self) -> CommandServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Close stdin (the peer's own way out), then SIGTERM and SIGKILL its process group if it lingers."""
        assert self._process.stdin is not None and self._process.stdout is not None
        with suppress(OSError):
            self._process.stdin.close()
        for last_resort in (signal.SIGTERM, signal.SIGKILL):
            try:
                self._process.wait(STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                print(f"  the {self.kind} server did not stop, sending {last_resort.name}", file=sys.stderr)
                with suppress(ProcessLookupError):
                    os.killpg(self._process.pid, last_resort)
        self._process.wait()
        self._process.stdout.close()
        self._log.close()


def serve_cookie_session_app(workers: int) -> None:
    """The cookie peer's child process: Flask's cookie session under ``production.serve``, as ``--workers`` serves ours.

    Same socket handling, same stdin tie and same "Serving on" line as the
    CLI, so the two Flask peers differ only in where the session lives.
    """
    listener = bind_listener(LOOPBACK, 0)
    port = listener.getsockname()[1]

    def on_ready() -> None:
        threading.Thread(target=_exit_when_stdin_closes, args=(signal.SIGINT,), daemon=True).start()
        print(f"Serving on http://{LOOPBACK}:{port}", flush=True)

    production.serve(listener.detach(), workers, lambda: create_cookie_session_app(secret=SECRET), on_ready)


def start_ours(workers: int, scratch: Path) -> CommandServer:
    return CommandServer(OURS, [sys.executable, "-m", "demo_server", "--workers", str(workers),
                                "--store", f"sqlite:{scratch / 'sessions.db'}", "--secret", SECRET,
                                "--exit-with-stdin", "--port", "0"],
                         log_path=scratch / f"{OURS}.log")


def start_cookie(workers: int, scratch: Path) -> CommandServer:
    child = (f"import sys; sys.path.insert(0, {str(BENCH_DIR)!r}); "
             f"from bench_production import serve_cookie_session_app; serve_cookie_session_app({workers})")
    return CommandServer(COOKIE, [sys.executable, "-c", child], log_path=scratch / f"{COOKIE}.log")


def start_express(node: str, scratch: Path) -> CommandServer:
    # NODE_ENV=production as a deployment runs it (express then hides stack traces, caches views).
    env = {**os.environ, "NODE_ENV": "production", "SESSION_SECRET": SECRET}
    return CommandServer(EXPRESS, [node, "app.js", "0"], cwd=EXPRESS_DIR, env=env,
                         log_path=scratch / f"{EXPRESS}.log")


def prepare_express() -> tuple[str | None, str]:
    """``(node, "")`` once ``bench/express`` is installed, else ``(None, why the node peer is skipped)``.

    ``npm ci`` installs exactly what ``package-lock.json`` pins; it runs only
    when ``node_modules`` is missing or older than the lock file.
    """
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed (not on PATH)"
    lock = EXPRESS_DIR / "package-lock.json"
    if INSTALLED_LOCK.exists() and INSTALLED_LOCK.stat().st_mtime >= lock.stat().st_mtime:
        return node, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed (not on PATH), and bench/express/node_modules needs `npm ci`"
    print("  bench/express/node_modules is missing or older than package-lock.json: npm ci ...", flush=True)
    began = time.perf_counter()
    try:
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=EXPRESS_DIR,
                                capture_output=True, text=True, timeout=NPM_CI_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"npm ci did not finish within {NPM_CI_TIMEOUT:.0f} s"
    if result.returncode:
        last_line = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, f"npm ci failed ({result.returncode}): {last_line}"
    print(f"  npm ci took {time.perf_counter() - began:.1f} s", flush=True)
    return node, ""


@contextmanager
def production_servers(workers: int, node: str | None) -> Iterator[dict[str, CommandServer]]:
    """Every peer, started once for the whole run and stopped on the way out, whatever the way out is."""
    with tempfile.TemporaryDirectory(prefix="bench-production-") as scratch_name, ExitStack() as stack:
        scratch = Path(scratch_name)
        servers = {OURS: stack.enter_context(start_ours(workers, scratch)),
                   COOKIE: stack.enter_context(start_cookie(workers, scratch))}
        if node:
            servers[EXPRESS] = stack.enter_context(start_express(node, scratch))
        yield servers


def measure_lookups(servers: dict[str, CommandServer], settings: Settings,
                    report: Callable[[Phase, str], None]) -> list[Phase]:
    """Warm every peer up, then one lookup phase per peer and round, the order rotated each round."""
    kinds = tuple(servers)
    for kind in kinds:
        run_phase(servers[kind], LOOKUP, settings.warmup_seconds, settings)
    phases: list[Phase] = []
    for round_number in range(1, settings.rounds + 1):
        for kind in round_order(kinds, round_number):
            phase = run_phase(servers[kind], LOOKUP, settings.phase_seconds, settings, round_number)
            report(phase, f"round {round_number}")
            phases.append(phase)
    return phases


def round_ratios(phases: list[Phase], numerator: str, denominator: str) -> list[float]:
    """``numerator / denominator`` throughput within each round: the spread shows how noisy the machine was."""
    rates = {(p.app, p.round): p.per_second for p in phases}
    return [rates[(numerator, r)] / rates[(denominator, r)] for r in sorted({p.round for p in phases})]


def print_summary(phases: list[Phase], settings: Settings, workers: int) -> None:
    """Median req/s and server CPU per request per peer, and the two ratios the issue asks for."""
    kinds = [kind for kind in (OURS, COOKIE, EXPRESS) if any(p.app == kind for p in phases)]
    described = {OURS: f"server-side, SQLite, gunicorn x{workers}",
                 COOKIE: f"Flask cookie session, gunicorn x{workers}",
                 EXPRESS: "express-session MemoryStore, node x1"}
    print(f"\n== Summary: lookup (GET / logged in), medians over {settings.rounds} rounds ==")
    print(f"  {'peer':<8} {'req/s':>8} {'server µs CPU/req':>18} {'server busy':>12}")
    rates = {}
    for kind in kinds:
        rates[kind] = median_of(phases, kind, LOOKUP, lambda p: p.per_second)
        cpu = median_of(phases, kind, LOOKUP, lambda p: p.server_cpu_per_request)
        busy = median_of(phases, kind, LOOKUP, lambda p: p.server_busy)
        print(f"  {kind:<8} {rates[kind]:8.0f} {cpu * 1e6:18.0f} {busy:12.0%}   {described[kind]}")
    if EXPRESS in rates:
        ratio = rates[OURS] / rates[EXPRESS]
        verdict = "met" if ratio >= TARGET_MIN_RATIO_VS_EXPRESS else "MISSED"
        print(f"  ours / express {ratio:5.2f}   target >= {TARGET_MIN_RATIO_VS_EXPRESS:.2f}: {verdict}")
    else:
        print("  ours / express   n/a   (node peer skipped: target not measured)")
    print(f"  ours / cookie  {rates[OURS] / rates[COOKIE]:5.2f}")
    for other in (EXPRESS, COOKIE):
        if other in rates:
            print(f"  ours / {other} in each round: "
                  + " ".join(f"{r:.2f}" for r in round_ratios(phases, OURS, other)))
    client_busy = statistics.median(p.client_busy for p in phases)
    others_busy = statistics.median(p.others_busy for p in phases)
    print(f"  load generator busy {client_busy:.0%}, other processes {others_busy:.0%} (medians;"
          f" 100% = one core of {os.cpu_count()})")
    if client_busy >= 0.8:
        print("  note: the load generator is near one full core and shares the machine with the servers:"
              " server µs CPU/req is the fairer comparison.")


def installed_node_package_version(package: str) -> str:
    try:
        return json.loads((EXPRESS_DIR / "node_modules" / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def print_header(settings: Settings, workers: int, node: str | None) -> None:
    print(f"bench_production: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"{platform.machine()}, Python {platform.python_version()}, Flask {version('flask')}, "
          f"gunicorn {version('gunicorn')}")
    if node:
        node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"  node {node_version}, express {installed_node_package_version('express')}, "
              f"express-session {installed_node_package_version('express-session')}")
    print(f"  {workers} gunicorn workers x {production.THREADS} threads, {settings.clients} clients, "
          f"{settings.rounds} rounds of {settings.phase_seconds:g} s per peer; {load_average()}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser, "fewer, shorter rounds (about 10 s)")
    parser.add_argument("--workers", type=int, choices=range(1, 33), metavar="1..32", default=DEFAULT_WORKERS,
                        help="gunicorn workers for both Flask peers (default %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings(args)
    if production.GUNICORN_MISSING:
        print(f"bench_production: {production.GUNICORN_MISSING}", file=sys.stderr)
        return 1
    began = time.perf_counter()
    node, why_not = prepare_express()
    if node is None:
        print(f"bench_production: the node peer (express-session) is skipped: {why_not}", flush=True)
    print_header(settings, args.workers, node)
    try:
        with production_servers(args.workers, node) as servers:
            print(f"\n== Lookup throughput: {settings.clients} concurrent clients, peers in order "
                  f"{', '.join(servers)} (rotated each round) ==", flush=True)
            phases = measure_lookups(servers, settings, print_phase)
    except KeyboardInterrupt:
        print("\ninterrupted: every server was stopped", file=sys.stderr)
        return 130
    print_summary(phases, settings, args.workers)
    print(f"\nbench_production took {time.perf_counter() - began:.1f} s; {load_average()}")
    return exit_code(phases)


if __name__ == "__main__":
    sys.exit(main())
