"""The learner's real path: each tutorial notebook opened in JupyterLab, in Chromium, and run from its menu.

nbval runs the notebooks in a bare kernel; this test opens them where
learners read them. For each tutorial notebook it checks that

* the committed outputs, which JupyterLab does not trust and so sanitizes,
  render every card they hold: the request and response panes, the
  sequence diagram, the jar and the store;
* Run → Run All Cells runs to the end with no error
  and nothing on stderr, and every card renders again.

The cards are found by their ``session-…`` classes (see
:mod:`demo_server.learn.display.html`). A failing notebook leaves a
screenshot in ``test-artifacts/jupyterlab/``.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from demo_server.learn.browser import chromium_executable, launch_options
from lab_server import Lab, running_lab

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
TUTORIAL = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = REPO_ROOT / "test-artifacts" / "jupyterlab"
CARD_PARTS = ("step", "exchange", "request", "response", "sequence", "jar", "store")
#: Seconds a notebook may take to open, and to run all its cells (08 and 09 take about ten).
OPEN_TIMEOUT_MS, RUN_TIMEOUT_MS = 30_000, 120_000

#: True once Run All has ended, with success or at an error (JupyterLab stops the queue there).
RUN_FINISHED = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
        .map(prompt => prompt.textContent.trim());
    const error = document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]');
    return prompts.every(prompt => /^\\[\\d+\\]:$/.test(prompt))
        || (error !== null && !prompts.some(prompt => prompt.includes('*')));
}"""

CHROMIUM = chromium_executable()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: sudo apt-get install chromium")


def expected_parts(path: Path) -> Counter[str]:
    """How many of each card part the committed outputs of the notebook hold."""
    html = "".join(str(output.get("data", {}).get("text/html", ""))
                   for cell in nbformat.read(path, as_version=4).cells for output in cell.get("outputs", []))
    return Counter({part: len(re.findall(rf'class="session-{part}"', html)) for part in CARD_PARTS})


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Any]]:
    """JupyterLab on a copy of notebooks/ (running saves nothing into the repository), open in Chromium.

    One page for the module, as a learner keeps one tab: each test opens its notebook
    from the file browser and closes it (shutting its kernel down) at the end.
    """
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "locale", "zh"))
    # Render every cell, not only those in view (JupyterLab 4 virtualises long notebooks by default).
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    with running_lab(home, root, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
                     JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces")) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(str(CHROMIUM)))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}lab/workspaces/e2e?reset&token={server.token}")  # a fresh workspace: no tabs
        try:
            yield server, page
        finally:
            browser.close()


def rendered_parts(page: Any) -> Counter[str]:
    return Counter({part: page.locator(f".jp-OutputArea-output .session-{part}").count() for part in CARD_PARTS})


@pytest.mark.parametrize("path", TUTORIAL, ids=lambda path: path.stem)
def test_a_notebook_renders_and_runs_in_jupyterlab(lab: tuple[Lab, Any], path: Path) -> None:
    server, page = lab
    expected = expected_parts(path)
    cells = len(nbformat.read(path, as_version=4).cells)
    try:
        page.locator(".jp-DirListing-item", has_text=path.name).dblclick(timeout=OPEN_TIMEOUT_MS)
        notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
        page.wait_for_function(f"document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === {cells}",
                               timeout=OPEN_TIMEOUT_MS)
        # Untrusted, as a fresh clone is: JupyterLab sanitizes the HTML, and the cards must survive it.
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-OutputArea-output [class^=\"session-\"]').length >= n",
            arg=sum(expected.values()), timeout=OPEN_TIMEOUT_MS)
        assert page.locator(".jp-NotebookPanel").count() == 1
        assert rendered_parts(page) == expected

        wait_until_kernel_connected(server, path.name)
        wait_until_kernel_idle(page)
        menu(page, "Run", "Run All Cells")
        # Finished: every code cell numbered, or an error shown and nothing left waiting or running ([*]).
        # (Waiting only for "no [*]" would pass at once if the queue had not started yet.)
        page.wait_for_function(RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=200)
        wait_until_kernel_idle(page)
        prompts = notebook.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        assert all(re.fullmatch(r"\[\d+\]:", prompt.strip()) for prompt in prompts), prompts
        assert notebook.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
        assert rendered_parts(page) == expected
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"), full_page=True)
        raise
    finally:
        close_notebook(page, server)


def menu(page: Any, *path: str) -> None:
    """Click through the menu bar: ``menu(page, "Run", "Run All Cells")``."""
    for name in path:  # by the label alone: an item's accessible name also holds its shortcut
        page.get_by_role("menuitem").filter(has=page.get_by_text(name, exact=True)).click()


def close_notebook(page: Any, server: Lab) -> None:
    """File → Close and Shut Down Notebook, so the next test starts with no tab and no kernel."""
    if page.locator(".jp-NotebookPanel").count():
        page.keyboard.press("Escape")  # a menu or dialog a failure left open
        menu(page, "File", "Close and Shut Down Notebook…")
        page.locator(".jp-Dialog").get_by_role("button", name="Ok", exact=True).click()  # "Shut down the notebook?"
        # A notebook with unsaved changes asks once more ("Save your work"): discard them.
        discard = page.locator(".jp-Dialog").get_by_role("button", name="Discard", exact=True)
        page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel') || [...document.querySelectorAll"
                               "('.jp-Dialog button')].some(button => button.textContent.trim() === 'Discard')",
                               timeout=OPEN_TIMEOUT_MS)
        if discard.count():
            discard.click()
        page.locator(".jp-NotebookPanel").wait_for(state="detached", timeout=OPEN_TIMEOUT_MS)
    for session in server.get("api/sessions"):  # whatever is left, and the servers its kernel started
        server.delete(f"api/sessions/{session['id']}")


def wait_until_kernel_connected(server: Lab, name: str) -> None:
    """Return once the notebook's kernel is up, idle, and connected to the page.

    The page's own status can read idle before then, on the first notebook a
    fresh JupyterLab opens; Run All clicked in that gap clears the outputs and
    runs nothing.
    """
    deadline = time.monotonic() + OPEN_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        kernels = [session["kernel"] for session in server.get("api/sessions") if session["path"] == name]
        if any(kernel["connections"] > 0 and kernel["execution_state"] == "idle" for kernel in kernels):
            return
        time.sleep(0.1)
    raise AssertionError(f"no connected, idle kernel for {name}: {server.get('api/sessions')}")


def wait_until_kernel_idle(page: Any) -> None:
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=OPEN_TIMEOUT_MS)
