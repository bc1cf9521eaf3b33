"""How `make test` shares its work among pytest-xdist's workers (``-n N --dist loadfile``).

A notebook's cells must stay on one worker, in order, so each file goes to one
worker as a whole: ``--dist loadfile``. The one exception is the JupyterLab
test: each notebook it opens is a unit of its own, so that its ten long tests
spread over the workers instead of queueing on one. (xdist's own
``loadgroup`` would do this with marks, but it cannot rename items under
pytest 9.)

Workers take units in the order they are collected, longest kinds first, so
that short test files fill the end: the JupyterLab tests (5 to 15 s each),
then the notebooks, then the test files. xdist would otherwise reorder the
units by their number of tests, which put the ten one-test JupyterLab units
last, where each made the others wait.

A notebook's kernel that dies while starting is started again, up to twice.
jupyter_client gives a kernel its five TCP ports by binding to port 0 and
letting go; until the kernel binds them itself, any other process may take
one (the workers' servers bind port 0 all the time), and the kernel exits
("Kernel died before replying to kernel_info"). Seen once in about ten runs
with three workers. Nothing of the notebook has run at that point, so a
retry hides no behaviour of ours.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

#: Attempts at starting one notebook's kernel.
KERNEL_START_ATTEMPTS = 3

#: Files whose tests are spread one by one rather than kept together.
SPREAD_FILES = ("tests/test_jupyterlab_e2e.py",)


def _spread(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0] in SPREAD_FILES


def _queue_position(item: pytest.Item) -> int:
    """0 for the JupyterLab tests, 1 for the notebooks, 2 for the test files."""
    if _spread(item.nodeid):
        return 0
    return 1 if item.nodeid.split("::", 1)[0].endswith(".ipynb") else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_queue_position)  # stable: every file's tests stay in order


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # keep our order, not xdist's (most tests first)

    class FilesButSpread(LoadFileScheduling):
        """``loadfile``, except that each test of a :data:`SPREAD_FILES` file is a unit of its own."""

        def _split_scope(self, nodeid: str) -> str:
            return nodeid if _spread(nodeid) else super()._split_scope(nodeid)

    return FilesButSpread(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("nbval"):
        _retry_kernel_starts()


def _retry_kernel_starts() -> None:
    """Wrap nbval's kernel start so that a kernel which dies before it answers is started again."""
    from nbval import kernel

    start = kernel.start_new_kernel
    if getattr(start, "retries_dead_kernels", False):
        return

    def start_new_kernel(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as error:  # "Kernel died before replying to kernel_info"
                if attempt == KERNEL_START_ATTEMPTS or "died" not in str(error):
                    raise
                logging.getLogger(__name__).warning("kernel start %d failed (%s); starting again", attempt, error)
        raise AssertionError("unreachable")

    start_new_kernel.retries_dead_kernels = True  # type: ignore[attr-defined]
    kernel.start_new_kernel = start_new_kernel
