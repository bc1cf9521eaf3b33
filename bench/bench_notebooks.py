"""How long the strict nbval run of the notebooks takes, next to the least it could take.

Usage: python bench/bench_notebooks.py [--notebooks DIR] [--quick] [--timeout SECONDS]

It times exactly what ``make test`` runs on the notebooks::

    python -m pytest notebooks --nbval --nbval-current-env \\
        --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider

(from the repository root, with this interpreter), plus ``-p
notebook_timing_plugin`` for per-notebook times. Next to the wall time it
prints the **floor**: what the run would take if nothing but the unavoidable
happened,

    floor = notebooks x kernel start time + deliberate sleeps.

* *Kernel start time* is measured here: start a python3 kernel the way nbval
  does with ``--nbval-current-env``, until it answers ``execute("pass")``;
  median of 3.
* *Deliberate sleeps* are the waits the notebooks ask for (a cookie must
  expire, ...), each a call of ``demo_server.learn.client.wait(seconds)``.
  The package knows nothing of this benchmark: the script points
  ``IPYTHONDIR`` at a temp folder whose ``profile_default/startup/`` script
  wraps ``wait`` in every kernel nbval starts, appending the seconds to the
  temp file named by ``DEMO_SLEEP_LOG``, and adds them up.

The target is wall <= 1.5 x floor: anything above that is overhead worth
hunting (slow cells, long timeouts, servers that stop slowly). This is a
benchmark: a missed target still exits 0; a failing pytest run exits 1,
because then its time means little.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_NOTEBOOKS = REPO_ROOT / "notebooks"
SANITIZE_FILE_NAME = "sanitize.cfg"
#: The wall time may be at most this many floors.
TARGET_FACTOR = 1.5
KERNEL_STARTS = 3
#: Each kernel must answer within this long, or the measurement is abandoned.
KERNEL_TIMEOUT = 60.0
#: How many of the slowest cells to print.
SLOWEST_CELLS_SHOWN = 5
#: A pytest start-up slower than this is worth a note: `pytest --version` takes well under a second.
SLOW_STARTUP = 2.0
#: The whole pytest run is killed after this long (the default fits many notebooks with long waits).
DEFAULT_RUN_TIMEOUT = 900.0


#: What nearly every notebook imports first; timed in each fresh kernel, outside the floor.
FIRST_IMPORT = "import demo_server, requests"

#: Runs at the start of every kernel of the timed run (an IPython startup file): each
#: ``wait(seconds)`` also appends its seconds to ``DEMO_SLEEP_LOG``, one line per wait. Startup
#: files run in the notebook's namespace, so everything happens inside a function that is then
#: deleted; it wraps ``wait`` before any notebook cell can import it.
SLEEP_LOGGER = """\
def _log_deliberate_sleeps():
    import functools, os
    try:
        from demo_server.learn import client
    except ImportError:  # not a kernel of this repository's environment: nothing to log
        return

    original = client.wait

    @functools.wraps(original)
    def wait(seconds):
        original(seconds)
        with open(os.environ["DEMO_SLEEP_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{seconds}\\n")

    client.wait = wait


_log_deliberate_sleeps()
del _log_deliberate_sleeps
"""


@dataclass(frozen=True)
class KernelTimes:
    """Seconds per kernel: start until it answered ``execute("pass")``, the first import, shutdown."""

    start: list[float]
    first_import: list[float]
    stop: list[float]


def find_notebooks(directory: Path) -> list[Path]:
    """The notebooks pytest will collect: every ``*.ipynb`` outside hidden folders (checkpoints)."""
    return sorted(path for path in directory.rglob("*.ipynb")
                  if not any(part.startswith(".") for part in path.relative_to(directory).parts))


def time_kernel_starts(cwd: Path, count: int = KERNEL_STARTS) -> KernelTimes:
    """Start the current interpreter's python3 kernel as nbval does, ``count`` times.

    nbval's ``--nbval-current-env`` runs ``sys.executable -m ipykernel_launcher``
    via its own kernelspec manager; the same one is used here, so the kernel
    measured is the kernel the run gets.
    """
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.manager import KernelManager
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    starts: list[float] = []
    imports: list[float] = []
    stops: list[float] = []
    for _ in range(count):
        began = time.perf_counter()
        manager = KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=NbvalKernelspecManager())
        manager.start_kernel(stderr=subprocess.DEVNULL, cwd=str(cwd))
        client: BlockingKernelClient = manager.client()
        try:
            client.start_channels()
            client.wait_for_ready(timeout=KERNEL_TIMEOUT)
            reply = client.execute("pass", reply=True, timeout=KERNEL_TIMEOUT)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the kernel did not run `pass`: {reply['content']}")
            starts.append(time.perf_counter() - began)
            importing = time.perf_counter()
            reply = client.execute(FIRST_IMPORT, reply=True, timeout=KERNEL_TIMEOUT)
            if reply["content"]["status"] == "ok":
                imports.append(time.perf_counter() - importing)
        finally:
            stopping = time.perf_counter()
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            stops.append(time.perf_counter() - stopping)
    return KernelTimes(starts, imports, stops)


def slow_import_suspect() -> bool:
    """Whether jsonschema will import ``rfc3987_syntax``: it does when ``rfc3987`` is absent."""
    return importlib.util.find_spec("rfc3987_syntax") is not None and importlib.util.find_spec("rfc3987") is None


def pytest_command(notebooks: Path, sanitize: Path | None, jobs: int = 1) -> list[str]:
    """The notebook half of ``make test``, spelled relative to the repo root when possible."""
    def shown(path: Path) -> str:
        return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)

    command = [sys.executable, "-m", "pytest", shown(notebooks), "--nbval", "--nbval-current-env"]
    if sanitize is not None:
        command += ["--nbval-sanitize-with", shown(sanitize)]
    if jobs > 1:  # as `make test JOBS=N`: whole notebooks per worker
        command += ["-n", str(jobs), "--dist", "loadfile"]
    return [*command, "-p", "no:cacheprovider", "-p", "notebook_timing_plugin"]


@dataclass(frozen=True)
class Run:
    """One timed pytest run."""

    wall: float
    returncode: int
    output: str
    sleeps: list[float]
    per_notebook: dict[str, dict[str, float]]
    #: The cells that took longest beyond their own sleeps: cell, seconds, slept.
    slowest_cells: list[dict[str, Any]]
    #: Seconds from launching pytest until its session started: interpreter, pytest and plugin imports.
    startup: float | None
    #: Seconds pytest spent collecting (parsing the notebooks).
    collection: float | None
    #: Seconds from the end of the session until the process exited (summary, interpreter shutdown).
    exit: float | None


def write_ipython_dir(folder: Path) -> Path:
    """An ``IPYTHONDIR`` whose kernels log every ``wait()`` (see :data:`SLEEP_LOGGER`)."""
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-log-deliberate-sleeps.py").write_text(SLEEP_LOGGER, encoding="utf-8")
    return folder


def read_sleep_log(path: Path) -> list[float]:
    """One float per line, as the kernels' startup script writes them."""
    if not path.exists():
        return []
    values = []
    for line in path.read_text().splitlines():
        try:
            values.append(float(line))
        except ValueError:
            print(f"  warning: ignoring a line of the sleep log that is not a number: {line!r}")
    return values


def run_pytest(command: list[str], timeout: float) -> Run:
    """Run ``command`` from the repo root with the sleep log, timing file and IPython folder in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as scratch:
        sleep_log = Path(scratch) / "sleeps.log"
        timings = Path(scratch) / "per_notebook.json"
        ipython_dir = write_ipython_dir(Path(scratch) / "ipython")
        env = {**os.environ, "DEMO_SLEEP_LOG": str(sleep_log), "BENCH_NOTEBOOK_TIMES": str(timings),
               "IPYTHONDIR": str(ipython_dir),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")]))}
        launched = time.time()
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)  # so a timeout can stop pytest and its kernels
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            output += f"\n[bench_notebooks: killed after {timeout:.0f} s]"
        wall = time.perf_counter() - began
        recorded = json.loads(timings.read_text()) if timings.exists() else {}
        clock = recorded.get("clock", {})
        startup = clock["session_start"] - launched if "session_start" in clock else None
        collection = (clock["collection_finish"] - clock["session_start"]
                      if "collection_finish" in clock and "session_start" in clock else None)
        exit = launched + wall - clock["session_finish"] if "session_finish" in clock else None
        return Run(wall, process.returncode, strip_colours(output), read_sleep_log(sleep_log),
                   recorded.get("notebooks", {}), recorded.get("slowest_cells", []), startup, collection, exit)


def strip_colours(text: str) -> str:
    """nbval colours its failure reports even into a pipe; the codes only clutter a log."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def print_header(notebooks: Path, count: int) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"bench_notebooks: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, pytest {version('pytest')}, nbval {version('nbval')}, "
          f"ipykernel {version('ipykernel')}; load average {load}")
    print(f"  notebooks: {notebooks} ({count} found)")


