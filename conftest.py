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
"""

from __future__ import annotations

from typing import Any

import pytest

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
