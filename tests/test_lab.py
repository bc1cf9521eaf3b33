"""``make lab``'s JupyterLab, as a learner meets it: no news prompt on top of the first notebook; ``make lab-zh``'s in Chinese."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).parent / "jupyter"


def test_jupyterlab_in_this_environment_asks_no_news_question(tmp_path: Path) -> None:
    """The override that `make venv` installs reaches JupyterLab's settings API."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text()) == json.loads((REPO_ROOT / "lab-settings" / "overrides.json").read_text())
    with running_lab(tmp_path) as get:
        answer = get("lab/api/settings/@jupyterlab/apputils-extension:notification")
        # An override becomes the setting's default: "false" is "Never" (the prompt asks while it is "none").
        assert answer["schema"]["properties"]["fetchNews"]["default"] == "false"


def test_lab_zh_settings_turn_jupyterlab_chinese(tmp_path: Path) -> None:
    """`make lab-zh`'s settings directory selects zh_CN, and the pinned language pack answers for it."""
    settings = tmp_path / "settings"
    shutil.copytree(REPO_ROOT / "lab-settings" / "zh_CN", settings)
    with running_lab(tmp_path, JUPYTERLAB_SETTINGS_DIR=str(settings)) as get:
        assert get("lab/api/settings/@jupyterlab/translation-extension:plugin")["settings"]["locale"] == "zh_CN"
        assert "zh_CN" in get("lab/api/translations/")["data"]
        assert get("lab/api/translations/zh_CN")["data"]["jupyterlab"]["Settings"] == ["设置"]
    assert "lab-settings/zh_CN/@jupyterlab/translation-extension/plugin.jupyterlab-settings" in (
        REPO_ROOT / "Makefile").read_text()


@contextlib.contextmanager
def running_lab(tmp_path: Path, **environment: str) -> Iterator[Callable[[str], Any]]:
    """A JupyterLab server on notebooks/, and a function that GETs one of its APIs as JSON."""
    token = secrets.token_hex(16)
    runtime = tmp_path / "runtime"
    lab = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--port=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), **environment},
    )

    def get(path: str) -> Any:
        answer = requests.get(url + path, headers={"Authorization": f"token {token}"}, timeout=10)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.json()

    try:
        url = wait_for_url(runtime, lab)
        yield get
    finally:
        lab.terminate()
        lab.wait(10)
        shutil.rmtree(runtime, ignore_errors=True)


def wait_for_url(runtime: Path, lab: subprocess.Popen[bytes], timeout: float = 30.0) -> str:
    """The server's URL, from the runtime file JupyterLab writes once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert lab.poll() is None, "JupyterLab exited"
        for info in runtime.glob("jpserver-*.json"):
            url = json.loads(info.read_text())["url"]
            try:
                requests.get(url + "api", timeout=1)
                return url
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    raise TimeoutError("JupyterLab did not start")