def print_result(run: Run, kernels: KernelTimes, count: int, jobs: int = 1) -> bool:
    """The headline numbers and per-notebook rows; ``True`` if the target was met."""
    kernel_start = statistics.median(kernels.start)
    slept = sum(run.sleeps)
    floor = count * kernel_start + slept
    ratio = run.wall / floor
    met = ratio <= TARGET_FACTOR
    inside = sum(times["seconds"] for times in run.per_notebook.values())
    print("\n== Result ==")
    print(f"  total wall        {run.wall:7.2f} s")
    print(f"  floor             {floor:7.2f} s   = {count} notebook(s) x {kernel_start:.2f} s kernel start"
          f" + {slept:.2f} s deliberate sleeps ({len(run.sleeps)} wait(s) logged)")
    print(f"  ratio             {ratio:7.2f}     target <= {TARGET_FACTOR} x floor: "
          + ("met" if met else f"MISSED by {run.wall - TARGET_FACTOR * floor:.2f} s"))
    if jobs > 1:
        print(f"  ({jobs} workers: notebooks overlap, so their own times add up to more than the wall time)")
    if run.per_notebook and jobs == 1:
        print(f"  outside notebooks {run.wall - inside:7.2f} s   (wall - the notebooks' own time), of which:")
        if run.startup is not None:
            print(f"    start-up        {run.startup:7.2f} s   (interpreter, pytest and plugin imports,"
                  " until the session starts)")
            if run.startup > SLOW_STARTUP and slow_import_suspect():
                print("    note: rfc3987-syntax is installed (jsonschema[format-nongpl], via nbformat); nbval's"
                      " import of nbformat makes it compile ~38 Lark grammars, most of this start-up"
                      " (see bench/README.md)")
        if run.collection is not None:
            print(f"    collection      {run.collection:7.2f} s")
        if run.exit is not None:
            print(f"    exit            {run.exit:7.2f} s   (from the session's end until the process ended)")
        print("\n== Per notebook (own time = its cells' setup + call + teardown, incl. its kernel start and stop) ==")
        print(f"  {'notebook':<40} {'own time':>9} {'sleeps':>8} {'floor':>7} {'ratio':>6} {'1st setup':>10}")
        for notebook, times in run.per_notebook.items():
            own_floor = kernel_start + times["slept"]
            print(f"  {notebook:<40} {times['seconds']:7.2f} s {times['slept']:6.2f} s {own_floor:5.2f} s"
                  f" {times['seconds'] / own_floor:6.2f} {times['first_setup']:8.2f} s")
        print("  (1st setup ≈ nbval starting the kernel; compare with the kernel start above)")
    if run.slowest_cells:
        print(f"\n== Slowest cells beyond their own sleeps (setup + call + teardown; top {SLOWEST_CELLS_SHOWN}) ==")
        for cell in run.slowest_cells[:SLOWEST_CELLS_SHOWN]:
            print(f"  {cell['cell']:<50} {cell['seconds']:6.2f} s, of which slept {cell['slept']:5.2f} s")
    return met


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=DEFAULT_NOTEBOOKS,
                        help="folder of notebooks (default: the repo's notebooks/); "
                             "its sanitize.cfg is used if present")
    parser.add_argument("--quick", action="store_true",
                        help="accepted for run_all.py; the notebook run cannot be shortened, so it changes nothing")
    parser.add_argument("--jobs", type=int, default=1,
                        help="run the notebooks on this many pytest-xdist workers, as `make test JOBS=N`")
    parser.add_argument("--timeout", type=float, default=DEFAULT_RUN_TIMEOUT,
                        help="kill the pytest run after this many seconds (default %(default)g)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notebooks: Path = args.notebooks.resolve()
    found = find_notebooks(notebooks) if notebooks.is_dir() else []
    print_header(notebooks, len(found))
    if not found:
        print("  no notebooks to run: nothing to measure.")
        return 0
    sanitize = notebooks / SANITIZE_FILE_NAME
    if not sanitize.is_file():
        print(f"  note: no {SANITIZE_FILE_NAME} in that folder, so the run goes without --nbval-sanitize-with")
    kernels = time_kernel_starts(notebooks)
    print(f"\n  kernel start (until it answers execute('pass')): median {statistics.median(kernels.start):.2f} s"
          f"  (runs: {', '.join(f'{s:.2f}' for s in kernels.start)});"
          f" kernel shutdown median {statistics.median(kernels.stop):.2f} s (not in the floor)")
    if kernels.first_import:
        print(f"  `{FIRST_IMPORT}` in a fresh kernel: median {statistics.median(kernels.first_import):.2f} s"
              " (not in the floor either, though nearly every notebook pays it)")
    command = pytest_command(notebooks, sanitize if sanitize.is_file() else None, args.jobs)
    print(f"  running: {' '.join(command[1:])}   (cwd {REPO_ROOT}, {Path(sys.executable).name} = {sys.executable})",
          flush=True)
    run = run_pytest(command, args.timeout)
    summary = [line for line in run.output.splitlines() if line.strip()]
    print(f"  pytest said: {summary[-1] if summary else '(nothing)'}")
    if run.returncode == 5:  # pytest: no tests collected
        print("  pytest collected no notebooks: nothing to measure.")
        return 0
    print_result(run, kernels, len(found), args.jobs)
    if run.per_notebook and len(run.per_notebook) != len(found):
        print(f"  note: pytest ran {len(run.per_notebook)} notebook(s), {len(found)} were found")
    if run.returncode != 0:
        print(f"\npytest failed (exit {run.returncode}), so these times mean little. Its output ends:", file=sys.stderr)
        print("\n".join(run.output.splitlines()[-40:]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
