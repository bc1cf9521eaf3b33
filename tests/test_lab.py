"""``make lab``'s JupyterLab, as a learner meets it: no news prompt on top of the first notebook."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).parent / "jupyter"


def test_jupyterlab_in_this_environment_asks_no_news_question(tmp_path: Path) -> None:
    """The override that `make venv` installs reaches JupyterLab's settings API."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text()) == json.loads((REPO_ROOT / "lab-settings" / "overrides.json").read_text())
    token = secrets.token_hex(16)
    runtime = tmp_path / "runtime"
    lab = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--port=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)},
    )
    try:
        url = wait_for_url(runtime, lab)
        answer = requests.get(f"{url}lab/api/settings/@jupyterlab/apputils-extension:notification",
                              headers={"Authorization": f"token {token}"}, timeout=10)
        assert answer.status_code == 200
        # An override becomes the setting's default: "false" is "Never" (the prompt asks while it is "none").
        assert answer.json()["schema"]["properties"]["fetchNews"]["default"] == "false"
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
