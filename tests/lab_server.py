"""A real JupyterLab server for the tests, as ``make lab`` starts it, on a free port with a token.

It runs in a directory of its own: its runtime files, and the user settings
and workspaces a test gives it, never touch the developer's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

JUPYTER = Path(sys.executable).parent / "jupyter"


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its base URL (ending in ``/``) and its token."""

    url: str
    token: str

    def get(self, path: str) -> Any:
        """GET one of its REST APIs, as JSON."""
        answer = requests.get(self.url + path, headers={"Authorization": f"token {self.token}"}, timeout=10)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.json()

    def delete(self, path: str) -> None:
        requests.delete(self.url + path, headers={"Authorization": f"token {self.token}"}, timeout=10)


@contextlib.contextmanager
def running_lab(home: Path, root: Path, **environment: str) -> Iterator[Lab]:
    """JupyterLab serving ``root``; ``home`` holds its runtime files; ``environment`` adds variables."""
    token = secrets.token_hex(16)
    runtime = home / "runtime"
    log = (home / "jupyterlab.log").open("wb")
    lab = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--port=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--allow-root"],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), **environment},
    )
    try:
        yield Lab(wait_for_url(runtime, lab), token)
    finally:
        lab.terminate()
        try:
            lab.wait(10)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()
        log.close()
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
