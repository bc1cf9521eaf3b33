"""A pytest plugin for ``bench_notebooks.py``: how long each notebook took, and how much of it was sleep.

Loaded with ``-p notebook_timing_plugin`` (``bench/`` on ``PYTHONPATH``). It
adds up the setup, call and teardown time of every cell per notebook file,
which includes nbval starting the notebook's kernel (the first cell's setup)
and stopping it (the last cell's teardown). Deliberate sleeps are attributed
to the notebook running when they were logged: cells run one at a time, so
whatever ``DEMO_SLEEP_LOG`` gained since the previous report belongs to this
notebook. (The kernels write that file: ``bench_notebooks.py`` gives them an
IPython startup script that logs each ``wait()``.) The totals go, as JSON, to
the file named by ``BENCH_NOTEBOOK_TIMES``, with the wall-clock moments the
session started, finished collecting and ended, so the parent can tell
start-up (imports) from the notebooks' own time.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import suppress
from pathlib import Path

import pytest

#: Per notebook path (as pytest names it): seconds spent, seconds slept, first-cell setup seconds.
_seconds: dict[str, float] = {}
_slept: dict[str, float] = {}
_first_setup: dict[str, float] = {}
_sleep_seen = 0.0
#: Per cell (pytest node id): [seconds spent, seconds slept], to find the cells worth speeding up.
_cells: dict[str, list[float]] = {}
#: How many cells, the slowest beyond their own sleeps, go into the JSON.
SLOWEST_CELLS_KEPT = 10
#: Wall-clock moments (``time.time()``), so the parent can split its own wall time around them.
_clock: dict[str, float] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _clock["session_start"] = time.time()


def pytest_collection_finish(session: pytest.Session) -> None:
    _clock["collection_finish"] = time.time()


def logged_sleep_seconds() -> float:
    """The sum of the lines in ``DEMO_SLEEP_LOG`` so far (0 if unset or not written yet)."""
    path = os.environ.get("DEMO_SLEEP_LOG")
    if not path:
        return 0.0
    try:
        lines = Path(path).read_text().split()
    except FileNotFoundError:
        return 0.0
    total = 0.0
    for line in lines:
        with suppress(ValueError):  # a line being written right now is counted on the next report
            total += float(line)
    return total


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _sleep_seen
    notebook = report.nodeid.split("::", 1)[0]
    _seconds[notebook] = _seconds.get(notebook, 0.0) + report.duration
    if report.when == "setup" and notebook not in _first_setup:
        _first_setup[notebook] = report.duration
    slept = logged_sleep_seconds()
    _slept[notebook] = _slept.get(notebook, 0.0) + slept - _sleep_seen
    cell = _cells.setdefault(report.nodeid, [0.0, 0.0])
    cell[0] += report.duration
    cell[1] += slept - _sleep_seen
    _sleep_seen = slept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _clock["session_finish"] = time.time()
    target = os.environ.get("BENCH_NOTEBOOK_TIMES")
    if target:
        slowest = sorted(_cells.items(), key=lambda item: item[1][1] - item[1][0])[:SLOWEST_CELLS_KEPT]
        Path(target).write_text(json.dumps({
            "clock": _clock,
            "notebooks": {
                notebook: {"seconds": seconds, "slept": _slept.get(notebook, 0.0),
                           "first_setup": _first_setup.get(notebook, 0.0)}
                for notebook, seconds in _seconds.items()
            },
            "slowest_cells": [{"cell": cell, "seconds": seconds, "slept": slept}
                              for cell, (seconds, slept) in slowest],
        }, indent=1))
